// Business-hours calendar: holidays, the EU summer-time rule, opening hours and the day walk.
#include "sla/calendar.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace guichet::sla {
namespace {

constexpr Millis kMinute = 60 * 1000;
constexpr Millis kHour = 60 * kMinute;
constexpr Millis kDay = 24 * kHour;
constexpr int kMinutesPerDay = 24 * 60;
// A calendar open at least once a week finds open time within days; this bound only stops a walk
// over a calendar whose only open time was removed by DST or closed days (about 1000 years).
constexpr std::int64_t kMaxWalkDays = 366 * 1000;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && (a < 0)); }

std::chrono::sys_days ToSysDays(LocalDate d) {
  return std::chrono::sys_days{std::chrono::year{d.year} /
                               std::chrono::month{static_cast<unsigned>(d.month)} /
                               std::chrono::day{static_cast<unsigned>(d.day)}};
}

// UTC instant (01:00 UTC) of the EU summer-time change on the last Sunday of `month`.
Millis EuChangeInstant(int year, unsigned month) {
  const std::chrono::sys_days last_sunday{std::chrono::year{year} / std::chrono::month{month} /
                                          std::chrono::Sunday[std::chrono::last]};
  return last_sunday.time_since_epoch().count() * kDay + kHour;
}

std::string Hhmm(int minutes) {
  std::string s(5, ':');
  s[0] = static_cast<char>('0' + minutes / 600);
  s[1] = static_cast<char>('0' + minutes / 60 % 10);
  s[3] = static_cast<char>('0' + minutes % 60 / 10);
  s[4] = static_cast<char>('0' + minutes % 10);
  return s;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t pos = s.find(sep);
    parts.push_back(Trim(s.substr(0, pos)));
    if (pos == std::string_view::npos) return parts;
    s.remove_prefix(pos + 1);
  }
}

constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> kFrenchDayNames = {"lun", "mar", "mer", "jeu",
                                                             "ven", "sam", "dim"};

// 0 = Monday … 6 = Sunday, or -1.
int ParseDay(std::string_view s) {
  std::string lower(s);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < 7; ++i) {
    if (lower == kDayNames[i] || lower == kFrenchDayNames[i]) return i;
  }
  return -1;
}

// "HH:MM" or "H:MM" (also "HHhMM") → minutes of the day in [0, 1440], or -1.
int ParseTime(std::string_view s) {
  const size_t sep = s.find_first_of(":h");
  if (sep == std::string_view::npos || sep == 0 || sep > 2 || s.size() != sep + 3) return -1;
  int hours = 0;
  for (size_t i = 0; i < sep; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
    hours = hours * 10 + (s[i] - '0');
  }
  if (!std::isdigit(static_cast<unsigned char>(s[sep + 1])) ||
      !std::isdigit(static_cast<unsigned char>(s[sep + 2]))) {
    return -1;
  }
  const int minutes = (s[sep + 1] - '0') * 10 + (s[sep + 2] - '0');
  if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0)) return -1;
  return hours * 60 + minutes;
}

Status ParseError(std::string_view what, std::string_view part) {
  return InvalidArgument("opening hours: " + std::string(what) + " \"" + std::string(part) + "\"");
}

}  // namespace

// --- Dates and holidays ------------------------------------------------------------------------

std::string FormatDate(LocalDate date) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", date.year, date.month, date.day);
  return buf;
}

std::int64_t DayNumber(LocalDate date) { return ToSysDays(date).time_since_epoch().count(); }

