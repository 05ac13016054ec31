// Business-hours calendar: Easter and French holidays, the Europe/Paris rule, the opening-hours
// parser, and AddBusinessTime / BusinessTimeBetween / IsOpen, checked on worked examples and
// against each other and a minute-by-minute count on seeded random cases.
#include "sla/calendar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "testing/status_macros.h"

namespace guichet::sla {
namespace {

constexpr Millis kMinute = 60 * 1000;
constexpr Millis kHour = 60 * kMinute;
constexpr Millis kDay = 24 * kHour;

// An instant from ISO 8601 text with an explicit offset: "2027-05-05T16:00+02:00".
Millis At(const char* iso) {
  const auto t = ParseIso8601(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(0);
}

LocalMillis Local(int year, int month, int day, int hour, int minute) {
  return DayNumber({year, month, day}) * kDay + hour * kHour + minute * kMinute;
}

std::vector<std::string> Format(const std::vector<LocalDate>& dates) {
  std::vector<std::string> out;
  for (const LocalDate& d : dates) out.push_back(FormatDate(d));
  return out;
}

OpeningHours Hours(const char* text) {
  auto hours = OpeningHours::Parse(text);
  EXPECT_TRUE(hours.ok()) << text << ": " << hours.status().ToString();
  return hours.ok() ? *hours : OpeningHours{};
}

constexpr const char* kTownHall = "mon-fri 08:30-12:00,13:30-17:00";

BusinessCalendar TownHall(bool alsace_moselle = false, std::vector<LocalDate> extra = {}) {
  return BusinessCalendar(Hours(kTownHall), TimeZoneRule::EuropeParis(), alsace_moselle,
                          std::move(extra));
}

// --- Dates and holidays ------------------------------------------------------------------------

TEST(DatesTest, DayNumbersRoundTripAndWeekdays) {
  EXPECT_EQ(DayNumber({1970, 1, 1}), 0);
  EXPECT_EQ(DayNumber({1969, 12, 31}), -1);
  EXPECT_EQ(DayNumber({2027, 5, 6}) * kDay, At("2027-05-06T00:00:00Z"));
  for (std::int64_t n = -800; n < 40000; n += 37) {
    EXPECT_EQ(DayNumber(DateFromDayNumber(n)), n);
  }
  EXPECT_EQ(IsoWeekday({2027, 5, 6}), 4);    // Thursday
  EXPECT_EQ(IsoWeekday({2027, 3, 28}), 7);   // Sunday
  EXPECT_EQ(IsoWeekday({2026, 11, 30}), 1);  // Monday
  EXPECT_EQ(FormatDate({2027, 3, 5}), "2027-03-05");
}

TEST(HolidaysTest, EasterSundayOfKnownYears) {
  const std::vector<std::pair<int, std::string>> cases = {
      {1818, "1818-03-22"}, {1943, "1943-04-25"}, {1961, "1961-04-02"}, {2000, "2000-04-23"},
      {2008, "2008-03-23"}, {2011, "2011-04-24"}, {2019, "2019-04-21"}, {2024, "2024-03-31"},
      {2025, "2025-04-20"}, {2026, "2026-04-05"}, {2027, "2027-03-28"}, {2038, "2038-04-25"},
      {2285, "2285-03-22"},
  };
  for (const auto& [year, expected] : cases) {
    EXPECT_EQ(FormatDate(EasterSunday(year)), expected) << year;
    EXPECT_EQ(IsoWeekday(EasterSunday(year)), 7) << year;
  }
}

TEST(HolidaysTest, France2027) {
  EXPECT_EQ(Format(FrenchPublicHolidays(2027, false)),
            (std::vector<std::string>{"2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06",
                                      "2027-05-08", "2027-05-17", "2027-07-14", "2027-08-15",
                                      "2027-11-01", "2027-11-11", "2027-12-25"}));
}

TEST(HolidaysTest, AlsaceMoselleAddsGoodFridayAndSaintStephen) {
  EXPECT_EQ(Format(FrenchPublicHolidays(2027, true)),
            (std::vector<std::string>{"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-01",
                                      "2027-05-06", "2027-05-08", "2027-05-17", "2027-07-14",
                                      "2027-08-15", "2027-11-01", "2027-11-11", "2027-12-25",
                                      "2027-12-26"}));
}

TEST(HolidaysTest, AscensionOnMayDayIsListedOnce) {
  // Easter 2008 was 23 March, so Ascension fell on 1 May.
  const auto days = Format(FrenchPublicHolidays(2008, false));
  EXPECT_EQ(days.size(), 10u);
  EXPECT_EQ(std::count(days.begin(), days.end(), "2008-05-01"), 1);
  EXPECT_EQ(std::count(days.begin(), days.end(), "2008-05-12"), 1);  // Whit Monday
}

TEST(HolidaysTest, EveryYearHasElevenOrThirteenDistinctSortedDays) {
  for (int year = 1990; year <= 2100; ++year) {
    for (bool alsace : {false, true}) {
      const auto days = FrenchPublicHolidays(year, alsace);
      EXPECT_TRUE(std::is_sorted(days.begin(), days.end()));
      EXPECT_TRUE(std::adjacent_find(days.begin(), days.end()) == days.end());
      const size_t expected = alsace ? 13 : 11;
      // Ascension (Easter + 39) may fall on 1 May (2008) or 8 May (1997): one day less.
      const std::int64_t ascension = DayNumber(EasterSunday(year)) + 39;
      const bool ascension_on_may_day =
          days.size() == expected - 1 &&
          (ascension == DayNumber({year, 5, 1}) || ascension == DayNumber({year, 5, 8}));
      EXPECT_TRUE(days.size() == expected || ascension_on_may_day) << year;
      for (const LocalDate& d : days) EXPECT_EQ(d.year, year);
    }
  }
}

// --- Time zone ---------------------------------------------------------------------------------

TEST(TimeZoneTest, ParisOffsetsAroundTheChanges) {
  const TimeZoneRule paris = TimeZoneRule::EuropeParis();
  struct Case {
    const char* utc;
    int offset;
  };
  const std::vector<Case> cases = {
      {"2027-01-15T12:00:00Z", 60},      {"2027-03-28T00:59:59.999Z", 60},
      {"2027-03-28T01:00:00Z", 120},     {"2027-07-14T12:00:00Z", 120},
      {"2027-10-31T00:59:59.999Z", 120}, {"2027-10-31T01:00:00Z", 60},
      {"2026-03-29T00:59:59.999Z", 60},  {"2026-03-29T01:00:00Z", 120},
      {"2026-10-25T00:59:59.999Z", 120}, {"2026-10-25T01:00:00Z", 60},
      {"2024-03-31T01:00:00Z", 120},     {"2024-10-27T01:00:00Z", 60},
      {"2026-12-31T23:30:00Z", 60},
  };
  for (const Case& c : cases) EXPECT_EQ(paris.OffsetMinutesAt(At(c.utc)), c.offset) << c.utc;
}

TEST(TimeZoneTest, SpringForwardSkipsAnHour) {
  const TimeZoneRule paris = TimeZoneRule::EuropeParis();
  EXPECT_EQ(paris.ToLocal(At("2027-03-28T00:59:00Z")), Local(2027, 3, 28, 1, 59));
  EXPECT_EQ(paris.ToLocal(At("2027-03-28T01:00:00Z")), Local(2027, 3, 28, 3, 0));
  EXPECT_EQ(paris.ToUtc(Local(2027, 3, 28, 1, 59)), At("2027-03-28T00:59:00Z"));
  EXPECT_EQ(paris.ToUtc(Local(2027, 3, 28, 3, 0)), At("2027-03-28T01:00:00Z"));
  // 02:30 does not exist that night: moved forward by the gap, to 03:30 CEST.
  EXPECT_EQ(paris.ToUtc(Local(2027, 3, 28, 2, 30)), At("2027-03-28T03:30:00+02:00"));
  EXPECT_EQ(FormatDate(paris.LocalDateOf(At("2027-03-27T23:30:00Z"))), "2027-03-28");
}

TEST(TimeZoneTest, FallBackRepeatsAnHour) {
  const TimeZoneRule paris = TimeZoneRule::EuropeParis();
  EXPECT_EQ(paris.ToLocal(At("2027-10-31T00:30:00Z")), Local(2027, 10, 31, 2, 30));
  EXPECT_EQ(paris.ToLocal(At("2027-10-31T01:30:00Z")), Local(2027, 10, 31, 2, 30));
  // The repeated 02:30 reads as its first occurrence (summer time).
  EXPECT_EQ(paris.ToUtc(Local(2027, 10, 31, 2, 30)), At("2027-10-31T00:30:00Z"));
  EXPECT_EQ(paris.ToUtc(Local(2027, 10, 31, 3, 0)), At("2027-10-31T02:00:00Z"));
  EXPECT_EQ(paris.ToUtc(Local(2027, 10, 31, 1, 59)), At("2027-10-30T23:59:00Z"));
  EXPECT_EQ(FormatDate(paris.LocalDateOf(At("2027-10-31T23:30:00Z"))), "2027-11-01");
}

TEST(TimeZoneTest, RoundTripOutsideTheRepeatedHourAndNeverDecreasing) {
  const TimeZoneRule paris = TimeZoneRule::EuropeParis();
  Random random(20270328);
  const Millis from = At("2024-01-01T00:00:00Z");
  const Millis to = At("2030-01-01T00:00:00Z");
  for (int i = 0; i < 2000; ++i) {
    const Millis t = random.Uniform(from, to);
    const bool second_reading =
        paris.OffsetMinutesAt(t) == 60 && paris.OffsetMinutesAt(t - kHour) == 120;
    if (!second_reading) {
      EXPECT_EQ(paris.ToUtc(paris.ToLocal(t)), t) << FormatIso8601(t);
    }
    const LocalMillis local = random.Uniform(from, to);
    EXPECT_LE(paris.ToUtc(local), paris.ToUtc(local + random.Uniform(0, 3 * kHour)));
  }
}

TEST(TimeZoneTest, ByName) {
  ASSERT_OK_AND_ASSIGN(auto paris, TimeZoneRule::ByName("Europe/Paris"));
  EXPECT_EQ(paris.name, "Europe/Paris");
  ASSERT_OK_AND_ASSIGN(auto utc, TimeZoneRule::ByName("UTC"));
  EXPECT_EQ(utc.ToLocal(At("2027-07-01T12:00:00Z")), Local(2027, 7, 1, 12, 0));
  auto other = TimeZoneRule::ByName("America/Cayenne");
  EXPECT_STATUS(other, StatusCode::kInvalidArgument);
  EXPECT_NE(other.status().message().find("America/Cayenne"), std::string::npos);
}

// --- Opening hours -------------------------------------------------------------------------------

TEST(OpeningHoursTest, ParsesDaysRangesAndIntervals) {
  ASSERT_OK_AND_ASSIGN(auto hours,
                       OpeningHours::Parse("mon-fri 08:30-12:00,13:30-17:00; sat 09:00-12:00"));
  for (int d = 0; d < 5; ++d) {
    EXPECT_EQ(hours.days[d], (std::vector<Interval>{{510, 720}, {810, 1020}})) << d;
  }
  EXPECT_EQ(hours.days[5], (std::vector<Interval>{{540, 720}}));
  EXPECT_TRUE(hours.days[6].empty());
  EXPECT_EQ(hours.ToString(), "mon-fri 08:30-12:00,13:30-17:00; sat 09:00-12:00");
}

TEST(OpeningHoursTest, AcceptsFrenchNamesListsCaseAndMidnightEnd) {
  ASSERT_OK_AND_ASSIGN(
      auto hours,
      OpeningHours::Parse("  LUN,Mer 8h30-12h00 ; Dim 20:00-24:00;  mer 14:00-16:00 ;"));
  EXPECT_EQ(hours.days[0], (std::vector<Interval>{{510, 720}}));
  EXPECT_EQ(hours.days[2], (std::vector<Interval>{{510, 720}, {840, 960}}));
  EXPECT_EQ(hours.days[6], (std::vector<Interval>{{1200, 1440}}));
  EXPECT_EQ(hours.ToString(), "mon 08:30-12:00; wed 08:30-12:00,14:00-16:00; sun 20:00-24:00");
  // The canonical text parses back to the same hours.
  ASSERT_OK_AND_ASSIGN(auto again, OpeningHours::Parse(hours.ToString()));
  EXPECT_EQ(again.days, hours.days);
}

TEST(OpeningHoursTest, ErrorsNameTheBadPart) {
  struct Case {
    const char* text;
    const char* message_part;
  };
  const std::vector<Case> cases = {
      {"mo-fri 08:30-12:00", "unknown day \"mo\""},
      {"mon-fr 08:30-12:00", "unknown day \"fr\""},
      {"monday 08:30-12:00", "unknown day \"monday\""},
      {"fri-mon 08:30-12:00", "\"fri-mon\""},
      {"mon 8:3-12:00", "bad time (expected HH:MM-HH:MM) in \"8:3-12:00\""},
      {"mon 08:30-12:60", "bad time"},
      {"mon 24:30-25:00", "bad time"},
      {"mon 0830-1200", "bad time"},
      {"mon 08:30", "expected HH:MM-HH:MM, got \"08:30\""},
      {"mon 08:30-12:00,", "expected HH:MM-HH:MM, got \"\""},
      {"mon 12:00-08:30", "interval must end after it starts: \"12:00-08:30\""},
      {"mon 09:00-09:00", "interval must end after it starts"},
      {"mon 08:00-12:00,11:00-14:00",
       "overlapping intervals on mon \"08:00-12:00\" and \"11:00-14:00\""},
      {"mon-fri 08:00-12:00; wed 10:00-11:00", "overlapping intervals on wed"},
      {"mon 13:00-14:00,08:00-09:00", "unsorted intervals on mon"},
      {"mon08:00-12:00", "expected days then hours"},
      {"", "no opening hours"},
      {" ; ", "no opening hours"},
  };
  for (const Case& c : cases) {
    auto hours = OpeningHours::Parse(c.text);
    SCOPED_TRACE(c.text);
    EXPECT_STATUS(hours, StatusCode::kInvalidArgument);
    EXPECT_NE(hours.status().message().find(c.message_part), std::string::npos)
        << c.text << " gave: " << hours.status().message();
  }
}

TEST(OpeningHoursTest, ValidateRejectsIntervalsOutsideTheDay) {
  OpeningHours hours;
  hours.days[1] = {{-10, 60}};
  EXPECT_STATUS(hours.Validate(), StatusCode::kInvalidArgument);
  hours.days[1] = {{600, 1500}};
  EXPECT_STATUS(hours.Validate(), StatusCode::kInvalidArgument);
  hours.days[1] = {{600, 720}, {720, 1440}};  // touching is fine
  EXPECT_OK(hours.Validate());
}

// --- Business calendar: worked examples ----------------------------------------------------------

struct AddCase {
  const char* name;
  const char* start;
  Millis duration;
  const char* expected;
};

void CheckAdd(const BusinessCalendar& calendar, const std::vector<AddCase>& cases) {
  for (const AddCase& c : cases) {
    const Millis end = calendar.AddBusinessTime(At(c.start), c.duration);
    EXPECT_EQ(FormatIso8601(end), FormatIso8601(At(c.expected))) << c.name;
    EXPECT_EQ(calendar.BusinessTimeBetween(At(c.start), end), c.duration) << c.name;
  }
}

TEST(BusinessCalendarTest, TownHallExamples) {
  CheckAdd(
      TownHall(),
      {
          {"within a morning", "2027-02-02T09:00+01:00", 2 * kHour, "2027-02-02T11:00+01:00"},
          {"ends at lunch", "2027-02-02T09:00+01:00", 3 * kHour, "2027-02-02T12:00+01:00"},
          {"across lunch", "2027-02-02T11:00+01:00", 2 * kHour, "2027-02-02T14:30+01:00"},
          {"to the next morning", "2027-02-02T16:00+01:00", 2 * kHour, "2027-02-03T09:30+01:00"},
          {"across a weekend", "2027-02-05T16:00+01:00", 2 * kHour, "2027-02-08T09:30+01:00"},
          {"Ascension Thursday skipped", "2027-05-05T16:00+02:00", 3 * kHour,
           "2027-05-07T10:30+02:00"},
          {"spring change and Easter Monday", "2027-03-26T16:00+01:00", 2 * kHour,
           "2027-03-30T09:30+02:00"},
          {"autumn change and All Saints", "2027-10-29T16:00+02:00", 2 * kHour,
           "2027-11-02T09:30+01:00"},
          {"starts on Saturday", "2027-02-06T10:00+01:00", kHour, "2027-02-08T09:30+01:00"},
          {"starts before opening", "2027-02-02T07:00+01:00", 30 * kMinute,
           "2027-02-02T09:00+01:00"},
          {"starts at lunch", "2027-02-02T12:30+01:00", kHour, "2027-02-02T14:30+01:00"},
          {"starts at closing", "2027-02-02T17:00+01:00", kMinute, "2027-02-03T08:31+01:00"},
          {"seconds count", "2027-02-02T11:59:59.500+01:00", 1000, "2027-02-02T13:30:00.500+01:00"},
          {"zero while open", "2027-02-02T10:15+01:00", 0, "2027-02-02T10:15+01:00"},
          {"zero at lunch", "2027-02-02T12:15+01:00", 0, "2027-02-02T13:30+01:00"},
          {"zero on Friday evening", "2027-02-05T17:00+01:00", 0, "2027-02-08T08:30+01:00"},
          {"four weeks of January", "2027-01-04T08:30+01:00", 20 * 7 * kHour,
           "2027-01-29T17:00+01:00"},
          {"ten days over May bridges", "2027-04-26T08:30+02:00", 10 * 7 * kHour,
           "2027-05-10T17:00+02:00"},
          {"New Year", "2026-12-31T16:00+01:00", 2 * kHour, "2027-01-04T09:30+01:00"},
      });
}

TEST(BusinessCalendarTest, NegativeDurationIsZero) {
  const auto calendar = TownHall();
  EXPECT_EQ(calendar.AddBusinessTime(At("2027-02-02T12:15+01:00"), -kHour),
            At("2027-02-02T13:30+01:00"));
}

TEST(BusinessCalendarTest, AlsaceMoselleAndExtraClosedDays) {
  CheckAdd(
      TownHall(/*alsace_moselle=*/true),
      {
          {"Good Friday closed", "2027-03-26T10:00+01:00", 2 * kHour, "2027-03-30T10:30+02:00"},
          {"Saint Stephen closed", "2027-12-24T16:00+01:00", 2 * kHour, "2027-12-27T09:30+01:00"},
      });
  // 26 December 2027 is a Sunday; in 2028 it is a Tuesday.
  CheckAdd(TownHall(true),
           {{"26 Dec 2028", "2028-12-22T16:00+01:00", 2 * kHour, "2028-12-27T09:30+01:00"}});
  CheckAdd(TownHall(false), {{"26 Dec 2028 elsewhere", "2028-12-22T16:00+01:00", 2 * kHour,
                              "2028-12-26T09:30+01:00"}});
  CheckAdd(TownHall(false, {{2027, 2, 5}}), {{"extra closed Friday", "2027-02-04T16:00+01:00",
                                              2 * kHour, "2027-02-08T09:30+01:00"}});
  EXPECT_TRUE(TownHall(false, {{2027, 2, 5}}).IsClosedDay({2027, 2, 5}));
  EXPECT_TRUE(TownHall().IsClosedDay({2027, 5, 6}));
  EXPECT_FALSE(TownHall().IsClosedDay({2027, 3, 26}));
  EXPECT_TRUE(TownHall(true).IsClosedDay({2027, 3, 26}));
}

TEST(BusinessCalendarTest, IsOpen) {
  const auto calendar = TownHall();
  EXPECT_FALSE(calendar.IsOpen(At("2027-02-02T08:29:59.999+01:00")));
  EXPECT_TRUE(calendar.IsOpen(At("2027-02-02T08:30+01:00")));
  EXPECT_TRUE(calendar.IsOpen(At("2027-02-02T11:59:59.999+01:00")));
  EXPECT_FALSE(calendar.IsOpen(At("2027-02-02T12:00+01:00")));
  EXPECT_FALSE(calendar.IsOpen(At("2027-02-06T10:00+01:00")));  // Saturday
  EXPECT_FALSE(calendar.IsOpen(At("2027-05-06T10:00+02:00")));  // Ascension
  EXPECT_TRUE(calendar.IsOpen(At("2027-03-30T08:30+02:00")));   // first day after the change
  EXPECT_TRUE(calendar.IsOpen(At("2027-03-30T06:45:00Z")));     // 08:45 CEST, 07:45 CET
  EXPECT_FALSE(calendar.IsOpen(At("2027-03-30T06:29:00Z")));    // 08:29 CEST
}

TEST(BusinessCalendarTest, DstDayKeepsLocalHours) {
  const BusinessCalendar sunday(Hours("sun 08:00-12:00"), TimeZoneRule::EuropeParis(), false);
  EXPECT_FALSE(sunday.IsOpen(At("2027-03-28T05:59:59Z")));
  EXPECT_TRUE(sunday.IsOpen(At("2027-03-28T06:00:00Z")));  // 08:00 CEST
  EXPECT_EQ(sunday.AddBusinessTime(At("2027-03-27T12:00+01:00"), kHour),
            At("2027-03-28T09:00+02:00"));
  EXPECT_EQ(sunday.BusinessTimeBetween(At("2027-03-27T00:00Z"), At("2027-03-29T00:00Z")),
            4 * kHour);
  EXPECT_EQ(sunday.AddBusinessTime(At("2027-10-30T12:00+02:00"), kHour),
            At("2027-10-31T09:00+01:00"));
}

TEST(BusinessCalendarTest, OpenTimeAcrossTheChangeIsRealTime) {
  const BusinessCalendar always(Hours("mon-sun 00:00-24:00"), TimeZoneRule::EuropeParis(), false);
  EXPECT_EQ(always.BusinessTimeBetween(At("2027-03-28T00:00+01:00"), At("2027-03-29T00:00+02:00")),
            23 * kHour);  // Easter Sunday is a working day for a 24/7 desk
  EXPECT_EQ(always.BusinessTimeBetween(At("2027-03-27T00:00+01:00"), At("2027-03-28T00:00+01:00")),
            24 * kHour);
  EXPECT_EQ(always.BusinessTimeBetween(At("2027-10-31T00:00+02:00"), At("2027-11-01T00:00+01:00")),
            25 * kHour);
  const BusinessCalendar night(Hours("sun 01:00-04:00"), TimeZoneRule::EuropeParis(), false);
  EXPECT_EQ(night.BusinessTimeBetween(At("2027-03-27T00:00Z"), At("2027-03-29T00:00Z")), 2 * kHour);
  EXPECT_EQ(night.BusinessTimeBetween(At("2027-10-30T00:00Z"), At("2027-11-01T00:00Z")), 4 * kHour);
  EXPECT_EQ(night.AddBusinessTime(At("2027-10-31T01:00+02:00"), 3 * kHour),
            At("2027-10-31T03:00+01:00"));
}

TEST(BusinessCalendarTest, NeverOpen) {
  const BusinessCalendar never(OpeningHours{}, TimeZoneRule::EuropeParis(), false);
  EXPECT_EQ(never.AddBusinessTime(At("2027-02-02T09:00+01:00"), kHour), kNever);
  EXPECT_EQ(never.BusinessTimeBetween(At("2027-01-01T00:00Z"), At("2028-01-01T00:00Z")), 0);
  EXPECT_FALSE(never.IsOpen(At("2027-02-02T09:00+01:00")));
}

TEST(BusinessCalendarTest, UnvalidatedHoursAreMadeSafe) {
  OpeningHours hours;
  hours.days[0] = {{800, 900}, {-30, 600}, {500, 700}, {1000, 1000}, {1400, 2000}};
  const BusinessCalendar calendar(hours, TimeZoneRule::Utc(), false);
  EXPECT_EQ(calendar.hours().days[0], (std::vector<Interval>{{0, 700}, {800, 900}, {1400, 1440}}));
  EXPECT_EQ(calendar.BusinessTimeBetween(At("2027-02-01T00:00Z"), At("2027-02-02T00:00Z")),
            (700 + 100 + 40) * kMinute);
}

TEST(BusinessCalendarTest, ToPauseCallersSumTheRunningPeriods) {
  // Received Tuesday 09:00, waiting for the citizen from 10:00 to Thursday 09:00, replied
  // Thursday 11:00: three business hours ran.
  const auto calendar = TownHall();
  const Millis elapsed =
      calendar.BusinessTimeBetween(At("2027-02-02T09:00+01:00"), At("2027-02-02T10:00+01:00")) +
      calendar.BusinessTimeBetween(At("2027-02-04T09:00+01:00"), At("2027-02-04T11:00+01:00"));
  EXPECT_EQ(elapsed, 3 * kHour);
}

// --- Business calendar: properties on seeded random cases ----------------------------------------

std::vector<BusinessCalendar> Calendars() {
  std::vector<BusinessCalendar> out;
  out.push_back(TownHall());
  out.push_back(BusinessCalendar(Hours("mon-fri 08:30-12:00,13:30-17:00; sat 09:00-12:00"),
                                 TimeZoneRule::EuropeParis(), true, {{2027, 5, 7}, {2028, 1, 2}}));
  out.push_back(BusinessCalendar(Hours("mon-sun 00:00-24:00"), TimeZoneRule::EuropeParis(), false));
  out.push_back(BusinessCalendar(Hours("sun 01:00-03:30; wed 23:00-24:00; thu 00:00-00:30"),
                                 TimeZoneRule::EuropeParis(), false));
  out.push_back(BusinessCalendar(Hours(kTownHall), TimeZoneRule::Utc(), false));
  return out;
}

TEST(BusinessCalendarPropertyTest, AddAndBetweenAgree) {
  Random random(42);
  const Millis from = At("2026-01-01T00:00:00Z");
  const Millis to = At("2029-01-01T00:00:00Z");
  const auto calendars = Calendars();
  for (size_t c = 0; c < calendars.size(); ++c) {
    const BusinessCalendar& calendar = calendars[c];
    for (int i = 0; i < 300; ++i) {
      const Millis start = random.Uniform(from, to);
      const Millis duration = random.Chance(0.1) ? 0 : random.Uniform(1, 300 * kHour);
      const Millis end = calendar.AddBusinessTime(start, duration);
      const std::string where = "calendar " + std::to_string(c) + " start " + FormatIso8601(start) +
                                " duration " + std::to_string(duration);
      ASSERT_GE(end, start) << where;
      EXPECT_EQ(calendar.BusinessTimeBetween(start, end), duration) << where;
      if (duration == 0) {
        EXPECT_TRUE(calendar.IsOpen(end)) << where;
        if (calendar.IsOpen(start)) {
          EXPECT_EQ(end, start) << where;
        }
      } else {
        EXPECT_TRUE(calendar.IsOpen(end - 1)) << where;
        // Adding in two steps lands on the same instant.
        const Millis first = random.Uniform(1, duration);
        if (first < duration) {
          EXPECT_EQ(
              calendar.AddBusinessTime(calendar.AddBusinessTime(start, first), duration - first),
              end)
              << where << " split " << first;
        }
      }
    }
  }
}

TEST(BusinessCalendarPropertyTest, BetweenMatchesAMinuteByMinuteCount) {
  Random random(7);
  const Millis from = At("2026-01-01T00:00:00Z") / kMinute;
  const Millis to = At("2029-01-01T00:00:00Z") / kMinute;
  const auto calendars = Calendars();
  for (size_t c = 0; c < calendars.size(); ++c) {
    const BusinessCalendar& calendar = calendars[c];
    for (int i = 0; i < 40; ++i) {
      // Windows around the DST changes half of the time, anywhere otherwise.
      Millis start = random.Uniform(from, to) * kMinute;
      if (random.Chance(0.5)) {
        start = (random.Chance(0.5) ? At("2027-03-26T00:00Z") : At("2027-10-29T00:00Z")) +
                random.Uniform(0, 3 * 24 * 60) * kMinute;
      }
      const Millis end = start + random.Uniform(0, 4 * 24 * 60) * kMinute;
      Millis open = 0;
      for (Millis t = start; t < end; t += kMinute) {
        if (calendar.IsOpen(t)) open += kMinute;
      }
      EXPECT_EQ(calendar.BusinessTimeBetween(start, end), open)
          << "calendar " << c << " " << FormatIso8601(start) << " to " << FormatIso8601(end);
    }
  }
}

TEST(BusinessCalendarPropertyTest, SharedAcrossThreads) {
  const auto calendar = TownHall(true);
  const Millis start = At("2027-02-02T09:00+01:00");
  const Millis expected = calendar.AddBusinessTime(start, 500 * kHour);
  // A fresh calendar starts with an empty cache, which the threads fill concurrently.
  const auto fresh = TownHall(true);
  std::vector<std::thread> threads;
  std::vector<Millis> results(4);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = fresh.AddBusinessTime(start, 500 * kHour); });
  }
  for (auto& t : threads) t.join();
  for (Millis r : results) EXPECT_EQ(r, expected);
}

}  // namespace
}  // namespace guichet::sla
