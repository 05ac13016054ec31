// Word analysis shared by indexing and querying: folded words (common/words.h: case, accents,
// elisions), their French stems (Snowball, through Xapian) and the stop-words of French and
// English queries. Not thread-safe (a stem cache): the search index serialises its use.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <xapian.h>

namespace guichet::kb {

struct AnalyzedWord {
  std::string term;  // folded word
  std::string stem;  // its folded stem ("allocations" → "allocat"), "" for numbers
};

class Analyzer {
 public:
  Analyzer();
  std::vector<AnalyzedWord> Analyze(std::string_view text, std::size_t max_words) const;
  AnalyzedWord AnalyzeFolded(const std::string& folded) const;
  const std::string& Stem(const std::string& folded) const;
  bool IsStopWord(const std::string& folded) const;

 private:
  mutable Xapian::Stem stemmer_;
  mutable std::unordered_map<std::string, std::string> stems_;
};

}  // namespace guichet::kb
