// Language identification (langid.h): one first pass shared by every engine measures the
// text's signal and scripts and keeps the words worth reading; then CLD2, exttextcat or the
// built-in method names the language.
#include "triage/langid.h"

#include <cstdio>  // before CLD2, whose header uses FILE without including it

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
#include <textcat.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "common/text.h"
#include "common/words.h"

namespace guichet::triage {
namespace {

constexpr double kMinLetters = 8;
constexpr double kMinWords = 2;
// Prose is mostly letters; under this share it is codes, numbers or binary junk.
constexpr double kMinLetterShare = 0.5;
// A second script with at least this share of the letters makes the text mixed.
constexpr double kMixedScriptShare = 0.10;
// CLD2: a second language with at least this share of the text makes it mixed.
constexpr int kCld2MixedPercent = 20;

enum Script { kLatin, kCyrillic, kArabic, kCjk, kHangul, kOtherScript, kScriptCount, kNoScript };

// The code point at s[i], moving i past it; -1 for a byte that starts no valid UTF-8 sequence
// (i then moves by one byte).
std::int32_t NextCodePoint(std::string_view s, std::size_t& i) {
  char32_t cp;
  i += DecodeUtf8(s, i, cp);
  return cp == 0xFFFD ? -1 : static_cast<std::int32_t>(cp);
}

bool In(std::int32_t cp, std::int32_t first, std::int32_t last) {
  return cp >= first && cp <= last;
}

// The script of a letter; kNoScript for digits, punctuation, symbols, marks and emojis.
Script ScriptOf(std::int32_t cp) {
  if (In(cp, 'a', 'z') || In(cp, 'A', 'Z')) return kLatin;
  if ((In(cp, 0xC0, 0x24F) && cp != 0xD7 && cp != 0xF7) || In(cp, 0x1E00, 0x1EFF)) return kLatin;
  if (In(cp, 0x400, 0x52F)) return kCyrillic;
  if (In(cp, 0x620, 0x64A) || In(cp, 0x66E, 0x6D3) || In(cp, 0x750, 0x77F) ||
      In(cp, 0x8A0, 0x8FF) || In(cp, 0xFB50, 0xFDFF) || In(cp, 0xFE70, 0xFEFF))
    return kArabic;
  if (In(cp, 0x3040, 0x30FF) || In(cp, 0x3400, 0x4DBF) || In(cp, 0x4E00, 0x9FFF) ||
      In(cp, 0xF900, 0xFAFF) || In(cp, 0x20000, 0x2FFFF))
    return kCjk;
  if (In(cp, 0xAC00, 0xD7AF) || In(cp, 0x1100, 0x11FF)) return kHangul;
  if (In(cp, 0x370, 0x3FF) || In(cp, 0x590, 0x5FF) || In(cp, 0x900, 0x1DFF)) return kOtherScript;
  return kNoScript;
}

bool IsKana(std::int32_t cp) { return In(cp, 0x3040, 0x30FF); }

// What the engines read: the words left once e-mail addresses, links, numbers (and the short
// codes stuck to them) and acronyms are set aside, and how much signal they carry.
struct Prepared {
  std::string clean;                      // valid UTF-8, kept tokens separated by spaces
  std::vector<std::int32_t> code_points;  // of `clean`
  double letters = 0;  // a CJK character counts double: it carries a word's meaning
  double words = 0;    // a run of CJK characters counts half its length
  double visible = 0;  // code points of the tokens kept or split, invalid bytes included
  std::array<double, kScriptCount> script_letters{};
  Script main_script = kNoScript;
  double main_share = 0;
  bool has_kana = false;
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

bool IsDigit(std::int32_t cp) {
  return In(cp, '0', '9') || In(cp, 0x660, 0x669) || In(cp, 0x6F0, 0x6F9) || In(cp, 0xFF10, 0xFF19);
}

// A piece of a token between digits. Next to a digit, a piece of one or two letters is a unit
// or a code ("14h30", "2e", "A4"), not a word.
void AddPiece(std::string_view piece, bool next_to_digit, Prepared& p) {
  std::vector<std::int32_t> points;
  double letters = 0, cjk = 0;
  std::array<double, kScriptCount> by_script{};
  bool all_ascii_upper = true, kana = false;
  for (std::size_t i = 0; i < piece.size();) {
    const std::int32_t cp = NextCodePoint(piece, i);
    if (cp < 0) continue;
    points.push_back(cp);
    const Script script = ScriptOf(cp);
    if (script == kNoScript) continue;
    if (!In(cp, 'A', 'Z')) all_ascii_upper = false;
    kana = kana || IsKana(cp);
    const double weight = script == kCjk ? 2 : 1;
    letters += weight;
    by_script[script] += weight;
    if (script == kCjk) ++cjk;
  }
  if (letters == 0 || (next_to_digit && letters < 3)) return;
  if (all_ascii_upper && letters >= 2 && letters <= 4) return;  // an acronym: RDV, CAF, RSA
  for (std::int32_t cp : points) AppendUtf8(static_cast<char32_t>(cp), p.clean);
  p.clean.push_back(' ');
  p.code_points.insert(p.code_points.end(), points.begin(), points.end());
  p.code_points.push_back(' ');
  p.letters += letters;
  p.words += (letters - 2 * cjk > 0 ? 1 : 0) + cjk / 2;
  for (int s = 0; s < kScriptCount; ++s) p.script_letters[s] += by_script[s];
  p.has_kana = p.has_kana || kana;
}

// A token between spaces: e-mail addresses and links are no text; digits split it.
void AddToken(std::string_view token, Prepared& p) {
  if (token.find('@') != std::string_view::npos || token.find("://") != std::string_view::npos ||
      StartsWithNoCase(token, "www."))
    return;
  std::size_t piece_start = 0;
  bool after_digit = false;
  for (std::size_t i = 0; i < token.size();) {
    const std::size_t at = i;
    ++p.visible;
    if (!IsDigit(NextCodePoint(token, i))) continue;
    if (at > piece_start) AddPiece(token.substr(piece_start, at - piece_start), true, p);
    piece_start = i;
    after_digit = true;
  }
  if (piece_start < token.size()) AddPiece(token.substr(piece_start), after_digit, p);
}

Prepared Prepare(std::string_view text) {
  if (text.size() > kMaxLangIdBytes) text = text.substr(0, kMaxLangIdBytes);
  Prepared p;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || IsSpace(text[i])) {
      if (i > start) AddToken(text.substr(start, i - start), p);
      start = i + 1;
    }
  }
  const auto main = std::max_element(p.script_letters.begin(), p.script_letters.end());
  if (p.letters > 0) {
    p.main_script = static_cast<Script>(main - p.script_letters.begin());
    p.main_share = *main / p.letters;
  }
  return p;
}

bool IsSupported(std::string_view code) {
  const auto& all = SupportedLanguages();
  return std::find(all.begin(), all.end(), code) != all.end();
}

LanguageGuess Unknown(double confidence, std::string reason) {
  return {kUnknownLanguage, confidence, std::move(reason)};
}

std::string Percent(double share) {
  return std::to_string(static_cast<int>(share * 100 + 0.5)) + " %";
}

// --- CLD2 -----------------------------------------------------------------------------------

std::string Cld2Code(CLD2::Language language) {
  if (language == CLD2::UNKNOWN_LANGUAGE || language == CLD2::TG_UNKNOWN_LANGUAGE) return "";
  std::string code = CLD2::LanguageCode(language);
  if (code == "zh-Hant") code = "zh";
  return code;
}

struct Cld2Answer {
  CLD2::Language language3[3] = {CLD2::UNKNOWN_LANGUAGE, CLD2::UNKNOWN_LANGUAGE,
                                 CLD2::UNKNOWN_LANGUAGE};
  int percent3[3] = {0, 0, 0};
  bool reliable = false;
};

Cld2Answer RunCld2(const std::string& clean, int flags) {
  Cld2Answer a;
  double normalized_score3[3] = {0, 0, 0};
  int text_bytes = 0, valid_prefix_bytes = 0;
  const CLD2::CLDHints no_hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING,
                                   CLD2::UNKNOWN_LANGUAGE};
  CLD2::ExtDetectLanguageSummaryCheckUTF8(
      clean.data(), static_cast<int>(clean.size()), true, &no_hints, flags, a.language3, a.percent3,
      normalized_score3, nullptr, &text_bytes, &a.reliable, &valid_prefix_bytes);
  return a;
}

