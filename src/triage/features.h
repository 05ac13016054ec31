// Features of a text for the triage models: its words, pairs of neighbouring words, and the
// character n-grams of each word (with word boundaries, so "<loy" is a word start). Character
// n-grams carry misspellings, plurals and compounds ("logement"/"logements"/"relogement") that
// words alone miss on small training sets. Each feature knows the words it came from, so that
// an explanation can speak in the citizen's words. Thread-safe (pure).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace guichet::triage {

enum class FeatureKind : std::uint8_t { kWord = 1, kWordPair = 2, kChars = 3 };

struct FeatureOptions {
  bool word_pairs = true;
  int char_min = 3;  // 0 turns character n-grams off
  int char_max = 5;
};

struct Feature {
  std::uint64_t key = 0;  // hash of kind and text
  FeatureKind kind = FeatureKind::kWord;
  std::uint32_t first_word = 0;  // the words it came from: [first_word, last_word]
  std::uint32_t last_word = 0;
  std::uint16_t char_offset = 0;  // kChars: the bytes of "<word>" it is made of
  std::uint16_t char_bytes = 0;
};

// Calls `fn(const Feature&)` for each feature of already folded `words` (see text.h), in order,
// repeats included, without allocating: the hot path of a prediction.
template <typename Fn>
void ForEachFeature(const std::vector<std::string>& words, const FeatureOptions& options, Fn&& fn);

// The same features as a list.
std::vector<Feature> ExtractFeatures(const std::vector<std::string>& words,
                                     const FeatureOptions& options);

// The readable text of a feature ("loyer", "titre sejour", "<loy") for a model's vocabulary.
std::string FeatureText(const Feature& feature, const std::vector<std::string>& words);

// --- Implementation of ForEachFeature ---------------------------------------------------------
namespace features_internal {

inline constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
inline constexpr std::uint64_t kFnvPrime = 1099511628211ull;

inline std::uint64_t Mix(std::uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) h = (h ^ c) * kFnvPrime;
  return h;
}

inline std::uint64_t Start(FeatureKind kind) {
  return (kFnvOffset ^ static_cast<std::uint64_t>(kind)) * kFnvPrime;
}

}  // namespace features_internal

template <typename Fn>
void ForEachFeature(const std::vector<std::string>& words, const FeatureOptions& options, Fn&& fn) {
  using features_internal::Mix;
  using features_internal::Start;
  // Words are at most 67 bytes (text.h), so "<word>" and its character starts fit here.
  char bounded[80];
  std::uint16_t starts[80];
  for (std::uint32_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    fn(Feature{Mix(Start(FeatureKind::kWord), w), FeatureKind::kWord, i, i});
    if (options.word_pairs && i + 1 < words.size()) {
      const std::uint64_t h = Mix(Mix(Start(FeatureKind::kWordPair), w), " ");
      fn(Feature{Mix(h, words[i + 1]), FeatureKind::kWordPair, i, i + 1});
    }
    if (options.char_min <= 0 || w.size() + 2 > sizeof bounded) continue;
    const std::size_t size = w.size() + 2;
    bounded[0] = '<';
    w.copy(bounded + 1, w.size());
    bounded[size - 1] = '>';
    std::size_t points = 0;
    for (std::size_t b = 0; b < size; ++b) {
      if ((static_cast<unsigned char>(bounded[b]) & 0xC0) != 0x80)
        starts[points++] = static_cast<std::uint16_t>(b);
    }
    starts[points] = static_cast<std::uint16_t>(size);
    // Each n-gram's hash extends the (n-1)-gram's from the same start: one pass per start.
    for (std::size_t s = 0; s < points; ++s) {
      std::uint64_t h = Start(FeatureKind::kChars);
      for (int n = 1; n <= options.char_max && s + static_cast<std::size_t>(n) <= points; ++n) {
        const std::size_t from = starts[s + n - 1], to = starts[s + n];
        h = Mix(h, std::string_view(bounded + from, to - from));
        if (n < options.char_min) continue;
        Feature f{h, FeatureKind::kChars, i, i};
        f.char_offset = starts[s];
        f.char_bytes = static_cast<std::uint16_t>(to - starts[s]);
        fn(f);
      }
    }
  }
}

}  // namespace guichet::triage
