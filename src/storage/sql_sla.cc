// SQL side of SLA: policies, the desk calendar, team hours, counts, and request deadlines.
#include "storage/sql_sla.h"

#include <algorithm>

#include "common/text.h"
#include "sla/policy_json.h"

namespace guichet::storage::internal {
namespace {

constexpr char kPolicyColumns[] =
    "id, name, category_id, priority, channel, first_reply_minutes, resolution_minutes, "
    "business_hours, warning_percent, active, version, created_at, updated_at";
constexpr std::size_t kMaxCachedCalendars = 64;

SqlValue OptInt(const std::optional<std::int64_t>& v) {
  return v ? SqlValue(*v) : SqlValue(std::monostate{});
}
std::optional<std::int64_t> ToOptInt(const SqlValue& v) {
  return IsNull(v) ? std::nullopt : std::optional<std::int64_t>(AsInt(v));
}

sla::Policy RowToPolicy(const Row& r) {
  sla::Policy p;
  p.id = AsInt(r[0]);
  p.name = AsText(r[1]);
  p.category_id = ToOptId(r[2]);
  if (!IsNull(r[3])) p.priority = core::ParsePriority(AsText(r[3]));
  if (!IsNull(r[4])) p.channel = core::ParseChannel(AsText(r[4]));
  p.first_reply_minutes = ToOptInt(r[5]);
  p.resolution_minutes = ToOptInt(r[6]);
  p.business_hours = AsInt(r[7]) != 0;
  p.warning_percent = static_cast<int>(AsInt(r[8]));
  p.active = AsInt(r[9]) != 0;
  p.version = AsInt(r[10]);
  p.created_at = AsInt(r[11]);
  p.updated_at = AsInt(r[12]);
  return p;
}

// The values written for a policy, in kPolicyColumns order from `name` to `active`.
Params PolicyParams(const sla::Policy& p) {
  return {p.name,
          OptId(p.category_id),
          p.priority ? SqlValue(std::string(core::ToString(*p.priority))) : SqlValue(),
          p.channel ? SqlValue(std::string(core::ToString(*p.channel))) : SqlValue(),
          OptInt(p.first_reply_minutes),
          OptInt(p.resolution_minutes),
          std::int64_t{p.business_hours ? 1 : 0},
          std::int64_t{p.warning_percent},
          std::int64_t{p.active ? 1 : 0}};
}

Status InvalidPolicy(const std::vector<core::FieldError>& errors) {
  return InvalidArgument(errors[0].field + " " + errors[0].reason);
}

}  // namespace

Result<std::vector<sla::Policy>> SqlSla::ListPolicies() {
  return db_.Tx<std::vector<sla::Policy>>(
      false, [&](SqlConnection& c) -> Result<std::vector<sla::Policy>> {
        GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kPolicyColumns +
                                                        " FROM sla_policies ORDER BY id",
                                                    {}));
        std::vector<sla::Policy> out;
        for (const Row& r : rows) out.push_back(RowToPolicy(r));
        return out;
      });
}

Result<sla::Policy> SqlSla::LoadPolicy(SqlConnection& c, core::Id id) {
  GUICHET_ASSIGN_OR_RETURN(
      auto rows,
      c.Query(std::string("SELECT ") + kPolicyColumns + " FROM sla_policies WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("SLA policy " + std::to_string(id) + " does not exist");
  return RowToPolicy(rows[0]);
}

Result<sla::Policy> SqlSla::GetPolicy(core::Id id) {
  return db_.Tx<sla::Policy>(false, [&](SqlConnection& c) { return LoadPolicy(c, id); });
}

Result<sla::Policy> SqlSla::CreatePolicy(const sla::Policy& policy, const Actor& actor) {
  if (auto errors = sla::ValidatePolicy(policy); !errors.empty()) return InvalidPolicy(errors);
  return db_.Tx<sla::Policy>(true, [&](SqlConnection& c) -> Result<sla::Policy> {
    if (policy.category_id) {
      GUICHET_ASSIGN_OR_RETURN(
          auto found, c.Query("SELECT id FROM categories WHERE id = ?", {*policy.category_id}));
      if (found.empty())
        return InvalidArgument("category " + std::to_string(*policy.category_id) +
                               " does not exist");
    }
    const Millis now = db_.clock().Now();
    Params params = PolicyParams(policy);
    params.insert(params.end(), {now, now});
    auto rows = c.Query(
        "INSERT INTO sla_policies (name, category_id, priority, channel, first_reply_minutes, "
        "resolution_minutes, business_hours, warning_percent, active, version, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
        params);
    if (rows.status().code() == StatusCode::kAlreadyExists)
      return AlreadyExists("an SLA policy named \"" + policy.name + "\" already exists");
    if (!rows.ok()) return rows.status();
    const core::Id id = AsInt((*rows)[0][0]);
    GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "sla_policy.create", "sla_policy", id, std::nullopt,
                                      Created(sla::PolicyFieldsJson(policy))));
    return LoadPolicy(c, id);
  });
}

