// The routing classifier: multinomial logistic regression over TF-IDF weighted words, word pairs
// and character n-grams (features.h), trained with AdaGrad and L2 regularisation, its
// probabilities calibrated on texts each scored by a model that did not see them (cross-fitting):
// a temperature, then a map of the top label's confidence.
// Every prediction explains itself: the citizen's words and phrases that pushed for the chosen
// label and against it, with their weights.
//
// A model is one file (Save/Load): a versioned header, the vocabulary with readable texts, the
// weights, and a SHA-256 of all of it, so that a missing, truncated, damaged or newer-format
// file is refused at load with a readable error.
// Thread-safety: a trained or loaded Classifier is immutable; Predict may run on many threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "triage/features.h"

namespace guichet::triage {

struct Example {
  std::string text;
  std::string label;
  // Examples sharing a group (a topic, a citizen) are held out together when calibrating.
  std::string group = {};
};

struct TrainOptions {
  FeatureOptions features;
  int epochs = 30;
  double learning_rate = 0.5;   // AdaGrad's base step
  double l2 = 1e-5;             // weight decay per example seen
  int min_count = 1;            // features in fewer training texts are left out
  int calibration_folds = 5;    // cross-fitted calibration (see Train); 0: none
  int label_name_examples = 3;  // each label's text added this many times as a training text
  std::map<std::string, std::string> label_texts;  // label → its text (default: the label)
  bool balance_classes = true;  // weigh examples by 1/sqrt(class size): rare labels count more
  std::uint64_t seed = 1;
};

// A word or phrase of the text and how much it pushed: > 0 for the label, < 0 against it.
struct Reason {
  std::string text;
  double weight = 0;
};

struct Prediction {
  std::string label;      // the most probable label ("" when nothing in the text is known)
  double confidence = 0;  // its calibrated probability
  std::vector<std::pair<std::string, double>> probabilities;  // every label, most probable first
  std::vector<Reason> reasons_for;                            // strongest first
  std::vector<Reason> reasons_against;                        // strongest first
  int known_features = 0;  // features of the text the model has weights for
};

class Classifier {
 public:
  // A feature of a text the model knows (its row) and its weight in that text.
  struct Term {
    std::uint32_t index;
    float value;
  };
  // Called with (epochs done, epochs in all) as training goes, over every fit: from the training
  // threads, one call at a time.
  using ProgressFn = std::function<void(int, int)>;

  // Needs at least two labels and one example of each; examples with an empty label are refused.
  // The model is fitted on all of `examples` (and each label's text, label_name_examples
  // times). Its temperature is fitted on out-of-fold scores: with calibration_folds = k, k more
  // models are fitted each without a k-th of the examples (a group's examples stay together)
  // and score that k-th; plus, when given, `calibration` examples (e.g. a development set drawn
  // like the texts to come) scored by the final model. Fits run in parallel on all cores.
  static Result<Classifier> Train(const std::vector<Example>& examples, const TrainOptions& options,
                                  const ProgressFn& progress = nullptr,
                                  const std::vector<Example>* calibration = nullptr);
  static Result<Classifier> Load(const std::string& path);
  // The same from the bytes of a model file (e.g. kept in the database); `name` names it in
  // errors.
  static Result<Classifier> FromBytes(std::string_view data, const std::string& name);
  Status Save(const std::string& path) const;
  // The bytes Save writes (to keep a model in the database).
  std::string ToBytes() const;

  // Never fails: empty, huge or junk text gives a prediction with low confidence.
  Prediction Predict(std::string_view text, int max_reasons = 6) const;
  // The calibrated probabilities of labels() for `text` (the fast path of an evaluation).
  std::vector<double> Probabilities(std::string_view text) const;

  const std::vector<std::string>& labels() const { return labels_; }
  double temperature() const { return temperature_; }
  std::size_t vocabulary_size() const { return texts_.size(); }
  // Training facts kept in the file: options, example count, SHA-256 of the training data.
  const nlohmann::json& info() const { return info_; }
  void set_info(nlohmann::json info) { info_ = std::move(info); }

 private:
  // Feature key → row by open addressing: keys are well-mixed 64-bit hashes, 0 marks a free slot.
  class KeyIndex {
   public:
    void Build(const std::vector<std::uint64_t>& keys);  // the key of each row
    // The row of `key`, or -1.
    std::int64_t Find(std::uint64_t key) const;

   private:
    struct Slot {
      std::uint64_t key = 0;
      std::uint32_t row = 0;
    };
    std::vector<Slot> slots_;  // key and row side by side: one cache line per probe
    std::uint64_t mask_ = 0;
  };

  // The sparse TF-IDF vector of a text (known features only), L2-normalised.
  std::vector<Term> Vectorize(const std::vector<std::string>& words) const;
  // The same in row order, with the features each term came from (for explanations).
  std::vector<Term> Vectorize(const std::vector<std::string>& words,
                              std::vector<std::vector<Feature>>& sources) const;
  void Logits(const std::vector<Term>& x, std::vector<double>& out) const;
  // Logits → calibrated probabilities: the temperature, then the top label's map.
  void Calibrate(std::vector<double>& z) const;

  FeatureOptions features_;
  std::vector<std::string> labels_;
  std::vector<std::uint64_t> keys_;  // row → feature key
  KeyIndex index_;                   // feature key → row
  std::vector<std::string> texts_;   // row → readable feature text
  std::vector<FeatureKind> kinds_;   // row → kind
  std::vector<float> idf_;           // row → IDF
  std::vector<float> weights_;       // row-major: rows × labels
  std::vector<float> bias_;          // labels
  double temperature_ = 1.0;
  // The top label's confidence c becomes sigmoid(slope · logit(c) + shift), the others scaled.
  double top_slope_ = 1.0;
  double top_shift_ = 0.0;
  nlohmann::json info_ = nlohmann::json::object();

  friend class Trainer;
};

}  // namespace guichet::triage
