// SlaStore: the stored SLA configuration — policies, the desk calendar and each team's opening
// hours — and the counts of running targets by state for /metrics. Reached through
// Store::sla(); the same contract as Store holds (one transaction per call, audited changes,
// kNotFound / kAlreadyExists / kConflict / kInvalidArgument). Requests get their deadlines from
// the Store itself when they are created or changed (see core::RequestSla); changing a policy or
// a calendar applies to requests created or re-prioritised afterwards, not to running ones.
// Thread-safety: as Store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "sla/policy.h"

namespace guichet::storage {

struct Actor;

// Running targets (not reached, request neither resolved nor closed) by state at one instant.
struct SlaCounts {
  std::int64_t first_reply_at_risk = 0, first_reply_breached = 0;
  std::int64_t resolution_at_risk = 0, resolution_breached = 0;
  std::int64_t paused = 0;  // requests whose clocks are stopped
};

class SlaStore {
 public:
  virtual ~SlaStore() = default;

  // Active and inactive, by id.
  virtual Result<std::vector<sla::Policy>> ListPolicies() = 0;
  virtual Result<sla::Policy> GetPolicy(core::Id id) = 0;
  // Validates with sla::ValidatePolicy; a taken name is kAlreadyExists.
  virtual Result<sla::Policy> CreatePolicy(const sla::Policy& policy, const Actor& actor) = 0;
  // Replaces every field but id and created_at when the stored version is `expected_version`.
  virtual Result<sla::Policy> UpdatePolicy(core::Id id, std::int64_t expected_version,
                                           const sla::Policy& policy, const Actor& actor) = 0;
  // Requests keep their deadlines; their policy link is cleared.
  virtual Status DeletePolicy(core::Id id, const Actor& actor) = 0;

  virtual Result<sla::CalendarSettings> GetCalendar() = 0;
  virtual Status SetCalendar(const sla::CalendarSettings& settings, const Actor& actor) = 0;
  // A team's own opening hours (checked by sla::OpeningHours::Parse), or nullopt for the desk's.
  virtual Result<std::optional<std::string>> GetTeamOpeningHours(core::Id team_id) = 0;
  virtual Status SetTeamOpeningHours(core::Id team_id, const std::optional<std::string>& hours,
                                     const Actor& actor) = 0;

  virtual Result<SlaCounts> CountRunningTargets(Millis now) = 0;
};

}  // namespace guichet::storage
