// SLA policy rules: validation, choice by specificity, deadlines and target states.
#include "sla/policy.h"

#include <cstdio>

#include "common/text.h"

namespace guichet::sla {
namespace {

constexpr Millis kMinute = 60 * 1000;
constexpr std::size_t kMaxExtraClosedDays = 400;

int Specificity(const Policy& p) {
  return (p.category_id ? 4 : 0) + (p.priority ? 2 : 0) + (p.channel ? 1 : 0);
}

void CheckTarget(const std::optional<std::int64_t>& minutes, const char* field,
                 std::vector<core::FieldError>& errors) {
  if (minutes && (*minutes < 1 || *minutes > kMaxTargetMinutes))
    errors.push_back(
        {field, "must be between 1 and " + std::to_string(kMaxTargetMinutes) + " minutes"});
}

// The instant at which `minutes` (plus the paused time) have elapsed since `start`.
Millis DueAfter(const Policy& policy, const BusinessCalendar& calendar, Millis start,
                Millis target_ms, Millis paused_business_ms, Millis paused_wall_ms) {
  if (policy.business_hours) return calendar.AddBusinessTime(start, target_ms + paused_business_ms);
  return start + target_ms + paused_wall_ms;
}

}  // namespace

std::vector<core::FieldError> ValidatePolicy(const Policy& p) {
  std::vector<core::FieldError> errors;
  if (Trim(p.name).empty() || !IsValidUtf8(p.name) || Utf8Length(p.name) > core::kMaxName)
    errors.push_back({"name", "must be 1 to 200 characters of valid UTF-8"});
  CheckTarget(p.first_reply_minutes, "first_reply_minutes", errors);
  CheckTarget(p.resolution_minutes, "resolution_minutes", errors);
  if (!p.first_reply_minutes && !p.resolution_minutes)
    errors.push_back({"first_reply_minutes", "a policy needs a first-reply or resolution target"});
  if (p.warning_percent < 1 || p.warning_percent > 99)
    errors.push_back({"warning_percent", "must be between 1 and 99"});
  return errors;
}

const Policy* ChoosePolicy(std::span<const Policy> policies, std::optional<core::Id> category_id,
                           core::Priority priority, core::Channel channel) {
  const Policy* best = nullptr;
  for (const Policy& p : policies) {
    if (!p.active) continue;
    if (p.category_id && p.category_id != category_id) continue;
    if (p.priority && *p.priority != priority) continue;
    if (p.channel && *p.channel != channel) continue;
    if (!best || Specificity(p) > Specificity(*best) ||
        (Specificity(p) == Specificity(*best) && p.id < best->id))
      best = &p;
  }
  return best;
}

Result<LocalDate> ParseDate(std::string_view text) {
  LocalDate d;
  char tail = 0;
  const std::string s(text);
  if (s.size() != 10 ||
      std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &d.year, &d.month, &d.day, &tail) != 3)
    return InvalidArgument("\"" + s + "\" is not a date like 2027-05-06");
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31 ||
      DateFromDayNumber(DayNumber(d)) != d)
    return InvalidArgument("\"" + s + "\" is not a calendar date");
  return d;
}

Status ValidateCalendarSettings(const CalendarSettings& s) {
  if (auto zone = TimeZoneRule::ByName(s.time_zone); !zone.ok()) return zone.status();
  if (auto hours = OpeningHours::Parse(s.opening_hours); !hours.ok())
    return InvalidArgument("opening_hours: " + hours.status().message());
  if (s.extra_closed_days.size() > kMaxExtraClosedDays)
    return InvalidArgument("extra_closed_days: at most " + std::to_string(kMaxExtraClosedDays) +
                           " dates");
  return Status::Ok();
}

Result<BusinessCalendar> MakeCalendar(const CalendarSettings& settings,
                                      const std::optional<std::string>& team_opening_hours) {
  GUICHET_ASSIGN_OR_RETURN(auto zone, TimeZoneRule::ByName(settings.time_zone));
  GUICHET_ASSIGN_OR_RETURN(
      auto hours, OpeningHours::Parse(team_opening_hours.value_or(settings.opening_hours)));
  return BusinessCalendar(std::move(hours), std::move(zone), settings.alsace_moselle,
                          settings.extra_closed_days);
}

Deadlines ComputeDeadlines(const Policy& policy, const BusinessCalendar& calendar,
                           Millis created_at, Millis paused_business_ms, Millis paused_wall_ms) {
  Deadlines d;
  auto fill = [&](const std::optional<std::int64_t>& minutes, std::optional<Millis>& due,
                  std::optional<Millis>& warn) {
    if (!minutes) return;
    const Millis target = *minutes * kMinute;
    due = DueAfter(policy, calendar, created_at, target, paused_business_ms, paused_wall_ms);
    warn = DueAfter(policy, calendar, created_at, target * policy.warning_percent / 100,
                    paused_business_ms, paused_wall_ms);
  };
  fill(policy.first_reply_minutes, d.first_reply_due_at, d.first_reply_warn_at);
  fill(policy.resolution_minutes, d.resolution_due_at, d.resolution_warn_at);
  return d;
}

std::string_view ToString(TargetState state) {
  switch (state) {
    case TargetState::kOk:
      return "ok";
    case TargetState::kAtRisk:
      return "at_risk";
    case TargetState::kBreached:
      return "breached";
    case TargetState::kPaused:
      return "paused";
    case TargetState::kMet:
      return "met";
    case TargetState::kMissed:
      return "missed";
  }
  return "ok";
}

TargetState StateAt(Millis due_at, std::optional<Millis> warn_at, std::optional<Millis> done_at,
                    bool paused, Millis now) {
  if (done_at) return *done_at <= due_at ? TargetState::kMet : TargetState::kMissed;
  if (paused) return TargetState::kPaused;
  if (now >= due_at) return TargetState::kBreached;
  if (warn_at && now >= *warn_at) return TargetState::kAtRisk;
  return TargetState::kOk;
}

}  // namespace guichet::sla
