#include "kb/eval.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace guichet::kb {
namespace {

void AddTo(RankingScores& sum, const RankingScores& s, double scale = 1.0) {
  sum.success_at_1 += s.success_at_1 * scale;
  sum.success_at_10 += s.success_at_10 * scale;
  sum.mrr_at_10 += s.mrr_at_10 * scale;
  sum.ndcg_at_10 += s.ndcg_at_10 * scale;
}

}  // namespace

RankingScores ScoreRanking(const std::vector<std::string>& ranked,
                           const std::map<std::string, int>& grades) {
  RankingScores s;
  double dcg = 0;
  for (std::size_t i = 0; i < ranked.size() && i < 10; ++i) {
    const auto it = grades.find(ranked[i]);
    if (it == grades.end()) continue;
    dcg += it->second / std::log2(static_cast<double>(i) + 2.0);
    if (it->second >= kRelevantGrade) {
      if (i == 0) s.success_at_1 = 1;
      s.success_at_10 = 1;
      if (s.mrr_at_10 == 0) s.mrr_at_10 = 1.0 / static_cast<double>(i + 1);
    }
  }
  std::vector<int> ideal;
  for (const auto& [doc, grade] : grades) ideal.push_back(grade);
  std::sort(ideal.begin(), ideal.end(), std::greater<>());
  double idcg = 0;
  for (std::size_t i = 0; i < ideal.size() && i < 10; ++i)
    idcg += ideal[i] / std::log2(static_cast<double>(i) + 2.0);
  s.ndcg_at_10 = idcg > 0 ? dcg / idcg : 0;
  return s;
}

void ScoreAverager::Add(const std::string& topic, const RankingScores& scores) {
  auto& [sum, count] = per_topic_[topic];
  AddTo(sum, scores);
  ++count;
}

AveragedScores ScoreAverager::Averages() const {
  AveragedScores a;
  for (const auto& [topic, sum_count] : per_topic_) {
    const auto& [sum, count] = sum_count;
    AddTo(a.macro, sum, 1.0 / static_cast<double>(count));
    AddTo(a.micro, sum);
    a.n_queries += count;
  }
  a.n_topics = per_topic_.size();
  if (a.n_topics > 0) {
    const RankingScores macro_sum = a.macro, micro_sum = a.micro;
    a.macro = {};
    a.micro = {};
    AddTo(a.macro, macro_sum, 1.0 / static_cast<double>(a.n_topics));
    AddTo(a.micro, micro_sum, 1.0 / static_cast<double>(a.n_queries));
  }
  return a;
}

}  // namespace guichet::kb