Result<sla::Policy> SqlSla::UpdatePolicy(core::Id id, std::int64_t expected_version,
                                         const sla::Policy& policy, const Actor& actor) {
  if (auto errors = sla::ValidatePolicy(policy); !errors.empty()) return InvalidPolicy(errors);
  return db_.Tx<sla::Policy>(true, [&](SqlConnection& c) -> Result<sla::Policy> {
    GUICHET_ASSIGN_OR_RETURN(const sla::Policy before, LoadPolicy(c, id));
    if (before.version != expected_version)
      return Conflict("SLA policy " + std::to_string(id) + " is at version " +
                      std::to_string(before.version) + ", the change was made on version " +
                      std::to_string(expected_version));
    Params params = PolicyParams(policy);
    params.insert(params.end(), {db_.clock().Now(), id, expected_version});
    auto rows = c.Query(
        "UPDATE sla_policies SET name = ?, category_id = ?, priority = ?, channel = ?, "
        "first_reply_minutes = ?, resolution_minutes = ?, business_hours = ?, "
        "warning_percent = ?, active = ?, updated_at = ?, version = version + 1 "
        "WHERE id = ? AND version = ? RETURNING id",
        params);
    if (rows.status().code() == StatusCode::kAlreadyExists)
      return AlreadyExists("an SLA policy named \"" + policy.name + "\" already exists");
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Conflict("SLA policy " + std::to_string(id) + " changed meanwhile");
    GUICHET_RETURN_IF_ERROR(
        db_.Audit(c, actor, "sla_policy.update", "sla_policy", id, std::nullopt,
                  Diff(sla::PolicyFieldsJson(before), sla::PolicyFieldsJson(policy))));
    return LoadPolicy(c, id);
  });
}

Status SqlSla::DeletePolicy(core::Id id, const Actor& actor) {
  return db_
      .Tx<Unit>(
          true,
          [&](SqlConnection& c) -> Result<Unit> {
            GUICHET_ASSIGN_OR_RETURN(const sla::Policy before, LoadPolicy(c, id));
            GUICHET_ASSIGN_OR_RETURN(
                auto unlinked,
                c.Query("UPDATE requests SET sla_policy_id = NULL WHERE sla_policy_id = ?", {id}));
            GUICHET_ASSIGN_OR_RETURN(auto deleted,
                                     c.Query("DELETE FROM sla_policies WHERE id = ?", {id}));
            json changes = json::object();
            const json old_values =
                sla::PolicyFieldsJson(before);  // items() does not own its object
            for (const auto& [key, value] : old_values.items())
              changes[key] = {{"before", value}, {"after", nullptr}};
            GUICHET_RETURN_IF_ERROR(
                db_.Audit(c, actor, "sla_policy.delete", "sla_policy", id, std::nullopt, changes));
            return Unit{};
          })
      .status();
}

Result<sla::CalendarSettings> SqlSla::LoadCalendar(SqlConnection& c) {
  GUICHET_ASSIGN_OR_RETURN(auto rows,
                           db_.QueryConfig(c,
                                           "SELECT time_zone, opening_hours, alsace_moselle, "
                                           "extra_closed_days FROM sla_calendar WHERE id = 1",
                                           {}));
  if (rows.empty()) return Internal("the SLA calendar row is missing");
  sla::CalendarSettings s;
  s.time_zone = AsText(rows[0][0]);
  s.opening_hours = AsText(rows[0][1]);
  s.alsace_moselle = AsInt(rows[0][2]) != 0;
  const json days = json::parse(AsText(rows[0][3]), nullptr, false);
  if (days.is_array()) {
    for (const auto& d : days) {
      if (!d.is_string()) continue;
      if (auto date = sla::ParseDate(d.get<std::string>()); date.ok())
        s.extra_closed_days.push_back(*date);
    }
  }
  return s;
}

Result<sla::CalendarSettings> SqlSla::GetCalendar() {
  return db_.Tx<sla::CalendarSettings>(false, [&](SqlConnection& c) { return LoadCalendar(c); });
}

