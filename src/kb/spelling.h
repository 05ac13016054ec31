// Spelling tolerance for search: an unknown query word is replaced by the closest indexed word
// (the most frequent among equals), insertions, deletions, substitutions and swapped neighbours
// counted ("alocation" → "allocation", "licenciment" → "licenciement"). Candidates are the words
// that one deletion on each side makes equal (the symmetric-delete method: every one-edit word,
// and some two-edit ones, which long words accept), so a lookup costs a few hash probes, not a
// scan of the vocabulary. Immutable once built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace guichet::kb {

class Spelling {
 public:
  Spelling() = default;
  // Folded words with the number of documents they appear in.
  explicit Spelling(std::vector<std::pair<std::string, std::size_t>> vocabulary);

  std::size_t Frequency(const std::string& word) const;
  // The correction of `word`, or "" when it is known, too short, a number or has no close word.
  std::string Correct(const std::string& word) const;

 private:
  std::vector<std::string> words_;
  std::vector<std::size_t> frequency_;
  std::unordered_map<std::string, std::uint32_t> index_;                 // word → position
  std::unordered_map<std::string, std::vector<std::uint32_t>> deletes_;  // word minus a letter
};

// Optimal string alignment distance (Damerau–Levenshtein without repeated edits of a
// substring), in bytes of folded text; stops counting above `limit`.
std::size_t EditDistance(const std::string& a, const std::string& b, std::size_t limit);

}  // namespace guichet::kb
