#include "kb/analysis.h"

#include <algorithm>
#include <unordered_set>

#include "common/text.h"
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

const std::string& Analyzer::Stem(std::string_view surface, const std::string& folded) const {
  std::string lower = Xapian::Unicode::tolower(std::string(surface));
  auto it = stems_.find(lower);
  if (it != stems_.end()) return it->second;
  if (stems_.size() > 500000) stems_.clear();  // bounded: queries bring any word
  std::string stem = IsNumber(folded) || folded.size() < 4 ? folded : Fold(stemmer_(lower));
  return stems_.emplace(std::move(lower), std::move(stem)).first->second;
}

AnalyzedWord Analyzer::AnalyzeFolded(const std::string& folded) const {
  return {folded, IsNumber(folded) ? std::string() : Stem(folded, folded), false};
}

std::vector<std::string> Analyzer::UnaccentedStems(const std::string& folded) const {
  std::vector<std::string> out;
  if (IsNumber(folded)) return out;
  out.push_back(Stem(folded, folded));
  // Past participles are the endings the stemmer reads from the accent.
  for (std::string_view ending : {"ees", "ee", "es", "e"}) {
    if (folded.size() < ending.size() + 3 || !folded.ends_with(ending)) continue;
    const std::string accented = folded.substr(0, folded.size() - ending.size()) + "\xc3\xa9" +
                                 std::string(ending.substr(1));
    const std::string& stem = Stem(accented, folded);
    if (std::find(out.begin(), out.end(), stem) == out.end()) out.push_back(stem);
    break;
  }
  return out;
}

std::vector<AnalyzedWord> Analyzer::Analyze(std::string_view text, std::size_t max_words) const {
  std::vector<AnalyzedWord> out;
  for (WordSpan& w : WordSpans(text, max_words)) {
    const std::string_view surface = text.substr(w.begin, w.end - w.begin);
    const bool accented = surface.size() != w.folded.size() ||
                          std::any_of(surface.begin(), surface.end(),
                                      [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    std::string stem = IsNumber(w.folded) ? std::string() : Stem(surface, w.folded);
    out.push_back({std::move(w.folded), std::move(stem), accented});
  }
  return out;
}

bool Analyzer::IsStopWord(const std::string& folded) const { return StopWords().count(folded) > 0; }

}  // namespace guichet::kb
