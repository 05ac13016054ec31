// guichet train triage, guichet eval triage (the routing classifier) and guichet eval langid
// (language identification) on labelled files.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/commands.h"
#include "app/labeled_data.h"
#include "app/progress.h"
#include "storage/ai_store.h"
#include "triage/classifier.h"
#include "triage/langid.h"
#include "triage/metrics.h"

namespace guichet::app {
namespace {

constexpr char kModelFile[] = "triage.model";

Result<LabeledData> Load(const TriageDataFlags& flags) {
  return ReadLabeledData({flags.data, flags.text_columns, flags.label_column, flags.label_separator,
                          flags.group_column});
}

triage::TrainOptions OptionsFrom(const TrainTriageFlags& flags) {
  triage::TrainOptions options;
  options.epochs = flags.epochs;
  options.l2 = flags.l2;
  options.min_count = flags.min_count;
  options.calibration_folds = flags.calibration_folds;
  options.label_name_examples = flags.label_name_examples;
  options.seed = flags.seed;
  if (flags.no_char_ngrams) options.features.char_min = 0;
  return options;
}

struct Answers {
  std::vector<std::string> predicted;
  std::vector<double> confidence;
};

// The model's most probable label for each example, scored; `seconds`, when given, gets the time
// spent predicting (reading and scoring left out); `answers`, when given, gets the answers.
triage::EvalReport Score(const triage::Classifier& model,
                         const std::vector<triage::Example>& examples, double* seconds = nullptr,
                         Answers* answers = nullptr) {
  std::vector<std::string> gold, predicted;
  std::vector<double> confidence;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& e : examples) {
    const std::vector<double> p = model.Probabilities(e.text);
    const auto best = static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
    predicted.push_back(model.labels()[best]);
    confidence.push_back(p[best]);
  }
  if (seconds)
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& e : examples) gold.push_back(e.label);
  triage::EvalReport report = triage::Evaluate(gold, predicted, confidence);
  if (answers) *answers = {std::move(predicted), std::move(confidence)};
  return report;
}

Status WriteAnswers(const std::string& path, const Answers& answers) {
  std::ofstream out(path, std::ios::trunc);
  char confidence[32];
  for (std::size_t i = 0; i < answers.predicted.size(); ++i) {
    std::snprintf(confidence, sizeof confidence, "\t%.6f\n", answers.confidence[i]);
    out << answers.predicted[i] << confidence;
  }
  out.close();
  if (!out) return Unavailable("cannot write " + path);
  return Status::Ok();
}

std::string ModelPath(const std::string& given) {
  std::error_code ec;
  return std::filesystem::is_directory(given, ec)
             ? (std::filesystem::path(given) / kModelFile).string()
             : given;
}

// Writes the model as DIR/triage.model (creating DIR); returns the file's path.
Result<std::string> SaveInFolder(const triage::Classifier& model, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable("cannot create " + dir + ": " + ec.message());
  const std::string path = (std::filesystem::path(dir) / kModelFile).string();
  GUICHET_RETURN_IF_ERROR(model.Save(path));
  return path;
}

// "label" or "label<TAB>confidence" per line, as many lines as examples.
Result<std::pair<std::vector<std::string>, std::vector<double>>> ReadPredictions(
    const std::string& path, std::size_t expected) {
  GUICHET_ASSIGN_OR_RETURN(const std::string text, ReadMaybeGzipped(path, std::size_t{1} << 30));
  std::pair<std::vector<std::string>, std::vector<double>> out;
  std::istringstream in(text);
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::size_t tab = line.find('\t');
    double confidence = 1.0;
    if (tab != std::string::npos) {
      try {
        confidence = std::stod(line.substr(tab + 1));
      } catch (const std::exception&) {
        return InvalidArgument(path + ":" + std::to_string(line_number) +
                               ": the confidence after the tab is not a number");
      }
      line.resize(tab);
    }
    out.first.push_back(line);
    out.second.push_back(confidence);
  }
  if (out.first.size() != expected)
    return InvalidArgument(path + " has " + std::to_string(out.first.size()) + " predictions for " +
                           std::to_string(expected) + " examples");
  return out;
}

}  // namespace

