// Language identification of citizen texts, so that a request can be routed to an agent who
// reads it (or translated) before anyone opens it. Answers one of the supported languages
// (ISO 639-1: fr en ar es pt it de tr ro ru zh) or "unknown" with a reason: text with too
// little signal (under 2 words or 8 letters once digits, e-mails, URLs and acronyms are set
// aside; Han characters count double), several scripts mixed, several languages mixed, or a
// language outside the supported set.
//
// Three engines behind one function, compared by `guichet eval langid` (bench/RESULTS.md):
// CLD2 and exttextcat (Debian libraries; exttextcat with the models of the supported languages
// only) and a small built-in method (scripts, frequent words and diacritics). Any input is
// accepted: invalid UTF-8 bytes are dropped, and only the first kMaxLangIdBytes are read.
// Thread-safe: CLD2 and the built-in method are pure; the one exttextcat handle is created on first
// use and guarded by a mutex.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace guichet::triage {

struct LanguageGuess {
  std::string language;   // ISO 639-1 code of a supported language, or "unknown"
  double confidence = 0;  // in [0, 1]; for "unknown", how sure the text has no clear language
  std::string reason;     // for people and logs: why this answer
};

enum class LangIdEngine { kCld2, kTextcat, kBuiltin };

// The engine kept after measuring all three on citizen-style sentences (bench/RESULTS.md).
inline constexpr LangIdEngine kDefaultLangIdEngine = LangIdEngine::kCld2;

inline constexpr std::size_t kMaxLangIdBytes = 10000;
inline constexpr char kUnknownLanguage[] = "unknown";

// "cld2", "textcat", "builtin".
std::string_view LangIdEngineName(LangIdEngine engine);
std::optional<LangIdEngine> ParseLangIdEngine(std::string_view name);

// fr en ar es pt it de tr ro ru zh.
const std::vector<std::string>& SupportedLanguages();

LanguageGuess IdentifyLanguage(std::string_view text, LangIdEngine engine = kDefaultLangIdEngine);

}  // namespace guichet::triage
