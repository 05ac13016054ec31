#include "server/triage_service.h"

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "triage/langid.h"
#include "triage/urgency.h"

namespace guichet::server {
namespace {

using json = nlohmann::json;

// A model's answer as the register keeps it: version, threshold, probabilities and reasons.
json PredictionDetails(const triage::Prediction& p, std::int64_t version, double threshold) {
  json probabilities = json::array(), reasons_for = json::array(), reasons_against = json::array();
  for (std::size_t i = 0; i < p.probabilities.size() && i < 5; ++i)
    probabilities.push_back(
        {{"label", p.probabilities[i].first}, {"probability", p.probabilities[i].second}});
  for (const auto& r : p.reasons_for)
    reasons_for.push_back({{"text", r.text}, {"weight", r.weight}});
  for (const auto& r : p.reasons_against)
    reasons_against.push_back({{"text", r.text}, {"weight", r.weight}});
  return {{"model_version", version},   {"threshold", threshold},
          {"top_label", p.label},       {"probabilities", probabilities},
          {"reasons_for", reasons_for}, {"reasons_against", reasons_against}};
}

core::AiSuggestion NewSuggestion(std::string_view feature, const storage::AiSetting& setting) {
  core::AiSuggestion s;
  s.feature = std::string(feature);
  s.mode = std::string(storage::ToString(setting.mode));
  return s;
}

}  // namespace

std::shared_ptr<const TriageService::Current> TriageService::Snapshot() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (!current_ || now - loaded_at_ >= refresh_) {
    current_ = Load(current_.get());
    loaded_at_ = now;
  }
  return current_;
}

storage::AiSetting TriageService::LoadSetting(std::string_view feature) {
  auto setting = store_.ai().GetSetting(feature);
  if (setting.ok()) return *setting;
  LogEvent(LogLevel::kWarn, "ai_setting_unreadable",
           {{"feature", std::string(feature)}, {"error", setting.status().message()}});
  storage::AiSetting off;  // unreadable: off
  off.feature = std::string(feature);
  return off;
}

TriageService::ActiveModel TriageService::LoadModel(std::string_view feature,
                                                    const ActiveModel* previous) {
  auto active = store_.ai().ActiveModelId(feature);
  if (!active.ok() || !*active) return {};
  if (previous && previous->classifier && previous->id == **active) return *previous;
  auto stored = store_.ai().GetModel(**active);
  if (!stored.ok()) return {};
  auto model = triage::Classifier::FromBytes(stored->bytes,
                                             "version " + std::to_string(stored->info.version));
  if (!model.ok()) {
    LogEvent(LogLevel::kError, "ai_model_refused",
             {{"feature", std::string(feature)}, {"error", model.status().message()}});
    return {};
  }
  LogEvent(LogLevel::kInfo, "ai_model_loaded",
           {{"feature", std::string(feature)}, {"version", std::to_string(stored->info.version)}});
  return {stored->info.id, stored->info.version,
          std::make_shared<const triage::Classifier>(std::move(model).value())};
}

std::shared_ptr<const TriageService::Current> TriageService::Load(const Current* previous) {
  auto next = std::make_shared<Current>();
  next->category = LoadSetting(storage::kAiTriageCategory);
  next->priority = LoadSetting(storage::kAiTriagePriority);
  next->language = LoadSetting(storage::kAiTriageLanguage);
  if (next->category.mode != storage::AiMode::kOff)
    next->category_model =
        LoadModel(storage::kAiTriageCategory, previous ? &previous->category_model : nullptr);
  if (next->priority.mode != storage::AiMode::kOff)
    next->priority_model =
        LoadModel(storage::kAiTriagePriority, previous ? &previous->priority_model : nullptr);
  return next;
}