int RunTrainTriage(const TrainTriageFlags& flags, const Io& io) {
  auto data = Load(flags.data);
  if (!data.ok()) return Fail(io, data.status().message());
  if (data->skipped_without_label > 0)
    io.err << "skipped " << data->skipped_without_label << " rows without a label\n";
  const triage::TrainOptions options = OptionsFrom(flags);
  std::optional<LabeledData> calibration;
  if (!flags.calibration_data.empty()) {
    TriageDataFlags spec = flags.data;
    spec.data = flags.calibration_data;
    auto read = Load(spec);
    if (!read.ok()) return Fail(io, read.status().message());
    calibration = std::move(read).value();
  }
  const auto start = std::chrono::steady_clock::now();
  std::optional<Progress> bar;
  auto model = triage::Classifier::Train(
      data->examples, options,
      [&](int done, int total) {
        if (!bar) bar.emplace(io.err, io.progress, "training", total);
        bar->Set(done);
      },
      calibration ? &calibration->examples : nullptr);
  if (bar) bar->Done();
  if (!model.ok()) return Fail(io, "cannot train: " + model.status().message());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json info = model->info();
  info["source"] = flags.data.data;
  info["trained_at"] = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  model->set_info(info);
  auto path = SaveInFolder(*model, flags.out);
  if (!path.ok()) return Fail(io, path.status().message());
  char line[256];
  std::snprintf(line, sizeof line,
                "trained on %zu examples, %zu labels, %zu features in %.2f s; temperature %.3f\n",
                data->examples.size(), model->labels().size(), model->vocabulary_size(), seconds,
                model->temperature());
  io.out << line << "model: " << *path << "\n";
  return kExitOk;
}

int RunEvalTriage(const EvalTriageFlags& flags, const Io& io) {
  auto data = Load(flags.data);
  if (!data.ok()) return Fail(io, data.status().message());
  triage::EvalReport report;
  nlohmann::json speed = nullptr;
  if (!flags.predictions.empty()) {
    std::vector<std::string> gold;
    for (const auto& e : data->examples) gold.push_back(e.label);
    auto given = ReadPredictions(flags.predictions, gold.size());
    if (!given.ok()) return Fail(io, given.status().message());
    report = triage::Evaluate(gold, given->first, given->second);
  } else {
    auto model = triage::Classifier::Load(ModelPath(flags.model));
    if (!model.ok()) return Fail(io, model.status().message());
    double seconds = 0;
    Answers answers;
    report = Score(*model, data->examples, &seconds, &answers);
    if (!flags.write_predictions.empty()) {
      if (Status written = WriteAnswers(flags.write_predictions, answers); !written.ok())
        return Fail(io, written.message());
    }
    speed = {{"seconds", seconds},
             {"per_second", seconds > 0 ? static_cast<double>(report.n) / seconds : 0.0}};
  }
  if (flags.json) {
    nlohmann::json out = triage::ToJson(report);
    out["skipped_without_label"] = data->skipped_without_label;
    out["prediction_speed"] = speed;
    io.out << out.dump() << "\n";
  } else {
    io.out << triage::ToText(report);
    if (!speed.is_null()) {
      char line[160];
      std::snprintf(line, sizeof line,
                    "\npredicted %d texts in %.3f s on one thread (%.0f per second)\n", report.n,
                    speed["seconds"].get<double>(), speed["per_second"].get<double>());
      io.out << line;
    }
  }
  return kExitOk;
}

