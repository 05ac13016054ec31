// Private to src/storage: the SQL SlaStore, and the deadline bookkeeping SqlStore runs inside
// its request transactions (SqlSla::Apply).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "storage/sla_store.h"
#include "storage/sql_db.h"

namespace guichet::storage::internal {

class SqlSla final : public SlaStore {
 public:
  explicit SqlSla(SqlDb& db) : db_(db) {}

  Result<std::vector<sla::Policy>> ListPolicies() override;
  Result<sla::Policy> GetPolicy(core::Id id) override;
  Result<sla::Policy> CreatePolicy(const sla::Policy& policy, const Actor& actor) override;
  Result<sla::Policy> UpdatePolicy(core::Id id, std::int64_t expected_version,
                                   const sla::Policy& policy, const Actor& actor) override;
  Status DeletePolicy(core::Id id, const Actor& actor) override;
  Result<sla::CalendarSettings> GetCalendar() override;
  Status SetCalendar(const sla::CalendarSettings& settings, const Actor& actor) override;
  Result<std::optional<std::string>> GetTeamOpeningHours(core::Id team_id) override;
  Status SetTeamOpeningHours(core::Id team_id, const std::optional<std::string>& hours,
                             const Actor& actor) override;
  Result<SlaCounts> CountRunningTargets(Millis now) override;

  // Inside a request's write transaction: brings `after.sla` up to date at `now` — stops the
  // clocks when it waits for the citizen, adds the paused time when it stops waiting, and
  // chooses the policy and computes the deadlines again on creation (`before` null) and when
  // the priority, category or team changed or a pause ended.
  Status Apply(SqlConnection& c, const core::Request* before, core::Request& after, Millis now);

 private:
  // The calendar of a team (or the desk's when none), parsed once per distinct setting.
  Result<std::shared_ptr<const sla::BusinessCalendar>> CalendarFor(SqlConnection& c,
                                                                   std::optional<core::Id> team);
  Result<sla::CalendarSettings> LoadCalendar(SqlConnection& c);
  Result<sla::Policy> LoadPolicy(SqlConnection& c, core::Id id);

  SqlDb& db_;
  std::mutex cache_mu_;
  std::map<std::string, std::shared_ptr<const sla::BusinessCalendar>> calendars_;
};

}  // namespace guichet::storage::internal
