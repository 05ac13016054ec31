#include "triage/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <random>
#include <set>

namespace guichet::triage {
namespace {

constexpr int kEceBins = 15;

double Ece(const std::vector<double>& confidence, const std::vector<bool>& right) {
  std::vector<double> bin_conf(kEceBins, 0), bin_right(kEceBins, 0);
  for (std::size_t i = 0; i < confidence.size(); ++i) {
    const int b = std::min(kEceBins - 1, static_cast<int>(confidence[i] * kEceBins));
    bin_conf[b] += confidence[i];
    bin_right[b] += right[i] ? 1 : 0;
  }
  double ece = 0;
  for (int b = 0; b < kEceBins; ++b) ece += std::abs(bin_right[b] - bin_conf[b]);
  return ece / static_cast<double>(confidence.size());
}

// The ECE that answers with exactly right confidences would still show on this many texts: the
// mean over draws where each answer is right with the probability it was given (fixed seed).
double EceIfCalibrated(const std::vector<double>& confidence) {
  constexpr int kDraws = 200;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<bool> right(confidence.size());
  double sum = 0;
  for (int d = 0; d < kDraws; ++d) {
    for (std::size_t i = 0; i < confidence.size(); ++i) right[i] = uniform(rng) < confidence[i];
    sum += Ece(confidence, right);
  }
  return sum / kDraws;
}

}  // namespace

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

  std::vector<double> clamped(gold.size());
  std::vector<bool> correct(gold.size());
  for (std::size_t i = 0; i < gold.size(); ++i) {
    clamped[i] = std::clamp(confidence[i], 0.0, 1.0);
    correct[i] = predicted[i] == gold[i];
  }
  r.ece = Ece(clamped, correct);
  r.ece_if_calibrated = EceIfCalibrated(clamped);

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
          {"ece_if_calibrated", r.ece_if_calibrated},
          {"coverage_80_accuracy", r.coverage_80_accuracy},
          {"labels", labels},
          {"confused", confused}};
}

std::string ToText(const EvalReport& r) {
  char line[512];
  std::string out;
  std::snprintf(line, sizeof line,
                "examples %d  accuracy %.4f  macro-F1 %.4f  ECE %.4f (%.4f expected of exact "
                "confidences on as many texts)  accuracy at 80%% coverage %.4f\n\n",
                r.n, r.accuracy, r.macro_f1, r.ece, r.ece_if_calibrated, r.coverage_80_accuracy);
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
