// ReportStore: the supervisor's figures — what came in over a period (per day, team and
// channel), the backlog now, how the SLA targets that ended in the period fared and how long
// first replies and resolutions took, and what people did with the AI's suggestions. Read-only;
// reached through Store::reports(). One call reads one consistent snapshot (one read
// transaction). Who may see which teams is the caller's job: it passes the scope.
// Thread-safety: as Store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "core/model.h"
#include "storage/sla_store.h"

namespace guichet::storage {

inline constexpr Millis kDayMillis = 24 * 60 * 60 * 1000;

struct ReportQuery {
  // The period [from, to). Days are UTC days: `from` and `to` should be midnights UTC; the
  // per-day counts start at `from`'s day. kInvalidArgument unless from < to, and for more than
  // kMaxReportDays days.
  Millis from = 0, to = 0;
  // Only requests of these teams (by their team now); nullopt: every request, those without a
  // team included.
  std::optional<std::vector<core::Id>> scope_team_ids;
};
inline constexpr int kMaxReportDays = 366;

// How one kind of SLA target fared among the requests that reached it in the period (their
// first staff reply, or their resolution), and how long that took from the request's creation
// in wall-clock time (nights, week-ends and pauses included).
struct TargetReport {
  std::int64_t reached = 0;           // requests that reached it in the period
  std::int64_t with_target = 0;       // … of which had a due time (an SLA policy applied)
  std::int64_t met = 0;               // … of which reached it by its due time
  std::optional<Millis> median, p90;  // durations (nearest-rank); nullopt when none reached
};

// What people did with the AI decisions of one feature reviewed in the period.
struct AiOutcomeCounts {
  std::string feature;
  std::int64_t accepted = 0, corrected = 0, ignored = 0;
};

struct BacklogCount {
  std::optional<core::Id> team_id;
  core::RequestStatus status = core::RequestStatus::kNew;
  std::int64_t count = 0;
};

struct DashboardReport {
  Millis from = 0, to = 0;
  Millis now = 0;  // the store's clock when it was read: the backlog's instant
  // Requests created in the period: one entry per day from `from` (the day's midnight, UTC),
  // days with none included; by team (nullopt: no team) and by channel, only those with some.
  std::vector<std::pair<Millis, std::int64_t>> created_per_day;
  std::map<std::optional<core::Id>, std::int64_t> created_per_team;
  std::map<core::Channel, std::int64_t> created_per_channel;
  std::int64_t created = 0;
  // Requests not resolved or closed now, by team and status (only the non-zero ones).
  std::vector<BacklogCount> backlog;
  std::int64_t backlog_total = 0;
  TargetReport first_reply, resolution;
  SlaCounts running;  // running targets at risk or breached now, in the scope
  // Every feature of kAiFeatures, in that order, zeros included.
  std::vector<AiOutcomeCounts> ai;
};

class ReportStore {
 public:
  virtual ~ReportStore() = default;

  // The figures of `query`; kInvalidArgument for a bad period, kUnavailable when the database
  // is.
  virtual Result<DashboardReport> Dashboard(const ReportQuery& query) = 0;
};

}  // namespace guichet::storage