LanguageGuess IdentifyWithCld2(const Prepared& p) {
  Cld2Answer a = RunCld2(p.clean, 0);
  // CLD2 names no language under about 30 letters, and citizens' messages are often that
  // short: then its best effort answers, trusted half as much.
  const bool best_effort = Cld2Code(a.language3[0]).empty();
  if (best_effort) a = RunCld2(p.clean, CLD2::kCLDFlagBestEffort);
  const std::string top = Cld2Code(a.language3[0]);
  if (top.empty()) return Unknown(0.7, "cld2 recognised no language");
  if (!IsSupported(top)) return Unknown(0.7, "cld2 says " + top + ", not a supported language");
  const std::string second = Cld2Code(a.language3[1]);
  if (!second.empty() && second != top && a.percent3[1] >= kCld2MixedPercent)
    return Unknown(0.6, "mixed languages: cld2 says " + top + " " + std::to_string(a.percent3[0]) +
                            " %, " + second + " " + std::to_string(a.percent3[1]) + " %");
  const double share = a.percent3[0] / 100.0;
  const std::string how = best_effort  ? "best effort on short text"
                          : a.reliable ? "reliable"
                                       : "unreliable";
  return {top, (best_effort || !a.reliable ? 0.5 : 1.0) * share,
          "cld2: " + top + " on " + Percent(share) + " of the text, " + how};
}