int RunTrainTriageFromDb(const Config& config, const TrainTriageFlags& flags, const Io& io) {
  auto store = OpenCliStore(config.database_url);
  if (!store.ok()) return Fail(io, store.status().message());
  const std::string& feature = flags.feature;
  auto examples = (*store)->ai().TrainingExamples(feature, 2'000'000);
  if (!examples.ok()) return Fail(io, examples.status().message());
  // A fifth of the requests, chosen by id (the same ones at every run), is held out.
  std::vector<triage::Example> train, held_out;
  for (const auto& e : *examples)
    (e.request_id % 5 == 0 ? held_out : train).push_back({e.text, e.label});
  io.err << "training " << feature << " on " << train.size() << " requests, " << held_out.size()
         << " held out\n";
  triage::TrainOptions options = OptionsFrom(flags);
  if (feature == storage::kAiTriageCategory) {
    // Labels are category slugs: the category's name is the text that speaks for it.
    auto categories = (*store)->ListCategories();
    if (!categories.ok()) return Fail(io, categories.status().message());
    for (const auto& c : *categories) options.label_texts[c.slug] = c.name;
  }
  auto model = triage::Classifier::Train(train, options);
  if (!model.ok()) return Fail(io, "cannot train: " + model.status().message());

  // Both models on the held-out requests: the new one, and the active one if there is one.
  const triage::EvalReport mine = Score(*model, held_out);
  std::optional<triage::EvalReport> active_report;
  std::int64_t active_version = 0;
  auto active_id = (*store)->ai().ActiveModelId(feature);
  if (!active_id.ok()) return Fail(io, active_id.status().message());
  if (*active_id && !held_out.empty()) {
    auto stored = (*store)->ai().GetModel(**active_id);
    if (!stored.ok()) return Fail(io, stored.status().message());
    auto active = triage::Classifier::FromBytes(stored->bytes, "the active model");
    if (active.ok()) {
      active_report = Score(*active, held_out);
      active_version = stored->info.version;
    }
  }
  nlohmann::json info = model->info();
  info["source"] = "database";
  info["labels"] = model->labels();
  info["held_out"] = {
      {"n", mine.n}, {"macro_f1", mine.macro_f1}, {"accuracy", mine.accuracy}, {"ece", mine.ece}};
  if (active_report)
    info["held_out"]["active_version"] = {{"version", active_version},
                                          {"macro_f1", active_report->macro_f1},
                                          {"accuracy", active_report->accuracy}};
  model->set_info(info);
  if (!flags.out.empty()) {
    if (auto saved = SaveInFolder(*model, flags.out); !saved.ok())
      return Fail(io, saved.status().message());
  }
  const storage::Actor actor = storage::Actor::System("cli");
  auto added = (*store)->ai().AddModel(
      feature, model->ToBytes(), info.value("data_sha256", std::string()), info.dump(), actor);
  if (!added.ok()) return Fail(io, added.status().message());
  char line[256];
  std::snprintf(line, sizeof line,
                "stored %s model version %lld: %zu labels; held out %d: macro-F1 "
                "%.4f, accuracy %.4f\n",
                feature.c_str(), static_cast<long long>(added->version), model->labels().size(),
                mine.n, mine.macro_f1, mine.accuracy);
  io.out << line;
  if (active_report) {
    std::snprintf(line, sizeof line, "active version %lld on the same requests: macro-F1 %.4f\n",
                  static_cast<long long>(active_version), active_report->macro_f1);
    io.out << line;
  }
  const bool better = !active_report || mine.macro_f1 > active_report->macro_f1;
  if (flags.activate_if_better && better && !held_out.empty()) {
    auto activated = (*store)->ai().ActivateModel(feature, added->version, actor);
    if (!activated.ok()) return Fail(io, activated.status().message());
    io.out << "version " << added->version << " is now active\n";
  } else if (flags.activate_if_better) {
    io.out << "version " << added->version
           << " stays inactive (not better on the held-out requests)\n";
  }
  return kExitOk;
}

int RunAddAiModel(const Config& config, const AddAiModelFlags& flags, const Io& io) {
  const std::string path = ModelPath(flags.model);
  auto bytes = ReadMaybeGzipped(path, std::size_t{1} << 30);
  if (!bytes.ok()) return Fail(io, bytes.status().message());
  auto model = triage::Classifier::FromBytes(*bytes, path);  // only a readable model goes in
  if (!model.ok()) return Fail(io, model.status().message());
  auto store = OpenCliStore(config.database_url);
  if (!store.ok()) return Fail(io, store.status().message());
  nlohmann::json info = model->info();
  info["labels"] = model->labels();
  const storage::Actor actor = storage::Actor::System("cli");
  auto added = (*store)->ai().AddModel(
      flags.feature, *bytes, info.value("data_sha256", std::string()), info.dump(), actor);
  if (!added.ok()) return Fail(io, added.status().message());
  io.out << "added " << flags.feature << " model version " << added->version << " ("
         << model->labels().size() << " labels)\n";
  if (flags.activate) {
    auto active = (*store)->ai().ActivateModel(flags.feature, added->version, actor);
    if (!active.ok()) return Fail(io, active.status().message());
    io.out << "version " << active->version << " is now active\n";
  }
  return kExitOk;
}

