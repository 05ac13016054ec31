// Clock, ISO 8601 formatting and parsing, YearOf.
#include "common/clock.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace guichet {
namespace {

constexpr Millis kSecond = 1000;
constexpr Millis kHour = 3600 * kSecond;
constexpr Millis kDay = 24 * kHour;
// 2026-03-01T00:00:00Z (date -u -d 2026-03-01 +%s).
constexpr Millis kMarch2026 = 1772323200000;

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(kMarch2026);
  EXPECT_EQ(clock.Now(), kMarch2026);
  EXPECT_EQ(clock.Now(), kMarch2026);
  clock.Advance(1500);
  EXPECT_EQ(clock.Now(), kMarch2026 + 1500);
  clock.Set(0);
  EXPECT_EQ(clock.Now(), 0);
}

TEST(ClockTest, SystemClockIsRecentAndMonotoneEnough) {
  SystemClock clock;
  const Millis a = clock.Now();
  const Millis b = clock.Now();
  EXPECT_GT(a, kMarch2026 - 365 * kDay * 2);  // after 2024
  EXPECT_LE(a, b);
}

TEST(Iso8601Test, FormatKnownInstants) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(kMarch2026), "2026-03-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(kMarch2026 + 9 * kHour + 30 * 60 * kSecond + 7),
            "2026-03-01T09:30:00.007Z");
  EXPECT_EQ(FormatIso8601(kMarch2026 - 1), "2026-02-28T23:59:59.999Z");
  EXPECT_EQ(FormatIso8601(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIso8601(951782400000), "2000-02-29T00:00:00.000Z");  // a 400-year leap day
}

TEST(Iso8601Test, FormatThenParseRoundTrips) {
  const Millis instants[] = {0,
                             1,
                             -1,
                             kMarch2026,
                             kMarch2026 + 123,
                             kMarch2026 - kDay + 59 * kSecond + 999,
                             951782400000 + kDay - 1,  // 2000-02-29T23:59:59.999Z
                             4102444800000,            // 2100-01-01
                             -86400000LL * 365 * 30};
  for (Millis t : instants) {
    const std::string text = FormatIso8601(t);
    SCOPED_TRACE(text);
    EXPECT_EQ(ParseIso8601(text), std::optional<Millis>(t));
  }
}

TEST(Iso8601Test, ParseThenFormatRoundTrips) {
  for (const char* text : {"2026-03-01T09:30:00.000Z", "2024-02-29T23:59:59.999Z",
                           "1999-12-31T00:00:00.001Z", "2026-12-31T12:00:00.500Z"}) {
    const auto t = ParseIso8601(text);
    ASSERT_TRUE(t.has_value()) << text;
    EXPECT_EQ(FormatIso8601(*t), text);
  }
}

TEST(Iso8601Test, ParseAcceptedShapes) {
  const Millis t930 = kMarch2026 + 9 * kHour + 30 * 60 * kSecond;
  EXPECT_EQ(ParseIso8601("2026-03-01"), kMarch2026);
  EXPECT_EQ(ParseIso8601("2026-03-01T09:30Z"), t930);
  EXPECT_EQ(ParseIso8601("2026-03-01T09:30:00Z"), t930);
  EXPECT_EQ(ParseIso8601("2026-03-01 09:30:00Z"), t930);
  EXPECT_EQ(ParseIso8601("2026-03-01T09:30:00.5Z"), t930 + 500);
  EXPECT_EQ(ParseIso8601("2026-03-01T09:30:00.12Z"), t930 + 120);
  EXPECT_EQ(ParseIso8601("2026-03-01T09:30:00.123456Z"), t930 + 123);  // beyond ms: cut
}