Status SqlSla::SetCalendar(const sla::CalendarSettings& input, const Actor& actor) {
  GUICHET_RETURN_IF_ERROR(sla::ValidateCalendarSettings(input));
  sla::CalendarSettings settings = input;  // stored in canonical form
  settings.opening_hours = sla::OpeningHours::Parse(input.opening_hours)->ToString();
  std::sort(settings.extra_closed_days.begin(), settings.extra_closed_days.end());
  settings.extra_closed_days.erase(
      std::unique(settings.extra_closed_days.begin(), settings.extra_closed_days.end()),
      settings.extra_closed_days.end());
  return db_
      .Tx<Unit>(true,
                [&](SqlConnection& c) -> Result<Unit> {
                  GUICHET_ASSIGN_OR_RETURN(const auto before, LoadCalendar(c));
                  const json after = sla::CalendarJson(settings);
                  GUICHET_ASSIGN_OR_RETURN(
                      auto rows,
                      c.Query("UPDATE sla_calendar SET time_zone = ?, opening_hours = ?, "
                              "alsace_moselle = ?, extra_closed_days = ?, updated_at = ? "
                              "WHERE id = 1",
                              {settings.time_zone, settings.opening_hours,
                               std::int64_t{settings.alsace_moselle ? 1 : 0},
                               after["extra_closed_days"].dump(), db_.clock().Now()}));
                  const json changes = Diff(sla::CalendarJson(before), after);
                  if (!changes.empty())
                    GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "sla_calendar.update",
                                                      "sla_calendar", 1, std::nullopt, changes));
                  return Unit{};
                })
      .status();
}

Result<std::optional<std::string>> SqlSla::GetTeamOpeningHours(core::Id team_id) {
  return db_.Tx<std::optional<std::string>>(
      false, [&](SqlConnection& c) -> Result<std::optional<std::string>> {
        GUICHET_ASSIGN_OR_RETURN(
            auto rows, c.Query("SELECT opening_hours FROM teams WHERE id = ?", {team_id}));
        if (rows.empty()) return NotFound("team " + std::to_string(team_id) + " does not exist");
        if (IsNull(rows[0][0])) return std::optional<std::string>();
        return std::optional<std::string>(AsText(rows[0][0]));
      });
}

Status SqlSla::SetTeamOpeningHours(core::Id team_id, const std::optional<std::string>& hours,
                                   const Actor& actor) {
  std::optional<std::string> canonical;
  if (hours) {
    auto parsed = sla::OpeningHours::Parse(*hours);
    if (!parsed.ok()) return InvalidArgument("opening_hours: " + parsed.status().message());
    canonical = parsed->ToString();
  }
  return db_
      .Tx<Unit>(
          true,
          [&](SqlConnection& c) -> Result<Unit> {
            GUICHET_ASSIGN_OR_RETURN(
                auto rows, c.Query("SELECT opening_hours FROM teams WHERE id = ?", {team_id}));
            if (rows.empty())
              return NotFound("team " + std::to_string(team_id) + " does not exist");
            const json before = IsNull(rows[0][0]) ? json(nullptr) : json(AsText(rows[0][0]));
            const json after = canonical ? json(*canonical) : json(nullptr);
            if (before == after) return Unit{};
            GUICHET_ASSIGN_OR_RETURN(
                auto updated, c.Query("UPDATE teams SET opening_hours = ? WHERE id = ?",
                                      {canonical ? SqlValue(*canonical) : SqlValue(), team_id}));
            GUICHET_RETURN_IF_ERROR(
                db_.Audit(c, actor, "team.update", "team", team_id, std::nullopt,
                          {{"opening_hours", {{"before", before}, {"after", after}}}}));
            return Unit{};
          })
      .status();
}

Result<SlaCounts> SqlSla::CountRunningTargets(Millis now) {
  return db_.Tx<SlaCounts>(false, [&](SqlConnection& c) -> Result<SlaCounts> {
    // Each query reads one partial index: targets past their warning point, not paused.
    GUICHET_ASSIGN_OR_RETURN(
        auto reply, c.Query("SELECT COUNT(*), SUM(CASE WHEN first_reply_due_at <= ? THEN 1 "
                            "ELSE 0 END) FROM requests WHERE first_reply_at IS NULL AND "
                            "resolved_at IS NULL AND first_reply_warn_at IS NOT NULL AND "
                            "first_reply_warn_at <= ? AND sla_paused_at IS NULL",
                            {now, now}));
    GUICHET_ASSIGN_OR_RETURN(
        auto resolution,
        c.Query("SELECT COUNT(*), SUM(CASE WHEN resolution_due_at <= ? THEN 1 ELSE 0 END) "
                "FROM requests WHERE resolved_at IS NULL AND resolution_warn_at IS NOT NULL AND "
                "resolution_warn_at <= ? AND sla_paused_at IS NULL",
                {now, now}));
    GUICHET_ASSIGN_OR_RETURN(
        auto paused, c.Query("SELECT COUNT(*) FROM requests WHERE status = 'pending_citizen' "
                             "AND sla_paused_at IS NOT NULL",
                             {}));
    SlaCounts out;
    out.first_reply_breached = AsInt(reply[0][1]);
    out.first_reply_at_risk = AsInt(reply[0][0]) - out.first_reply_breached;
    out.resolution_breached = AsInt(resolution[0][1]);
    out.resolution_at_risk = AsInt(resolution[0][0]) - out.resolution_breached;
    out.paused = AsInt(paused[0][0]);
    return out;
  });
}

