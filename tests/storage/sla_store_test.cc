// SLA on both backends: policy CRUD with audit and versions, the desk calendar and team hours,
// and each request's deadlines — set on creation, recomputed on a priority, category or team
// change, stopped while waiting for the citizen — with the at-risk/breached list filters and
// counts moving with the clock. The clock starts on Sunday 2026-03-01 at 10:00 in Paris; the desk
// opens Monday to Friday 08:30–12:00 and 13:30–17:00.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "storage/store.h"
#include "testing/status_macros.h"
#include "testing/store_fixture.h"

namespace guichet::storage {
namespace {

using core::RequestStatus;
using json = nlohmann::json;

Millis At(const char* iso) {
  const auto t = ParseIso8601(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(0);
}

class SlaStoreTest : public testing::StoreTest {
 protected:
  sla::Policy Policy(const std::string& name, std::optional<std::int64_t> first_reply,
                     std::optional<std::int64_t> resolution) {
    sla::Policy p;
    p.name = name;
    p.first_reply_minutes = first_reply;
    p.resolution_minutes = resolution;
    return p;
  }

  core::Request Create(core::Priority priority = core::Priority::kNormal,
                       std::optional<core::Id> team = std::nullopt) {
    core::NewRequest r;
    r.subject = "Lampadaire en panne";
    r.description = "Rue des Lilas, depuis trois jours.";
    r.priority = priority;
    r.team_id = team;
    auto created = store().CreateRequest(r, "hash", actor());
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : core::Request{};
  }

  core::Request Update(const core::Request& r, const core::RequestPatch& patch) {
    auto updated = store().UpdateRequest(r.id, r.version, patch, actor());
    EXPECT_TRUE(updated.ok()) << updated.status().ToString();
    return updated.ok() ? *updated : r;
  }

  core::Request SetStatus(const core::Request& r, RequestStatus status) {
    core::RequestPatch patch;
    patch.status = status;
    return Update(r, patch);
  }

  std::vector<core::Id> Listed(SlaFilter sla) {
    RequestFilter filter;
    filter.sla = sla;
    auto page = store().ListRequests(filter, {});
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<core::Id> ids;
    if (page.ok())
      for (const auto& r : page->items) ids.push_back(r.id);
    return ids;
  }

  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    clock().Set(At("2026-03-01T10:00+01:00"));
  }
};

TEST_P(SlaStoreTest, PoliciesAreValidatedVersionedAndAudited) {
  ASSERT_OK_AND_ASSIGN(auto p, store().sla().CreatePolicy(Policy("Standard", 60, 420), actor()));
  EXPECT_EQ(p.version, 1);
  EXPECT_TRUE(p.business_hours);
  EXPECT_EQ(p.warning_percent, 80);
  EXPECT_STATUS(store().sla().CreatePolicy(Policy("Standard", 30, std::nullopt), actor()),
                StatusCode::kAlreadyExists);
  EXPECT_STATUS(store().sla().CreatePolicy(Policy("Empty", std::nullopt, std::nullopt), actor()),
                StatusCode::kInvalidArgument);
  sla::Policy bad_category = Policy("Voirie", 60, std::nullopt);
  bad_category.category_id = 999;
  EXPECT_STATUS(store().sla().CreatePolicy(bad_category, actor()), StatusCode::kInvalidArgument);

  sla::Policy changed = p;
  changed.resolution_minutes = 840;
  changed.priority = core::Priority::kHigh;
  ASSERT_OK_AND_ASSIGN(auto updated, store().sla().UpdatePolicy(p.id, 1, changed, actor()));
  EXPECT_EQ(updated.version, 2);
  EXPECT_EQ(updated.resolution_minutes, 840);
  EXPECT_EQ(updated.priority, core::Priority::kHigh);
  EXPECT_STATUS(store().sla().UpdatePolicy(p.id, 1, changed, actor()), StatusCode::kConflict);
  EXPECT_STATUS(store().sla().UpdatePolicy(99, 1, changed, actor()), StatusCode::kNotFound);

  ASSERT_OK_AND_ASSIGN(auto audit, store().ListAudit({}));
  std::vector<std::string> actions;
  for (const auto& e : audit) actions.push_back(e.action);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "sla_policy.create"), actions.end());
  const auto update = std::find_if(audit.begin(), audit.end(),
                                   [](const auto& e) { return e.action == "sla_policy.update"; });
  ASSERT_NE(update, audit.end());
  const json changes = json::parse(update->changes_json);
  EXPECT_EQ(changes["resolution_minutes"]["before"], 420);
  EXPECT_EQ(changes["resolution_minutes"]["after"], 840);

  EXPECT_OK(store().sla().DeletePolicy(p.id, actor()));
  EXPECT_STATUS(store().sla().GetPolicy(p.id), StatusCode::kNotFound);
  EXPECT_STATUS(store().sla().DeletePolicy(p.id, actor()), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto verification, store().VerifyAudit());
  EXPECT_TRUE(verification.ok) << verification.reason;
}

