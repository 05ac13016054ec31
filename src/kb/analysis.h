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
  std::string stem;  // the folded stem of the word as written ("payées" → "pai"), "" for numbers
  bool accented = false;  // written with accents: its stem is the one the articles have
};

class Analyzer {
 public:
  Analyzer();
  std::vector<AnalyzedWord> Analyze(std::string_view text, std::size_t max_words) const;
  // A word known only folded (a lexicon entry, a spelling correction): stemmed as it is.
  AnalyzedWord AnalyzeFolded(const std::string& folded) const;
  // The stem of a word as written (`surface`, any case, accents kept), folded. Accents are
  // kept for stemming because the French stemmer needs them: "payés" and "payer" share the
  // stem "pai", while "payes" (folded) would give "pay".
  const std::string& Stem(std::string_view surface, const std::string& folded) const;
  // Stems a citizen may have meant by a word typed without accents: the word, then the word
  // with its ending accented ("declaree" → "declarée", "payes" → "payés").
  std::vector<std::string> UnaccentedStems(const std::string& folded) const;
  bool IsStopWord(const std::string& folded) const;

 private:
  mutable Xapian::Stem stemmer_;
  mutable std::unordered_map<std::string, std::string> stems_;
};

}  // namespace guichet::kb