namespace {

// One engine's answers on every example, scored.
nlohmann::json EvalLangidEngine(triage::LangIdEngine engine, const LabeledData& data) {
  std::vector<std::string> gold, predicted;
  std::vector<double> confidence;
  (void)triage::IdentifyLanguage("warming up: models load on first use", engine);
  const auto start = std::chrono::steady_clock::now();
  for (const auto& e : data.examples) {
    triage::LanguageGuess guess = triage::IdentifyLanguage(e.text, engine);
    gold.push_back(e.label);
    predicted.push_back(std::move(guess.language));
    confidence.push_back(guess.confidence);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int language_rows = 0, language_right = 0, unknown_rows = 0, unknown_right = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) {
    const bool right = gold[i] == predicted[i];
    if (gold[i] == triage::kUnknownLanguage) {
      ++unknown_rows;
      unknown_right += right;
    } else {
      ++language_rows;
      language_right += right;
    }
  }
  const auto share = [](int part, int whole) {
    return whole > 0 ? static_cast<double>(part) / whole : 0.0;
  };
  const triage::EvalReport report = triage::Evaluate(gold, predicted, confidence);
  return {
      {"engine", triage::LangIdEngineName(engine)},
      {"report", triage::ToJson(report)},
      {"text_report", triage::ToText(report)},
      {"accuracy", report.accuracy},
      {"macro_f1", report.macro_f1},
      {"language_rows", {{"n", language_rows}, {"accuracy", share(language_right, language_rows)}}},
      {"unknown_rows",
       {{"n", unknown_rows}, {"answered_unknown", share(unknown_right, unknown_rows)}}},
      {"micros_per_text", gold.empty() ? 0.0 : seconds * 1e6 / static_cast<double>(gold.size())}};
}

}  // namespace

int RunEvalLangid(const EvalLangidFlags& flags, const Io& io) {
  std::vector<triage::LangIdEngine> engines;
  if (flags.engine == "all") {
    engines = {triage::LangIdEngine::kCld2, triage::LangIdEngine::kTextcat,
               triage::LangIdEngine::kBuiltin};
  } else if (auto engine = triage::ParseLangIdEngine(flags.engine)) {
    engines = {*engine};
  } else {
    return Fail(io, "unknown engine '" + flags.engine + "': give cld2, textcat, builtin or all");
  }
  auto data = Load(flags.data);
  if (!data.ok()) return Fail(io, data.status().message());
  nlohmann::json results = nlohmann::json::array();
  for (triage::LangIdEngine engine : engines) results.push_back(EvalLangidEngine(engine, *data));

  if (flags.json) {
    nlohmann::json out = {
        {"n", data->examples.size()},
        {"skipped_without_label", data->skipped_without_label},
        {"default_engine", triage::LangIdEngineName(triage::kDefaultLangIdEngine)},
        {"engines", nlohmann::json::array()}};
    for (auto& r : results) {
      r.erase("text_report");
      out["engines"].push_back(r);
    }
    io.out << out.dump() << "\n";
    return kExitOk;
  }
  char line[256];
  for (const auto& r : results) {
    io.out << "== " << r["engine"].get<std::string>() << " ==\n"
           << r["text_report"].get<std::string>() << "\n";
  }
  io.out << "engine    accuracy  language rows  macro-F1  unknown rows answered unknown  µs per "
            "text\n";
  for (const auto& r : results) {
    std::snprintf(line, sizeof line, "%-8s  %8.3f  %13.3f  %8.3f  %31.3f  %11.1f\n",
                  r["engine"].get<std::string>().c_str(), r["accuracy"].get<double>(),
                  r["language_rows"]["accuracy"].get<double>(), r["macro_f1"].get<double>(),
                  r["unknown_rows"]["answered_unknown"].get<double>(),
                  r["micros_per_text"].get<double>());
    io.out << line;
  }
  io.out << "default engine: " << triage::LangIdEngineName(triage::kDefaultLangIdEngine) << "\n";
  return kExitOk;
}

}  // namespace guichet::app
