#include "server/triage_service.h"

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "triage/urgency.h"

namespace guichet::server {

std::shared_ptr<const TriageService::Current> TriageService::Snapshot() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (!current_ || now - loaded_at_ >= refresh_) {
    current_ = Load(current_);
    loaded_at_ = now;
  }
  return current_;
}

std::shared_ptr<const TriageService::Current> TriageService::Load(
    std::shared_ptr<const Current> previous) {
  auto next = std::make_shared<Current>();
  if (auto priority = store_.ai().GetSetting(storage::kAiTriagePriority); priority.ok())
    next->priority = *priority;
  auto setting = store_.ai().GetSetting(storage::kAiTriageCategory);
  if (!setting.ok()) {
    LogEvent(LogLevel::kWarn, "ai_setting_unreadable", {{"error", setting.status().message()}});
    return next;  // off
  }
  next->setting = *setting;
  if (next->setting.mode == storage::AiMode::kOff) return next;
  auto active = store_.ai().ActiveModelId(storage::kAiTriageCategory);
  if (!active.ok() || !*active) return next;
  if (previous && previous->model && previous->model_id == **active) {
    next->model_id = previous->model_id;
    next->model_version = previous->model_version;
    next->model = previous->model;
    return next;
  }
  auto stored = store_.ai().GetModel(**active);
  if (!stored.ok()) return next;
  auto model = triage::Classifier::FromBytes(stored->bytes,
                                             "version " + std::to_string(stored->info.version));
  if (!model.ok()) {
    LogEvent(LogLevel::kError, "ai_model_refused", {{"error", model.status().message()}});
    return next;
  }
  next->model_id = stored->info.id;
  next->model_version = stored->info.version;
  next->model = std::make_shared<const triage::Classifier>(std::move(model).value());
  LogEvent(LogLevel::kInfo, "ai_model_loaded",
           {{"feature", std::string(storage::kAiTriageCategory)},
            {"version", std::to_string(next->model_version)}});
  return next;
}

void TriageService::SuggestPriority(const Current& now, core::NewRequest& request) {
  const triage::UrgencyAssessment urgency =
      triage::AssessUrgency(request.subject + ". " + request.description);
  if (!urgency.priority) return;
  core::AiSuggestion s;
  s.feature = std::string(storage::kAiTriagePriority);
  s.mode = std::string(storage::ToString(now.priority.mode));
  s.output = std::string(core::ToString(*urgency.priority));
  s.confidence = 1.0;  // rules, not a model: they fire or they do not
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : urgency.reasons)
    rules.push_back({{"rule", r.rule},
                     {"label", r.label},
                     {"matched", r.matched},
                     {"priority", std::string(core::ToString(r.priority))}});
  s.details_json = nlohmann::json{{"rules", rules}}.dump();
  if (now.priority.mode == storage::AiMode::kAuto && *urgency.priority > request.priority) {
    request.priority = *urgency.priority;
    s.applied = true;
  }
  request.ai_suggestions.push_back(std::move(s));
}

void TriageService::Suggest(core::NewRequest& request) {
  const std::shared_ptr<const Current> now = Snapshot();
  if (now->priority.mode != storage::AiMode::kOff) SuggestPriority(*now, request);
  if (now->setting.mode == storage::AiMode::kOff || !now->model) return;
  const triage::Prediction p = now->model->Predict(request.subject + ". " + request.description);
  core::AiSuggestion s;
  s.feature = std::string(storage::kAiTriageCategory);
  s.model_id = now->model_id;
  s.mode = std::string(storage::ToString(now->setting.mode));
  s.confidence = p.confidence;
  const bool confident = !p.label.empty() && p.confidence >= now->setting.threshold;
  if (confident) s.output = p.label;  // below the threshold: an abstention, for a person
  nlohmann::json probabilities = nlohmann::json::array(), reasons_for = nlohmann::json::array(),
                 reasons_against = nlohmann::json::array();
  for (std::size_t i = 0; i < p.probabilities.size() && i < 5; ++i)
    probabilities.push_back(
        {{"label", p.probabilities[i].first}, {"probability", p.probabilities[i].second}});
  for (const auto& r : p.reasons_for)
    reasons_for.push_back({{"text", r.text}, {"weight", r.weight}});
  for (const auto& r : p.reasons_against)
    reasons_against.push_back({{"text", r.text}, {"weight", r.weight}});
  s.details_json = nlohmann::json{{"model_version", now->model_version},
                                  {"threshold", now->setting.threshold},
                                  {"top_label", p.label},
                                  {"probabilities", probabilities},
                                  {"reasons_for", reasons_for},
                                  {"reasons_against", reasons_against}}
                       .dump();
  if (confident && now->setting.mode == storage::AiMode::kAuto && !request.category_id) {
    auto category = store_.FindCategoryBySlug(p.label);
    if (category.ok()) {
      request.category_id = category->id;
      s.applied = true;
    }
  }
  request.ai_suggestions.push_back(std::move(s));
}

}  // namespace guichet::server
