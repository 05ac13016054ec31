#include "kb/analysis.h"

#include <algorithm>
#include <unordered_set>

#include "common/words.h"

namespace guichet::kb {
namespace {

// Words that carry no topic in French and English queries, folded. Kept short: "pas", "sans"
// or "plus" change what a citizen asks, so they are not here.
const std::unordered_set<std::string>& StopWords() {
  static const std::unordered_set<std::string> words = {
      // French
      "a",
      "au",
      "aux",
      "avec",
      "ce",
      "ces",
      "cet",
      "cette",
      "dans",
      "de",
      "des",
      "du",
      "elle",
      "en",
      "et",
      "est",
      "etre",
      "il",
      "ils",
      "je",
      "la",
      "le",
      "les",
      "leur",
      "leurs",
      "lui",
      "ma",
      "mais",
      "me",
      "mes",
      "moi",
      "mon",
      "ne",
      "nos",
      "notre",
      "nous",
      "on",
      "ou",
      "par",
      "pour",
      "qu",
      "que",
      "qui",
      "sa",
      "se",
      "ses",
      "son",
      "sont",
      "sur",
      "ta",
      "te",
      "tes",
      "toi",
      "ton",
      "tu",
      "un",
      "une",
      "vos",
      "votre",
      "vous",
      "y",
      "j",
      "l",
      "d",
      "m",
      "n",
      "s",
      "t",
      "c",
      "quel",
      "quelle",
      "quels",
      "quelles",
      "comment",
      "est-ce",
      "ai",
      "as",
      "avoir",
      "svp",
      "bonjour",
      "merci",
      "faire",
      "peut",
      "puis",
      "dois",
      "doit",
      // English
      "an",
      "and",
      "are",
      "as",
      "at",
      "be",
      "by",
      "for",
      "from",
      "how",
      "i",
      "in",
      "is",
      "it",
      "my",
      "of",
      "on",
      "or",
      "the",
      "to",
      "what",
      "with",
      "can",
      "do",
      "please",
  };
  return words;
}

bool IsNumber(const std::string& w) {
  return std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Analyzer::Analyzer() : stemmer_("french") {}

const std::string& Analyzer::Stem(const std::string& folded) const {
  auto it = stems_.find(folded);
  if (it != stems_.end()) return it->second;
  if (stems_.size() > 500000) stems_.clear();  // bounded: queries bring any word
  std::string stem = IsNumber(folded) || folded.size() < 4 ? folded : stemmer_(folded);
  return stems_.emplace(folded, std::move(stem)).first->second;
}

AnalyzedWord Analyzer::AnalyzeFolded(const std::string& folded) const {
  return {folded, IsNumber(folded) ? std::string() : Stem(folded)};
}

std::vector<AnalyzedWord> Analyzer::Analyze(std::string_view text, std::size_t max_words) const {
  std::vector<AnalyzedWord> out;
  for (WordSpan& w : WordSpans(text, max_words)) out.push_back(AnalyzeFolded(w.folded));
  return out;
}

bool Analyzer::IsStopWord(const std::string& folded) const { return StopWords().count(folded) > 0; }

}  // namespace guichet::kb
