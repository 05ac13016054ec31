#include "triage/text.h"

#include <array>
#include <cstdint>

namespace guichet::triage {
namespace {

// U+00C0..U+017F folded to ASCII (lower case, no accent); "" for the few that are not letters
// (× and ÷), two letters for ligatures.
// clang-format off
constexpr std::array<const char*, 0x180 - 0xC0> kLatin = {
    // U+00C0
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    // U+00D0
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
    // U+00E0
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    // U+00F0
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
    // U+0100
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    // U+0110
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    // U+0120
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    // U+0130
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    // U+0140
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    // U+0150
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    // U+0160
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    // U+0170
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};
// clang-format on

// Lower case for the cased scripts most citizens write in besides Latin: Greek, Cyrillic.
char32_t Lower(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 32;  // Greek capitals
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;                 // Cyrillic А–Я
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;                 // Ѐ–Џ
  return cp;
}

bool IsApostrophe(char32_t cp) { return cp == '\'' || cp == 0x2019 || cp == 0x02BC; }

// Letters and digits: ASCII, Latin-1 and Extended-A letters, and the alphabetic blocks of other
// scripts (Greek to Arabic, Indic, CJK, Hangul…), without their punctuation ranges.
bool IsWordChar(char32_t cp) {
  if (cp < 0x80)
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (cp < 0xC0) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
  if (cp == 0xD7 || cp == 0xF7) return false;
  if (cp < 0x2000)
    return !(cp >= 0x37E && cp <= 0x387 && cp != 0x386) && cp != 0x589 &&
           !(cp >= 0x55A && cp <= 0x55F) && !(cp >= 0x600 && cp <= 0x60F) && cp != 0x61B &&
           cp != 0x61F && cp != 0x6D4 && !(cp >= 0x964 && cp <= 0x965);
  if (cp < 0x2E80) return false;                   // punctuation, symbols, arrows, dingbats…
  if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation
  if (cp >= 0xFE30 && cp <= 0xFE4F) return false;
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;  // full-width punctuation
  if (cp >= 0x1F000) return false;                 // emoji and pictographs
  return cp != 0xFFFD;
}

void AppendFolded(char32_t cp, std::string& out) {
  if (cp >= 0xC0 && cp < 0x180) {
    out += kLatin[cp - 0xC0];
  } else {
    AppendUtf8(Lower(cp), out);
  }
}

// French elided words: "l'", "d'", "qu'", "jusqu'"… are dropped before the word they join.
bool IsElision(const std::string& w) {
  return w.size() <= 2 || w == "qu" || w == "jusqu" || w == "lorsqu" || w == "puisqu" ||
         w == "quoiqu" || w == "presqu";
}

}  // namespace

std::size_t DecodeUtf8(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  cp = 0xFFFD;
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  std::size_t n = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 1;
  char32_t v = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 1;
    v = (v << 6) | (b(k) & 0x3F);
  }
  const char32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 1;
  cp = v;
  return n;
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string Fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp;
    i += DecodeUtf8(text, i, cp);
    if (cp != 0xFFFD) AppendFolded(cp, out);
  }
  return out;
}

std::vector<std::string> Words(std::string_view text, std::size_t max_words) {
  std::vector<std::string> words;
  std::string word;
  const auto end_word = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (std::size_t i = 0; i < text.size() && words.size() < max_words;) {
    char32_t cp;
    i += DecodeUtf8(text, i, cp);
    if (IsWordChar(cp)) {
      if (word.size() < 64) AppendFolded(cp, word);  // a "word" of junk stays bounded
    } else if (IsApostrophe(cp) && IsElision(word)) {
      word.clear();
    } else {
      end_word();
    }
  }
  if (words.size() < max_words) end_word();
  return words;
}

}  // namespace guichet::triage