void TriageService::SuggestCategory(const Current& now, const std::string& text,
                                    core::NewRequest& request) {
  const ActiveModel& model = now.category_model;
  const triage::Prediction p = model.classifier->Predict(text);
  core::AiSuggestion s = NewSuggestion(storage::kAiTriageCategory, now.category);
  s.model_id = model.id;
  s.confidence = p.confidence;
  const bool confident = !p.label.empty() && p.confidence >= now.category.threshold;
  if (confident) s.output = p.label;  // below the threshold: an abstention, for a person
  s.details_json = PredictionDetails(p, model.version, now.category.threshold).dump();
  if (confident && now.category.mode == storage::AiMode::kAuto && !request.category_id) {
    auto category = store_.FindCategoryBySlug(p.label);
    if (category.ok()) {
      request.category_id = category->id;
      s.applied = true;
    }
  }
  request.ai_suggestions.push_back(std::move(s));
}

void TriageService::SuggestPriority(const Current& now, const std::string& text,
                                    core::NewRequest& request) {
  const triage::UrgencyAssessment urgency = triage::AssessUrgency(text);
  const ActiveModel& model = now.priority_model;
  if (!urgency.priority && !model.classifier) return;
  core::AiSuggestion s = NewSuggestion(storage::kAiTriagePriority, now.priority);
  json details = json::object();
  json rules = json::array();
  for (const auto& r : urgency.reasons)
    rules.push_back({{"rule", r.rule},
                     {"label", r.label},
                     {"matched", r.matched},
                     {"priority", std::string(core::ToString(r.priority))}});
  details["rules"] = rules;
  std::optional<core::Priority> suggested = urgency.priority;
  s.confidence = 1.0;  // rules, not a model: they fire or they do not
  if (model.classifier) {
    const triage::Prediction p = model.classifier->Predict(text);
    details["model"] = PredictionDetails(p, model.version, now.priority.threshold);
    s.model_id = model.id;
    const auto predicted = core::ParsePriority(p.label);
    const bool confident = predicted && p.confidence >= now.priority.threshold;
    if (confident && (!suggested || *predicted > *suggested)) {
      suggested = predicted;
      s.confidence = p.confidence;
    } else if (!suggested) {
      s.confidence = p.confidence;  // an abstention
    }
  }
  if (suggested) s.output = std::string(core::ToString(*suggested));
  s.details_json = details.dump();
  if (suggested && now.priority.mode == storage::AiMode::kAuto &&
      s.confidence >= now.priority.threshold && *suggested > request.priority) {
    request.priority = *suggested;
    s.applied = true;
  }
  request.ai_suggestions.push_back(std::move(s));
}

void TriageService::SuggestLanguage(const Current& now, const std::string& text,
                                    core::NewRequest& request) {
  const triage::LanguageGuess guess = triage::IdentifyLanguage(text);
  core::AiSuggestion s = NewSuggestion(storage::kAiTriageLanguage, now.language);
  s.confidence = guess.confidence;
  const bool confident =
      guess.language != triage::kUnknownLanguage && guess.confidence >= now.language.threshold;
  if (confident) s.output = guess.language;
  s.details_json = json{
      {"engine", std::string(triage::LangIdEngineName(triage::kDefaultLangIdEngine))},
      {"threshold", now.language.threshold},
      {"language", guess.language},
      {"reason",
       guess.reason}}.dump();
  if (confident && now.language.mode == storage::AiMode::kAuto && request.language.empty()) {
    request.language = guess.language;
    s.applied = true;
  }
  request.ai_suggestions.push_back(std::move(s));
}

void TriageService::Suggest(core::NewRequest& request) {
  const std::shared_ptr<const Current> now = Snapshot();
  const std::string text = request.subject + ". " + request.description;
  if (now->category.mode != storage::AiMode::kOff && now->category_model.classifier)
    SuggestCategory(*now, text, request);
  if (now->priority.mode != storage::AiMode::kOff) SuggestPriority(*now, text, request);
  if (now->language.mode != storage::AiMode::kOff) SuggestLanguage(*now, text, request);
}

}  // namespace guichet::server
