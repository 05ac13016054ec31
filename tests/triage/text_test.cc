// Unit tests of the triage text normalisation and features (src/triage/text.h, features.h).
#include "triage/text.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "common/text.h"
#include "triage/features.h"

namespace guichet::triage {
namespace {

using Strings = std::vector<std::string>;

TEST(WordsTest, FoldsCaseAndAccentsAndDropsElisions) {
  EXPECT_EQ(Words("L'allocation ÉTUDIANTE d’été, qu'il faut"),
            (Strings{"allocation", "etudiante", "ete", "il", "faut"}));
  EXPECT_EQ(Words("Straße Œuvre naïve"), (Strings{"strasse", "oeuvre", "naive"}));
  EXPECT_EQ(Words("aujourd'hui"), (Strings{"aujourd", "hui"}));
  EXPECT_EQ(Words("RSA/CAF: 3 mois"), (Strings{"rsa", "caf", "3", "mois"}));
}

TEST(WordsTest, KeepsOtherScriptsAndDropsSymbols) {
  EXPECT_EQ(Words("Привет МИР"), (Strings{"привет", "мир"}));
  EXPECT_EQ(Words("مرحبا بكم"), (Strings{"مرحبا", "بكم"}));
  EXPECT_EQ(Words("你好。世界"), (Strings{"你好", "世界"}));
  EXPECT_EQ(Words("🙂🙂 !!! — …"), Strings{});
  EXPECT_EQ(Words(""), Strings{});
}

TEST(WordsTest, SurvivesJunkAndBoundsItsOutput) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>(i * 37 % 256);
  for (const std::string& w : Words(junk)) {
    EXPECT_LE(w.size(), 67u);
    EXPECT_FALSE(w.empty());
  }
  EXPECT_EQ(Words(std::string(1 << 20, 'a')).size(), 1u);  // one bounded word
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "mot ";
  EXPECT_EQ(Words(many, 5000).size(), 5000u);
  EXPECT_EQ(Words(std::string(100, 'x') + "é").front().size(), 64u);  // cut on a character
}

TEST(FeaturesTest, WordsPairsAndCharacterNgramsKnowWhereTheyComeFrom) {
  const Strings words = {"loyer", "impaye"};
  FeatureOptions options;
  const auto features = ExtractFeatures(words, options);
  std::set<std::string> texts;
  for (const Feature& f : features) {
    const std::string text = FeatureText(f, words);
    texts.insert(text);
    if (f.kind == FeatureKind::kWordPair) {
      EXPECT_EQ(text, "loyer impaye");
      EXPECT_EQ(f.first_word, 0u);
      EXPECT_EQ(f.last_word, 1u);
    }
    if (text == "<loy") {
      EXPECT_EQ(f.kind, FeatureKind::kChars);
    }
  }
  for (const char* expected : {"loyer", "impaye", "loyer impaye", "<lo", "<loy", "yer>", "paye>"})
    EXPECT_TRUE(texts.count(expected)) << expected;
  options.char_min = 0;
  options.word_pairs = false;
  EXPECT_EQ(ExtractFeatures(words, options).size(), 2u);
}

TEST(FeaturesTest, CharacterNgramsRespectMultibyteCharacters) {
  const Strings words = {"мир"};
  std::set<std::string> texts;
  for (const Feature& f : ExtractFeatures(words, FeatureOptions{})) {
    const std::string text = FeatureText(f, words);
    EXPECT_TRUE(IsValidUtf8(text)) << text;  // whole characters only
    texts.insert(text);
  }
  EXPECT_TRUE(texts.count("<ми"));
  EXPECT_TRUE(texts.count("мир>"));
}

TEST(FeaturesTest, SameTextSameKeys) {
  const auto a = ExtractFeatures({"titre", "sejour"}, FeatureOptions{});
  const auto b = ExtractFeatures({"titre", "sejour"}, FeatureOptions{});
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].key, b[i].key);
  const auto c = ExtractFeatures({"titre", "sejours"}, FeatureOptions{});
  EXPECT_NE(a[2].key, c.back().key);
}

}  // namespace
}  // namespace guichet::triage
