// How good a classifier's answers are, against the right labels: accuracy, macro-F1 (every
// label counts the same, however rare), per-label precision/recall/F1, the pairs most often
// confused, expected calibration error (ECE, 15 equal-width confidence bins) and accuracy on
// the 80 % of answers given with the most confidence. Pure functions, thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace guichet::triage {

struct LabelScore {
  std::string label;
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  int support = 0;  // examples whose right label this is
};

struct Confusion {
  std::string gold;
  std::string predicted;
  int count = 0;
};

struct EvalReport {
  int n = 0;
  double accuracy = 0;
  double macro_f1 = 0;  // over every label that is right or predicted at least once
  double ece = 0;
  // The ECE that exactly right confidences would still show on this many texts (sampling
  // noise): an ECE near it cannot be told from perfect calibration.
  double ece_if_calibrated = 0;
  double coverage_80_accuracy = 0;
  std::vector<LabelScore> labels;   // by label
  std::vector<Confusion> confused;  // the 10 most frequent mistakes
};

// `confidence[i]` is the probability given to `predicted[i]`; the three have one entry per
// example. An empty prediction (the model abstained) counts as wrong.
EvalReport Evaluate(const std::vector<std::string>& gold, const std::vector<std::string>& predicted,
                    const std::vector<double>& confidence);

// {"n", "accuracy", "macro_f1", "ece", "ece_if_calibrated", "coverage_80_accuracy", "labels":
// [...],
//  "confused": [...]}
nlohmann::json ToJson(const EvalReport& report);
// A table for people.
std::string ToText(const EvalReport& report);

}  // namespace guichet::triage
