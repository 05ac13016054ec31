// Automations and macros over real HTTP, on every backend: an admin's trigger flags a request as
// it arrives (and the audit says which rule did it); bad rules get field errors naming the
// element; an agent applies a macro in the request's language with optimistic concurrency.
#include <nlohmann/json.hpp>

#include "harness.h"

namespace guichet::testing {
namespace {

using json = nlohmann::json;

class AutomationsApiTest : public ServerTest<AutomationsApiTest> {
 protected:
  Headers Json(Who who) {
    Headers h = env().As(who);
    h.emplace_back("Content-Type", "application/json");
    return h;
  }
};

TEST_P(AutomationsApiTest, ATriggerFlagsRequestsAndBadRulesAreExplained) {
  HttpResult bad = env().Post("/api/v1/automations",
                              json{{"name", "Mauvaise"},
                                   {"conditions", {{{"field", "colour"}}}},
                                   {"actions", {{{"type", "explode"}}}}}
                                  .dump(),
                              Json(Who::kAdmin));
  EXPECT_EQ(bad.status, 422) << bad.body;
  for (const char* field : {"conditions[0].field", "actions[0].type"})
    EXPECT_NE(bad.body.find(field), std::string::npos) << field << " in " << bad.body;

  const json rule = {
      {"name", "Danger : arbre tombé"},
      {"conditions",
       {{{"field", "text"}, {"op", "contains_any"}, {"value", {"arbre tombé", "chute d'arbre"}}}}},
      {"actions",
       {{{"type", "set_priority"}, {"value", "urgent"}},
        {{"type", "add_tags"}, {"tags", {"danger"}}}}}};
  EXPECT_EQ(env().Post("/api/v1/automations", rule.dump(), Json(Who::kLeadA)).status, 403);
  HttpResult created = env().Post("/api/v1/automations", rule.dump(), Json(Who::kAdmin));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto rule_id = created.Json()["id"].get<std::int64_t>();

  HttpResult request = env().Post("/api/v1/requests",
                                  json{{"subject", "Un ARBRE TOMBÉ sur la route"},
                                       {"description", "Avenue Foch"},
                                       {"channel", "web"}}
                                      .dump(),
                                  {{"Content-Type", "application/json"}});
  ASSERT_EQ(request.status, 201) << request.body;
  const json r = request.Json();
  const std::string id = std::to_string(r["id"].get<std::int64_t>());
  HttpResult read = env().Get("/api/v1/requests/" + id, env().As(Who::kAdmin));
  EXPECT_EQ(read.Json()["priority"], "urgent");
  EXPECT_EQ(read.Json()["tags"], json::array({"danger"}));
  HttpResult audit = env().Get("/api/v1/requests/" + id + "/audit", env().As(Who::kAdmin));
  EXPECT_NE(audit.body.find("automation:" + std::to_string(rule_id)), std::string::npos)
      << audit.body;

  // Switched off, it no longer fires.
  HttpResult off = env().Patch("/api/v1/automations/" + std::to_string(rule_id),
                               R"({"active": false, "version": 1})", Json(Who::kAdmin));
  ASSERT_EQ(off.status, 200) << off.body;
  HttpResult calm = env().Post(
      "/api/v1/requests",
      json{{"subject", "Arbre tombé hier"}, {"description", "Rue Haute"}, {"channel", "web"}}
          .dump(),
      {{"Content-Type", "application/json"}});
  ASSERT_EQ(calm.status, 201);
  HttpResult calm_read =
      env().Get("/api/v1/requests/" + std::to_string(calm.Json()["id"].get<std::int64_t>()),
                env().As(Who::kAdmin));
  EXPECT_EQ(calm_read.Json()["priority"], "normal");
}

TEST_P(AutomationsApiTest, AgentsApplyMacrosInTheRequestsLanguage) {
  const json macro = {{"name", "Accusé de réception"},
                      {"texts",
                       {{"fr", "Bonjour {{citizen_name}}, {{reference}} est bien reçue."},
                        {"en", "Hello {{citizen_name}}, we received {{reference}}."}}},
                      {"actions", {{{"type", "set_status"}, {"value", "open"}}}}};
  HttpResult unknown =
      env().Post("/api/v1/macros", json{{"name", "X"}, {"texts", {{"fr", "{{secret}}"}}}}.dump(),
                 Json(Who::kLeadA));
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_NE(unknown.body.find("{{secret}}"), std::string::npos) << unknown.body;
  HttpResult created = env().Post("/api/v1/macros", macro.dump(), Json(Who::kLeadA));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto macro_id = created.Json()["id"].get<std::int64_t>();

  const CreatedRequest made = env().MakeRequest(Who::kCitizen, "Carte grise");
  const std::string target = "/api/v1/requests/" + std::to_string(made.request.id);
  EXPECT_EQ(
      env()
          .Post(target + "/apply-macro", json{{"macro_id", macro_id}}.dump(), Json(Who::kAgentA))
          .status,
      428);
  EXPECT_EQ(env()
                .Post(target + "/apply-macro", json{{"macro_id", macro_id}, {"version", 1}}.dump(),
                      Json(Who::kAgentB))
                .status,
            404);
  HttpResult applied =
      env().Post(target + "/apply-macro", json{{"macro_id", macro_id}, {"version", 1}}.dump(),
                 Json(Who::kAgentA));
  ASSERT_EQ(applied.status, 200) << applied.body;
  EXPECT_EQ(applied.Json()["status"], "open");
  EXPECT_EQ(applied.Json()["version"], 2);
  HttpResult messages = env().Get(target + "/messages", env().As(Who::kAgentA));
  EXPECT_NE(messages.body.find(made.request.reference + " est bien re"), std::string::npos)
      << messages.body;
  EXPECT_EQ(env()
                .Post(target + "/apply-macro", json{{"macro_id", macro_id}, {"version", 1}}.dump(),
                      Json(Who::kAgentA))
                .status,
            409);
}

INSTANTIATE_TEST_SUITE_P(Backends, AutomationsApiTest, ::testing::ValuesIn(BackendNames()),
                         BackendParamName);

}  // namespace
}  // namespace guichet::testing
