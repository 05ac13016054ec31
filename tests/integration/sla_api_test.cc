// SLA over real HTTP, on every backend: admins manage policies, the desk calendar and team hours
// (others may read or are refused); a request shows its deadlines and their states; the
// at-risk/breached filters and the /metrics gauges move with the clock. A server of its own with
// a manual clock starting on Sunday 2026-03-01 at 10:00 in Paris (the desk opens on Monday).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http_client.h"
#include "own_server.h"
#include "tests/testing/status_macros.h"
#include "tests/testing/store_fixture.h"

namespace guichet::testing {
namespace {

using json = nlohmann::json;

Millis At(const char* iso) { return ParseIso8601(iso).value_or(0); }

class SlaApiTest : public OwnServerTest {
 protected:
  void SetUp() override {
    if (auto why = StoreFixtureUnavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    clock_.Set(At("2026-03-01T10:00+01:00"));
    ASSERT_OK_AND_ASSIGN(store_, OpenFreshStore(GetParam(), clock_));
    ASSERT_OK_AND_ASSIGN(team_, store_->CreateTeam("Voirie", storage::Actor::System("test")));
    ASSERT_NO_FATAL_FAILURE(AddAccountsAndStart(
        {core::Role::kAdmin, core::Role::kAgent, core::Role::kCitizen}, {team_.id}, &clock_));
  }

  HttpResult Post(const std::string& target, const json& body, core::Role role) {
    return client_->Post(target, body.dump(), As(role, true));
  }
  HttpResult Put(const std::string& target, const json& body, core::Role role) {
    return client_->Send({"PUT", target, As(role, true), body.dump()});
  }
  json NewRequest(const std::string& priority = "normal") {
    HttpResult r = Post("/api/v1/requests",
                        {{"subject", "Nid-de-poule"},
                         {"description", "Rue des Lilas"},
                         {"channel", "phone"},
                         {"priority", priority}},
                        core::Role::kAgent);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json();
  }
  std::vector<std::int64_t> ListedIds(const std::string& sla) {
    HttpResult r = client_->Get("/api/v1/requests?sla=" + sla, As(core::Role::kAdmin));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::int64_t> ids;
    const json body = r.Json();
    for (const auto& item : body["items"]) ids.push_back(item["id"].get<std::int64_t>());
    return ids;
  }

  core::Team team_;
};

TEST_P(SlaApiTest, AdminsManagePoliciesAndOthersAreRefused) {
  const json policy = {
      {"name", "Standard"}, {"first_reply_minutes", 60}, {"resolution_minutes", 420}};
  EXPECT_EQ(Post("/api/v1/sla/policies", policy, core::Role::kAgent).status, 403);
  EXPECT_EQ(client_->Get("/api/v1/sla/policies", As(core::Role::kCitizen)).status, 403);
  EXPECT_EQ(client_->Get("/api/v1/sla/policies").status, 401);

  HttpResult created = Post("/api/v1/sla/policies", policy, core::Role::kAdmin);
  ASSERT_EQ(created.status, 201) << created.body;
  const json p = created.Json();
  EXPECT_EQ(p["business_hours"], true);
  EXPECT_EQ(p["warning_percent"], 80);
  EXPECT_EQ(p["priority"], nullptr);
  EXPECT_EQ(Post("/api/v1/sla/policies", policy, core::Role::kAdmin).status, 409);

  HttpResult invalid =
      Post("/api/v1/sla/policies", {{"name", "Bad"}, {"priority", "critical"}, {"colour", "red"}},
           core::Role::kAdmin);
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  for (const char* field : {"priority", "colour"})
    EXPECT_NE(invalid.body.find(field), std::string::npos) << field;

  const std::string path = "/api/v1/sla/policies/" + std::to_string(p["id"].get<int>());
  EXPECT_EQ(
      client_->Patch(path, R"({"resolution_minutes": 840})", As(core::Role::kAdmin, true)).status,
      428);
  HttpResult changed = client_->Patch(path, R"({"resolution_minutes": 840, "version": 1})",
                                      As(core::Role::kAdmin, true));
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.Json()["resolution_minutes"], 840);
  EXPECT_EQ(changed.Header("etag"), "\"2\"");
  EXPECT_EQ(client_->Patch(path, R"({"version": 1, "active": false})", As(core::Role::kAdmin, true))
                .status,
            409);
  EXPECT_EQ(client_->Get(path, As(core::Role::kAgent)).status, 200);
  EXPECT_EQ(client_->Delete(path, As(core::Role::kAgent)).status, 403);
  EXPECT_EQ(client_->Delete(path, As(core::Role::kAdmin)).status, 204);
  EXPECT_EQ(client_->Get(path, As(core::Role::kAdmin)).status, 404);
}

TEST_P(SlaApiTest, RequestsShowDeadlinesAndStatesThatMoveWithTheClock) {
  ASSERT_EQ(Post("/api/v1/sla/policies",
                 {{"name", "Standard"}, {"first_reply_minutes", 60}, {"resolution_minutes", 420}},
                 core::Role::kAdmin)
                .status,
            201);
  const json urgent = {{"name", "Urgent"},
                       {"priority", "urgent"},
                       {"first_reply_minutes", 30},
                       {"resolution_minutes", 240},
                       {"business_hours", false}};
  ASSERT_EQ(Post("/api/v1/sla/policies", urgent, core::Role::kAdmin).status, 201);

  const json normal = NewRequest();
  EXPECT_EQ(normal["sla"]["first_reply"]["due_at"], "2026-03-02T08:30:00.000Z");
  EXPECT_EQ(normal["sla"]["first_reply"]["state"], "ok");
  EXPECT_EQ(normal["sla"]["resolution"]["due_at"], "2026-03-02T16:00:00.000Z");
  EXPECT_EQ(normal["sla"]["paused"], false);
  const json fire = NewRequest("urgent");
  EXPECT_EQ(fire["sla"]["first_reply"]["due_at"], "2026-03-01T09:30:00.000Z");

  clock_.Set(At("2026-03-01T10:25+01:00"));  // 25 of the urgent 30 minutes, round the clock
  EXPECT_EQ(ListedIds("at_risk"), (std::vector<std::int64_t>{fire["id"].get<std::int64_t>()}));
  clock_.Set(At("2026-03-01T10:31+01:00"));
  EXPECT_EQ(ListedIds("breached"), (std::vector<std::int64_t>{fire["id"].get<std::int64_t>()}));
  HttpResult read = client_->Get("/api/v1/requests/" + std::to_string(fire["id"].get<int>()),
                                 As(core::Role::kAdmin));
  EXPECT_EQ(read.Json()["sla"]["first_reply"]["state"], "breached");
  EXPECT_EQ(read.Json()["sla"]["resolution"]["state"], "ok");

  HttpResult metrics = client_->Get("/metrics");
  EXPECT_NE(metrics.body.find("guichet_sla_targets{target=\"first_reply\",state=\"breached\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("guichet_sla_paused_requests 0"), std::string::npos);
  HttpResult bad = client_->Get("/api/v1/requests?sla=late", As(core::Role::kAdmin));
  EXPECT_EQ(bad.status, 400) << bad.body;
}

TEST_P(SlaApiTest, CalendarAndTeamHoursAreAdminSettings) {
  HttpResult calendar = client_->Get("/api/v1/sla/calendar", As(core::Role::kAgent));
  ASSERT_EQ(calendar.status, 200) << calendar.body;
  EXPECT_EQ(calendar.Json()["time_zone"], "Europe/Paris");
  json settings = {{"time_zone", "Europe/Paris"},
                   {"opening_hours", "lun-ven 09:00-17:00"},
                   {"alsace_moselle", true},
                   {"extra_closed_days", {"2026-03-02"}}};
  EXPECT_EQ(Put("/api/v1/sla/calendar", settings, core::Role::kAgent).status, 403);
  HttpResult set = Put("/api/v1/sla/calendar", settings, core::Role::kAdmin);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.Json()["alsace_moselle"], true);
  settings.erase("alsace_moselle");
  settings["extra_closed_days"] = {"2026-02-30"};
  HttpResult invalid = Put("/api/v1/sla/calendar", settings, core::Role::kAdmin);
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  EXPECT_NE(invalid.body.find("alsace_moselle"), std::string::npos);
  EXPECT_NE(invalid.body.find("2026-02-30"), std::string::npos);
  settings["alsace_moselle"] = false;
  settings["extra_closed_days"] = json::array();
  settings["opening_hours"] = "sometimes";
  HttpResult bad_hours = Put("/api/v1/sla/calendar", settings, core::Role::kAdmin);
  EXPECT_EQ(bad_hours.status, 422);
  EXPECT_NE(bad_hours.body.find("opening_hours"), std::string::npos) << bad_hours.body;

  const std::string hours = "/api/v1/teams/" + std::to_string(team_.id) + "/opening-hours";
  HttpResult team = Put(hours, {{"opening_hours", "MON-SUN 00:00-24:00"}}, core::Role::kAdmin);
  ASSERT_EQ(team.status, 200) << team.body;
  EXPECT_EQ(team.Json()["opening_hours"], "mon-sun 00:00-24:00");
  HttpResult reset = Put(hours, {{"opening_hours", nullptr}}, core::Role::kAdmin);
  EXPECT_EQ(reset.Json()["opening_hours"], nullptr);
  EXPECT_EQ(reset.Json()["effective_opening_hours"], "mon-fri 09:00-17:00");
  EXPECT_EQ(Put("/api/v1/teams/999/opening-hours", {{"opening_hours", nullptr}}, core::Role::kAdmin)
                .status,
            404);
}

INSTANTIATE_TEST_SUITE_P(Backends, SlaApiTest, ::testing::ValuesIn(BackendNames()),
                         BackendParamName);

}  // namespace
}  // namespace guichet::testing