Result<std::shared_ptr<const sla::BusinessCalendar>> SqlSla::CalendarFor(
    SqlConnection& c, std::optional<core::Id> team) {
  GUICHET_ASSIGN_OR_RETURN(const auto settings, LoadCalendar(c));
  std::optional<std::string> team_hours;
  if (team) {
    GUICHET_ASSIGN_OR_RETURN(
        auto rows, db_.QueryConfig(c, "SELECT opening_hours FROM teams WHERE id = ?", {*team}));
    if (!rows.empty() && !IsNull(rows[0][0])) team_hours = AsText(rows[0][0]);
  }
  const std::string key = sla::CalendarJson(settings).dump() + "|" + team_hours.value_or("");
  {
    std::lock_guard lock(cache_mu_);
    if (auto it = calendars_.find(key); it != calendars_.end()) return it->second;
  }
  GUICHET_ASSIGN_OR_RETURN(auto calendar, sla::MakeCalendar(settings, team_hours));
  auto shared = std::make_shared<const sla::BusinessCalendar>(std::move(calendar));
  std::lock_guard lock(cache_mu_);
  if (calendars_.size() >= kMaxCachedCalendars) calendars_.clear();
  calendars_.emplace(key, shared);
  return shared;
}

Status SqlSla::Apply(SqlConnection& c, const core::Request* before, core::Request& after,
                     Millis now) {
  core::RequestSla& s = after.sla;
  bool recompute = before == nullptr || before->priority != after.priority ||
                   before->category_id != after.category_id || before->team_id != after.team_id;
  const bool waiting = after.status == core::RequestStatus::kPendingCitizen;
  std::shared_ptr<const sla::BusinessCalendar> calendar;
  if (waiting && !s.paused_at) {
    s.paused_at = now;
  } else if (!waiting && s.paused_at) {
    GUICHET_ASSIGN_OR_RETURN(calendar, CalendarFor(c, after.team_id));
    s.paused_business_ms += calendar->BusinessTimeBetween(*s.paused_at, now);
    s.paused_wall_ms += std::max<Millis>(0, now - *s.paused_at);
    s.paused_at.reset();
    recompute = true;
  }
  if (!recompute) return Status::Ok();
  GUICHET_ASSIGN_OR_RETURN(auto rows,
                           db_.QueryConfig(c,
                                           std::string("SELECT ") + kPolicyColumns +
                                               " FROM sla_policies WHERE active = 1 ORDER BY id",
                                           {}));
  std::vector<sla::Policy> policies;
  for (const Row& r : rows) policies.push_back(RowToPolicy(r));
  const sla::Policy* policy =
      sla::ChoosePolicy(policies, after.category_id, after.priority, after.channel);
  core::RequestSla fresh;  // the pause bookkeeping carries over; the rest is chosen again
  fresh.paused_at = s.paused_at;
  fresh.paused_business_ms = s.paused_business_ms;
  fresh.paused_wall_ms = s.paused_wall_ms;
  s = fresh;
  if (!policy) return Status::Ok();
  if (!calendar) {
    GUICHET_ASSIGN_OR_RETURN(calendar, CalendarFor(c, after.team_id));
  }
  const sla::Deadlines d = sla::ComputeDeadlines(*policy, *calendar, after.created_at,
                                                 s.paused_business_ms, s.paused_wall_ms);
  s.policy_id = policy->id;
  s.first_reply_due_at = d.first_reply_due_at;
  s.first_reply_warn_at = d.first_reply_warn_at;
  s.resolution_due_at = d.resolution_due_at;
  s.resolution_warn_at = d.resolution_warn_at;
  return Status::Ok();
}

}  // namespace guichet::storage::internal
