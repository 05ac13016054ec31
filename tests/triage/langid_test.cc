// Unit tests of language identification (src/triage/langid.h): the default engine on the
// committed citizen-style sentences (testdata/langid_sentences.tsv), long sentences of every
// language, bad input of every kind for every engine, mixed texts, and calls from many threads.
#include "triage/langid.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace guichet::triage {
namespace {

constexpr LangIdEngine kAllEngines[] = {LangIdEngine::kCld2, LangIdEngine::kTextcat,
                                        LangIdEngine::kBuiltin};

// (language, text) rows of the TSV file, header skipped.
std::vector<std::pair<std::string, std::string>> ReadSentences() {
  std::ifstream in(std::string(GUICHET_TRIAGE_TESTDATA) + "/langid_sentences.tsv");
  std::vector<std::pair<std::string, std::string>> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const std::size_t tab = line.find('\t');
    if (tab != std::string::npos) rows.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  return rows;
}

TEST(LangIdTest, DefaultEngineReachesItsMeasuredAccuracy) {
  const auto rows = ReadSentences();
  ASSERT_GE(rows.size(), 300u);
  int right = 0;
  for (const auto& [language, text] : rows) right += IdentifyLanguage(text).language == language;
  // Measured 0.928 with CLD2 (bench/RESULTS.md); the floor sits a few points under.
  EXPECT_GE(static_cast<double>(right) / static_cast<double>(rows.size()), 0.90);
}

TEST(LangIdTest, TheLongestSentenceOfEachLanguageIsRecognised) {
  std::map<std::string, std::string> longest;
  for (const auto& [language, text] : ReadSentences())
    if (language != kUnknownLanguage && text.size() > longest[language].size())
      longest[language] = text;
  ASSERT_EQ(longest.size(), SupportedLanguages().size());
  for (const auto& [language, text] : longest) {
    const LanguageGuess guess = IdentifyLanguage(text);
    EXPECT_EQ(guess.language, language) << text << " — " << guess.reason;
    EXPECT_GE(guess.confidence, 0.5) << text;
  }
}

TEST(LangIdTest, LongSentencesOfEveryEngine) {
  const std::pair<const char*, const char*> sentences[] = {
      {"fr", "Bonjour, je voudrais savoir quels documents il faut pour refaire ma carte."},
      {"ru", "Здравствуйте, я хотел бы записаться на приём, чтобы продлить вид на жительство."},
      {"ar", "مرحبا، أريد أن أعرف متى تفتح البلدية يوم السبت من فضلكم."},
      {"zh", "您好，我想问一下周六上午市政厅开不开门，谢谢。"},
  };
  for (LangIdEngine engine : kAllEngines)
    for (const auto& [language, text] : sentences)
      EXPECT_EQ(IdentifyLanguage(text, engine).language, language)
          << LangIdEngineName(engine) << ": " << text;
}

TEST(LangIdTest, BadInputIsUnknownWithAReason) {
  std::mt19937 random(7);
  std::string junk(4096, '\0');
  for (char& c : junk) c = static_cast<char>(random() & 0xFF);
  const std::string inputs[] = {
      "",
      "ok",
      "12/03/2026",
      "\xF0\x9F\x98\xA1\xF0\x9F\x91\x8D\xF0\x9F\x99\x82",  // 😡👍🙂
      std::string(1 << 20, 'a'),
      junk,
      "\xFF\xFE\xC3\x28\xA0\xA1\xE2\x28\xA1\xF0\x28\x8C\xBC\xED\xA0\x80",
      "contact.usager@example.org +33 1 23 45 67 89 https://www.example.org/a",
      "RDV CAF APL",
  };
  for (LangIdEngine engine : kAllEngines) {
    for (const std::string& text : inputs) {
      const LanguageGuess guess = IdentifyLanguage(text, engine);
      EXPECT_EQ(guess.language, kUnknownLanguage)
          << LangIdEngineName(engine) << " on " << text.substr(0, 40) << ": " << guess.reason;
      EXPECT_FALSE(guess.reason.empty());
      EXPECT_GE(guess.confidence, 0.0);
      EXPECT_LE(guess.confidence, 1.0);
    }
  }
}

TEST(LangIdTest, HugeTextIsReadOnlyInPart) {
  std::string text;
  while (text.size() < (1u << 20)) text += "Le camion des ordures n'est pas passé dans notre rue. ";
  EXPECT_EQ(IdentifyLanguage(text).language, "fr");
}

TEST(LangIdTest, LinksAndNumbersAroundATextAreSetAside) {
  const LanguageGuess guess = IdentifyLanguage(
      "voir https://www.service-public.fr/particuliers/vosdroits/F1234 et le dossier 2024-0187, "
      "je n'ai toujours pas de réponse depuis le 12/03 : merci de me rappeler au 06 12 34 56 78");
  EXPECT_EQ(guess.language, "fr") << guess.reason;
}

TEST(LangIdTest, MixedTextGetsNoHighConfidence) {
  const char* mixed[] = {
      "Bonjour, my bin was not collected, merci de passer asap",
      "Bonjour 你好, je voudrais 预约 un rendez-vous 谢谢",
      "السلام عليكم je voudrais un rendez-vous pour le titre de séjour",
      "Привет hello bonjour",
  };
  for (LangIdEngine engine : kAllEngines) {
    for (const char* text : mixed) {
      const LanguageGuess guess = IdentifyLanguage(text, engine);
      if (guess.language != kUnknownLanguage) {
        EXPECT_LT(guess.confidence, 0.7) << LangIdEngineName(engine) << ": " << text;
      }
    }
  }
}

TEST(LangIdTest, UnsupportedLanguagesAreUnknown) {
  // Japanese (kana), Korean and Greek: scripts of no supported language.
  for (const char* text : {"市役所は土曜日の午前中に開いていますか？よろしくお願いします。",
                           "토요일 오전에 시청이 문을 여나요? 감사합니다.",
                           "Καλημέρα, θα ήθελα να κλείσω ένα ραντεβού για το διαβατήριο."})
    for (LangIdEngine engine : kAllEngines)
      EXPECT_EQ(IdentifyLanguage(text, engine).language, kUnknownLanguage)
          << LangIdEngineName(engine) << ": " << text;
}

TEST(LangIdTest, ManyThreadsGetTheSameAnswers) {
  const auto rows = ReadSentences();
  for (LangIdEngine engine : kAllEngines) {
    std::vector<std::string> expected;
    for (const auto& row : rows) expected.push_back(IdentifyLanguage(row.second, engine).language);
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (std::size_t i = 0; i < rows.size(); ++i)
          mismatches[static_cast<std::size_t>(t)] +=
              IdentifyLanguage(rows[i].second, engine).language != expected[i];
      });
    }
    for (auto& thread : threads) thread.join();
    for (int m : mismatches) EXPECT_EQ(m, 0) << LangIdEngineName(engine);
  }
}

TEST(LangIdTest, EngineNamesRoundTrip) {
  for (LangIdEngine engine : kAllEngines)
    EXPECT_EQ(ParseLangIdEngine(LangIdEngineName(engine)), engine);
  EXPECT_EQ(ParseLangIdEngine("fasttext"), std::nullopt);
}

}  // namespace
}  // namespace guichet::triage
