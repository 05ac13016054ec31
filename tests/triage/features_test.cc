// Unit tests of the triage features (src/triage/features.h).
#include "triage/features.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "common/text.h"

namespace guichet::triage {
namespace {

using Strings = std::vector<std::string>;

TEST(FeaturesTest, WordsPairsAndCharacterNgramsKnowWhereTheyComeFrom) {
  const Strings words = {"loyer", "impaye"};
  FeatureOptions options;
  const auto features = ExtractFeatures(words, options);
  std::set<std::string> texts;
  for (const Feature& f : features) {
    const std::string text = FeatureText(f, words);
    texts.insert(text);
    if (f.kind == FeatureKind::kWordPair) {
      EXPECT_EQ(text, "loyer impaye");
      EXPECT_EQ(f.first_word, 0u);
      EXPECT_EQ(f.last_word, 1u);
    }
    if (text == "<loy") {
      EXPECT_EQ(f.kind, FeatureKind::kChars);
    }
  }
  for (const char* expected : {"loyer", "impaye", "loyer impaye", "<lo", "<loy", "yer>", "paye>"})
    EXPECT_TRUE(texts.count(expected)) << expected;
  options.char_min = 0;
  options.word_pairs = false;
  EXPECT_EQ(ExtractFeatures(words, options).size(), 2u);
}

TEST(FeaturesTest, CharacterNgramsRespectMultibyteCharacters) {
  const Strings words = {"мир"};
  std::set<std::string> texts;
  for (const Feature& f : ExtractFeatures(words, FeatureOptions{})) {
    const std::string text = FeatureText(f, words);
    EXPECT_TRUE(IsValidUtf8(text)) << text;  // whole characters only
    texts.insert(text);
  }
  EXPECT_TRUE(texts.count("<ми"));
  EXPECT_TRUE(texts.count("мир>"));
}

TEST(FeaturesTest, SameTextSameKeys) {
  const auto a = ExtractFeatures({"titre", "sejour"}, FeatureOptions{});
  const auto b = ExtractFeatures({"titre", "sejour"}, FeatureOptions{});
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].key, b[i].key);
  const auto c = ExtractFeatures({"titre", "sejours"}, FeatureOptions{});
  EXPECT_NE(a[2].key, c.back().key);
}

}  // namespace
}  // namespace guichet::triage
