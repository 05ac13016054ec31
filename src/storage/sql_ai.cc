#include "storage/sql_ai.h"

#include <algorithm>

#include "storage/store.h"

namespace guichet::storage {

std::string_view ToString(AiMode mode) {
  switch (mode) {
    case AiMode::kOff:
      return "off";
    case AiMode::kSuggest:
      return "suggest";
    case AiMode::kAuto:
      return "auto";
  }
  return "off";
}

std::optional<AiMode> ParseAiMode(std::string_view text) {
  if (text == "off") return AiMode::kOff;
  if (text == "suggest") return AiMode::kSuggest;
  if (text == "auto") return AiMode::kAuto;
  return std::nullopt;
}

bool HasModels(std::string_view feature) {
  return std::find(std::begin(kAiModelFeatures), std::end(kAiModelFeatures), feature) !=
         std::end(kAiModelFeatures);
}

std::string_view AiCorrectionField(std::string_view feature) {
  if (feature == kAiTriagePriority) return "priority";
  if (feature == kAiTriageLanguage) return "language";
  return "category";
}

bool IsAiFeature(std::string_view feature) {
  return std::find(std::begin(kAiFeatures), std::end(kAiFeatures), feature) !=
         std::end(kAiFeatures);
}

namespace internal {
namespace {

constexpr char kModelColumns[] =
    "id, feature, version, created_at, created_by, data_sha256, info, active";
constexpr char kDecisionColumns[] =
    "id, request_id, feature, model_id, mode, output, confidence, details, applied, created_at, "
    "outcome, outcome_value, decided_by, decided_at";

AiModelInfo RowToModel(const Row& r) {
  return {AsInt(r[0]),  AsText(r[1]), AsInt(r[2]),  AsInt(r[3]),
          AsText(r[4]), AsText(r[5]), AsText(r[6]), AsInt(r[7]) != 0};
}

AiDecision RowToDecision(const Row& r) {
  AiDecision d;
  d.id = AsInt(r[0]);
  d.request_id = AsInt(r[1]);
  d.suggestion.feature = AsText(r[2]);
  d.suggestion.model_id = ToOptId(r[3]);
  d.suggestion.mode = AsText(r[4]);
  if (!IsNull(r[5])) d.suggestion.output = AsText(r[5]);
  d.suggestion.confidence = AsDouble(r[6]);
  d.suggestion.details_json = AsText(r[7]);
  d.suggestion.applied = AsInt(r[8]) != 0;
  d.created_at = AsInt(r[9]);
  d.outcome = AsText(r[10]);
  if (!IsNull(r[11])) d.outcome_value = AsText(r[11]);
  d.decided_by = ToOptId(r[12]);
  if (!IsNull(r[13])) d.decided_at = AsInt(r[13]);
  return d;
}

json SettingJson(const AiSetting& s) {
  return {{"mode", std::string(ToString(s.mode))}, {"threshold", s.threshold}};
}

// "a, b, c" of a list of features.
template <std::size_t N>
std::string Listed(const std::string_view (&features)[N]) {
  std::string out;
  for (std::string_view f : features) out += (out.empty() ? "" : ", ") + std::string(f);
  return out;
}

Status CheckFeature(std::string_view feature) {
  if (IsAiFeature(feature)) return Status::Ok();
  return InvalidArgument("unknown AI feature \"" + std::string(feature) +
                         "\" (known: " + Listed(kAiFeatures) + ")");
}

// Model versions exist for the features that learn from data.
Status CheckModelFeature(std::string_view feature) {
  if (HasModels(feature)) return Status::Ok();
  return InvalidArgument("no models for \"" + std::string(feature) + "\" (models are kept for " +
                         Listed(kAiModelFeatures) + ")");
}

}  // namespace

Result<AiSetting> SqlAi::LoadSetting(SqlConnection& c, std::string_view feature) {
  GUICHET_RETURN_IF_ERROR(CheckFeature(feature));
  GUICHET_ASSIGN_OR_RETURN(auto rows,
                           c.Query("SELECT mode, threshold, version, updated_at FROM ai_settings "
                                   "WHERE feature = ?",
                                   {std::string(feature)}));
  AiSetting s;
  s.feature = std::string(feature);
  if (rows.empty()) return s;  // never set: off
  s.mode = ParseAiMode(AsText(rows[0][0])).value_or(AiMode::kOff);
  s.threshold = AsDouble(rows[0][1]);
  s.version = AsInt(rows[0][2]);
  s.updated_at = AsInt(rows[0][3]);
  return s;
}

Result<std::vector<AiSetting>> SqlAi::ListSettings() {
  return db_.Read<std::vector<AiSetting>>([&](SqlConnection& c) -> Result<std::vector<AiSetting>> {
    std::vector<AiSetting> out;
    for (std::string_view feature : kAiFeatures) {
      GUICHET_ASSIGN_OR_RETURN(auto one, LoadSetting(c, feature));
      out.push_back(std::move(one));
    }
    return out;
  });
}

Result<AiSetting> SqlAi::GetSetting(std::string_view feature) {
  return db_.Read<AiSetting>([&](SqlConnection& c) { return LoadSetting(c, feature); });
}

Result<AiSetting> SqlAi::SetSetting(const AiSetting& setting, std::int64_t expected_version,
                                    const Actor& actor) {
  if (!(setting.threshold >= 0 && setting.threshold <= 1))
    return InvalidArgument("threshold must be between 0 and 1");
  return db_.Tx<AiSetting>(true, [&](SqlConnection& c) -> Result<AiSetting> {
    GUICHET_ASSIGN_OR_RETURN(const AiSetting before, LoadSetting(c, setting.feature));
    if (before.version != expected_version)
      return Conflict("the setting of " + setting.feature + " is at version " +
                      std::to_string(before.version) + ", the change was made on version " +
                      std::to_string(expected_version));
    const Millis now = db_.clock().Now();
    const std::string mode(ToString(setting.mode));
    auto rows = before.version == 0
                    ? c.Query(
                          "INSERT INTO ai_settings (feature, mode, threshold, version, "
                          "updated_at) VALUES (?, ?, ?, 1, ?) RETURNING version",
                          {setting.feature, mode, setting.threshold, now})
                    : c.Query(
                          "UPDATE ai_settings SET mode = ?, threshold = ?, version = version "
                          "+ 1, updated_at = ? WHERE feature = ? AND version = ? "
                          "RETURNING version",
                          {mode, setting.threshold, now, setting.feature, expected_version});
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Conflict("the setting of " + setting.feature + " changed meanwhile");
    GUICHET_RETURN_IF_ERROR(
        db_.Audit(c, actor, "ai_setting.update", "ai_setting", 0, std::nullopt,
                  json{{"feature", setting.feature},
                       {"changes", Diff(SettingJson(before), SettingJson(setting))}}));
    return LoadSetting(c, setting.feature);
  });
}

Result<AiModelInfo> SqlAi::AddModel(std::string_view feature, const std::string& bytes,
                                    const std::string& data_sha256, const std::string& info_json,
                                    const Actor& actor) {
  GUICHET_RETURN_IF_ERROR(CheckModelFeature(feature));
  if (bytes.empty()) return InvalidArgument("the model is empty");
  return db_.Tx<AiModelInfo>(true, [&](SqlConnection& c) -> Result<AiModelInfo> {
    GUICHET_ASSIGN_OR_RETURN(
        auto last, c.Query("SELECT COALESCE(MAX(version), 0) FROM ai_models WHERE feature = ?",
                           {std::string(feature)}));
    const std::int64_t version = AsInt(last[0][0]) + 1;
    GUICHET_ASSIGN_OR_RETURN(
        auto rows,
        c.Query("INSERT INTO ai_models (feature, version, created_at, created_by, data_sha256, "
                "info, model, active) VALUES (?, ?, ?, ?, ?, ?, ?, 0) RETURNING " +
                    std::string(kModelColumns),
                {std::string(feature), version, db_.clock().Now(), actor.label, data_sha256,
                 info_json, Blob{bytes}}));
    const AiModelInfo added = RowToModel(rows[0]);
    GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "ai_model.add", "ai_model", added.id, std::nullopt,
                                      Created({{"feature", added.feature},
                                               {"version", added.version},
                                               {"data_sha256", added.data_sha256},
                                               {"bytes", bytes.size()}})));
    return added;
  });
}

