// SLA policies: targets for the first reply and for the resolution of a request, chosen by its
// category, priority and channel, counted in business time on the team's calendar (or in plain
// calendar time for round-the-clock services), with a warning point before each deadline.
// This header holds the pure rules — which policy applies, when each target falls due, what
// state a target is in at an instant. Storage and the API apply them; nothing here reads a clock.
//
// Pauses: while a request waits for the citizen (`pending_citizen`) its clocks stop. The time
// spent paused is added to the targets, measured on the calendar in force when the pause ends.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "core/enums.h"
#include "core/model.h"
#include "sla/calendar.h"

namespace guichet::sla {

struct Policy {
  core::Id id = 0;
  std::string name;
  // Criteria; an empty one matches any value. The most specific matching policy wins.
  std::optional<core::Id> category_id;
  std::optional<core::Priority> priority;
  std::optional<core::Channel> channel;
  // Targets in minutes; an empty target is not tracked.
  std::optional<std::int64_t> first_reply_minutes;
  std::optional<std::int64_t> resolution_minutes;
  bool business_hours = true;  // false: round the clock, holidays included
  int warning_percent = 80;    // "at risk" once this share of a target has elapsed
  bool active = true;
  std::int64_t version = 1;
  Millis created_at = 0;
  Millis updated_at = 0;
};

// Limits: a target of at most a year of minutes; a name of 1–200 characters.
inline constexpr std::int64_t kMaxTargetMinutes = 366LL * 24 * 60;

// Every invalid field of a policy (name, targets 1..kMaxTargetMinutes, warning 1..99, at least
// one target).
std::vector<core::FieldError> ValidatePolicy(const Policy& policy);

// The active policy that matches a request and names the most criteria (category counts more than
// priority, priority more than channel); the lowest id among equals. nullptr when none matches.
const Policy* ChoosePolicy(std::span<const Policy> policies, std::optional<core::Id> category_id,
                           core::Priority priority, core::Channel channel);

// The desk-wide calendar settings, editable by an admin; a team may override the opening hours.
struct CalendarSettings {
  std::string time_zone = "Europe/Paris";
  std::string opening_hours = "mon-fri 08:30-12:00,13:30-17:00";
  bool alsace_moselle = false;
  std::vector<LocalDate> extra_closed_days;
};

// Checks the zone, the hours and the dates; InvalidArgument naming the bad setting otherwise.
Status ValidateCalendarSettings(const CalendarSettings& settings);

// The calendar of a team: its own opening hours when set, else the desk's.
Result<BusinessCalendar> MakeCalendar(const CalendarSettings& settings,
                                      const std::optional<std::string>& team_opening_hours);

// "2027-05-06" → LocalDate; InvalidArgument otherwise.
Result<LocalDate> ParseDate(std::string_view text);

// Due and warning instants of a request's targets, from its creation and its paused time.
struct Deadlines {
  std::optional<Millis> first_reply_due_at, first_reply_warn_at;
  std::optional<Millis> resolution_due_at, resolution_warn_at;
};

// `paused_business_ms` counts for business-hours policies, `paused_wall_ms` for the others.
Deadlines ComputeDeadlines(const Policy& policy, const BusinessCalendar& calendar,
                           Millis created_at, Millis paused_business_ms, Millis paused_wall_ms);

enum class TargetState {
  kOk,        // running, before the warning point
  kAtRisk,    // running, past the warning point
  kBreached,  // running, past the due time
  kPaused,    // waiting for the citizen
  kMet,       // done in time
  kMissed,    // done late
};
std::string_view ToString(TargetState state);

// The state of one target at `now`: `done_at` is when it was reached (first reply, resolution),
// empty while it runs. A done target is met or missed even if paused since.
TargetState StateAt(Millis due_at, std::optional<Millis> warn_at, std::optional<Millis> done_at,
                    bool paused, Millis now);

}  // namespace guichet::sla
