// SLA policy rules: validation, the choice of the most specific policy, deadlines in business and
// calendar time (with pauses), and target states.
#include "sla/policy.h"

#include <gtest/gtest.h>

#include "common/clock.h"
#include "testing/status_macros.h"

namespace guichet::sla {
namespace {

constexpr Millis kMinute = 60 * 1000;

Millis At(const char* iso) {
  const auto t = ParseIso8601(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(0);
}

Policy Make(core::Id id, std::optional<std::int64_t> first_reply,
            std::optional<std::int64_t> resolution) {
  Policy p;
  p.id = id;
  p.name = "policy " + std::to_string(id);
  p.first_reply_minutes = first_reply;
  p.resolution_minutes = resolution;
  return p;
}

TEST(PolicyTest, ValidationNamesEachBadField) {
  Policy p = Make(1, std::nullopt, std::nullopt);
  p.name = " ";
  p.warning_percent = 100;
  const auto errors = ValidatePolicy(p);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].field, "name");
  EXPECT_EQ(errors[1].field, "first_reply_minutes");
  EXPECT_EQ(errors[2].field, "warning_percent");
  EXPECT_EQ(ValidatePolicy(Make(1, 0, 60))[0].field, "first_reply_minutes");
  EXPECT_EQ(ValidatePolicy(Make(1, 60, kMaxTargetMinutes + 1))[0].field, "resolution_minutes");
  EXPECT_TRUE(ValidatePolicy(Make(1, 60, std::nullopt)).empty());
}

TEST(PolicyTest, TheMostSpecificActivePolicyWins) {
  Policy any = Make(1, 60, 600);
  Policy urgent = Make(2, 30, 240);
  urgent.priority = core::Priority::kUrgent;
  Policy roads = Make(3, 120, 1200);
  roads.category_id = 7;
  Policy roads_urgent_phone = Make(4, 10, 60);
  roads_urgent_phone.category_id = 7;
  roads_urgent_phone.priority = core::Priority::kUrgent;
  roads_urgent_phone.channel = core::Channel::kPhone;
  Policy inactive_roads_urgent = Make(5, 5, 50);
  inactive_roads_urgent.category_id = 7;
  inactive_roads_urgent.priority = core::Priority::kUrgent;
  inactive_roads_urgent.active = false;
  const std::vector<Policy> all = {any, urgent, roads, roads_urgent_phone, inactive_roads_urgent};

  auto chosen = [&](std::optional<core::Id> category, core::Priority priority,
                    core::Channel channel) {
    const Policy* p = ChoosePolicy(all, category, priority, channel);
    return p ? p->id : 0;
  };
  EXPECT_EQ(chosen(std::nullopt, core::Priority::kNormal, core::Channel::kWeb), 1);
  EXPECT_EQ(chosen(std::nullopt, core::Priority::kUrgent, core::Channel::kWeb), 2);
  // A category outweighs a priority.
  EXPECT_EQ(chosen(7, core::Priority::kUrgent, core::Channel::kWeb), 3);
  EXPECT_EQ(chosen(7, core::Priority::kUrgent, core::Channel::kPhone), 4);
  EXPECT_EQ(chosen(8, core::Priority::kLow, core::Channel::kEmail), 1);
  EXPECT_EQ(ChoosePolicy(std::vector<Policy>{urgent}, std::nullopt, core::Priority::kLow,
                         core::Channel::kWeb),
            nullptr);
  // Among equals, the oldest (lowest id).
  Policy twin = Make(0, 1, 1);
  EXPECT_EQ(ChoosePolicy(std::vector<Policy>{any, twin}, std::nullopt, core::Priority::kLow,
                         core::Channel::kWeb)
                ->id,
            0);
}

TEST(PolicyTest, BusinessDeadlinesSkipNightsWeekendsAndHolidays) {
  ASSERT_OK_AND_ASSIGN(auto calendar, MakeCalendar(CalendarSettings{}, std::nullopt));
  Policy p = Make(1, 60, 7 * 60);  // one hour; one business day (7 h)
  // Written on Sunday 1 March 2026 at 10:00 in Paris: the clocks start on Monday at 08:30.
  const Deadlines d = ComputeDeadlines(p, calendar, At("2026-03-01T10:00+01:00"), 0, 0);
  EXPECT_EQ(d.first_reply_due_at, At("2026-03-02T09:30+01:00"));
  EXPECT_EQ(d.first_reply_warn_at, At("2026-03-02T09:18+01:00"));  // 80 % of 60 min
  EXPECT_EQ(d.resolution_due_at, At("2026-03-02T17:00+01:00"));
  // Written on the eve of Ascension 2027 (Thursday 6 May) at 16:30: half an hour that day, the
  // holiday skipped, six and a half hours on Friday.
  const Deadlines ascension = ComputeDeadlines(p, calendar, At("2027-05-05T16:30+02:00"), 0, 0);
  EXPECT_EQ(ascension.resolution_due_at, At("2027-05-07T16:30+02:00"));
  // Paused time is added on top.
  const Deadlines paused =
      ComputeDeadlines(p, calendar, At("2026-03-01T10:00+01:00"), 7 * 60 * kMinute, 0);
  EXPECT_EQ(paused.resolution_due_at, At("2026-03-03T17:00+01:00"));
}

TEST(PolicyTest, RoundTheClockDeadlinesUseCalendarTime) {
  ASSERT_OK_AND_ASSIGN(auto calendar, MakeCalendar(CalendarSettings{}, std::nullopt));
  Policy p = Make(1, 30, std::nullopt);
  p.business_hours = false;
  p.warning_percent = 50;
  const Millis created = At("2026-03-01T03:00Z");
  const Deadlines d = ComputeDeadlines(p, calendar, created, 99 * kMinute, 5 * kMinute);
  EXPECT_EQ(d.first_reply_due_at, created + 35 * kMinute);
  EXPECT_EQ(d.first_reply_warn_at, created + 20 * kMinute);
  EXPECT_FALSE(d.resolution_due_at.has_value());
}

TEST(PolicyTest, TeamHoursAndAlsaceMosellePickTheCalendar) {
  CalendarSettings settings;
  settings.alsace_moselle = true;
  ASSERT_OK_AND_ASSIGN(auto desk, MakeCalendar(settings, std::nullopt));
  EXPECT_TRUE(desk.IsClosedDay({2026, 4, 3}));  // Good Friday
  ASSERT_OK_AND_ASSIGN(auto night_desk, MakeCalendar(settings, "mon-sun 00:00-24:00"));
  EXPECT_TRUE(night_desk.IsOpen(At("2026-03-01T03:00Z")));
  EXPECT_FALSE(MakeCalendar(settings, "every day").ok());
  settings.time_zone = "Mars/Olympus";
  EXPECT_EQ(ValidateCalendarSettings(settings).code(), StatusCode::kInvalidArgument);
}

TEST(PolicyTest, DatesParseStrictly) {
  ASSERT_OK_AND_ASSIGN(auto d, ParseDate("2027-05-06"));
  EXPECT_EQ(FormatDate(d), "2027-05-06");
  for (const char* bad : {"2027-02-30", "2027-5-6", "2027-05-06x", "", "06/05/2027"})
    EXPECT_FALSE(ParseDate(bad).ok()) << bad;
}

TEST(PolicyTest, StatesFollowTheClock) {
  const Millis due = 10'000, warn = 8'000;
  EXPECT_EQ(StateAt(due, warn, std::nullopt, false, 7'999), TargetState::kOk);
  EXPECT_EQ(StateAt(due, warn, std::nullopt, false, 8'000), TargetState::kAtRisk);
  EXPECT_EQ(StateAt(due, warn, std::nullopt, false, 10'000), TargetState::kBreached);
  EXPECT_EQ(StateAt(due, warn, std::nullopt, true, 10'000), TargetState::kPaused);
  EXPECT_EQ(StateAt(due, warn, 9'000, false, 20'000), TargetState::kMet);
  EXPECT_EQ(StateAt(due, warn, 10'001, true, 20'000), TargetState::kMissed);
  EXPECT_EQ(ToString(TargetState::kAtRisk), "at_risk");
}

}  // namespace
}  // namespace guichet::sla