TEST_P(SlaStoreTest, DeadlinesAreSetOnCreationInBusinessTime) {
  const core::Request none = Create();
  EXPECT_FALSE(none.sla.policy_id.has_value());
  ASSERT_OK_AND_ASSIGN(auto p, store().sla().CreatePolicy(Policy("Standard", 60, 420), actor()));
  const core::Request r = Create();
  EXPECT_EQ(r.sla.policy_id, p.id);
  EXPECT_EQ(r.sla.first_reply_due_at, At("2026-03-02T09:30+01:00"));
  EXPECT_EQ(r.sla.first_reply_warn_at, At("2026-03-02T09:18+01:00"));
  EXPECT_EQ(r.sla.resolution_due_at, At("2026-03-02T17:00+01:00"));
  ASSERT_OK_AND_ASSIGN(auto read, store().GetRequest(r.id));
  EXPECT_EQ(read.sla.resolution_due_at, r.sla.resolution_due_at);
}

TEST_P(SlaStoreTest, APriorityChangeRecomputesAndTheAuditShowsIt) {
  ASSERT_OK(store().sla().CreatePolicy(Policy("Standard", 60, 420), actor()));
  sla::Policy urgent = Policy("Urgent", 30, 240);
  urgent.priority = core::Priority::kUrgent;
  urgent.business_hours = false;  // round the clock
  ASSERT_OK_AND_ASSIGN(auto urgent_policy, store().sla().CreatePolicy(urgent, actor()));
  core::Request r = Create();
  clock().Advance(10 * 60 * 1000);
  core::RequestPatch patch;
  patch.priority = core::Priority::kUrgent;
  r = Update(r, patch);
  EXPECT_EQ(r.sla.policy_id, urgent_policy.id);
  // Counted from the creation, not from the change.
  EXPECT_EQ(r.sla.first_reply_due_at, At("2026-03-01T10:30+01:00"));
  EXPECT_EQ(r.sla.resolution_due_at, At("2026-03-01T14:00+01:00"));
  AuditQuery query;
  query.request_id = r.id;
  ASSERT_OK_AND_ASSIGN(auto audit, store().ListAudit(query));
  ASSERT_EQ(audit.size(), 2u);
  const json changes = json::parse(audit[1].changes_json);
  EXPECT_EQ(changes["first_reply_due_at"]["before"], "2026-03-02T08:30:00.000Z");
  EXPECT_EQ(changes["first_reply_due_at"]["after"], "2026-03-01T09:30:00.000Z");
}

TEST_P(SlaStoreTest, WaitingForTheCitizenStopsTheClocks) {
  ASSERT_OK(store().sla().CreatePolicy(Policy("Standard", 60, 420), actor()));
  core::Request r = Create();
  clock().Set(At("2026-03-02T09:00+01:00"));
  r = SetStatus(r, RequestStatus::kOpen);
  r = SetStatus(r, RequestStatus::kPendingCitizen);
  EXPECT_EQ(r.sla.paused_at, At("2026-03-02T09:00+01:00"));
  // Paused past every deadline: nothing is at risk or breached.
  clock().Set(At("2026-03-03T09:00+01:00"));
  EXPECT_TRUE(Listed(SlaFilter::kBreached).empty());
  ASSERT_OK_AND_ASSIGN(auto counts, store().sla().CountRunningTargets(clock().Now()));
  EXPECT_EQ(counts.paused, 1);
  EXPECT_EQ(counts.resolution_breached, 0);
  // The citizen answers: 7 business hours were paused (Monday 09:00–17:00 less lunch, Tuesday
  // 08:30–09:00), so the resolution moves from Monday 17:00 to Tuesday 17:00.
  r = SetStatus(r, RequestStatus::kOpen);
  EXPECT_FALSE(r.sla.paused_at.has_value());
  EXPECT_EQ(r.sla.paused_business_ms, 7 * 3600 * 1000);
  EXPECT_EQ(r.sla.paused_wall_ms, 24 * 3600 * 1000);
  EXPECT_EQ(r.sla.resolution_due_at, At("2026-03-03T17:00+01:00"));
  // The first reply was due at Monday 09:30 + 7 h of business time.
  EXPECT_EQ(r.sla.first_reply_due_at, At("2026-03-03T09:30+01:00"));
}

