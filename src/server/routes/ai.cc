// AI under human control: each feature's policy (staff read it, admins set it), the model
// versions (admins list and activate them: activating an older one is the rollback), and each
// request's AI decisions with their probabilities and reasons (staff who may see the request).
// Every change is audited by the store.
#include "server/auth.h"
#include "server/config_input.h"
#include "server/json/dto.h"
#include "triage/classifier.h"

namespace guichet::server {

std::optional<std::int64_t> ReadAiSetting(const json& body, storage::AiSetting& setting,
                                          std::vector<core::FieldError>& errors) {
  FieldReader reader(body, errors);
  const std::vector<std::string_view> modes = {"off", "suggest", "auto"};
  if (auto mode = reader.Enum("mode", storage::ParseAiMode, modes, true)) setting.mode = *mode;
  if (auto threshold = reader.Number("threshold")) setting.threshold = *threshold;
  const auto version = reader.Integer("version");
  reader.RejectUnknown();
  if (!(setting.threshold >= 0 && setting.threshold <= 1))
    errors.push_back({"threshold", "must be between 0 and 1"});
  return version;
}

namespace {

json SettingToJson(const storage::AiSetting& s) {
  return {{"feature", s.feature},
          {"mode", std::string(storage::ToString(s.mode))},
          {"threshold", s.threshold},
          {"version", s.version},
          {"updated_at", s.version ? json(FormatIso8601(s.updated_at)) : json(nullptr)}};
}

json ModelToJson(const storage::AiModelInfo& m) {
  json info = json::parse(m.info_json, nullptr, false);
  return {{"id", m.id},
          {"feature", m.feature},
          {"version", m.version},
          {"active", m.active},
          {"created_at", FormatIso8601(m.created_at)},
          {"created_by", m.created_by},
          {"data_sha256", m.data_sha256},
          {"info", info.is_discarded() ? json(nullptr) : info}};
}

json DecisionToJson(const storage::AiDecision& d) {
  json details = json::parse(d.suggestion.details_json, nullptr, false);
  return {{"id", d.id},
          {"request_id", d.request_id},
          {"feature", d.suggestion.feature},
          {"model_id", d.suggestion.model_id ? json(*d.suggestion.model_id) : json(nullptr)},
          {"mode", d.suggestion.mode},
          {"output", d.suggestion.output ? json(*d.suggestion.output) : json(nullptr)},
          {"abstained", !d.suggestion.output.has_value()},
          {"confidence", d.suggestion.confidence},
          {"applied", d.suggestion.applied},
          {"details", details.is_discarded() ? json(nullptr) : details},
          {"created_at", FormatIso8601(d.created_at)},
          {"outcome", d.outcome},
          {"outcome_value", d.outcome_value ? json(*d.outcome_value) : json(nullptr)},
          {"decided_by", d.decided_by ? json(*d.decided_by) : json(nullptr)},
          {"decided_at", d.decided_at ? json(FormatIso8601(*d.decided_at)) : json(nullptr)}};
}

std::optional<HttpResponse> RequireKnownFeature(const std::string& feature) {
  if (storage::IsAiFeature(feature)) return std::nullopt;
  return NotFoundProblem("No AI feature \"" + feature + "\".");
}

HttpResponse ListSettings(HttpContext& ctx) {
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto settings = ctx.store->ai().ListSettings();
  if (!settings.ok()) return ProblemFor(settings.status());
  json items = json::array();
  for (const auto& s : *settings) items.push_back(SettingToJson(s));
  return Json(200, {{"items", items}});
}

HttpResponse PutSetting(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  const std::string feature = ctx.path_params["feature"];
  if (auto unknown = RequireKnownFeature(feature)) return *unknown;
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  storage::AiSetting setting;
  setting.feature = feature;
  const auto body_version = ReadAiSetting(std::get<json>(parsed), setting, errors);
  if (!errors.empty()) return ValidationProblem(errors);
  auto expected = ExpectedVersion(ctx, body_version);
  if (auto* problem = std::get_if<HttpResponse>(&expected)) return *problem;
  auto saved = ctx.store->ai().SetSetting(setting, std::get<std::int64_t>(expected), ctx.actor());
  if (!saved.ok()) return ProblemFor(saved.status());
  HttpResponse r = Json(200, SettingToJson(*saved));
  r.headers.emplace_back("ETag", ETag(saved->version));
  return r;
}

HttpResponse ListModels(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  const std::string feature =
      ctx.Query("feature").value_or(std::string(storage::kAiTriageCategory));
  if (!storage::HasModels(feature))
    return QueryProblem(
        {{"feature", "must be " + std::string(storage::kAiTriageCategory) + " or " +
                         std::string(storage::kAiTriagePriority) + " (the features with models)"}});
  auto models = ctx.store->ai().ListModels(feature);
  if (!models.ok()) return ProblemFor(models.status());
  json items = json::array();
  for (const auto& m : *models) items.push_back(ModelToJson(m));
  return Json(200, {{"items", items}});
}

HttpResponse ActivateModel(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such model.");
  auto model = ctx.store->ai().GetModel(*id);
  if (!model.ok()) return ProblemFor(model.status());
  // Only a model this build can read is activated: a bad one would turn the feature off.
  if (auto readable = triage::Classifier::FromBytes(
          model->bytes, "version " + std::to_string(model->info.version));
      !readable.ok())
    return ValidationProblem({{"model", readable.status().message()}});
  auto active =
      ctx.store->ai().ActivateModel(model->info.feature, model->info.version, ctx.actor());
  if (!active.ok()) return ProblemFor(active.status());
  return Json(200, ModelToJson(*active));
}

HttpResponse ListRequestDecisions(HttpContext& ctx) {
  auto loaded = LoadVisibleRequest(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  if (auto denied = RequireStaffReader(ctx)) return *denied;  // citizens do not see the register
  auto decisions = ctx.store->ai().ListDecisions(std::get<core::Request>(loaded).id);
  if (!decisions.ok()) return ProblemFor(decisions.status());
  json items = json::array();
  for (const auto& d : *decisions) items.push_back(DecisionToJson(d));
  return Json(200, {{"items", items}});
}

// An agent's verdict on a suggestion: accepted, corrected (with the right category, priority or
// language) or ignored.
// Who may change the request may review its decisions; others who may see it get 403, the rest 404.
HttpResponse ReviewDecision(HttpContext& ctx) {
  if (auto denied = RequireUser(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such AI decision.");
  const std::string missing =
      "AI decision " + std::to_string(*id) + " does not exist or is not yours to see.";
  auto decision = ctx.store->ai().GetDecision(*id);
  if (!decision.ok()) {
    if (decision.status().code() == StatusCode::kNotFound) return NotFoundProblem(missing);
    return ProblemFor(decision.status());
  }
  auto request = ctx.store->GetRequest(decision->request_id);
  if (!request.ok()) return ProblemFor(request.status());
  if (!ctx.principal.staff() || !CanSeeRequest(ctx.principal, *request)) {
    if (CanSeeRequest(ctx.principal, *request))
      return ForbiddenProblem("Only staff review AI decisions.");
    return NotFoundProblem(missing);
  }
  if (auto denied = RequireWork(ctx, *request)) return *denied;

  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  FieldReader reader(std::get<json>(parsed), errors);
  storage::AiReview review;
  review.reviewer_id = ctx.principal.user->id;
  if (auto outcome = reader.String("outcome", true)) review.outcome = *outcome;
  if (!review.outcome.empty() && review.outcome != "accepted" && review.outcome != "corrected" &&
      review.outcome != "ignored")
    errors.push_back({"outcome", "must be one of: accepted, corrected, ignored"});
  review.category_id = reader.Category([&](const json& v) -> std::optional<core::Id> {
    auto found = v.is_string() ? ctx.store->FindCategoryBySlug(v.get<std::string>())
                               : ctx.store->GetCategory(v.get<core::Id>());
    return found.ok() ? std::optional<core::Id>(found->id) : std::nullopt;
  });
  review.priority = reader.Enum("priority", core::ParsePriority, core::PriorityNames());
  review.language = reader.String("language");
  if (review.language && !core::IsValidLanguageTag(*review.language))
    errors.push_back({"language", "must be a language tag like fr, en or pt-BR"});
  // The one field a correction of this feature names.
  const std::string right(storage::AiCorrectionField(decision->suggestion.feature));
  const std::pair<const char*, bool> given[] = {{"category", review.category_id.has_value()},
                                                {"priority", review.priority.has_value()},
                                                {"language", review.language.has_value()}};
  bool named = false;
  for (const auto& [field, present] : given) {
    if (!present) continue;
    if (field != right)
      errors.push_back({field, "does not apply: this is a " + right + " suggestion"});
    else if (review.outcome != "corrected")
      errors.push_back({field, "is given only with a correction"});
    else
      named = true;
  }
  if (review.outcome == "corrected" && !named && errors.empty())
    errors.push_back({right, "is required to correct this suggestion"});
  const auto body_version = reader.Integer("version");
  reader.RejectUnknown();
  if (!errors.empty()) return ValidationProblem(errors);
  // A verdict that changes the request is made on the version the agent saw.
  if (review.outcome == "corrected" ||
      (review.outcome == "accepted" && !decision->suggestion.applied)) {
    auto expected = ExpectedVersion(ctx, body_version);
    if (auto* problem = std::get_if<HttpResponse>(&expected)) return *problem;
    review.expected_version = std::get<std::int64_t>(expected);
  }
  auto reviewed = ctx.store->ReviewAiDecision(*id, review, ctx.actor());
  if (!reviewed.ok()) return ProblemFor(reviewed.status());
  return Json(200,
              {{"decision", DecisionToJson(reviewed->decision)},
               {"request", RequestToJson(*ctx.store, reviewed->request, true, ctx.clock->Now())}});
}

}  // namespace

void AddAiRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/ai/settings", BodyKind::kNone, ListSettings});
  routes.push_back({"PUT", "/api/v1/ai/settings/{feature}", BodyKind::kJson, PutSetting});
  routes.push_back({"GET", "/api/v1/ai/models", BodyKind::kNone, ListModels});
  routes.push_back({"POST", "/api/v1/ai/models/{id}/activate", BodyKind::kNone, ActivateModel});
  routes.push_back(
      {"GET", "/api/v1/requests/{id}/ai-decisions", BodyKind::kNone, ListRequestDecisions});
  routes.push_back({"POST", "/api/v1/ai-decisions/{id}/review", BodyKind::kJson, ReviewDecision});
}

}  // namespace guichet::server