LocalDate DateFromDayNumber(std::int64_t day_number) {
  const std::chrono::year_month_day ymd{
      std::chrono::sys_days{std::chrono::days{static_cast<int>(day_number)}}};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

int IsoWeekday(LocalDate date) {
  return static_cast<int>(std::chrono::weekday{ToSysDays(date)}.iso_encoding());
}

LocalDate EasterSunday(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return {year, month, day};
}

std::vector<LocalDate> FrenchPublicHolidays(int year, bool alsace_moselle) {
  const std::int64_t easter = DayNumber(EasterSunday(year));
  auto easter_plus = [&](int days) { return DateFromDayNumber(easter + days); };
  std::vector<LocalDate> days = {
      {year, 1, 1},    easter_plus(1),  {year, 5, 1},   {year, 5, 8},
      easter_plus(39), easter_plus(50), {year, 7, 14},  {year, 8, 15},
      {year, 11, 1},   {year, 11, 11},  {year, 12, 25},
  };
  if (alsace_moselle) {
    days.push_back(easter_plus(-2));
    days.push_back({year, 12, 26});
  }
  std::sort(days.begin(), days.end());
  // Ascension can fall on 1 May (2008) or 8 May (1997); a date is listed once.
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

// --- Time zone -----------------------------------------------------------------------------------

Result<TimeZoneRule> TimeZoneRule::ByName(std::string_view name) {
  if (name == "Europe/Paris") return EuropeParis();
  if (name == "UTC" || name == "Etc/UTC") return Utc();
  return InvalidArgument("unsupported time zone \"" + std::string(name) +
                         "\" (supported: Europe/Paris, UTC)");
}

int TimeZoneRule::OffsetMinutesAt(Millis utc) const {
  if (!eu_summer_time) return standard_offset_minutes;
  const int year = YearOf(utc);
  const bool summer = utc >= EuChangeInstant(year, 3) && utc < EuChangeInstant(year, 10);
  return standard_offset_minutes + (summer ? 60 : 0);
}

LocalMillis TimeZoneRule::ToLocal(Millis utc) const { return utc + OffsetMinutesAt(utc) * kMinute; }

Millis TimeZoneRule::ToUtc(LocalMillis local) const {
  const Millis standard = local - standard_offset_minutes * kMinute;
  if (!eu_summer_time) return standard;
  const Millis summer = standard - kHour;
  // In a repeated hour both readings are consistent: take the first (summer) one.
  if (OffsetMinutesAt(summer) == standard_offset_minutes + 60) return summer;
  // Otherwise the standard reading, which also moves a skipped time forward by the gap.
  return standard;
}

LocalDate TimeZoneRule::LocalDateOf(Millis utc) const {
  return DateFromDayNumber(FloorDiv(ToLocal(utc), kDay));
}

// --- Opening hours -------------------------------------------------------------------------------

Result<OpeningHours> OpeningHours::Parse(std::string_view text) {
  OpeningHours hours;
  bool any = false;
  for (std::string_view clause : Split(text, ';')) {
    if (clause.empty()) continue;  // "a; b;" and blank text
    const size_t space = clause.find_first_of(" \t");
    if (space == std::string_view::npos) {
      return ParseError("expected days then hours (\"mon-fri 08:30-12:00\") in", clause);
    }
    const std::string_view day_spec = clause.substr(0, space);
    const std::string_view interval_spec = Trim(clause.substr(space));

    std::array<bool, 7> selected{};
    for (std::string_view item : Split(day_spec, ',')) {
      const size_t dash = item.find('-');
      const std::string_view first = item.substr(0, dash);
      const int from = ParseDay(first);
      if (from < 0) return ParseError("unknown day", first);
      int to = from;
      if (dash != std::string_view::npos) {
        const std::string_view last = item.substr(dash + 1);
        to = ParseDay(last);
        if (to < 0) return ParseError("unknown day", last);
        if (to < from) return ParseError("day range must run from Monday towards Sunday:", item);
      }
      for (int d = from; d <= to; ++d) selected[d] = true;
    }

    std::vector<Interval> intervals;
    for (std::string_view item : Split(interval_spec, ',')) {
      const size_t dash = item.find('-');
      if (dash == std::string_view::npos) return ParseError("expected HH:MM-HH:MM, got", item);
      const int start = ParseTime(Trim(item.substr(0, dash)));
      const int end = ParseTime(Trim(item.substr(dash + 1)));
      if (start < 0 || end < 0) return ParseError("bad time (expected HH:MM-HH:MM) in", item);
      if (end <= start) return ParseError("interval must end after it starts:", item);
      intervals.push_back({start, end});
    }
    for (int d = 0; d < 7; ++d) {
      if (!selected[d]) continue;
      auto& day = hours.days[d];
      day.insert(day.end(), intervals.begin(), intervals.end());
      any = true;
    }
  }
  if (!any) return ParseError("no opening hours given (never open):", Trim(text));
  GUICHET_RETURN_IF_ERROR(hours.Validate());
  return hours;
}

Status OpeningHours::Validate() const {
  for (int d = 0; d < 7; ++d) {
    const auto& day = days[d];
    for (size_t i = 0; i < day.size(); ++i) {
      const Interval& iv = day[i];
      const std::string text =
          std::string(kDayNames[d]) + " " + Hhmm(iv.start_minute) + "-" + Hhmm(iv.end_minute);
      if (iv.start_minute < 0 || iv.end_minute > kMinutesPerDay) {
        return InvalidArgument("opening hours: interval outside 00:00-24:00 \"" + text + "\"");
      }
      if (iv.end_minute <= iv.start_minute) {
        return InvalidArgument("opening hours: interval must end after it starts \"" + text + "\"");
      }
      if (i > 0 && day[i - 1].end_minute > iv.start_minute) {
        const Interval& prev = day[i - 1];
        const bool overlap = prev.start_minute < iv.end_minute && iv.start_minute < prev.end_minute;
        return InvalidArgument(std::string("opening hours: ") +
                               (overlap ? "overlapping" : "unsorted") + " intervals on " +
                               std::string(kDayNames[d]) + " \"" + Hhmm(prev.start_minute) + "-" +
                               Hhmm(prev.end_minute) + "\" and \"" + Hhmm(iv.start_minute) + "-" +
                               Hhmm(iv.end_minute) + "\"");
      }
    }
  }
  return Status::Ok();
}

std::string OpeningHours::ToString() const {
  std::string out;
  int d = 0;
  while (d < 7) {
    int last = d;
    while (last + 1 < 7 && days[last + 1] == days[d]) ++last;
    if (!days[d].empty()) {
      if (!out.empty()) out += "; ";
      out += kDayNames[d];
      if (last > d) out += "-" + std::string(kDayNames[last]);
      out += ' ';
      for (size_t i = 0; i < days[d].size(); ++i) {
        if (i > 0) out += ',';
        out += Hhmm(days[d][i].start_minute) + "-" + Hhmm(days[d][i].end_minute);
      }
    }
    d = last + 1;
  }
  return out;
}

// --- Business calendar ---------------------------------------------------------------------------

struct BusinessCalendar::HolidayCache {
  std::mutex mu;
  std::map<int, std::vector<std::int64_t>> by_year;  // sorted day numbers; entries never erased
};

BusinessCalendar::BusinessCalendar(OpeningHours hours, TimeZoneRule zone, bool alsace_moselle,
                                   std::vector<LocalDate> extra_closed_days)
    : zone_(std::move(zone)),
      alsace_moselle_(alsace_moselle),
      cache_(std::make_shared<HolidayCache>()) {
  for (int d = 0; d < 7; ++d) {
    std::vector<Interval> day;
    for (Interval iv : hours.days[d]) {
      iv.start_minute = std::clamp(iv.start_minute, 0, kMinutesPerDay);
      iv.end_minute = std::clamp(iv.end_minute, 0, kMinutesPerDay);
      if (iv.end_minute > iv.start_minute) day.push_back(iv);
    }
    std::sort(day.begin(), day.end());
    std::vector<Interval> merged;
    for (const Interval& iv : day) {
      if (!merged.empty() && merged.back().end_minute >= iv.start_minute) {
        merged.back().end_minute = std::max(merged.back().end_minute, iv.end_minute);
      } else {
        merged.push_back(iv);
      }
    }
    ever_open_ = ever_open_ || !merged.empty();
    hours_.days[d] = std::move(merged);
  }
  for (const LocalDate& date : extra_closed_days) extra_closed_.push_back(DayNumber(date));
  std::sort(extra_closed_.begin(), extra_closed_.end());
}

bool BusinessCalendar::IsClosedDayNumber(std::int64_t day_number) const {
  if (std::binary_search(extra_closed_.begin(), extra_closed_.end(), day_number)) return true;
  const int year = DateFromDayNumber(day_number).year;
  std::lock_guard<std::mutex> lock(cache_->mu);
  auto it = cache_->by_year.find(year);
  if (it == cache_->by_year.end()) {
    std::vector<std::int64_t> numbers;
    for (const LocalDate& date : FrenchPublicHolidays(year, alsace_moselle_)) {
      numbers.push_back(DayNumber(date));
    }
    it = cache_->by_year.emplace(year, std::move(numbers)).first;
  }
  return std::binary_search(it->second.begin(), it->second.end(), day_number);
}

bool BusinessCalendar::IsClosedDay(LocalDate date) const {
  return IsClosedDayNumber(DayNumber(date));
}

std::vector<std::pair<Millis, Millis>> BusinessCalendar::OpenSpans(std::int64_t day_number) const {
  std::vector<std::pair<Millis, Millis>> spans;
  const auto& intervals = hours_.days[IsoWeekday(DateFromDayNumber(day_number)) - 1];
  if (intervals.empty() || IsClosedDayNumber(day_number)) return spans;
  const LocalMillis midnight = day_number * kDay;
  for (const Interval& iv : intervals) {
    // Converting each end separately keeps the local opening hours on DST days: a 08:30 opening
    // is 08:30 on the wall clock whatever the offset, and a span that contains the change is
    // one hour shorter or longer in real time.
    const Millis start = zone_.ToUtc(midnight + iv.start_minute * kMinute);
    const Millis end = zone_.ToUtc(midnight + iv.end_minute * kMinute);
    if (end > start) spans.emplace_back(start, end);
  }
  return spans;
}

Millis BusinessCalendar::AddBusinessTime(Millis start_utc, Millis duration) const {
  if (!ever_open_) return kNever;
  Millis remaining = std::max<Millis>(duration, 0);
  // Spans of earlier local days end no later than this day's local midnight, which is before
  // start_utc (ToUtc never decreases), so the walk may begin on the local date of start_utc.
  const std::int64_t first_day = DayNumber(zone_.LocalDateOf(start_utc));
  for (std::int64_t day = first_day; day < first_day + kMaxWalkDays; ++day) {
    for (const auto& [span_start, span_end] : OpenSpans(day)) {
      if (span_end <= start_utc) continue;
      const Millis from = std::max(span_start, start_utc);
      if (remaining <= span_end - from) return from + remaining;
      remaining -= span_end - from;
    }
  }
  return kNever;
}

Millis BusinessCalendar::BusinessTimeBetween(Millis from_utc, Millis to_utc) const {
  if (to_utc <= from_utc || !ever_open_) return 0;
  Millis total = 0;
  const std::int64_t first_day = DayNumber(zone_.LocalDateOf(from_utc));
  // Spans of days after last_day start at or after the next local midnight, which is after
  // to_utc as long as the zone does not change its offset at midnight (the EU rule changes at
  // 01:00 UTC).
  const std::int64_t last_day = DayNumber(zone_.LocalDateOf(to_utc));
  for (std::int64_t day = first_day; day <= last_day; ++day) {
    for (const auto& [span_start, span_end] : OpenSpans(day)) {
      const Millis from = std::max(span_start, from_utc);
      const Millis to = std::min(span_end, to_utc);
      if (to > from) total += to - from;
    }
  }
  return total;
}

bool BusinessCalendar::IsOpen(Millis t) const {
  const std::int64_t day = DayNumber(zone_.LocalDateOf(t));
  for (const auto& [span_start, span_end] : OpenSpans(day)) {
    if (span_start <= t && t < span_end) return true;
  }
  return false;
}

}  // namespace guichet::sla
