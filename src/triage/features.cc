#include "triage/features.h"

namespace guichet::triage {
std::vector<Feature> ExtractFeatures(const std::vector<std::string>& words,
                                     const FeatureOptions& options) {
  std::vector<Feature> out;
  out.reserve(words.size() * (options.char_min > 0 ? 12 : 2));
  ForEachFeature(words, options, [&](const Feature& f) { out.push_back(f); });
  return out;
}

std::string FeatureText(const Feature& feature, const std::vector<std::string>& words) {
  switch (feature.kind) {
    case FeatureKind::kWord:
      return words[feature.first_word];
    case FeatureKind::kWordPair:
      return words[feature.first_word] + " " + words[feature.last_word];
    case FeatureKind::kChars:
      return ("<" + words[feature.first_word] + ">")
          .substr(feature.char_offset, feature.char_bytes);
  }
  return {};
}

}  // namespace guichet::triage
