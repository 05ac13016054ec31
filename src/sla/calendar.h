// Business-hours calendar for SLA targets: a team's weekly opening hours on the local wall clock
// of a time zone, minus French public holidays (computed, Easter-based ones included, with the
// Alsace-Moselle extras as an option) and extra closed days. It answers "when will this much open
// time have elapsed?" (AddBusinessTime), "how much open time lies between two instants?"
// (BusinessTimeBetween) and "is the desk open now?" (IsOpen). Pure computation: every instant is
// a UTC `Millis` given by the caller; nothing here reads the system clock.
//
// Pauses (a request waiting for the citizen, `pending_citizen`) are the caller's business: sum
// BusinessTimeBetween over the running periods, or add the paused business time to the target.
//
// Thread-safety: LocalDate, TimeZoneRule and OpeningHours are plain values. BusinessCalendar has
// only const methods after construction; its per-year holiday cache is guarded by a mutex, so one
// calendar may be shared by many threads (copies share the cache).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace guichet::sla {

// A calendar date (proleptic Gregorian), with no time zone.
struct LocalDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  auto operator<=>(const LocalDate&) const = default;
};

// "2027-05-06".
std::string FormatDate(LocalDate date);
// Days since 1970-01-01 (negative before), and back.
std::int64_t DayNumber(LocalDate date);
LocalDate DateFromDayNumber(std::int64_t day_number);
// ISO weekday: 1 = Monday … 7 = Sunday.
int IsoWeekday(LocalDate date);

// Easter Sunday of a Gregorian year (anonymous algorithm of Meeus/Jones/Butcher).
LocalDate EasterSunday(int year);

// The French public holidays (jours fériés, Code du travail L3133-1) of a year, sorted: 1 Jan,
// Easter Monday, 1 May, 8 May, Ascension (Easter + 39), Whit Monday (Easter + 50), 14 Jul,
// 15 Aug, 1 Nov, 11 Nov, 25 Dec; with `alsace_moselle` also Good Friday (Easter − 2) and 26 Dec
// (local law of Bas-Rhin, Haut-Rhin and Moselle). Overseas commemorations of the abolition of
// slavery are not included: pass them as extra closed days.
std::vector<LocalDate> FrenchPublicHolidays(int year, bool alsace_moselle);

// Milliseconds since 1970-01-01T00:00 on a local wall clock (not an instant: it means a different
// instant in each zone).
using LocalMillis = std::int64_t;

// A time zone given by a rule, not by the tz database (libstdc++ 12 has no
// std::chrono::locate_zone). Supported: Europe/Paris — CET (UTC+1), and CEST (UTC+2) from the last
// Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC, the EU summer-time rule in
// force since 1996 (instants before 1996 get it too, which the tz database would not) — and UTC.
// Another fixed-offset zone, or another EU zone, is one more row of data here.
struct TimeZoneRule {
  std::string name = "Europe/Paris";
  int standard_offset_minutes = 60;  // east of UTC
  bool eu_summer_time = true;        // +60 minutes under the EU rule above

  static TimeZoneRule EuropeParis() { return {}; }
  static TimeZoneRule Utc() { return {"UTC", 0, false}; }
  // "Europe/Paris" or "UTC"; InvalidArgument naming the zone otherwise.
  static Result<TimeZoneRule> ByName(std::string_view name);

  // Offset east of UTC in force at a UTC instant.
  int OffsetMinutesAt(Millis utc) const;
  LocalMillis ToLocal(Millis utc) const;
  // The instant a local wall-clock time denotes. A time skipped by the spring change (02:00–03:00
  // in Paris) is moved forward by the gap (02:30 → 03:30 CEST); a time repeated by the autumn
  // change gives its first occurrence (summer time). Never decreasing in `local`.
  Millis ToUtc(LocalMillis local) const;
  // The local date of a UTC instant.
  LocalDate LocalDateOf(Millis utc) const;
};

