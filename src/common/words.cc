#include "common/words.h"

#include "common/text.h"

namespace guichet {
namespace {

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

// French elided words: "l'", "d'", "qu'", "jusqu'"… are dropped before the word they join.
bool IsElision(const std::string& w) {
  return w.size() <= 2 || w == "qu" || w == "jusqu" || w == "lorsqu" || w == "puisqu" ||
         w == "quoiqu" || w == "presqu";
}

}  // namespace

std::vector<WordSpan> WordSpans(std::string_view text, std::size_t max_words) {
  std::vector<WordSpan> words;
  WordSpan word;
  const auto end_word = [&](std::size_t at) {
    if (!word.folded.empty()) {
      word.end = at;
      words.push_back(std::move(word));
    }
    word = WordSpan{};
  };
  for (std::size_t i = 0; i < text.size() && words.size() < max_words;) {
    char32_t cp;
    const std::size_t start = i;
    i += DecodeUtf8(text, i, cp);
    if (IsWordChar(cp)) {
      if (word.folded.empty()) word.begin = start;
      if (word.folded.size() < 64) AppendFolded(cp, word.folded);  // junk stays bounded
    } else if (IsApostrophe(cp) && IsElision(word.folded)) {
      word = WordSpan{};
    } else {
      end_word(start);
    }
  }
  if (words.size() < max_words) end_word(text.size());
  return words;
}

std::vector<std::string> Words(std::string_view text, std::size_t max_words) {
  std::vector<std::string> words;
  for (WordSpan& w : WordSpans(text, max_words)) words.push_back(std::move(w.folded));
  return words;
}

}  // namespace guichet
