// Synonyms and abbreviations for search: groups of words and phrases that mean the same
// ("cdd = contrat à durée déterminée", "titre de séjour = carte de séjour"). A query phrase that
// belongs to a group is searched as any of the group's members. Everything is folded as
// common/words.h folds (case, accents, elisions), so "CNI", "cni" and "C.N.I" are one entry
// only when written so: write the forms citizens type.
// The built-in French list covers the everyday abbreviations of public services; more can be
// added from text lines or from the CDTN glossary file. Immutable after loading: thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace guichet::kb {

using Phrase = std::vector<std::string>;  // folded words

class Lexicon {
 public:
  static Lexicon BuiltIn();
  static Lexicon Empty() { return Lexicon(); }

  // Lines "member = member, member…" ('#' starts a comment; '=' and ',' both separate
  // members). An error names `source` and the line.
  Status AddLines(std::string_view text, std::string_view source);
  // The CDTN glossary (JSON array of {title, abbrs[], variants[]}): each term with its
  // abbreviations and variants forms a group.
  Status AddCdtnGlossary(std::string_view json, std::string_view source);

  struct Match {
    std::size_t begin = 0;  // words [begin, end) of the query
    std::size_t end = 0;
    std::vector<Phrase> alternatives;  // the other members of the phrase's groups
  };
  // Longest phrases of `words` found in the lexicon, left to right, not overlapping.
  std::vector<Match> Find(const std::vector<std::string>& words) const;

  std::size_t GroupCount() const { return groups_.size(); }

 private:
  void AddGroup(std::vector<Phrase> members);

  std::vector<std::vector<Phrase>> groups_;
  std::map<Phrase, std::vector<std::size_t>> groups_of_;  // member → groups it belongs to
  std::size_t longest_ = 0;                               // words in the longest member
};

// Longest lexicon text read (a file given on the command line or in the configuration).
inline constexpr std::size_t kMaxLexiconBytes = 4 << 20;

}  // namespace guichet::kb
