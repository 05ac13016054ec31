// Unit tests of spelling tolerance (src/kb/spelling.h).
#include "kb/spelling.h"

#include <gtest/gtest.h>

namespace guichet::kb {
namespace {

TEST(EditDistanceTest, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(EditDistance("allocation", "allocation", 2), 0u);
  EXPECT_EQ(EditDistance("alocation", "allocation", 2), 1u);
  EXPECT_EQ(EditDistance("allocatoin", "allocation", 2), 1u);  // swapped neighbours
  EXPECT_EQ(EditDistance("allocasion", "allocation", 2), 1u);
  EXPECT_EQ(EditDistance("alocasion", "allocation", 2), 2u);
  EXPECT_EQ(EditDistance("chat", "allocation", 2), 3u);  // stops above the limit
}

TEST(SpellingTest, CorrectsUnknownWordsToTheMostFrequentClosestWord) {
  const Spelling spelling({{"licenciement", 40},
                           {"allocation", 30},
                           {"allocations", 5},
                           {"location", 20},
                           {"conge", 25},
                           {"rare", 1},
                           {"cdd", 50}});
  // Two letters too many are beyond the candidates of one deletion on each side.
  EXPECT_EQ(spelling.Correct("liencenciement"), "");
  EXPECT_EQ(spelling.Correct("licenciment"), "licenciement");
  EXPECT_EQ(spelling.Correct("alocation"), "allocation");
  EXPECT_EQ(spelling.Correct("allocatoin"), "allocation");
  EXPECT_EQ(spelling.Correct("allocation"), "");  // known: nothing to correct
  EXPECT_EQ(spelling.Correct("rere"), "");        // "rare" is seen once: not a correction
  EXPECT_EQ(spelling.Correct("cdx"), "");         // short words are left alone
  EXPECT_EQ(spelling.Correct("2019"), "");
  EXPECT_EQ(spelling.Correct("zzzzzzzz"), "");
  EXPECT_EQ(spelling.Frequency("allocation"), 30u);
  EXPECT_EQ(spelling.Frequency("absent"), 0u);
}

TEST(SpellingTest, EmptyVocabularyCorrectsNothing) {
  const Spelling spelling;
  EXPECT_EQ(spelling.Correct("allocation"), "");
}

}  // namespace
}  // namespace guichet::kb
