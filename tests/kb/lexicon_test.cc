// Unit tests of the synonym and abbreviation lexicon (src/kb/lexicon.h).
#include "kb/lexicon.h"

#include <gtest/gtest.h>

namespace guichet::kb {
namespace {

TEST(LexiconTest, FindsTheLongestPhrasesAndTheirGroups) {
  Lexicon lexicon = Lexicon::Empty();
  ASSERT_TRUE(lexicon
                  .AddLines("# comment\ncontrat à durée déterminée = CDD\n"
                            "titre de séjour = carte de séjour, TDS\ncarte = badge\n",
                            "test")
                  .ok());
  EXPECT_EQ(lexicon.GroupCount(), 3u);
  const auto matches = lexicon.Find({"fin", "de", "cdd", "et", "carte", "de", "sejour"});
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].begin, 2u);
  EXPECT_EQ(matches[0].end, 3u);
  EXPECT_EQ(matches[0].alternatives,
            (std::vector<Phrase>{{"contrat", "a", "duree", "determinee"}}));
  EXPECT_EQ(matches[1].begin, 4u);  // "carte de séjour", not "carte" alone
  EXPECT_EQ(matches[1].end, 7u);
  EXPECT_EQ(matches[1].alternatives.size(), 2u);
  EXPECT_TRUE(lexicon.Find({"rien", "ici"}).empty());
}

TEST(LexiconTest, BadLinesNameTheirLine) {
  Lexicon lexicon = Lexicon::Empty();
  const Status s = lexicon.AddLines("a = b\nc = = d\n", "mine.txt");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("mine.txt line 2"), std::string::npos) << s.message();
  EXPECT_FALSE(lexicon.AddLines("\xff\xfe", "bad").ok());
}

TEST(LexiconTest, BuiltInListKnowsEverydayAbbreviations) {
  const Lexicon lexicon = Lexicon::BuiltIn();
  EXPECT_GT(lexicon.GroupCount(), 50u);
  for (const char* abbreviation : {"caf", "cpam", "apl", "rsa", "cni", "ants", "cdd", "cdi"}) {
    const auto matches = lexicon.Find({abbreviation});
    ASSERT_EQ(matches.size(), 1u) << abbreviation;
    EXPECT_FALSE(matches[0].alternatives.empty()) << abbreviation;
  }
  const auto sejour = lexicon.Find({"titre", "de", "sejour"});
  ASSERT_EQ(sejour.size(), 1u);
  bool has_carte = false;
  for (const Phrase& p : sejour[0].alternatives) has_carte |= p == Phrase{"carte", "de", "sejour"};
  EXPECT_TRUE(has_carte);
}

TEST(LexiconTest, ReadsTheCdtnGlossaryShape) {
  Lexicon lexicon = Lexicon::Empty();
  ASSERT_TRUE(lexicon
                  .AddCdtnGlossary(R"([{"title": "Aide juridictionnelle", "abbrs": ["AJ"],)"
                                   R"( "variants": []}, {"title": "Seul", "abbrs": []}])",
                                   "glossary")
                  .ok());
  EXPECT_EQ(lexicon.GroupCount(), 1u);  // a term with no other form adds nothing
  EXPECT_EQ(lexicon.Find({"aj"}).size(), 1u);
  EXPECT_FALSE(lexicon.AddCdtnGlossary("{}", "glossary").ok());
  EXPECT_FALSE(lexicon.AddCdtnGlossary("[{\"abbrs\": []}]", "glossary").ok());
}

}  // namespace
}  // namespace guichet::kb
