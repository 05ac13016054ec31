// guichet train triage and guichet eval triage: the routing classifier on labelled files.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/commands.h"
#include "app/labeled_data.h"
#include "app/progress.h"
#include "triage/classifier.h"
#include "triage/metrics.h"

namespace guichet::app {
namespace {

constexpr char kModelFile[] = "triage.model";

Result<LabeledData> Load(const TriageDataFlags& flags) {
  return ReadLabeledData(
      {flags.data, flags.text_columns, flags.label_column, flags.label_separator});
}

std::string ModelPath(const std::string& given) {
  std::error_code ec;
  return std::filesystem::is_directory(given, ec)
             ? (std::filesystem::path(given) / kModelFile).string()
             : given;
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
  triage::TrainOptions options;
  options.epochs = flags.epochs;
  options.l2 = flags.l2;
  options.min_count = flags.min_count;
  options.seed = flags.seed;
  if (flags.no_char_ngrams) options.features.char_min = 0;
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
  std::error_code ec;
  std::filesystem::create_directories(flags.out, ec);
  if (ec) return Fail(io, "cannot create " + flags.out + ": " + ec.message());
  nlohmann::json info = model->info();
  info["source"] = flags.data.data;
  info["trained_at"] = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  model->set_info(info);
  const std::string path = (std::filesystem::path(flags.out) / kModelFile).string();
  if (Status saved = model->Save(path); !saved.ok()) return Fail(io, saved.message());
  char line[256];
  std::snprintf(line, sizeof line,
                "trained on %zu examples, %zu labels, %zu features in %.2f s; temperature %.3f\n",
                data->examples.size(), model->labels().size(), model->vocabulary_size(), seconds,
                model->temperature());
  io.out << line << "model: " << path << "\n";
  return kExitOk;
}

int RunEvalTriage(const EvalTriageFlags& flags, const Io& io) {
  auto data = Load(flags.data);
  if (!data.ok()) return Fail(io, data.status().message());
  std::vector<std::string> gold, predicted;
  std::vector<double> confidence;
  for (const auto& e : data->examples) gold.push_back(e.label);
  nlohmann::json speed = nullptr;
  if (!flags.predictions.empty()) {
    auto given = ReadPredictions(flags.predictions, gold.size());
    if (!given.ok()) return Fail(io, given.status().message());
    predicted = std::move(given->first);
    confidence = std::move(given->second);
  } else {
    auto model = triage::Classifier::Load(ModelPath(flags.model));
    if (!model.ok()) return Fail(io, model.status().message());
    const auto start = std::chrono::steady_clock::now();
    for (const auto& e : data->examples) {
      const std::vector<double> p = model->Probabilities(e.text);
      const auto best = std::max_element(p.begin(), p.end()) - p.begin();
      predicted.push_back(model->labels()[static_cast<std::size_t>(best)]);
      confidence.push_back(p[static_cast<std::size_t>(best)]);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    speed = {{"seconds", seconds},
             {"per_second", seconds > 0 ? static_cast<double>(gold.size()) / seconds : 0.0}};
  }
  const triage::EvalReport report = triage::Evaluate(gold, predicted, confidence);
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

int RunAddAiModel(const Config& config, const AddAiModelFlags& flags, const Io& io) {
  if (!storage::IsAiFeature(flags.feature))
    return Fail(io, "unknown AI feature \"" + flags.feature + "\" (known: triage.category)");
  const std::string path = ModelPath(flags.model);
  auto model = triage::Classifier::Load(path);  // only a readable model goes in
  if (!model.ok()) return Fail(io, model.status().message());
  auto bytes = ReadMaybeGzipped(path, std::size_t{1} << 30);
  if (!bytes.ok()) return Fail(io, bytes.status().message());
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

}  // namespace guichet::app