Result<std::vector<AiModelInfo>> SqlAi::ListModels(std::string_view feature) {
  GUICHET_RETURN_IF_ERROR(CheckModelFeature(feature));
  return db_.Read<std::vector<AiModelInfo>>(
      [&](SqlConnection& c) -> Result<std::vector<AiModelInfo>> {
        GUICHET_ASSIGN_OR_RETURN(
            auto rows, c.Query(std::string("SELECT ") + kModelColumns +
                                   " FROM ai_models WHERE feature = ? ORDER BY version DESC",
                               {std::string(feature)}));
        std::vector<AiModelInfo> out;
        for (const Row& r : rows) out.push_back(RowToModel(r));
        return out;
      });
}

Result<AiModelInfo> SqlAi::ActivateModel(std::string_view feature, std::int64_t version,
                                         const Actor& actor) {
  GUICHET_RETURN_IF_ERROR(CheckModelFeature(feature));
  return db_.Tx<AiModelInfo>(true, [&](SqlConnection& c) -> Result<AiModelInfo> {
    const std::string f(feature);
    GUICHET_ASSIGN_OR_RETURN(auto target,
                             c.Query(std::string("SELECT ") + kModelColumns +
                                         " FROM ai_models WHERE feature = ? AND version = ?",
                                     {f, version}));
    if (target.empty())
      return NotFound("no version " + std::to_string(version) + " of the " + f + " model");
    GUICHET_ASSIGN_OR_RETURN(
        auto previous,
        c.Query("SELECT version FROM ai_models WHERE feature = ? AND active = 1", {f}));
    GUICHET_RETURN_IF_ERROR(
        c.Query("UPDATE ai_models SET active = 0 WHERE feature = ?", {f}).status());
    GUICHET_RETURN_IF_ERROR(
        c.Query("UPDATE ai_models SET active = 1 WHERE feature = ? AND version = ?", {f, version})
            .status());
    AiModelInfo model = RowToModel(target[0]);
    model.active = true;
    GUICHET_RETURN_IF_ERROR(
        db_.Audit(c, actor, "ai_model.activate", "ai_model", model.id, std::nullopt,
                  json{{"feature", f},
                       {"version",
                        {{"before", previous.empty() ? json(nullptr) : json(AsInt(previous[0][0]))},
                         {"after", version}}}}));
    return model;
  });
}