TEST(Iso8601Test, ParseOffsets) {
  const Millis t930 = kMarch2026 + 9 * kHour + 30 * 60 * kSecond;
  // 09:30 in Paris (winter, UTC+1) is 08:30 UTC.
  EXPECT_EQ(ParseIso8601("2026-03-01T09:30:00+01:00"), t930 - kHour);
  EXPECT_EQ(ParseIso8601("2026-03-01T09:30:00-05:30"), t930 + 5 * kHour + 30 * 60 * kSecond);
  EXPECT_EQ(ParseIso8601("2026-03-01T09:30:00+00:00"), t930);
  EXPECT_EQ(ParseIso8601("2026-03-01T09:30:00-00:00"), t930);
  // An offset can move the instant to another day.
  EXPECT_EQ(ParseIso8601("2026-03-01T00:30:00+02:00"), ParseIso8601("2026-02-28T22:30:00Z"));
  EXPECT_EQ(ParseIso8601("2026-02-28T23:00:00-02:00"), ParseIso8601("2026-03-01T01:00:00Z"));
}

TEST(Iso8601Test, ParseRejectsInvalidDatesAndShapes) {
  for (const char* text : {
           "",
           "2026",
           "2026-02-30",                 // no such day
           "2026-02-29",                 // not a leap year
           "2100-02-29",                 // century, not a leap year
           "2026-04-31",                 // April has 30 days
           "2026-13-01",                 // no 13th month
           "2026-00-10",                 // no month 0
           "2026-01-00",                 // no day 0
           "2026-1-01",                  // one-digit month
           "26-03-01",                   // two-digit year
           "2026/03/01",                 // wrong separators
           "2026-03-01x",                // trailing garbage
           "2026-03-01T",                // time cut short
           "2026-03-01T09",              // no minutes
           "2026-03-01T09:30",           // time without an offset
           "2026-03-01T09:30:00",        // time without an offset
           "2026-03-01T24:00:00Z",       // hour 24
           "2026-03-01T09:60:00Z",       // minute 60
           "2026-03-01T09:30:61Z",       // second 61
           "2026-03-01T09:30:00.Z",      // empty fraction
           "2026-03-01T09:30:00ZZ",      // trailing garbage
           "2026-03-01T09:30:00+0100",   // offset without a colon
           "2026-03-01T09:30:00+01",     // offset without minutes
           "2026-03-01T09:30:00+24:00",  // offset hour out of range
           "2026-03-01T09:30:00+01:60",  // offset minute out of range
           "2026-03-01T09:30:00 Z",      // space before the zone
           "2026-03-01T9:30:00Z",        // one-digit hour
           "2026-03-01t09:30:00Z",       // lower-case separator
           "２０２６-03-01",             // full-width digits
       }) {
    EXPECT_EQ(ParseIso8601(text), std::nullopt) << "accepted \"" << text << "\"";
  }
}

TEST(Iso8601Test, LeapDays) {
  EXPECT_TRUE(ParseIso8601("2024-02-29").has_value());
  EXPECT_TRUE(ParseIso8601("2000-02-29").has_value());
  EXPECT_EQ(ParseIso8601("2024-03-01").value() - ParseIso8601("2024-02-28").value(), 2 * kDay);
  EXPECT_EQ(ParseIso8601("2026-03-01").value() - ParseIso8601("2026-02-28").value(), kDay);
}

TEST(YearOfTest, Boundaries) {
  EXPECT_EQ(YearOf(0), 1970);
  EXPECT_EQ(YearOf(-1), 1969);
  EXPECT_EQ(YearOf(kMarch2026), 2026);
  const Millis new_year_2027 = ParseIso8601("2027-01-01T00:00:00Z").value();
  EXPECT_EQ(YearOf(new_year_2027 - 1), 2026);
  EXPECT_EQ(YearOf(new_year_2027), 2027);
  // A reference year is UTC: 2026-12-31T23:30-02:00 is already 2027.
  EXPECT_EQ(YearOf(ParseIso8601("2026-12-31T23:30:00-02:00").value()), 2027);
}

}  // namespace
}  // namespace guichet
