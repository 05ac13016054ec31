// Ranking metrics for search evaluation with graded judgments (grades 1–5, relevant = grade ≥ 3):
// success@1, success@10, MRR@10 and nDCG@10 (linear gain = grade, log2 discount, the ideal
// ranking made of every graded document the engine could return). Per query, then averaged over
// the queries of a topic, then over topics (macro); the micro average over queries is kept too.
// Pure values and functions, thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace guichet::kb {

inline constexpr int kRelevantGrade = 3;

struct RankingScores {
  double success_at_1 = 0;
  double success_at_10 = 0;
  double mrr_at_10 = 0;
  double ndcg_at_10 = 0;
};

// `ranked`: document ids best first (each at most once); `grades`: the topic's graded documents.
RankingScores ScoreRanking(const std::vector<std::string>& ranked,
                           const std::map<std::string, int>& grades);

struct AveragedScores {
  RankingScores macro;  // queries averaged per topic, then topics averaged
  RankingScores micro;  // every query counts once
  std::size_t n_topics = 0;
  std::size_t n_queries = 0;
};

class ScoreAverager {
 public:
  void Add(const std::string& topic, const RankingScores& scores);
  AveragedScores Averages() const;

 private:
  std::map<std::string, std::pair<RankingScores, std::size_t>> per_topic_;  // sums, count
};

}  // namespace guichet::kb