// [start_minute, end_minute) of one day on the local wall clock; 0 ≤ start < end ≤ 1440.
struct Interval {
  int start_minute = 0;
  int end_minute = 0;
  auto operator<=>(const Interval&) const = default;
};

// Weekly opening hours on the local wall clock. A day with no interval is closed.
struct OpeningHours {
  std::array<std::vector<Interval>, 7> days;  // [0] = Monday … [6] = Sunday

  // Parses clauses separated by ';', each "DAYS INTERVALS":
  //   DAYS      = DAY or DAY-DAY (a range within Monday..Sunday), comma-separated: "mon-fri",
  //               "mon,wed,fri", "sat"; English (mon … sun) or French (lun … dim), any case;
  //   INTERVALS = HH:MM-HH:MM, comma-separated, "24:00" allowed as an end:
  //   "08:30-12:00,13:30-17:00".
  // Example: "mon-fri 08:30-12:00,13:30-17:00; sat 09:00-12:00". A day named in two clauses gets
  // the intervals of both. InvalidArgument with a message naming the bad part on a syntax error,
  // an unknown day, a backwards range, or intervals that Validate rejects; an empty text (never
  // open) is an error too, since no SLA target could ever be reached.
  static Result<OpeningHours> Parse(std::string_view text);

  // Every interval within 00:00–24:00 and not empty, each day's intervals sorted and not
  // overlapping (touching is allowed). InvalidArgument naming the day and intervals otherwise.
  Status Validate() const;

  // Canonical text accepted by Parse, days grouped when their intervals are equal
  // ("mon-fri 08:30-12:00,13:30-17:00; sat 09:00-12:00"); empty when never open.
  std::string ToString() const;
};

// Returned by AddBusinessTime when the calendar is never open.
inline constexpr Millis kNever = std::numeric_limits<Millis>::max();

class BusinessCalendar {
 public:
  // `hours` should have passed Validate (Parse does it); other input is made safe rather than
  // rejected: intervals are clamped to the day, empty ones dropped, overlapping ones merged.
  // `extra_closed_days` are local dates closed besides weekends-by-hours and public holidays
  // (bridge days, local holidays, overseas slavery-abolition days).
  BusinessCalendar(OpeningHours hours, TimeZoneRule zone, bool alsace_moselle,
                   std::vector<LocalDate> extra_closed_days = {});

  // The instant at which `duration` ms of open time have elapsed counting from `start_utc`; if
  // `start_utc` is outside opening hours counting begins at the next opening. A result at the end
  // of an interval stays there (a 3 h target from 09:00 with a 12:00 lunch break is 12:00). A zero
  // (or negative) duration gives the next open instant, `start_utc` itself when open. kNever when
  // the hours have no open time at all. Walks day by day, so weeks of duration are cheap.
  Millis AddBusinessTime(Millis start_utc, Millis duration) const;

  // Open time, in ms, within [from_utc, to_utc); 0 when to_utc ≤ from_utc. For every start s and
  // duration d > 0: BusinessTimeBetween(s, AddBusinessTime(s, d)) == d.
  Millis BusinessTimeBetween(Millis from_utc, Millis to_utc) const;

  // Whether `t` lies within an opening interval of an open day (interval ends are excluded).
  bool IsOpen(Millis t) const;

  // Whether a local date is a public holiday or an extra closed day (whatever its hours).
  bool IsClosedDay(LocalDate date) const;

  const OpeningHours& hours() const { return hours_; }
  const TimeZoneRule& zone() const { return zone_; }

 private:
  struct HolidayCache;

  bool IsClosedDayNumber(std::int64_t day_number) const;
  // The opening intervals of a local day as UTC instants [first, second), sorted; empty when
  // the day is closed.
  std::vector<std::pair<Millis, Millis>> OpenSpans(std::int64_t day_number) const;

  OpeningHours hours_;
  TimeZoneRule zone_;
  bool alsace_moselle_;
  bool ever_open_ = false;
  std::vector<std::int64_t> extra_closed_;  // sorted day numbers
  std::shared_ptr<HolidayCache> cache_;
};

}  // namespace guichet::sla
