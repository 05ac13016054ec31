// Private to src/storage: the SQL AiStore, and the writing of a new request's AI suggestions
// that SqlStore runs inside the request's transaction.
#pragma once

#include <vector>

#include "storage/ai_store.h"
#include "storage/sql_db.h"

namespace guichet::storage::internal {

class SqlAi final : public AiStore {
 public:
  explicit SqlAi(SqlDb& db) : db_(db) {}

  Result<std::vector<AiSetting>> ListSettings() override;
  Result<AiSetting> GetSetting(std::string_view feature) override;
  Result<AiSetting> SetSetting(const AiSetting& setting, std::int64_t expected_version,
                               const Actor& actor) override;
  Result<AiModelInfo> AddModel(std::string_view feature, const std::string& bytes,
                               const std::string& data_sha256, const std::string& info_json,
                               const Actor& actor) override;
  Result<std::vector<AiModelInfo>> ListModels(std::string_view feature) override;
  Result<AiModelInfo> ActivateModel(std::string_view feature, std::int64_t version,
                                    const Actor& actor) override;
  Result<std::optional<core::Id>> ActiveModelId(std::string_view feature) override;
  Result<AiModel> GetModel(core::Id id) override;
  Result<std::vector<AiTrainingExample>> TrainingExamples(std::string_view feature,
                                                          std::size_t limit) override;
  Result<std::vector<AiDecision>> ListDecisions(core::Id request_id) override;
  Result<AiDecision> GetDecision(core::Id id) override;

  // Inside a transaction: the decision, its row locked on PostgreSQL.
  Result<AiDecision> LoadDecision(SqlConnection& c, core::Id id);
  // Inside a transaction: records a person's verdict on a pending decision, audited.
  Status WriteReview(SqlConnection& c, const AiDecision& decision, const std::string& outcome,
                     const std::optional<std::string>& value,
                     const std::optional<core::Id>& reviewer_id, const Actor& actor);

  // Inside the request's transaction: one register entry per suggestion, and their audit entry.
  Status RecordSuggestions(SqlConnection& c, core::Id request_id,
                           const std::vector<core::AiSuggestion>& suggestions, const Actor& actor);

 private:
  Result<AiSetting> LoadSetting(SqlConnection& c, std::string_view feature);
  SqlDb& db_;
};

}  // namespace guichet::storage::internal