// --- exttextcat -----------------------------------------------------------------------------

constexpr char kTextcatModels[] = "/usr/share/libexttextcat/";

// The models of the supported languages only: with all of Debian's 179, exttextcat hesitates
// between close languages (fr, oc, ca, …) on most short texts. Its configuration must be a file.
std::string WriteSupportedModelsConf() {
  std::string path = (std::filesystem::temp_directory_path() / "guichet-textcat-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) return "";
  std::string conf;
  for (const std::string& code : SupportedLanguages()) {
    if (code == "zh")
      conf += "zh-Hans.lm zh-CN-utf8\nzh-Hant.lm zh-TW-utf8\n";
    else
      conf += code + ".lm " + code + "--utf8\n";
  }
  const bool written = write(fd, conf.data(), conf.size()) == static_cast<ssize_t>(conf.size());
  close(fd);
  if (!written) {
    std::remove(path.c_str());
    return "";
  }
  return path;
}

// The one exttextcat handle: its answers live in a buffer inside it, so calls are serialised.
struct Textcat {
  std::mutex mutex;
  void* handle = nullptr;
  Textcat() {
    const std::string conf = WriteSupportedModelsConf();
    if (conf.empty()) return;
    handle = special_textcat_Init(conf.c_str(), kTextcatModels);
    std::remove(conf.c_str());  // read once at init
    if (handle == nullptr) return;
    textcat_SetProperty(handle, TCPROP_UTF8AWARE, TC_TRUE);
    // Our own first pass already refuses texts with too little signal.
    textcat_SetProperty(handle, TCPROP_MINIMUM_DOCUMENT_SIZE, 8);
  }
  ~Textcat() {
    if (handle != nullptr) textcat_Done(handle);
  }
  Textcat(const Textcat&) = delete;
  Textcat& operator=(const Textcat&) = delete;
};

Textcat& SharedTextcat() {
  static Textcat textcat;  // created once, on first use, thread-safely
  return textcat;
}

LanguageGuess IdentifyWithTextcat(const Prepared& p) {
  Textcat& textcat = SharedTextcat();
  std::string answer;
  {
    std::lock_guard lock(textcat.mutex);
    if (textcat.handle == nullptr)
      return Unknown(0, std::string("exttextcat models not found in ") + kTextcatModels);
    const char* result = textcat_Classify(textcat.handle, p.clean.data(), p.clean.size());
    answer = result != nullptr ? result : "";
  }
  if (answer == TEXTCAT_RESULT_SHORT_STR) return Unknown(0.7, "too short for exttextcat");
  if (answer.empty() || answer[0] != '[') return Unknown(0.7, "exttextcat recognised no language");
  // "[fr--utf8][oc--utf8]": candidates by rank; "zh-CN-utf8" and "zh-TW-utf8" are both zh.
  std::vector<std::string> codes;
  for (std::size_t open = answer.find('['); open != std::string::npos;
       open = answer.find('[', open + 1)) {
    const std::size_t end = answer.find_first_of("-]", open + 1);
    if (end == std::string::npos) break;
    std::string code = answer.substr(open + 1, end - open - 1);
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
  }
  if (codes.empty()) return Unknown(0.7, "exttextcat recognised no language");
  if (codes.size() > 1) {
    std::string list;
    for (const auto& c : codes) list += (list.empty() ? "" : ", ") + c;
    return Unknown(0.6, "exttextcat hesitates between " + list);
  }
  if (!IsSupported(codes[0]))
    return Unknown(0.7, "exttextcat says " + codes[0] + ", not a supported language");
  // exttextcat ranks languages but gives no probability: a lone candidate is all it can say.
  return {codes[0], 0.9, "exttextcat: " + codes[0] + ", no other candidate close"};
}

// --- built-in: scripts, frequent words and diacritics ---------------------------------------

struct LatinLanguage {
  const char* code;
  const char* words;  // frequent words, as written; folded like the text at first use
  const char* marks;  // letters with diacritics (lower case) that the language writes
};

// Very common words of everyday writing (articles, pronouns, prepositions, greetings).
constexpr LatinLanguage kLatinLanguages[] = {
    {"fr",
     "le la les un une des du de en et est dans pour pas que qui sur avec au aux ce cette mon ma "
     "mes "
     "je vous nous il elle ne plus très bonjour merci depuis votre notre sont ont être avoir "
     "fait suis ai j'ai c'est mais ou où quand comment madame monsieur cordialement",
     "à â ç é è ê ë î ï ô ù û œ"},
    {"en",
     "the a an and is are was were of to in for on with my i you we it this that not have has "
     "be been can please hello thanks thank there from at by your our would could will do does "
     "what when how hi dear regards since",
     ""},
    {"es",
     "el la los las un una y es en de del por para con que no mi mis se su sus está este esta "
     "hay muy pero como cuando dónde hola gracias favor desde tengo quiero puede ayuda al lo "
     "buenos días usted",
     "á é í ó ú ñ ü ¿ ¡"},
    {"pt",
     "o a os as um uma e de do da dos das em no na nos nas por para com que não meu minha seu "
     "sua está este há muito mas como quando onde olá obrigado obrigada favor desde tenho quero "
     "pode ao você bom dia",
     "á à â ã ç é ê í ó ô õ ú"},
    {"it",
     "il lo la i gli le un una e è di del della dei in per con che non mio mia sono ho ha questo "
     "questa molto ma come quando dove ciao grazie buongiorno favore da dal nel alla sul vorrei "
     "posso mi",
     "à è é ì ò ù"},
    {"de",
     "der die das den dem des ein eine einen und ist in im mit für von zu nicht ich sie wir es "
     "auf bei aus sind habe hat seit bitte danke guten tag hallo wie wann wo kann mein meine "
     "unser ihr sehr noch auch",
     "ä ö ü ß"},
    {"tr",
     "ve bir bu da de ile için var yok ben biz siz ne nasıl neden gibi çok ama merhaba teşekkür "
     "ederim lütfen mi mı evet hayır olarak olan sonra kadar daha her benim bizim iyi günler "
     "istiyorum",
     "ç ğ ı ö ş ü"},
    {"ro",
     "și în de la pe cu un o este sunt nu ca care din pentru mai am ai au să ce mea meu vreau "
     "bună ziua mulțumesc vă rog acest această foarte dar când unde nostru",
     "ă â î ș ț ş ţ"},
};
constexpr int kLatinCount = static_cast<int>(std::size(kLatinLanguages));

std::int32_t LowerLatin(std::int32_t cp) {
  if (In(cp, 'A', 'Z') || (In(cp, 0xC0, 0xDE) && cp != 0xD7)) return cp + 0x20;
  if (cp == 0x130) return 0x131;  // Turkish İ counts as its dotless pair: both are Turkish marks
  if ((In(cp, 0x100, 0x17F) || In(cp, 0x218, 0x21B)) && cp % 2 == 0) return cp + 1;
  return cp;
}

// Which Latin languages write each frequent word and each marked letter.
struct LatinTables {
  std::unordered_map<std::string, std::vector<int>> words;
  std::unordered_map<std::int32_t, std::vector<int>> marks;
  LatinTables() {
    for (int l = 0; l < kLatinCount; ++l) {
      for (const std::string& w : Words(kLatinLanguages[l].words)) {
        auto& langs = words[w];
        if (std::find(langs.begin(), langs.end(), l) == langs.end()) langs.push_back(l);
      }
      const std::string_view marked = kLatinLanguages[l].marks;
      for (std::size_t i = 0; i < marked.size();) {
        const std::int32_t cp = NextCodePoint(marked, i);
        if (cp > 0x7F) marks[cp].push_back(l);
      }
    }
  }
};

const LatinTables& SharedLatinTables() {
  static const LatinTables tables;
  return tables;
}

// Evidence shared by k languages counts 1/k for each; `own` counts only evidence that belongs
// to one language, to tell a text mixing two languages from a text in one of close languages.
struct LatinEvidence {
  std::array<double, kLatinCount> score{}, own{};
};

LatinEvidence ScoreLatin(const Prepared& p) {
  const LatinTables& tables = SharedLatinTables();
  LatinEvidence e;
  const auto add = [&](const std::vector<int>& langs) {
    for (int l : langs) e.score[l] += 1.0 / static_cast<double>(langs.size());
    if (langs.size() == 1) e.own[langs[0]] += 1;
  };
  for (const std::string& w : Words(p.clean))
    if (auto it = tables.words.find(w); it != tables.words.end()) add(it->second);
  for (std::int32_t cp : p.code_points)
    if (auto it = tables.marks.find(LowerLatin(cp)); it != tables.marks.end()) add(it->second);
  return e;
}

// Two languages each with at least two words or letters of their own, the second with at least
// 40 % of the first's: "Bonjour, my bin was not collected, merci".
std::optional<LanguageGuess> MixedLatinLanguages(const LatinEvidence& e) {
  std::array<int, kLatinCount> order{};
  for (int l = 0; l < kLatinCount; ++l) order[l] = l;
  std::sort(order.begin(), order.end(), [&](int a, int b) { return e.own[a] > e.own[b]; });
  if (e.own[order[1]] >= 2 && e.own[order[1]] >= 0.4 * e.own[order[0]])
    return Unknown(0.6, std::string("mixed languages: words of ") + kLatinLanguages[order[0]].code +
                            " and of " + kLatinLanguages[order[1]].code);
  return std::nullopt;
}

LanguageGuess IdentifyLatin(const Prepared& p) {
  const LatinEvidence e = ScoreLatin(p);
  std::array<int, kLatinCount> order{};
  for (int l = 0; l < kLatinCount; ++l) order[l] = l;
  std::sort(order.begin(), order.end(), [&](int a, int b) { return e.score[a] > e.score[b]; });
  const int best = order[0];
  double total = 0;
  for (double s : e.score) total += s;
  if (e.score[best] < 1) return Unknown(0.6, "no frequent word or letter of a supported language");
  if (e.score[order[1]] == e.score[best])
    return Unknown(0.5, std::string("as much for ") + kLatinLanguages[best].code + " as for " +
                            kLatinLanguages[order[1]].code);
  const double share = e.score[best] / total;
  return {kLatinLanguages[best].code, share,
          "frequent words and letters: " + Percent(share) + " for " + kLatinLanguages[best].code};
}

LanguageGuess IdentifyWithBuiltin(const Prepared& p) {
  const auto count = [&](std::initializer_list<std::int32_t> letters) {
    return std::count_if(p.code_points.begin(), p.code_points.end(), [&](std::int32_t cp) {
      return std::find(letters.begin(), letters.end(), cp) != letters.end();
    });
  };
  switch (p.main_script) {
    case kLatin:
      return IdentifyLatin(p);
    case kCyrillic:
      // і ї є ґ (Ukrainian), ђ ј љ њ ћ џ (Serbian, Macedonian): not Russian.
      if (count({0x456, 0x457, 0x454, 0x491, 0x452, 0x458, 0x459, 0x45A, 0x45B, 0x45F}) > 0)
        return Unknown(0.6, "Cyrillic letters that Russian does not use");
      return {"ru", 0.9 * p.main_share, "Cyrillic script"};
    case kArabic:
      // پ چ ژ گ ک ی (Persian), ٹ ڈ ں ے (Urdu): a few are loan names, more is another language.
      if (count({0x67E, 0x686, 0x698, 0x6AF, 0x6A9, 0x6CC, 0x679, 0x688, 0x6BA, 0x6D2}) >= 2)
        return Unknown(0.6, "Arabic script with Persian or Urdu letters");
      return {"ar", 0.9 * p.main_share, "Arabic script"};
    case kCjk:  // without kana (see IdentifyLanguage)
      return {"zh", 0.9 * p.main_share, "Han characters"};
    default:
      return Unknown(0.7, "a script of no supported language");
  }
}

}  // namespace

