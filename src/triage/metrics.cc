#include "triage/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>

namespace guichet::triage {

EvalReport Evaluate(const std::vector<std::string>& gold, const std::vector<std::string>& predicted,
                    const std::vector<double>& confidence) {
  EvalReport r;
  r.n = static_cast<int>(gold.size());
  if (gold.empty() || predicted.size() != gold.size() || confidence.size() != gold.size()) return r;
  std::set<std::string> labels;
  std::map<std::string, int> true_pos, pred_count, gold_count;
  std::map<std::pair<std::string, std::string>, int> mistakes;
  int right = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) {
    labels.insert(gold[i]);
    ++gold_count[gold[i]];
    if (!predicted[i].empty()) {
      labels.insert(predicted[i]);
      ++pred_count[predicted[i]];
    }
    if (predicted[i] == gold[i]) {
      ++right;
      ++true_pos[gold[i]];
    } else {
      ++mistakes[{gold[i], predicted[i].empty() ? "(abstained)" : predicted[i]}];
    }
  }
  r.accuracy = static_cast<double>(right) / r.n;
  double f1_sum = 0;
  for (const std::string& label : labels) {
    LabelScore s;
    s.label = label;
    s.support = gold_count[label];
    const double tp = true_pos[label];
    s.precision = pred_count[label] ? tp / pred_count[label] : 0;
    s.recall = s.support ? tp / s.support : 0;
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
    f1_sum += s.f1;
    r.labels.push_back(s);
  }
  r.macro_f1 = f1_sum / static_cast<double>(labels.size());
  for (const auto& [pair, count] : mistakes) r.confused.push_back({pair.first, pair.second, count});
  std::stable_sort(r.confused.begin(), r.confused.end(),
                   [](const Confusion& a, const Confusion& b) { return a.count > b.count; });
  if (r.confused.size() > 10) r.confused.resize(10);

  constexpr int kBins = 15;
  std::vector<double> bin_conf(kBins, 0), bin_right(kBins, 0), bin_n(kBins, 0);
  for (std::size_t i = 0; i < gold.size(); ++i) {
    const double c = std::clamp(confidence[i], 0.0, 1.0);
    const int b = std::min(kBins - 1, static_cast<int>(c * kBins));
    bin_conf[b] += c;
    bin_right[b] += predicted[i] == gold[i] ? 1 : 0;
    bin_n[b] += 1;
  }
  for (int b = 0; b < kBins; ++b) {
    if (bin_n[b] > 0) r.ece += std::abs(bin_right[b] - bin_conf[b]) / r.n;
  }

  std::vector<std::size_t> order(gold.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](auto a, auto b) { return confidence[a] > confidence[b]; });
  const auto kept = static_cast<std::size_t>(std::ceil(0.8 * static_cast<double>(gold.size())));
  int kept_right = 0;
  for (std::size_t i = 0; i < kept; ++i)
    kept_right += predicted[order[i]] == gold[order[i]] ? 1 : 0;
  r.coverage_80_accuracy = static_cast<double>(kept_right) / static_cast<double>(kept);
  return r;
}

nlohmann::json ToJson(const EvalReport& r) {
  nlohmann::json labels = nlohmann::json::array(), confused = nlohmann::json::array();
  for (const auto& s : r.labels)
    labels.push_back({{"label", s.label},
                      {"precision", s.precision},
                      {"recall", s.recall},
                      {"f1", s.f1},
                      {"support", s.support}});
  for (const auto& c : r.confused)
    confused.push_back({{"gold", c.gold}, {"predicted", c.predicted}, {"count", c.count}});
  return {{"n", r.n},
          {"accuracy", r.accuracy},
          {"macro_f1", r.macro_f1},
          {"ece", r.ece},
          {"coverage_80_accuracy", r.coverage_80_accuracy},
          {"labels", labels},
          {"confused", confused}};
}

std::string ToText(const EvalReport& r) {
  char line[512];
  std::string out;
  std::snprintf(line, sizeof line,
                "examples %d  accuracy %.4f  macro-F1 %.4f  ECE %.4f  accuracy at 80%% coverage "
                "%.4f\n\n",
                r.n, r.accuracy, r.macro_f1, r.ece, r.coverage_80_accuracy);
  out += line;
  out += "precision  recall      F1  support  label\n";
  for (const auto& s : r.labels) {
    std::snprintf(line, sizeof line, "   %.4f  %.4f  %.4f  %7d  %s\n", s.precision, s.recall, s.f1,
                  s.support, s.label.c_str());
    out += line;
  }
  if (!r.confused.empty()) out += "\nmost confused (right label → predicted: count)\n";
  for (const auto& c : r.confused)
    out += "  " + c.gold + " → " + c.predicted + ": " + std::to_string(c.count) + "\n";
  return out;
}

}  // namespace guichet::triage
