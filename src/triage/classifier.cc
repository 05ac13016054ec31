#include "triage/classifier.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <tuple>

#include "common/crypto.h"
#include "common/words.h"

namespace guichet::triage {
namespace {

using json = nlohmann::json;

constexpr char kMagic[] = "GUICHET-TRIAGE\n";
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::size_t kMaxModelBytes = std::size_t{1} << 30;

void Softmax(std::vector<double>& z) {
  const double top = *std::max_element(z.begin(), z.end());
  double sum = 0;
  for (double& v : z) sum += (v = std::exp(v - top));
  for (double& v : z) v /= sum;
}

// Mean negative log-likelihood of `gold` under softmax(logits / t).
double Nll(const std::vector<std::vector<double>>& logits, const std::vector<int>& gold, double t) {
  double total = 0;
  std::vector<double> z;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    z = logits[i];
    for (double& v : z) v /= t;
    Softmax(z);
    total -= std::log(std::max(z[gold[i]], 1e-12));
  }
  return total / static_cast<double>(logits.size());
}

// The temperature that makes held-out probabilities honest: golden-section search on log t.
double FitTemperature(const std::vector<std::vector<double>>& logits,
                      const std::vector<int>& gold) {
  if (logits.empty()) return 1.0;
  double lo = std::log(0.05), hi = std::log(20.0);
  const double phi = (std::sqrt(5.0) - 1) / 2;
  for (int i = 0; i < 60; ++i) {
    const double a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
    if (Nll(logits, gold, std::exp(a)) < Nll(logits, gold, std::exp(b))) {
      hi = b;
    } else {
      lo = a;
    }
  }
  return std::exp((lo + hi) / 2);
}

double Logit(double p) { return std::log(p / (1 - p)); }
double Sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

// The slope and shift that map the logit of a top-label confidence to the chance it is right:
// a one-feature logistic regression by Newton's method, slope kept in [0.2, 5].
std::pair<double, double> FitTopLabelMap(const std::vector<double>& confidence,
                                         const std::vector<bool>& right) {
  double a = 1, b = 0;
  for (int iteration = 0; iteration < 50; ++iteration) {
    double ga = 0, gb = 0, haa = 1e-6, hab = 0, hbb = 1e-6;
    for (std::size_t i = 0; i < confidence.size(); ++i) {
      const double x = Logit(std::clamp(confidence[i], 1e-6, 1 - 1e-6));
      const double q = Sigmoid(a * x + b), w = q * (1 - q), e = q - (right[i] ? 1 : 0);
      ga += e * x;
      gb += e;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    }
    const double det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    a = std::clamp(a - da, 0.2, 5.0);
    b -= db;
    if (std::abs(da) + std::abs(db) < 1e-9) break;
  }
  return {a, b};
}

template <typename T>
void Put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

// Reads a model file field by field; every read is bounds-checked.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  template <typename T>
  bool Get(T& value) {
    if (data_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(&value, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool Bytes(std::size_t n, std::string& out) {
    if (data_.size() - pos_ < n) return false;
    out.assign(data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool Floats(std::size_t n, std::vector<float>& out) {
    if (n > (data_.size() - pos_) / sizeof(float)) return false;
    out.resize(n);
    if (n) std::memcpy(out.data(), data_.data() + pos_, n * sizeof(float));
    pos_ += n * sizeof(float);
    return true;
  }
  bool AtEnd() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

// One AdaGrad step on a row of `k` weights: gradient error·x + l2·weight. In float only, so
// that the compiler vectorises it across labels (the bulk of training time).
void AdaGradStep(float* __restrict row, float* __restrict squared, const float* __restrict error,
                 float x, float l2, float lr, std::size_t k) {
  for (std::size_t c = 0; c < k; ++c) {
    const float g = error[c] * x + l2 * row[c];
    squared[c] += g * g;
    row[c] -= lr * g / std::sqrt(squared[c] + 1e-8f);
  }
}

}  // namespace

// Builds a model from examples: vocabulary, IDF, then AdaGrad epochs.
class Trainer {
 public:
  Trainer(const TrainOptions& options, const std::vector<std::string>& labels)
      : options_(options), labels_(labels) {}

  // Fits on `rows` of the tokenised examples; `gold` are label indexes.
  Classifier Fit(const std::vector<std::vector<std::string>>& words, const std::vector<int>& gold,
                 const std::vector<std::size_t>& rows, const std::function<void()>& on_epoch) {
    Classifier m;
    m.features_ = options_.features;
    m.labels_ = labels_;
    BuildVocabulary(m, words, rows);
    const std::size_t k = labels_.size();
    m.weights_.assign(m.texts_.size() * k, 0.0f);
    m.bias_.assign(k, 0.0f);
    std::vector<std::vector<Classifier::Term>> x(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) x[i] = m.Vectorize(words[rows[i]]);

    // Rare labels weigh more, so that macro-F1 does not give them up for the frequent ones.
    std::vector<double> class_weight(k, 1.0);
    if (options_.balance_classes) {
      std::vector<double> count(k, 0);
      for (std::size_t r : rows) count[gold[r]] += 1;
      const double mean = static_cast<double>(rows.size()) / static_cast<double>(k);
      for (std::size_t c = 0; c < k; ++c)
        class_weight[c] = count[c] > 0 ? std::sqrt(mean / count[c]) : 1.0;
    }

    std::vector<float> g2w(m.weights_.size(), 0.0f), g2b(k, 0.0f);
    std::vector<std::size_t> order(rows.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(options_.seed);
    std::vector<double> p(k);
    std::vector<float> error(k);  // (probability - truth) × example weight, per label
    const auto lr = static_cast<float>(options_.learning_rate);
    const auto l2 = static_cast<float>(options_.l2);
    for (int epoch = 0; epoch < options_.epochs; ++epoch) {
      std::shuffle(order.begin(), order.end(), rng);
      for (std::size_t i : order) {
        const int y = gold[rows[i]];
        m.Logits(x[i], p);
        Softmax(p);
        const double w = class_weight[y];
        for (std::size_t c = 0; c < k; ++c)
          error[c] = static_cast<float>((p[c] - (static_cast<int>(c) == y ? 1.0 : 0.0)) * w);
        AdaGradStep(m.bias_.data(), g2b.data(), error.data(), 1.0f, 0.0f, lr, k);
        for (const auto& term : x[i]) {
          AdaGradStep(&m.weights_[term.index * k], &g2w[term.index * k], error.data(), term.value,
                      l2, lr, k);
        }
      }
      on_epoch();
    }
    return m;
  }

 private:
  void BuildVocabulary(Classifier& m, const std::vector<std::vector<std::string>>& words,
                       const std::vector<std::size_t>& rows) {
    struct Seen {
      int documents = 0;
      std::size_t last_row = SIZE_MAX;
      Feature feature;
      std::size_t example = 0;
    };
    std::unordered_map<std::uint64_t, Seen> seen;
    for (std::size_t r : rows) {
      for (const Feature& f : ExtractFeatures(words[r], options_.features)) {
        Seen& s = seen[f.key];
        if (s.last_row == r) continue;
        if (s.documents == 0) {
          s.feature = f;
          s.example = r;
        }
        s.last_row = r;
        ++s.documents;
      }
    }
    // Rows in a stable order (by key), so that the same data gives the same file.
    std::vector<std::uint64_t> keys;
    for (const auto& [key, s] : seen) {
      if (s.documents >= options_.min_count) keys.push_back(key);
    }
    std::sort(keys.begin(), keys.end());
    const double n = static_cast<double>(rows.size());
    for (std::uint64_t key : keys) {
      const Seen& s = seen[key];
      m.keys_.push_back(key);
      m.texts_.push_back(FeatureText(s.feature, words[s.example]));
      m.kinds_.push_back(s.feature.kind);
      m.idf_.push_back(static_cast<float>(std::log((n + 1) / (s.documents + 1)) + 1));
    }
    m.index_.Build(m.keys_);
  }

  const TrainOptions& options_;
  const std::vector<std::string>& labels_;
};

Result<Classifier> Classifier::Train(const std::vector<Example>& examples,
                                     const TrainOptions& options, const ProgressFn& progress,
                                     const std::vector<Example>* calibration) {
  if (options.epochs < 1 || options.epochs > 1000)
    return InvalidArgument("epochs must be 1 to 1000");
  if (options.calibration_folds != 0 &&
      (options.calibration_folds < 2 || options.calibration_folds > 20))
    return InvalidArgument("calibration folds must be 0 (none) or 2 to 20");
  if (options.label_name_examples < 0 || options.label_name_examples > 100)
    return InvalidArgument("label-name examples must be 0 to 100");
  std::map<std::string, int> label_index;
  for (const Example& e : examples) {
    if (e.label.empty()) return InvalidArgument("an example has an empty label");
    label_index.emplace(e.label, 0);
  }
  if (label_index.size() < 2) return InvalidArgument("training needs at least two labels");
  std::vector<std::string> labels;
  for (auto& [label, index] : label_index) {
    index = static_cast<int>(labels.size());
    labels.push_back(label);
  }
  std::vector<std::vector<std::string>> words(examples.size());
  std::vector<int> gold(examples.size());
  std::string data;  // what the training-data hash is computed over
  for (std::size_t i = 0; i < examples.size(); ++i) {
    words[i] = Words(examples[i].text);
    gold[i] = label_index[examples[i].label];
    data += examples[i].label + '\x1f' + examples[i].text + '\x1e';
  }
  // Each label's own words ("Emploi et formation") as extra texts of that label, in every fit:
  // they carry words that a few examples may lack. Never held out for calibration.
  std::vector<std::size_t> label_rows;
  for (std::size_t c = 0; c < labels.size(); ++c) {
    auto given = options.label_texts.find(labels[c]);
    const std::string& text = given != options.label_texts.end() ? given->second : labels[c];
    for (int i = 0; i < options.label_name_examples; ++i) {
      label_rows.push_back(words.size());
      words.push_back(Words(text));
      gold.push_back(static_cast<int>(c));
    }
  }

  // Calibration by cross-fitting: each fold's examples are scored by a model fitted without
  // them, and the temperature is chosen on those out-of-fold scores (plus `calibration`, scored
  // by the final model). Examples of one group share a fold, so that the scores are those of
  // texts about something the model has not seen, as the desk's next requests will be.
  const bool cross_fit =
      options.calibration_folds > 0 &&
      examples.size() >= 10 * static_cast<std::size_t>(options.calibration_folds);
  const int folds = cross_fit ? options.calibration_folds : 0;
  std::vector<std::vector<std::size_t>> fold_rows(folds);
  for (std::size_t i = 0; i < examples.size() && folds > 0; ++i) {
    const std::uint64_t h = examples[i].group.empty()
                                ? (i + 1) * 0x9e3779b97f4a7c15ull
                                : features_internal::Mix(options.seed, examples[i].group);
    fold_rows[(h ^ (h >> 29)) % static_cast<std::uint64_t>(folds)].push_back(i);
  }

  // The fits (one per fold, then the final one) run side by side on the machine's cores.
  Trainer trainer(options, labels);
  const int fits = folds + 1;
  std::mutex progress_mutex;
  int epochs_done = 0;
  const auto on_epoch = [&] {
    if (!progress) return;
    std::lock_guard lock(progress_mutex);
    progress(++epochs_done, options.epochs * fits);
  };
  std::vector<std::vector<double>> logits;  // out-of-fold, then calibration set
  std::vector<int> logits_gold;
  std::vector<std::vector<std::vector<double>>> fold_logits(folds);
  std::vector<std::optional<Classifier>> fitted(fits);
  const auto fit = [&](int f) {
    std::vector<std::size_t> rows = label_rows;
    for (int other = 0; other < folds; ++other) {
      if (other != f) rows.insert(rows.end(), fold_rows[other].begin(), fold_rows[other].end());
    }
    if (f == folds) {
      rows.resize(words.size());
      std::iota(rows.begin(), rows.end(), 0);
    }
    fitted[f].emplace(trainer.Fit(words, gold, rows, on_epoch));
    if (f == folds) return;
    for (std::size_t r : fold_rows[f]) {
      fold_logits[f].emplace_back();
      fitted[f]->Logits(fitted[f]->Vectorize(words[r]), fold_logits[f].back());
    }
    fitted[f].reset();
  };
  {
    std::atomic<int> next{0};
    const auto work = [&] {
      for (int f; (f = next.fetch_add(1)) < fits;) fit(f);
    };
    const unsigned threads = std::min<unsigned>(static_cast<unsigned>(fits),
                                                std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
  }
  for (int f = 0; f < folds; ++f) {
    for (std::size_t i = 0; i < fold_rows[f].size(); ++i) {
      logits.push_back(std::move(fold_logits[f][i]));
      logits_gold.push_back(gold[fold_rows[f][i]]);
    }
  }
  Classifier model = std::move(*fitted[folds]);
  std::size_t calibration_count = 0;
  if (calibration) {
    std::vector<double> z;
    for (const Example& e : *calibration) {
      auto known = label_index.find(e.label);
      if (known == label_index.end()) continue;  // a label the model cannot give
      model.Logits(model.Vectorize(Words(e.text)), z);
      logits.push_back(z);
      logits_gold.push_back(known->second);
      ++calibration_count;
    }
  }
  model.temperature_ = FitTemperature(logits, logits_gold);
  // Then the top label's confidence alone, which one temperature cannot bend both ways (too low
  // when unsure, too high when sure): only with enough examples to say so.
  if (logits.size() >= 200) {
    std::vector<double> top(logits.size());
    std::vector<bool> right(logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i) {
      std::vector<double> p = logits[i];
      for (double& v : p) v /= model.temperature_;
      Softmax(p);
      const auto best = std::max_element(p.begin(), p.end());
      top[i] = *best;
      right[i] = best - p.begin() == logits_gold[i];
    }
    std::tie(model.top_slope_, model.top_shift_) = FitTopLabelMap(top, right);
  }
  model.info_ = {{"examples", examples.size()},
                 {"calibration_examples", calibration_count},
                 {"out_of_fold_examples", logits.size() - calibration_count},
                 {"data_sha256", Sha256Hex(data)},
                 {"options",
                  {{"epochs", options.epochs},
                   {"learning_rate", options.learning_rate},
                   {"l2", options.l2},
                   {"min_count", options.min_count},
                   {"calibration_folds", folds},
                   {"label_name_examples", options.label_name_examples},
                   {"balance_classes", options.balance_classes},
                   {"word_pairs", options.features.word_pairs},
                   {"char_min", options.features.char_min},
                   {"char_max", options.features.char_max},
                   {"seed", options.seed}}}};
  return model;
}

void Classifier::KeyIndex::Build(const std::vector<std::uint64_t>& keys) {
  std::size_t capacity = 16;
  while (capacity < keys.size() * 2) capacity *= 2;
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  for (std::uint32_t row = 0; row < keys.size(); ++row) {
    const std::uint64_t key = keys[row] ? keys[row] : 1;
    std::uint64_t at = key & mask_;
    while (slots_[at].key != 0 && slots_[at].key != key) at = (at + 1) & mask_;
    slots_[at] = {key, row};
  }
}

std::int64_t Classifier::KeyIndex::Find(std::uint64_t key) const {
  if (slots_.empty()) return -1;
  if (key == 0) key = 1;
  for (std::uint64_t at = key & mask_;; at = (at + 1) & mask_) {
    if (slots_[at].key == key) return slots_[at].row;
    if (slots_[at].key == 0) return -1;
  }
}

namespace {

// (1 + log tf) · idf per term, then the vector scaled to unit length.
void Weigh(std::vector<Classifier::Term>& terms, const std::vector<std::uint32_t>& counts,
           const std::vector<float>& idf) {
  double norm = 0;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const double value = (1 + std::log(static_cast<double>(counts[i]))) * idf[terms[i].index];
    terms[i].value = static_cast<float>(value);
    norm += value * value;
  }
  if (norm <= 0) return;
  const double scale = 1 / std::sqrt(norm);
  for (auto& t : terms) t.value = static_cast<float>(t.value * scale);
}

}  // namespace

std::vector<Classifier::Term> Classifier::Vectorize(const std::vector<std::string>& words) const {
  // Counts per row in a scratch array kept by the thread (and left zeroed): no sort, no map.
  thread_local std::vector<std::uint32_t> count_of_row;
  if (count_of_row.size() < texts_.size()) count_of_row.resize(texts_.size(), 0);
  std::vector<Term> terms;
  ForEachFeature(words, features_, [&](const Feature& f) {
    const std::int64_t row = index_.Find(f.key);
    if (row < 0) return;
    if (count_of_row[row]++ == 0) terms.push_back({static_cast<std::uint32_t>(row), 0});
  });
  std::vector<std::uint32_t> counts(terms.size());
  for (std::size_t i = 0; i < terms.size(); ++i) {
    counts[i] = count_of_row[terms[i].index];
    count_of_row[terms[i].index] = 0;
  }
  Weigh(terms, counts, idf_);
  return terms;
}

std::vector<Classifier::Term> Classifier::Vectorize(
    const std::vector<std::string>& words, std::vector<std::vector<Feature>>& sources) const {
  std::vector<std::pair<std::uint32_t, Feature>> hits;
  ForEachFeature(words, features_, [&](const Feature& f) {
    const std::int64_t row = index_.Find(f.key);
    if (row >= 0) hits.emplace_back(static_cast<std::uint32_t>(row), f);
  });
  std::stable_sort(hits.begin(), hits.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Term> terms;
  std::vector<std::uint32_t> counts;
  for (std::size_t i = 0; i < hits.size();) {
    std::size_t j = i;
    sources.emplace_back();
    while (j < hits.size() && hits[j].first == hits[i].first)
      sources.back().push_back(hits[j++].second);
    terms.push_back({hits[i].first, 0});
    counts.push_back(static_cast<std::uint32_t>(j - i));
    i = j;
  }
  Weigh(terms, counts, idf_);
  return terms;
}

void Classifier::Logits(const std::vector<Term>& x, std::vector<double>& out) const {
  // Summed in float (the weights' type), which the compiler vectorises across labels.
  const std::size_t k = labels_.size();
  thread_local std::vector<float> sum;
  sum.assign(bias_.begin(), bias_.end());
  for (const Term& t : x) {
    const float* row = &weights_[t.index * k];
    for (std::size_t c = 0; c < k; ++c) sum[c] += t.value * row[c];
  }
  out.assign(sum.begin(), sum.end());
}

void Classifier::Calibrate(std::vector<double>& z) const {
  for (double& v : z) v /= temperature_;
  Softmax(z);
  if (top_slope_ == 1.0 && top_shift_ == 0.0) return;
  const auto top = std::max_element(z.begin(), z.end());
  const double c = *top;
  if (!(c > 0 && c < 1)) return;
  double second = 0;
  for (auto it = z.begin(); it != z.end(); ++it) {
    if (it != top) second = std::max(second, *it);
  }
  // The top label stays on top: its new share is at least the second one's, rescaled.
  const double mapped =
      std::max(Sigmoid(top_slope_ * Logit(c) + top_shift_), second / (1 - c + second));
  const double rest = (1 - mapped) / (1 - c);
  for (auto it = z.begin(); it != z.end(); ++it) *it = it == top ? mapped : *it * rest;
}

std::vector<double> Classifier::Probabilities(std::string_view text) const {
  std::vector<double> z;
  Logits(Vectorize(Words(text)), z);
  Calibrate(z);
  return z;
}

Prediction Classifier::Predict(std::string_view text, int max_reasons) const {
  const std::vector<std::string> words = Words(text);
  std::vector<std::vector<Feature>> sources;
  const std::vector<Term> x = Vectorize(words, sources);
  std::vector<double> z;
  Logits(x, z);
  Calibrate(z);
  Prediction out;
  out.known_features = static_cast<int>(x.size());
  std::vector<std::size_t> order(labels_.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return z[a] > z[b]; });
  for (std::size_t c : order) out.probabilities.emplace_back(labels_[c], z[c]);
  if (x.empty()) return out;  // nothing known: no label, no reasons
  const std::size_t top = order[0], k = labels_.size();
  out.label = labels_[top];
  out.confidence = z[top];

  // Each term's push towards the label, against the average label, shared among the places of
  // the text it came from; a word gathers its own weight and its character n-grams'.
  std::map<std::string, double> by_text;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float* row = &weights_[x[i].index * k];
    const double mean = std::accumulate(row, row + k, 0.0) / static_cast<double>(k);
    const double push = x[i].value * (row[top] - mean) / temperature_;
    const double share = push / static_cast<double>(sources[i].size());
    for (const Feature& f : sources[i]) {
      const std::string place = f.kind == FeatureKind::kWordPair
                                    ? words[f.first_word] + " " + words[f.last_word]
                                    : words[f.first_word];
      by_text[place] += share;
    }
  }
  std::vector<Reason> reasons;
  for (auto& [place, weight] : by_text) reasons.push_back({place, weight});
  std::sort(reasons.begin(), reasons.end(), [](const Reason& a, const Reason& b) {
    return std::abs(a.weight) > std::abs(b.weight);
  });
  for (Reason& r : reasons) {
    auto& list = r.weight > 0 ? out.reasons_for : out.reasons_against;
    if (static_cast<int>(list.size()) < max_reasons && std::abs(r.weight) >= 1e-4)
      list.push_back(std::move(r));
  }
  return out;
}

std::string Classifier::ToBytes() const {
  std::string out(kMagic);
  Put(out, kFormatVersion);
  const json header = {{"labels", labels_},
                       {"features",
                        {{"word_pairs", features_.word_pairs},
                         {"char_min", features_.char_min},
                         {"char_max", features_.char_max}}},
                       {"temperature", temperature_},
                       {"top_slope", top_slope_},
                       {"top_shift", top_shift_},
                       {"rows", texts_.size()},
                       {"info", info_}};
  const std::string header_text = header.dump();
  Put(out, static_cast<std::uint64_t>(header_text.size()));
  out += header_text;
  for (std::size_t r = 0; r < texts_.size(); ++r) {
    Put(out, keys_[r]);
    Put(out, static_cast<std::uint8_t>(kinds_[r]));
    Put(out, static_cast<std::uint16_t>(texts_[r].size()));
    out += texts_[r];
    Put(out, idf_[r]);
  }
  out.append(reinterpret_cast<const char*>(weights_.data()), weights_.size() * sizeof(float));
  out.append(reinterpret_cast<const char*>(bias_.data()), bias_.size() * sizeof(float));
  out += Sha256Hex(out);
  return out;
}

Status Classifier::Save(const std::string& path) const {
  const std::string out = ToBytes();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    if (!file) return Unavailable("cannot write " + tmp);
    file.write(out.data(), static_cast<std::streamsize>(out.size()));
    file.flush();
    if (!file) return Unavailable("cannot write " + tmp + " (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Unavailable("cannot rename " + tmp + " to " + path + ": " + ec.message());
  return Status::Ok();
}

Result<Classifier> Classifier::Load(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return NotFound("no model file at " + path);
  if (size > kMaxModelBytes) return InvalidArgument(path + " is too large for a triage model");
  std::ifstream file(path, std::ios::binary);
  std::string data(size, '\0');
  if (!file.read(data.data(), static_cast<std::streamsize>(size)))
    return Unavailable("cannot read " + path);
  return FromBytes(data, path);
}

Result<Classifier> Classifier::FromBytes(std::string_view data, const std::string& name) {
  if (data.size() > kMaxModelBytes)
    return InvalidArgument(name + " is too large for a triage model");
  const std::string refused = "refused model " + name + ": ";
  const std::size_t magic = std::strlen(kMagic);
  if (data.compare(0, magic, kMagic) != 0)
    return InvalidArgument(refused + "not a Guichet triage model");
  if (data.size() < magic + sizeof(std::uint32_t) + 64)
    return InvalidArgument(refused + "the file is truncated");
  std::uint32_t version = 0;
  std::memcpy(&version, data.data() + magic, sizeof version);
  if (version != kFormatVersion)
    return InvalidArgument(refused + "format " + std::to_string(version) +
                           ", this build reads format " + std::to_string(kFormatVersion));
  const std::string_view body(data.data(), data.size() - 64);
  if (Sha256Hex(body) != data.substr(data.size() - 64))
    return InvalidArgument(refused + "the file is truncated or damaged (checksum mismatch)");

  Reader in(body.substr(magic + sizeof version));
  std::uint64_t header_size = 0;
  std::string header_text;
  if (!in.Get(header_size) || !in.Bytes(header_size, header_text))
    return InvalidArgument(refused + "the header is cut short");
  Classifier m;
  std::size_t rows = 0;
  try {
    const json header = json::parse(header_text);
    m.labels_ = header.at("labels").get<std::vector<std::string>>();
    const json& f = header.at("features");
    m.features_.word_pairs = f.at("word_pairs").get<bool>();
    m.features_.char_min = f.at("char_min").get<int>();
    m.features_.char_max = f.at("char_max").get<int>();
    m.temperature_ = header.at("temperature").get<double>();
    m.top_slope_ = header.value("top_slope", 1.0);  // absent from the first models
    m.top_shift_ = header.value("top_shift", 0.0);
    rows = header.at("rows").get<std::size_t>();
    m.info_ = header.at("info");
  } catch (const std::exception& e) {
    return InvalidArgument(refused + "unreadable header (" + e.what() + ")");
  }
  if (m.labels_.size() < 2 || !(m.temperature_ > 0) || !(m.top_slope_ > 0) ||
      !std::isfinite(m.top_shift_) || m.features_.char_max > 20 || rows > kMaxModelBytes / 16)
    return InvalidArgument(refused + "inconsistent header");
  for (std::size_t r = 0; r < rows; ++r) {
    std::uint64_t key = 0;
    std::uint8_t kind = 0;
    std::uint16_t length = 0;
    std::string text;
    float idf = 0;
    if (!in.Get(key) || !in.Get(kind) || !in.Get(length) || !in.Bytes(length, text) ||
        !in.Get(idf) || kind < 1 || kind > 3)
      return InvalidArgument(refused + "the vocabulary is damaged");
    m.keys_.push_back(key);
    m.kinds_.push_back(static_cast<FeatureKind>(kind));
    m.texts_.push_back(std::move(text));
    m.idf_.push_back(idf);
  }
  if (!in.Floats(rows * m.labels_.size(), m.weights_) || !in.Floats(m.labels_.size(), m.bias_) ||
      !in.AtEnd())
    return InvalidArgument(refused + "the weights do not match the vocabulary");
  m.index_.Build(m.keys_);
  return m;
}

}  // namespace guichet::triage