TEST_P(SlaStoreTest, AtRiskAndBreachedFollowTheClockUntilTheTargetIsMet) {
  ASSERT_OK(store().sla().CreatePolicy(Policy("Standard", 60, 420), actor()));
  const core::Request r = Create();
  const core::Request other = Create();
  clock().Set(At("2026-03-02T09:10+01:00"));
  EXPECT_TRUE(Listed(SlaFilter::kAtRisk).empty());
  clock().Set(At("2026-03-02T09:20+01:00"));
  EXPECT_EQ(Listed(SlaFilter::kAtRisk), (std::vector<core::Id>{other.id, r.id}));
  EXPECT_TRUE(Listed(SlaFilter::kBreached).empty());
  ASSERT_OK_AND_ASSIGN(auto counts, store().sla().CountRunningTargets(clock().Now()));
  EXPECT_EQ(counts.first_reply_at_risk, 2);
  EXPECT_EQ(counts.first_reply_breached, 0);

  core::NewMessage reply;
  reply.body = "Nous intervenons demain.";
  reply.author_name = "Agent";
  ASSERT_OK(store().AddMessage(r.id, reply, /*from_staff=*/true, actor()));
  clock().Set(At("2026-03-02T09:40+01:00"));
  EXPECT_EQ(Listed(SlaFilter::kBreached), (std::vector<core::Id>{other.id}));
  ASSERT_OK_AND_ASSIGN(counts, store().sla().CountRunningTargets(clock().Now()));
  EXPECT_EQ(counts.first_reply_breached, 1);
  EXPECT_EQ(counts.first_reply_at_risk, 0);

  clock().Set(At("2026-03-02T16:00+01:00"));  // past 80 % of the day's resolution target
  EXPECT_EQ(Listed(SlaFilter::kAtRisk), (std::vector<core::Id>{r.id}));
  ASSERT_OK_AND_ASSIGN(counts, store().sla().CountRunningTargets(clock().Now()));
  EXPECT_EQ(counts.resolution_at_risk, 2);
  // Closing (even unresolved) ends the clocks.
  SetStatus(other, RequestStatus::kClosed);
  ASSERT_OK_AND_ASSIGN(counts, store().sla().CountRunningTargets(clock().Now()));
  EXPECT_EQ(counts.first_reply_breached, 0);
  EXPECT_EQ(counts.resolution_at_risk, 1);
}

TEST_P(SlaStoreTest, TeamHoursAndTheDeskCalendarDecideTheDeadlines) {
  ASSERT_OK_AND_ASSIGN(auto team, store().CreateTeam("Astreinte", actor()));
  ASSERT_OK(store().sla().CreatePolicy(Policy("Standard", 60, 420), actor()));
  EXPECT_STATUS(store().sla().SetTeamOpeningHours(team.id, "tous les jours", actor()),
                StatusCode::kInvalidArgument);
  EXPECT_STATUS(store().sla().SetTeamOpeningHours(99, "mon-sun 00:00-24:00", actor()),
                StatusCode::kNotFound);
  ASSERT_OK(store().sla().SetTeamOpeningHours(team.id, "MON-SUN 00:00-24:00", actor()));
  ASSERT_OK_AND_ASSIGN(auto hours, store().sla().GetTeamOpeningHours(team.id));
  EXPECT_EQ(hours, "mon-sun 00:00-24:00");  // canonical form
  const core::Request r = Create(core::Priority::kNormal, team.id);
  EXPECT_EQ(r.sla.first_reply_due_at, At("2026-03-01T11:00+01:00"));

  // Moving it to a team on the desk's hours recomputes on those.
  ASSERT_OK_AND_ASSIGN(auto office, store().CreateTeam("Accueil", actor()));
  core::RequestPatch patch;
  patch.team_id = office.id;
  EXPECT_EQ(Update(r, patch).sla.first_reply_due_at, At("2026-03-02T09:30+01:00"));

  sla::CalendarSettings settings;
  settings.opening_hours = "mon-sat 09:00-12:00";
  settings.extra_closed_days = {{2026, 3, 2}};  // a local holiday on Monday
  ASSERT_OK(store().sla().SetCalendar(settings, actor()));
  ASSERT_OK_AND_ASSIGN(auto stored, store().sla().GetCalendar());
  EXPECT_EQ(stored.opening_hours, "mon-sat 09:00-12:00");
  ASSERT_EQ(stored.extra_closed_days.size(), 1u);
  EXPECT_EQ(Create().sla.first_reply_due_at, At("2026-03-03T10:00+01:00"));
  settings.time_zone = "Moon/Base";
  EXPECT_STATUS(store().sla().SetCalendar(settings, actor()), StatusCode::kInvalidArgument);
}

TEST_P(SlaStoreTest, DeletingAPolicyKeepsDeadlinesButUnlinksIt) {
  ASSERT_OK_AND_ASSIGN(auto p, store().sla().CreatePolicy(Policy("Standard", 60, 420), actor()));
  const core::Request r = Create();
  ASSERT_OK(store().sla().DeletePolicy(p.id, actor()));
  ASSERT_OK_AND_ASSIGN(auto read, store().GetRequest(r.id));
  EXPECT_FALSE(read.sla.policy_id.has_value());
  EXPECT_EQ(read.sla.resolution_due_at, r.sla.resolution_due_at);
}

GUICHET_INSTANTIATE_STORE_TEST(SlaStoreTest);

}  // namespace
}  // namespace guichet::storage
