#include "triage/features.h"

namespace guichet::triage {
namespace {

constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

std::uint64_t Mix(std::uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) h = (h ^ c) * kFnvPrime;
  return h;
}

std::uint64_t Start(FeatureKind kind) {
  return (kFnvOffset ^ static_cast<std::uint64_t>(kind)) * kFnvPrime;
}

std::string Bounded(const std::string& word) { return "<" + word + ">"; }

// Byte offsets of the code points of `s`, and s.size() at the end.
std::vector<std::uint16_t> CodePointStarts(const std::string& s) {
  std::vector<std::uint16_t> starts;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80)
      starts.push_back(static_cast<std::uint16_t>(i));
  }
  starts.push_back(static_cast<std::uint16_t>(s.size()));
  return starts;
}

}  // namespace

std::vector<Feature> ExtractFeatures(const std::vector<std::string>& words,
                                     const FeatureOptions& options) {
  std::vector<Feature> out;
  out.reserve(words.size() * (options.char_min > 0 ? 12 : 2));
  for (std::uint32_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    out.push_back({Mix(Start(FeatureKind::kWord), w), FeatureKind::kWord, i, i});
    if (options.word_pairs && i + 1 < words.size()) {
      const std::uint64_t h = Mix(Mix(Start(FeatureKind::kWordPair), w), " ");
      out.push_back({Mix(h, words[i + 1]), FeatureKind::kWordPair, i, i + 1});
    }
    if (options.char_min <= 0) continue;
    const std::string bounded = Bounded(w);
    const std::vector<std::uint16_t> starts = CodePointStarts(bounded);
    const std::size_t points = starts.size() - 1;
    for (int n = options.char_min; n <= options.char_max; ++n) {
      const auto len = static_cast<std::size_t>(n);
      if (len > points) break;
      for (std::size_t s = 0; s + len <= points; ++s) {
        const std::uint16_t from = starts[s];
        const auto bytes = static_cast<std::uint16_t>(starts[s + len] - from);
        Feature f{Mix(Start(FeatureKind::kChars), std::string_view(bounded).substr(from, bytes)),
                  FeatureKind::kChars, i, i};
        f.char_offset = from;
        f.char_bytes = bytes;
        out.push_back(f);
      }
    }
  }
  return out;
}

std::string FeatureText(const Feature& feature, const std::vector<std::string>& words) {
  switch (feature.kind) {
    case FeatureKind::kWord:
      return words[feature.first_word];
    case FeatureKind::kWordPair:
      return words[feature.first_word] + " " + words[feature.last_word];
    case FeatureKind::kChars:
      return Bounded(words[feature.first_word]).substr(feature.char_offset, feature.char_bytes);
  }
  return {};
}

}  // namespace guichet::triage