Result<std::optional<core::Id>> SqlAi::ActiveModelId(std::string_view feature) {
  return db_.Read<std::optional<core::Id>>(
      [&](SqlConnection& c) -> Result<std::optional<core::Id>> {
        GUICHET_ASSIGN_OR_RETURN(
            auto rows, c.Query("SELECT id FROM ai_models WHERE feature = ? AND active = 1",
                               {std::string(feature)}));
        if (rows.empty()) return std::optional<core::Id>();
        return std::optional<core::Id>(AsInt(rows[0][0]));
      });
}

Result<AiModel> SqlAi::GetModel(core::Id id) {
  return db_.Read<AiModel>([&](SqlConnection& c) -> Result<AiModel> {
    GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kModelColumns +
                                                    ", model FROM ai_models WHERE id = ?",
                                                {id}));
    if (rows.empty()) return NotFound("no AI model " + std::to_string(id));
    return AiModel{RowToModel(rows[0]), AsText(rows[0][8])};
  });
}

Result<std::vector<AiTrainingExample>> SqlAi::TrainingExamples(std::string_view feature,
                                                               std::size_t limit) {
  GUICHET_RETURN_IF_ERROR(CheckModelFeature(feature));
  const std::string select =
      feature == kAiTriageCategory
          ? "SELECT r.id, r.subject, r.description, c.slug FROM requests r "
            "JOIN categories c ON c.id = r.category_id WHERE "
          // triage.priority: the priority stood through an agent's handling, or an agent set it.
          : "SELECT r.id, r.subject, r.description, r.priority FROM requests r WHERE "
            "(r.status IN ('resolved', 'closed') OR r.priority <> 'normal') AND ";
  return db_.Read<std::vector<AiTrainingExample>>(
      [&](SqlConnection& c) -> Result<std::vector<AiTrainingExample>> {
        GUICHET_ASSIGN_OR_RETURN(
            auto rows,
            c.Query(select +
                        "NOT EXISTS (SELECT 1 FROM ai_decisions d WHERE d.request_id = r.id AND "
                        "d.feature = ? AND d.applied = 1 AND d.outcome = 'pending') "
                        "ORDER BY r.id LIMIT ?",
                    {std::string(feature), static_cast<std::int64_t>(limit)}));
        std::vector<AiTrainingExample> out;
        for (const Row& r : rows)
          out.push_back({AsInt(r[0]), AsText(r[1]) + ". " + AsText(r[2]), AsText(r[3])});
        return out;
      });
}

