// Words out of any citizen text, in any script, for the triage models and search.
// Lower case, Latin accents removed ("Écrire" → "ecrire", "Straße" → "strasse"), French
// elisions split off and dropped ("l'allocation" → "allocation", "qu'il" → "il"); letters and
// digits of every script are kept, everything else separates words. Invalid UTF-8 bytes count
// as separators, so no input can break it. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace guichet {

// The words of `text`, folded as above; at most `max_words` (longer texts are cut).
// (Folding alone, without splitting into words: guichet::Fold in common/text.h.)
std::vector<std::string> Words(std::string_view text, std::size_t max_words = 5000);

// A word and where it stands in the text it came from: [begin, end) in bytes, the elided
// article excluded ("l'allocation" → "allocation" at the offset of 'a').
struct WordSpan {
  std::string folded;
  std::size_t begin = 0;
  std::size_t end = 0;
};
std::vector<WordSpan> WordSpans(std::string_view text, std::size_t max_words = 5000);

}  // namespace guichet
