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

// The features of already folded `words` (see text.h), in order, repeats included.
std::vector<Feature> ExtractFeatures(const std::vector<std::string>& words,
                                     const FeatureOptions& options);

// The readable text of a feature ("loyer", "titre sejour", "<loy") for a model's vocabulary.
std::string FeatureText(const Feature& feature, const std::vector<std::string>& words);

}  // namespace guichet::triage
