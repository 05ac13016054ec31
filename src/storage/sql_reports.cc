#include "storage/sql_reports.h"

#include <algorithm>
#include <string>

#include "storage/ai_store.h"

namespace guichet::storage::internal {
namespace {

// " AND +<column> IN (…)" for a scoped query (" AND 1 = 0" for an empty scope), its parameters
// appended to `params`. The unary plus keeps SQLite, which has no statistics, from choosing the
// team index (an equality) over the period's or the status's: it would then look up every
// request the teams ever had. PostgreSQL plans by its statistics either way.
std::string Scope(const ReportQuery& q, const std::string& column, Params& params) {
  if (!q.scope_team_ids) return "";
  if (q.scope_team_ids->empty()) return " AND 1 = 0";
  for (core::Id t : *q.scope_team_ids) params.push_back(t);
  return " AND +" + column + " IN (" + Placeholders(q.scope_team_ids->size()) + ")";
}

// The nearest-rank percentile `p` (0–100) of sorted `values`.
Millis Percentile(const std::vector<Millis>& sorted, int p) {
  const std::size_t n = sorted.size();
  std::size_t rank = (n * static_cast<std::size_t>(p) + 99) / 100;  // ceil(p% of n)
  return sorted[std::clamp<std::size_t>(rank, 1, n) - 1];
}

// How the targets reached in the period fared: `reached_column` is when it was reached,
// `due_column` its due time.
Result<TargetReport> Target(SqlConnection& c, const ReportQuery& q,
                            const std::string& reached_column, const std::string& due_column) {
  Params params = {q.from, q.to};
  std::string sql = "SELECT " + reached_column + " - created_at, CASE WHEN " + due_column +
                    " IS NULL THEN 0 WHEN " + reached_column + " <= " + due_column +
                    " THEN 2 ELSE 1 END FROM requests WHERE " + reached_column + " >= ? AND " +
                    reached_column + " < ?";
  sql += Scope(q, "team_id", params);
  GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
  TargetReport out;
  std::vector<Millis> durations;
  durations.reserve(rows.size());
  for (const Row& r : rows) {
    durations.push_back(std::max<Millis>(0, AsInt(r[0])));
    const std::int64_t verdict = AsInt(r[1]);
    if (verdict > 0) ++out.with_target;
    if (verdict == 2) ++out.met;
  }
  out.reached = static_cast<std::int64_t>(rows.size());
  if (!durations.empty()) {
    std::sort(durations.begin(), durations.end());
    out.median = Percentile(durations, 50);
    out.p90 = Percentile(durations, 90);
  }
  return out;
}

}  // namespace

Result<DashboardReport> SqlReports::Dashboard(const ReportQuery& q) {
  if (q.from >= q.to) return InvalidArgument("the period must end after it starts");
  if (q.to - q.from > static_cast<Millis>(kMaxReportDays) * kDayMillis)
    return InvalidArgument("the period may cover at most " + std::to_string(kMaxReportDays) +
                           " days");
  const Millis now = db_.clock().Now();
  return db_.Tx<DashboardReport>(false, [&](SqlConnection& c) -> Result<DashboardReport> {
    DashboardReport out;
    out.from = q.from;
    out.to = q.to;
    out.now = now;

    // Created in the period: one group per UTC day, team and channel (requests_created).
    Params params = {q.from, q.to};
    std::string sql =
        "SELECT created_at / 86400000, team_id, channel, COUNT(*) FROM requests "
        "WHERE created_at >= ? AND created_at < ?" +
        Scope(q, "team_id", params) + " GROUP BY created_at / 86400000, team_id, channel";
    GUICHET_ASSIGN_OR_RETURN(auto created, c.Query(sql, params));
    const Millis first_day = q.from / kDayMillis;
    for (Millis day = first_day; day * kDayMillis < q.to; ++day)
      out.created_per_day.emplace_back(day * kDayMillis, 0);
    for (const Row& r : created) {
      const std::int64_t n = AsInt(r[3]);
      const std::size_t index = static_cast<std::size_t>(AsInt(r[0]) - first_day);
      if (index < out.created_per_day.size()) out.created_per_day[index].second += n;
      out.created_per_team[ToOptId(r[1])] += n;
      if (auto channel = core::ParseChannel(AsText(r[2]))) out.created_per_channel[*channel] += n;
      out.created += n;
    }

    // The backlog now, by the requests_status index (grouped by team first, SQLite would walk
    // requests_team and look every request up).
    params.clear();
    sql =
        "SELECT team_id, status, COUNT(*) FROM requests WHERE status IN ('new', 'open', "
        "'pending_citizen', 'pending_third_party')" +
        Scope(q, "team_id", params) + " GROUP BY status, team_id";
    GUICHET_ASSIGN_OR_RETURN(auto backlog, c.Query(sql, params));
    for (const Row& r : backlog) {
      auto status = core::ParseRequestStatus(AsText(r[1]));
      if (!status) continue;
      out.backlog.push_back({ToOptId(r[0]), *status, AsInt(r[2])});
      out.backlog_total += AsInt(r[2]);
    }
    std::sort(out.backlog.begin(), out.backlog.end(), [](const auto& a, const auto& b) {
      return std::pair(a.team_id, a.status) < std::pair(b.team_id, b.status);
    });

    GUICHET_ASSIGN_OR_RETURN(out.first_reply, Target(c, q, "first_reply_at", "first_reply_due_at"));
    GUICHET_ASSIGN_OR_RETURN(out.resolution, Target(c, q, "resolved_at", "resolution_due_at"));

    // Running targets at risk or breached now, as SlaStore::CountRunningTargets counts them
    // (the same partial indexes), in the scope.
    params = {now, now};
    sql =
        "SELECT COUNT(*), SUM(CASE WHEN first_reply_due_at <= ? THEN 1 ELSE 0 END) FROM requests "
        "WHERE first_reply_at IS NULL AND resolved_at IS NULL AND first_reply_warn_at IS NOT NULL "
        "AND first_reply_warn_at <= ? AND sla_paused_at IS NULL" +
        Scope(q, "team_id", params);
    GUICHET_ASSIGN_OR_RETURN(auto reply, c.Query(sql, params));
    params = {now, now};
    sql =
        "SELECT COUNT(*), SUM(CASE WHEN resolution_due_at <= ? THEN 1 ELSE 0 END) FROM requests "
        "WHERE resolved_at IS NULL AND resolution_warn_at IS NOT NULL AND resolution_warn_at <= ? "
        "AND sla_paused_at IS NULL" +
        Scope(q, "team_id", params);
    GUICHET_ASSIGN_OR_RETURN(auto resolution, c.Query(sql, params));
    params.clear();
    sql =
        "SELECT COUNT(*) FROM requests WHERE status = 'pending_citizen' AND "
        "sla_paused_at IS NOT NULL" +
        Scope(q, "team_id", params);
    GUICHET_ASSIGN_OR_RETURN(auto paused, c.Query(sql, params));
    out.running.first_reply_breached = AsInt(reply[0][1]);
    out.running.first_reply_at_risk = AsInt(reply[0][0]) - out.running.first_reply_breached;
    out.running.resolution_breached = AsInt(resolution[0][1]);
    out.running.resolution_at_risk = AsInt(resolution[0][0]) - out.running.resolution_breached;
    out.running.paused = AsInt(paused[0][0]);

    // AI decisions reviewed in the period, by the team of their request.
    params = {q.from, q.to};
    sql = "SELECT d.feature, d.outcome, COUNT(*) FROM ai_decisions d";
    if (q.scope_team_ids) sql += " JOIN requests r ON r.id = d.request_id";
    sql += " WHERE d.decided_at >= ? AND d.decided_at < ?";
    sql += Scope(q, "r.team_id", params) + " GROUP BY d.feature, d.outcome";
    GUICHET_ASSIGN_OR_RETURN(auto ai, c.Query(sql, params));
    for (std::string_view feature : kAiFeatures) out.ai.push_back({std::string(feature)});
    for (const Row& r : ai) {
      const std::string feature = AsText(r[0]), outcome = AsText(r[1]);
      for (AiOutcomeCounts& counts : out.ai) {
        if (counts.feature != feature) continue;
        if (outcome == "accepted") counts.accepted += AsInt(r[2]);
        if (outcome == "corrected") counts.corrected += AsInt(r[2]);
        if (outcome == "ignored") counts.ignored += AsInt(r[2]);
      }
    }
    return out;
  });
}

}  // namespace guichet::storage::internal
