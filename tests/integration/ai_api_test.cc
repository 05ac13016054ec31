// AI triage over real HTTP, on every backend: off until an admin turns it on; in suggest mode a
// new request arrives with its suggestion, probabilities and reasons in the decision register;
// in auto mode a confident suggestion sets the category (and so the team); below the threshold
// the model abstains; activating another model version (or an older one: the rollback) applies
// without a restart; a damaged model is refused at activation. Also what the store keeps:
// versions, settings with their versions, audit entries.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "http_client.h"
#include "own_server.h"
#include "tests/testing/status_macros.h"
#include "tests/testing/store_fixture.h"
#include "triage/classifier.h"

namespace guichet::testing {
namespace {

using json = nlohmann::json;

std::vector<triage::Example> Examples(const std::string& street_label,
                                      const std::string& waste_label) {
  std::vector<triage::Example> out;
  for (const char* t : {"Nid de poule dangereux", "Trottoir défoncé", "Lampadaire éteint",
                        "Chaussée abîmée", "Trou dans la route", "Feu tricolore en panne"})
    out.push_back({t, street_label});
  for (const char* t :
       {"Poubelle non ramassée", "Encombrants devant chez moi", "Bac de tri cassé",
        "Dépôt sauvage de déchets", "Collecte des ordures oubliée", "Conteneur à verre plein"})
    out.push_back({t, waste_label});
  return out;
}

std::string ModelBytes(const std::vector<triage::Example>& examples) {
  triage::TrainOptions options;
  options.epochs = 40;
  auto model = triage::Classifier::Train(examples, options);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  const std::string file = ::testing::TempDir() + "ai_api_test.model";
  EXPECT_TRUE(model->Save(file).ok());
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class AiApiTest : public OwnServerTest {
 protected:
  void SetUp() override {
    if (auto why = StoreFixtureUnavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    ASSERT_OK_AND_ASSIGN(store_, OpenFreshStore(GetParam()));
    const storage::Actor system = storage::Actor::System("test");
    ASSERT_OK_AND_ASSIGN(voirie_, store_->CreateTeam("Voirie", system));
    ASSERT_OK_AND_ASSIGN(proprete_, store_->CreateTeam("Propreté", system));
    core::Category c;
    c.slug = "voirie";
    c.name = "Voirie";
    c.default_team_id = voirie_.id;
    ASSERT_OK(store_->CreateCategory(c, system).status());
    c.slug = "dechets";
    c.name = "Déchets";
    c.default_team_id = proprete_.id;
    ASSERT_OK(store_->CreateCategory(c, system).status());
    ASSERT_NO_FATAL_FAILURE(
        AddAccountsAndStart({core::Role::kAdmin, core::Role::kAgent}, {voirie_.id, proprete_.id}));
  }

  json SetPolicy(const std::string& mode, double threshold,
                 const std::string& feature = "triage.category") {
    const HttpResult now = client_->Get("/api/v1/ai/settings", As(core::Role::kAgent));
    EXPECT_EQ(now.status, 200) << now.body;
    json version = 0;
    const json settings = now.Json();
    for (const auto& item : settings["items"]) {
      if (item["feature"] == feature) version = item["version"];
    }
    const json body = {{"mode", mode}, {"threshold", threshold}, {"version", version}};
    const HttpResult r = client_->Send(
        {"PUT", "/api/v1/ai/settings/" + feature, As(core::Role::kAdmin, true), body.dump()});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json();
  }
  core::Id AddModel(const std::string& bytes,
                    std::string_view feature = storage::kAiTriageCategory) {
    auto added = store_->ai().AddModel(feature, bytes, "sha", "{}", storage::Actor::System("test"));
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    return added.ok() ? added->id : 0;
  }
  HttpResult Activate(core::Id id) {
    return client_->Post("/api/v1/ai/models/" + std::to_string(id) + "/activate", "",
                         As(core::Role::kAdmin));
  }
  json Create(const std::string& subject, const std::string& description = "Merci") {
    const json body = {{"subject", subject}, {"description", description}, {"channel", "phone"}};
    const HttpResult r =
        client_->Post("/api/v1/requests", body.dump(), As(core::Role::kAgent, true));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json();
  }
  json Decisions(const json& request) {
    const HttpResult r = client_->Get(
        "/api/v1/requests/" + std::to_string(request["id"].get<std::int64_t>()) + "/ai-decisions",
        As(core::Role::kAdmin));  // a request without a team is not yet any agent's
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json()["items"];
  }
  // Policies and models are read at most once a second by each node.
  static void LetTheNodeSeeIt() { std::this_thread::sleep_for(std::chrono::milliseconds(1100)); }

  core::Team voirie_, proprete_;
};

TEST_P(AiApiTest, OffUntilTurnedOnThenSuggestsWithReasons) {
  const core::Id model = AddModel(ModelBytes(Examples("voirie", "dechets")));
  ASSERT_EQ(Activate(model).status, 200);
  EXPECT_TRUE(Decisions(Create("Lampadaire éteint rue Hugo")).empty()) << "off by default";

  const json policy = SetPolicy("suggest", 0.4);
  EXPECT_EQ(policy["mode"], "suggest");
  EXPECT_EQ(policy["version"], 1);
  LetTheNodeSeeIt();
  const json request = Create("Le lampadaire de ma rue est éteint");
  EXPECT_TRUE(request["category"].is_null()) << "suggest mode changes nothing";
  const json decisions = Decisions(request);
  ASSERT_EQ(decisions.size(), 1u);
  const json& d = decisions[0];
  EXPECT_EQ(d["feature"], "triage.category");
  EXPECT_EQ(d["mode"], "suggest");
  EXPECT_EQ(d["output"], "voirie");
  EXPECT_FALSE(d["applied"].get<bool>());
  EXPECT_EQ(d["outcome"], "pending");
  EXPECT_EQ(d["model_id"], model);
  EXPECT_GT(d["confidence"].get<double>(), 0.4);
  ASSERT_FALSE(d["details"]["reasons_for"].empty());
  EXPECT_EQ(d["details"]["probabilities"][0]["label"], "voirie");

  // Suggestions are in the audit log, with the request.
  storage::AuditQuery q;
  q.request_id = request["id"].get<std::int64_t>();
  ASSERT_OK_AND_ASSIGN(auto audit, store_->ListAudit(q));
  bool logged = false;
  for (const auto& e : audit) logged |= e.action == "ai_decision.create";
  EXPECT_TRUE(logged);
}

TEST_P(AiApiTest, AutoAppliesConfidentSuggestionsAndAbstainsBelowTheThreshold) {
  ASSERT_EQ(Activate(AddModel(ModelBytes(Examples("voirie", "dechets")))).status, 200);
  SetPolicy("auto", 0.4);
  LetTheNodeSeeIt();
  const json routed = Create("Poubelle non ramassée depuis lundi");
  EXPECT_EQ(routed["category"], "dechets");
  EXPECT_EQ(routed["team_id"], proprete_.id) << "the category's team follows";
  EXPECT_TRUE(Decisions(routed)[0]["applied"].get<bool>());

  SetPolicy("auto", 0.9);
  LetTheNodeSeeIt();
  const json waiting = Create("Lampadaire éteint et poubelle non ramassée");  // both at once
  EXPECT_TRUE(waiting["category"].is_null());
  const json d = Decisions(waiting)[0];
  EXPECT_TRUE(d["abstained"].get<bool>());
  EXPECT_TRUE(d["output"].is_null());
  EXPECT_FALSE(d["applied"].get<bool>());
  EXPECT_EQ(d["details"]["top_label"], "dechets");

  // The abstention waits in the "to triage" queue; the routed request does not.
  const HttpResult queue = client_->Get("/api/v1/requests?triage=pending", As(core::Role::kAdmin));
  ASSERT_EQ(queue.status, 200) << queue.body;
  const json listed = queue.Json();
  std::vector<std::int64_t> ids;
  for (const auto& item : listed["items"]) ids.push_back(item["id"].get<std::int64_t>());
  EXPECT_EQ(ids, std::vector<std::int64_t>{waiting["id"].get<std::int64_t>()});
  EXPECT_EQ(client_->Get("/api/v1/requests?triage=yes", As(core::Role::kAdmin)).status, 400);
}

TEST_P(AiApiTest, ActivationAndRollbackApplyWithoutRestart) {
  const core::Id first = AddModel(ModelBytes(Examples("voirie", "dechets")));
  const core::Id second = AddModel(ModelBytes(Examples("dechets", "voirie")));  // swapped labels
  ASSERT_EQ(Activate(first).status, 200);
  SetPolicy("suggest", 0.0);
  LetTheNodeSeeIt();
  EXPECT_EQ(Decisions(Create("Trou dans la route"))[0]["output"], "voirie");

  const HttpResult activated = Activate(second);
  ASSERT_EQ(activated.status, 200) << activated.body;
  EXPECT_EQ(activated.Json()["version"], 2);
  LetTheNodeSeeIt();
  EXPECT_EQ(Decisions(Create("Trou dans la route"))[0]["output"], "dechets");

  ASSERT_EQ(Activate(first).status, 200);  // the rollback
  LetTheNodeSeeIt();
  const json d = Decisions(Create("Trou dans la route"))[0];
  EXPECT_EQ(d["output"], "voirie");
  EXPECT_EQ(d["details"]["model_version"], 1);

  const HttpResult models = client_->Get("/api/v1/ai/models", As(core::Role::kAdmin));
  ASSERT_EQ(models.status, 200);
  ASSERT_EQ(models.Json()["items"].size(), 2u);
  EXPECT_EQ(models.Json()["items"][0]["version"], 2);  // newest first
  EXPECT_FALSE(models.Json()["items"][0]["active"].get<bool>());
  EXPECT_TRUE(models.Json()["items"][1]["active"].get<bool>());
}

TEST_P(AiApiTest, BadModelsAndPoliciesAreRefused) {
  std::string damaged = ModelBytes(Examples("voirie", "dechets"));
  damaged[damaged.size() / 2] ^= 1;
  const HttpResult refused = Activate(AddModel(damaged));
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("checksum"), std::string::npos) << refused.body;
  EXPECT_EQ(Activate(999999).status, 404);

  auto put = [&](const json& body) {
    return client_->Send(
        {"PUT", "/api/v1/ai/settings/triage.category", As(core::Role::kAdmin, true), body.dump()});
  };
  EXPECT_EQ(put({{"mode", "sometimes"}, {"version", 0}}).status, 422);
  EXPECT_EQ(put({{"mode", "auto"}, {"threshold", 1.5}, {"version", 0}}).status, 422);
  EXPECT_EQ(put({{"mode", "auto"}}).status, 428);
  EXPECT_EQ(put({{"mode", "auto"}, {"version", 7}}).status, 409);
  EXPECT_EQ(client_
                ->Send({"PUT", "/api/v1/ai/settings/triage.mood", As(core::Role::kAdmin, true),
                        json{{"mode", "auto"}, {"version", 0}}.dump()})
                .status,
            404);
  // The desk keeps working with AI on and no model.
  SetPolicy("auto", 0.5);
  LetTheNodeSeeIt();
  EXPECT_TRUE(Decisions(Create("Trou dans la route")).empty());
}

TEST_P(AiApiTest, PeopleAcceptCorrectOrIgnoreSuggestionsOnce) {
  ASSERT_EQ(Activate(AddModel(ModelBytes(Examples("voirie", "dechets")))).status, 200);
  SetPolicy("suggest", 0.4);
  LetTheNodeSeeIt();
  const auto review = [&](const json& decision, const json& body) {
    return client_->Post(
        "/api/v1/ai-decisions/" + std::to_string(decision["id"].get<std::int64_t>()) + "/review",
        body.dump(), As(core::Role::kAdmin, true));
  };

  // Accepted: the suggestion becomes the request's category, and its team follows.
  json request = Create("Trottoir défoncé devant l'école");
  json decision = Decisions(request)[0];
  EXPECT_EQ(review(decision, {{"outcome", "accepted"}}).status, 428) << "the request changes";
  HttpResult r = review(decision, {{"outcome", "accepted"}, {"version", request["version"]}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["request"]["category"], "voirie");
  EXPECT_EQ(r.Json()["request"]["team_id"], voirie_.id);
  EXPECT_EQ(r.Json()["decision"]["outcome"], "accepted");
  EXPECT_FALSE(r.Json()["decision"]["decided_by"].is_null());
  EXPECT_FALSE(r.Json()["decision"]["decided_at"].is_null());
  EXPECT_EQ(review(decision, {{"outcome", "ignored"}}).status, 409) << "reviewed once";

  // Corrected: another category, on the version the agent saw.
  request = Create("Lampadaire éteint");
  decision = Decisions(request)[0];
  EXPECT_EQ(review(decision, {{"outcome", "corrected"}, {"version", request["version"]}}).status,
            422);
  EXPECT_EQ(
      review(decision, {{"outcome", "corrected"}, {"category", "girafes"}, {"version", 1}}).status,
      422);
  EXPECT_EQ(
      review(decision, {{"outcome", "corrected"}, {"category", "dechets"}, {"version", 7}}).status,
      409);
  r = review(decision,
             {{"outcome", "corrected"}, {"category", "dechets"}, {"version", request["version"]}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["request"]["category"], "dechets");
  EXPECT_EQ(r.Json()["request"]["team_id"], proprete_.id);
  EXPECT_EQ(r.Json()["decision"]["outcome_value"], "dechets");

  // Ignored: nothing else changes.
  request = Create("Poubelle non ramassée");
  decision = Decisions(request)[0];
  r = review(decision, {{"outcome", "ignored"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.Json()["request"]["category"].is_null());
  EXPECT_EQ(r.Json()["request"]["version"], request["version"]);
  EXPECT_EQ(review(decision, {{"outcome", "maybe"}}).status, 422);

  // The register and the audit log keep the verdicts.
  storage::AuditQuery q;
  q.request_id = request["id"].get<std::int64_t>();
  ASSERT_OK_AND_ASSIGN(auto audit, store_->ListAudit(q));
  bool logged = false;
  for (const auto& e : audit) logged |= e.action == "ai_decision.review";
  EXPECT_TRUE(logged);
  EXPECT_EQ(Decisions(request)[0]["outcome"], "ignored");
  EXPECT_EQ(client_
                ->Post("/api/v1/ai-decisions/999999/review", json{{"outcome", "ignored"}}.dump(),
                       As(core::Role::kAdmin, true))
                .status,
            404);
}

TEST_P(AiApiTest, UrgencyRulesSuggestOrRaiseThePriorityWithTheirReasons) {
  // No model needed: the priority feature works by rules.
  const HttpResult settings = client_->Get("/api/v1/ai/settings", As(core::Role::kAgent));
  const json listed = settings.Json();
  ASSERT_EQ(listed["items"].size(), 3u);
  EXPECT_EQ(listed["items"][1]["feature"], "triage.priority");
  EXPECT_EQ(listed["items"][1]["mode"], "off");
  EXPECT_TRUE(Decisions(Create("Forte odeur de gaz dans l'escalier")).empty()) << "off by default";

  SetPolicy("suggest", 0.5, "triage.priority");
  LetTheNodeSeeIt();
  json request = Create("Forte odeur de gaz dans l'escalier");
  EXPECT_EQ(request["priority"], "normal") << "suggest changes nothing";
  json decisions = Decisions(request);
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0]["feature"], "triage.priority");
  EXPECT_EQ(decisions[0]["output"], "urgent");
  EXPECT_EQ(decisions[0]["details"]["rules"][0]["rule"], "danger");
  EXPECT_EQ(decisions[0]["details"]["rules"][0]["matched"], "odeur de gaz");
  EXPECT_TRUE(Decisions(Create("Horaires de la piscine")).empty()) << "no rule, no entry";

  // An agent corrects it to high, on the request's version.
  const auto review = [&](const json& decision, const json& body) {
    return client_->Post(
        "/api/v1/ai-decisions/" + std::to_string(decision["id"].get<std::int64_t>()) + "/review",
        body.dump(), As(core::Role::kAdmin, true));
  };
  EXPECT_EQ(review(decisions[0], {{"outcome", "corrected"}, {"category", "voirie"}}).status, 422);
  HttpResult r =
      review(decisions[0],
             {{"outcome", "corrected"}, {"priority", "high"}, {"version", request["version"]}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["request"]["priority"], "high");
  EXPECT_EQ(r.Json()["decision"]["outcome_value"], "high");

  SetPolicy("auto", 0.5, "triage.priority");
  LetTheNodeSeeIt();
  request = Create("Nous avons reçu un commandement de quitter les lieux");
  EXPECT_EQ(request["priority"], "urgent");
  decisions = Decisions(request);
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_TRUE(decisions[0]["applied"].get<bool>());
  EXPECT_EQ(decisions[0]["details"]["rules"][0]["rule"], "eviction");
  // A priority staff set higher is never lowered, and nothing is applied then.
  const json urgent = {{"subject", "Bébé sans chauffage"},
                       {"description", "Merci"},
                       {"channel", "phone"},
                       {"priority", "urgent"}};
  r = client_->Post("/api/v1/requests", urgent.dump(), As(core::Role::kAgent, true));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json()["priority"], "urgent");
  EXPECT_FALSE(Decisions(r.Json())[0]["applied"].get<bool>());
  // No priority model yet; the language is told by a library, without versions.
  const HttpResult models =
      client_->Get("/api/v1/ai/models?feature=triage.priority", As(core::Role::kAdmin));
  ASSERT_EQ(models.status, 200) << models.body;
  EXPECT_TRUE(models.Json()["items"].empty());
  EXPECT_EQ(
      client_->Get("/api/v1/ai/models?feature=triage.language", As(core::Role::kAdmin)).status,
      400);
}

TEST_P(AiApiTest, APriorityModelAddsItsWordsToTheRules) {
  std::vector<triage::Example> examples;
  for (const char* t : {"Fuite d'eau importante dans la cave", "Canalisation éclatée",
                        "Inondation du sous-sol", "Fuite d'eau sur la chaussée"})
    examples.push_back({t, "high"});
  for (const char* t : {"Horaires de la piscine", "Question sur le marché de Noël",
                        "Demande de documentation", "Horaires de la médiathèque"})
    examples.push_back({t, "low"});
  ASSERT_EQ(Activate(AddModel(ModelBytes(examples), storage::kAiTriagePriority)).status, 200);
  SetPolicy("suggest", 0.5, "triage.priority");
  LetTheNodeSeeIt();

  // The model alone: its priority, confidence and words.
  json d = Decisions(Create("Fuite d'eau dans la cave"))[0];
  EXPECT_EQ(d["feature"], "triage.priority");
  EXPECT_EQ(d["output"], "high");
  EXPECT_TRUE(d["details"]["rules"].empty());
  EXPECT_EQ(d["details"]["model"]["model_version"], 1);
  EXPECT_FALSE(d["details"]["model"]["reasons_for"].empty());
  EXPECT_LT(d["confidence"].get<double>(), 1.0);
  // A rule that fires above the model wins, with both sets of reasons kept.
  d = Decisions(Create("Fuite d'eau et odeur de gaz dans la cave"))[0];
  EXPECT_EQ(d["output"], "urgent");
  EXPECT_EQ(d["details"]["rules"][0]["rule"], "danger");
  EXPECT_EQ(d["details"]["model"]["top_label"], "high");

  // In auto mode the model's "low" never lowers the default priority.
  SetPolicy("auto", 0.5, "triage.priority");
  LetTheNodeSeeIt();
  const json quiet = Create("Horaires de la piscine");
  EXPECT_EQ(quiet["priority"], "normal");
  d = Decisions(quiet)[0];
  EXPECT_EQ(d["output"], "low");
  EXPECT_FALSE(d["applied"].get<bool>());
  EXPECT_EQ(Create("Fuite d'eau dans la cave")["priority"], "high");
}

TEST_P(AiApiTest, TheCitizensLanguageIsToldOrLeftToAPerson) {
  EXPECT_TRUE(Decisions(Create("Poubelle non ramassée")).empty()) << "off by default";
  SetPolicy("suggest", 0.5, "triage.language");
  LetTheNodeSeeIt();
  json request =
      Create("Poubelle non ramassée",
             "Bonjour, la poubelle de notre immeuble n'a pas été ramassée depuis lundi.");
  EXPECT_EQ(request["language"], "") << "suggest changes nothing";
  json d = Decisions(request)[0];
  EXPECT_EQ(d["feature"], "triage.language");
  EXPECT_EQ(d["output"], "fr");
  EXPECT_EQ(d["details"]["engine"], "cld2");
  // Too little text: an abstention, for a person.
  d = Decisions(Create("ok", "?"))[0];
  EXPECT_EQ(d["output"], nullptr);
  EXPECT_EQ(d["details"]["language"], "unknown");

  SetPolicy("auto", 0.5, "triage.language");
  LetTheNodeSeeIt();
  request = Create("Broken street light",
                   "Hello, the street light in front of our house has been out for a week.");
  EXPECT_EQ(request["language"], "en");
  d = Decisions(request)[0];
  EXPECT_TRUE(d["applied"].get<bool>());
  // An agent corrects it (on the request's version); a category is no correction of a language.
  const auto review = [&](const json& body) {
    return client_->Post(
        "/api/v1/ai-decisions/" + std::to_string(d["id"].get<std::int64_t>()) + "/review",
        body.dump(), As(core::Role::kAdmin, true));
  };
  EXPECT_EQ(review({{"outcome", "corrected"}, {"category", "voirie"}}).status, 422);
  EXPECT_EQ(review({{"outcome", "corrected"}, {"language", "english!"}}).status, 422);
  const HttpResult r =
      review({{"outcome", "corrected"}, {"language", "ga"}, {"version", request["version"]}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["request"]["language"], "ga");
  EXPECT_EQ(r.Json()["decision"]["outcome_value"], "ga");
}

INSTANTIATE_TEST_SUITE_P(Backends, AiApiTest, ::testing::ValuesIn(BackendNames()),
                         BackendParamName);

}  // namespace
}  // namespace guichet::testing