std::string_view LangIdEngineName(LangIdEngine engine) {
  switch (engine) {
    case LangIdEngine::kCld2:
      return "cld2";
    case LangIdEngine::kTextcat:
      return "textcat";
    case LangIdEngine::kBuiltin:
      return "builtin";
  }
  return "?";
}

std::optional<LangIdEngine> ParseLangIdEngine(std::string_view name) {
  for (LangIdEngine e : {LangIdEngine::kCld2, LangIdEngine::kTextcat, LangIdEngine::kBuiltin})
    if (LangIdEngineName(e) == name) return e;
  return std::nullopt;
}

const std::vector<std::string>& SupportedLanguages() {
  static const std::vector<std::string> languages = {"fr", "en", "ar", "es", "pt", "it",
                                                     "de", "tr", "ro", "ru", "zh"};
  return languages;
}

LanguageGuess IdentifyLanguage(std::string_view text, LangIdEngine engine) {
  const Prepared p = Prepare(text);
  if (p.letters == 0)
    return Unknown(1.0, "no words: only digits, symbols, e-mail addresses or links");
  if (p.letters < kMinLetters || p.words < kMinWords)
    return Unknown(0.9, "too short: " + std::to_string(static_cast<int>(p.letters)) +
                            " letters, needs 2 words and 8 letters");
  if (p.letters < kMinLetterShare * p.visible)
    return Unknown(0.9, "mostly digits and symbols: letters are " + Percent(p.letters / p.visible) +
                            " of the characters");
  if (p.main_share < 1 - kMixedScriptShare)
    return Unknown(0.8, "several scripts mixed: the main one has " + Percent(p.main_share) +
                            " of the letters");
  // Kana (Japanese), Hangul (Korean), Greek, Hebrew, Indic…: no supported language is
  // written so, whatever an engine restricted to the supported languages would say.
  if (p.main_script == kHangul || p.main_script == kOtherScript ||
      (p.main_script == kCjk && p.has_kana))
    return Unknown(0.8, "written in a script of no supported language");
  if (p.main_script == kLatin)
    if (auto mixed = MixedLatinLanguages(ScoreLatin(p))) return *mixed;
  switch (engine) {
    case LangIdEngine::kCld2:
      return IdentifyWithCld2(p);
    case LangIdEngine::kTextcat:
      return IdentifyWithTextcat(p);
    case LangIdEngine::kBuiltin:
      return IdentifyWithBuiltin(p);
  }
  return Unknown(0, "unknown engine");
}

}  // namespace guichet::triage
