// Unit tests of word splitting and folding (src/common/words.h).
#include "common/words.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace guichet {
namespace {

using Strings = std::vector<std::string>;

TEST(WordsTest, FoldsCaseAndAccentsAndDropsElisions) {
  EXPECT_EQ(Words("L'allocation ÉTUDIANTE d’été, qu'il faut"),
            (Strings{"allocation", "etudiante", "ete", "il", "faut"}));
  EXPECT_EQ(Words("Straße Œuvre naïve"), (Strings{"strasse", "oeuvre", "naive"}));
  EXPECT_EQ(Words("aujourd'hui"), (Strings{"aujourd", "hui"}));
  EXPECT_EQ(Words("RSA/CAF: 3 mois"), (Strings{"rsa", "caf", "3", "mois"}));
}

TEST(WordsTest, KeepsOtherScriptsAndDropsSymbols) {
  EXPECT_EQ(Words("Привет МИР"), (Strings{"привет", "мир"}));
  EXPECT_EQ(Words("مرحبا بكم"), (Strings{"مرحبا", "بكم"}));
  EXPECT_EQ(Words("你好。世界"), (Strings{"你好", "世界"}));
  EXPECT_EQ(Words("🙂🙂 !!! — …"), Strings{});
  EXPECT_EQ(Words(""), Strings{});
}

TEST(WordsTest, SurvivesJunkAndBoundsItsOutput) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>(i * 37 % 256);
  for (const std::string& w : Words(junk)) {
    EXPECT_LE(w.size(), 67u);
    EXPECT_FALSE(w.empty());
  }
  EXPECT_EQ(Words(std::string(1 << 20, 'a')).size(), 1u);  // one bounded word
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "mot ";
  EXPECT_EQ(Words(many, 5000).size(), 5000u);
  EXPECT_EQ(Words(std::string(100, 'x') + "é").front().size(), 64u);  // cut on a character
}

TEST(WordSpansTest, PointAtTheWordsInTheOriginalText) {
  const std::string text = "L'été, d’accord : ÉCRIRE!";
  const std::vector<WordSpan> spans = WordSpans(text);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].folded, "ete");
  EXPECT_EQ(text.substr(spans[0].begin, spans[0].end - spans[0].begin), "été");
  EXPECT_EQ(text.substr(spans[1].begin, spans[1].end - spans[1].begin), "accord");
  EXPECT_EQ(text.substr(spans[2].begin, spans[2].end - spans[2].begin), "ÉCRIRE");
  EXPECT_EQ(spans[2].folded, "ecrire");
}

}  // namespace
}  // namespace guichet
