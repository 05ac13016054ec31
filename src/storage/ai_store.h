// AiStore: the AI features under human control — each feature's policy (off by default, then
// suggest, or auto at or above a confidence threshold), the trained models as numbered versions
// of which one per feature is active (activation and rollback are audited), and the AI decision
// register: every suggestion made for a request with its model, output, confidence,
// probabilities and reasons, whether it was applied, and what a person did with it. Suggestions
// are written with their request (core::NewRequest::ai_suggestions), in the same transaction.
// Reached through Store::ai(); the same contract as Store (one transaction per call, audited
// changes, kNotFound / kConflict / kInvalidArgument). Thread-safety: as Store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "core/model.h"

namespace guichet::storage {

struct Actor;

enum class AiMode { kOff, kSuggest, kAuto };
std::string_view ToString(AiMode mode);
std::optional<AiMode> ParseAiMode(std::string_view text);

// The features there are policies for: the category by a trained model, the priority by
// readable rules (triage/urgency.h) and, once one is trained, a model, and the citizen's
// language by language identification (triage/langid.h).
inline constexpr std::string_view kAiTriageCategory = "triage.category";
inline constexpr std::string_view kAiTriagePriority = "triage.priority";
inline constexpr std::string_view kAiTriageLanguage = "triage.language";
inline constexpr std::string_view kAiFeatures[] = {kAiTriageCategory, kAiTriagePriority,
                                                   kAiTriageLanguage};
bool IsAiFeature(std::string_view feature);
// The features that keep trained model versions (the language is told by a library).
inline constexpr std::string_view kAiModelFeatures[] = {kAiTriageCategory, kAiTriagePriority};
bool HasModels(std::string_view feature);
// The request field that a person's correction of a decision of `feature` names: "category",
// "priority" or "language".
std::string_view AiCorrectionField(std::string_view feature);

struct AiSetting {
  std::string feature;
  AiMode mode = AiMode::kOff;
  double threshold = 0.8;    // auto applies at or above it; below, a suggestion only
  std::int64_t version = 0;  // 0: never set (the defaults above)
  Millis updated_at = 0;
};

// A model version, without its bytes.
struct AiModelInfo {
  core::Id id = 0;
  std::string feature;
  std::int64_t version = 0;
  Millis created_at = 0;
  std::string created_by;
  std::string data_sha256;
  std::string info_json;  // labels, training options, evaluation
  bool active = false;
};

struct AiModel {
  AiModelInfo info;
  std::string bytes;
};

struct AiDecision {
  core::Id id = 0;
  core::Id request_id = 0;
  core::AiSuggestion suggestion;
  Millis created_at = 0;
  std::string outcome = "pending";  // pending, accepted, corrected, ignored
  std::optional<std::string> outcome_value;
  std::optional<core::Id> decided_by;
  std::optional<Millis> decided_at;
};

// What a person did with an AI decision (Store::ReviewAiDecision).
struct AiReview {
  std::string outcome;                           // accepted, corrected or ignored
  std::optional<core::Id> category_id;           // corrected, on a triage.category decision
  std::optional<core::Priority> priority;        // corrected, on a triage.priority decision
  std::optional<std::string> language;           // corrected, on a triage.language decision
  std::optional<std::int64_t> expected_version;  // of the request, when it is to change
  std::optional<core::Id> reviewer_id;
};

struct AiReviewResult {
  AiDecision decision;
  core::Request request;
};

struct AiTrainingExample {
  core::Id request_id = 0;
  std::string text;
  std::string label;
};

class AiStore {
 public:
  virtual ~AiStore() = default;

  // Every feature, with the defaults for those never set.
  virtual Result<std::vector<AiSetting>> ListSettings() = 0;
  virtual Result<AiSetting> GetSetting(std::string_view feature) = 0;
  // kConflict unless `expected_version` is the stored one (0 for a feature never set).
  virtual Result<AiSetting> SetSetting(const AiSetting& setting, std::int64_t expected_version,
                                       const Actor& actor) = 0;

  // Stores a new, inactive version (the next number for the feature).
  virtual Result<AiModelInfo> AddModel(std::string_view feature, const std::string& bytes,
                                       const std::string& data_sha256, const std::string& info_json,
                                       const Actor& actor) = 0;
  // Newest first.
  virtual Result<std::vector<AiModelInfo>> ListModels(std::string_view feature) = 0;
  // Makes `version` the feature's only active model (rollback is activating an older one).
  virtual Result<AiModelInfo> ActivateModel(std::string_view feature, std::int64_t version,
                                            const Actor& actor) = 0;
  // The active model's id only: cheap, for caches that reload when it changes.
  virtual Result<std::optional<core::Id>> ActiveModelId(std::string_view feature) = 0;
  virtual Result<AiModel> GetModel(core::Id id) = 0;

  // Texts and labels people gave or confirmed, for training a model of `feature`, leaving out
  // requests whose value came from an automatic AI decision still waiting for review. The text
  // is the subject and the description. triage.category: requests with a category, labelled by
  // its slug. triage.priority: requests an agent changed the priority of or saw through to
  // resolved or closed, labelled by their priority. Oldest first; kInvalidArgument for another
  // feature.
  virtual Result<std::vector<AiTrainingExample>> TrainingExamples(std::string_view feature,
                                                                  std::size_t limit) = 0;

  // A request's decisions, oldest first.
  virtual Result<std::vector<AiDecision>> ListDecisions(core::Id request_id) = 0;
  virtual Result<AiDecision> GetDecision(core::Id id) = 0;
};

}  // namespace guichet::storage