Result<std::vector<AiDecision>> SqlAi::ListDecisions(core::Id request_id) {
  return db_.Read<std::vector<AiDecision>>(
      [&](SqlConnection& c) -> Result<std::vector<AiDecision>> {
        GUICHET_ASSIGN_OR_RETURN(auto rows,
                                 c.Query(std::string("SELECT ") + kDecisionColumns +
                                             " FROM ai_decisions WHERE request_id = ? ORDER BY id",
                                         {request_id}));
        std::vector<AiDecision> out;
        for (const Row& r : rows) out.push_back(RowToDecision(r));
        return out;
      });
}

Result<AiDecision> SqlAi::GetDecision(core::Id id) {
  return db_.Read<AiDecision>([&](SqlConnection& c) { return LoadDecision(c, id); });
}

Result<AiDecision> SqlAi::LoadDecision(SqlConnection& c, core::Id id) {
  GUICHET_ASSIGN_OR_RETURN(auto rows,
                           c.Query(std::string("SELECT ") + kDecisionColumns +
                                       " FROM ai_decisions WHERE id = ?" + db_.ForUpdate(),
                                   {id}));
  if (rows.empty()) return NotFound("no AI decision " + std::to_string(id));
  return RowToDecision(rows[0]);
}

Status SqlAi::WriteReview(SqlConnection& c, const AiDecision& decision, const std::string& outcome,
                          const std::optional<std::string>& value,
                          const std::optional<core::Id>& reviewer_id, const Actor& actor) {
  GUICHET_ASSIGN_OR_RETURN(
      auto rows, c.Query("UPDATE ai_decisions SET outcome = ?, outcome_value = ?, decided_by = ?, "
                         "decided_at = ? WHERE id = ? AND outcome = 'pending' RETURNING id",
                         {outcome, value ? SqlValue(*value) : SqlValue(), OptId(reviewer_id),
                          db_.clock().Now(), decision.id}));
  if (rows.empty())
    return FailedPrecondition("AI decision " + std::to_string(decision.id) +
                              " was reviewed meanwhile");
  return db_.Audit(c, actor, "ai_decision.review", "ai_decision", decision.id, decision.request_id,
                   {{"outcome", {{"before", "pending"}, {"after", outcome}}},
                    {"outcome_value", {{"after", value ? json(*value) : json(nullptr)}}}});
}

Status SqlAi::RecordSuggestions(SqlConnection& c, core::Id request_id,
                                const std::vector<core::AiSuggestion>& suggestions,
                                const Actor& actor) {
  const Millis now = db_.clock().Now();
  for (const core::AiSuggestion& s : suggestions) {
    GUICHET_RETURN_IF_ERROR(CheckFeature(s.feature));
    GUICHET_ASSIGN_OR_RETURN(
        auto rows, c.Query("INSERT INTO ai_decisions (request_id, feature, model_id, mode, output, "
                           "confidence, details, applied, created_at, outcome) VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending') RETURNING id",
                           {request_id, s.feature, OptId(s.model_id), s.mode,
                            s.output ? SqlValue(*s.output) : SqlValue(), s.confidence,
                            s.details_json, std::int64_t{s.applied ? 1 : 0}, now}));
    GUICHET_RETURN_IF_ERROR(
        db_.Audit(c, actor, "ai_decision.create", "ai_decision", AsInt(rows[0][0]), request_id,
                  Created({{"feature", s.feature},
                           {"model_id", OptJson(s.model_id)},
                           {"mode", s.mode},
                           {"output", s.output ? json(*s.output) : json(nullptr)},
                           {"confidence", s.confidence},
                           {"applied", s.applied}})));
  }
  return Status::Ok();
}

}  // namespace internal
}  // namespace guichet::storage
