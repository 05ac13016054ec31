// Unit tests of the search evaluation metrics (src/kb/eval.h).
#include "kb/eval.h"

#include <gtest/gtest.h>

#include <cmath>

namespace guichet::kb {
namespace {

TEST(ScoreRankingTest, SuccessReciprocalRankAndGradedGain) {
  const std::map<std::string, int> grades = {{"A", 5}, {"B", 3}, {"C", 2}};
  const RankingScores s = ScoreRanking({"X", "C", "B", "A"}, grades);
  EXPECT_EQ(s.success_at_1, 0);
  EXPECT_EQ(s.success_at_10, 1);
  EXPECT_DOUBLE_EQ(s.mrr_at_10, 1.0 / 3);  // C is graded 2: not relevant
  const double dcg = 2 / std::log2(3.0) + 3 / std::log2(4.0) + 5 / std::log2(5.0);
  const double ideal = 5 + 3 / std::log2(3.0) + 2 / std::log2(4.0);
  EXPECT_DOUBLE_EQ(s.ndcg_at_10, dcg / ideal);
  const RankingScores best = ScoreRanking({"A", "B", "C"}, grades);
  EXPECT_EQ(best.success_at_1, 1);
  EXPECT_DOUBLE_EQ(best.ndcg_at_10, 1.0);
}

TEST(ScoreRankingTest, OnlyTheFirstTenCount) {
  std::vector<std::string> ranked(10, "X");
  ranked.push_back("A");
  const RankingScores s = ScoreRanking(ranked, {{"A", 5}});
  EXPECT_EQ(s.success_at_10, 0);
  EXPECT_EQ(s.mrr_at_10, 0);
  EXPECT_EQ(s.ndcg_at_10, 0);
  EXPECT_EQ(ScoreRanking({}, {}).ndcg_at_10, 0);
}

TEST(ScoreAveragerTest, AveragesQueriesPerTopicThenTopics) {
  ScoreAverager averager;
  RankingScores hit;
  hit.success_at_1 = hit.success_at_10 = hit.mrr_at_10 = hit.ndcg_at_10 = 1;
  const RankingScores miss;
  averager.Add("T1", hit);  // T1: 1 of 1
  averager.Add("T2", hit);  // T2: 1 of 3
  averager.Add("T2", miss);
  averager.Add("T2", miss);
  const AveragedScores a = averager.Averages();
  EXPECT_EQ(a.n_topics, 2u);
  EXPECT_EQ(a.n_queries, 4u);
  EXPECT_DOUBLE_EQ(a.macro.success_at_10, (1.0 + 1.0 / 3) / 2);
  EXPECT_DOUBLE_EQ(a.micro.success_at_10, 2.0 / 4);
}

}  // namespace
}  // namespace guichet::kb
