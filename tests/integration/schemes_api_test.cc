// Eligibility schemes over real HTTP, on every backend (nothing is stored, but the routes run on
// the same server as the rest): the list, one scheme's facts, rules and tables, and the "am I
// eligible?" simulation: every outcome, missing facts with their questions, counterfactuals,
// bad facts named in 422s, dates outside the validity, bad bodies. The fixture schemes are in
// test_schemes.h; the last suite serves rules/examples.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "harness.h"
#include "rules/registry.h"
#include "rules/types.h"
#include "tests/testing/status_macros.h"

namespace guichet::testing {
namespace {

using json = nlohmann::json;

const json kEligible = {{"commune", "ville"},
                        {"revenu", 900},
                        {"enfants", 2},
                        {"date_naissance", "1980-05-04"},
                        {"justificatif", true}};

class SchemesApiTest : public ServerTest<SchemesApiTest> {
 protected:
  HttpResult Evaluate(const std::string& scheme, const json& body, Who who = Who::kAnonymous) {
    return env().Post("/api/v1/schemes/" + scheme + "/evaluate", body.dump(), JsonAs(who));
  }
  Headers JsonAs(Who who) { return env().As(who); }  // Env::Post sends the JSON content type
  json Facts(json changes) {
    json facts = kEligible;
    for (const auto& [k, v] : changes.items()) facts[k] = v;
    return facts;
  }
};

TEST_P(SchemesApiTest, AnyoneListsTheSchemes) {
  for (Who who : {Who::kAnonymous, Who::kCitizen, Who::kAgentA}) {
    HttpResult r = env().Get("/api/v1/schemes", env().As(who));
    ASSERT_EQ(r.status, 200) << r.body;
    const json items = r.Json()["items"];
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0]["id"], "aide-essai");  // sorted by id
    EXPECT_EQ(items[0]["title_fr"], "Aide d'essai");
    EXPECT_EQ(items[0]["title_en"], "Test allowance");
    EXPECT_EQ(items[0]["authority"], "Mairie d'essai");
    EXPECT_EQ(items[0]["example"], false);
    EXPECT_EQ(items[0]["automatic_approval"], true);
    EXPECT_EQ(items[0]["has_amount"], true);
    EXPECT_EQ(items[0]["valid_from"], "2025-01-01");
    EXPECT_EQ(items[0]["valid_to"], "2026-12-31");
    EXPECT_EQ(items[1]["id"], "essai-ouvert");
    EXPECT_EQ(items[1]["example"], true);
    EXPECT_EQ(items[1]["valid_to"], nullptr);
  }
  EXPECT_EQ(env().Get("/api/v1/schemes?page=2").status, 400);
}

TEST_P(SchemesApiTest, OneSchemeShowsItsFactsRulesAndTables) {
  HttpResult r = env().Get("/api/v1/schemes/aide-essai");
  ASSERT_EQ(r.status, 200) << r.body;
  const json s = r.Json();
  ASSERT_EQ(s["facts"].size(), 5u);
  const json& commune = s["facts"][0];
  EXPECT_EQ(commune["id"], "commune");
  EXPECT_EQ(commune["type"], "enum");
  EXPECT_EQ(commune["values"], json({"ville", "hors_commune"}));
  EXPECT_EQ(commune["label_fr"], "lieu de résidence");
  EXPECT_EQ(commune["question_en"], "Do you live in the town?");
  const json& revenu = s["facts"][1];
  EXPECT_EQ(revenu["type"], "money");
  EXPECT_EQ(revenu["min"], "0.00");  // money facts are never negative unless a scheme says so
  EXPECT_EQ(revenu["max"], "100000.00");
  EXPECT_EQ(s["facts"][2]["min"], 0);
  EXPECT_EQ(s["facts"][2]["max"], 20);
  EXPECT_EQ(s["facts"][3]["max_years_ago"], 120);
  EXPECT_EQ(s["facts"][3]["not_after_as_of"], true);
  EXPECT_EQ(s["derived"][0]["id"], "age");
  EXPECT_EQ(s["derived"][0]["type"], "integer");
  ASSERT_EQ(s["rules"].size(), 4u);
  EXPECT_EQ(s["rules"][0]["fr"], "Le demandeur habite la commune.");
  EXPECT_EQ(s["rules"][0]["legal"],
            json({{"text", "Règlement d'essai"}, {"article", "article 1"}}));
  EXPECT_EQ(s["rules"][3]["on_fail"], "needs_review");
  const json& table = s["tables"][0];
  EXPECT_EQ(table["id"], "montant");
  EXPECT_EQ(table["legal"]["text"], "Délibération d'essai");
  const json& rows = table["periods"][0]["rows"];
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], json({{"from", "0.00"}, {"to", "800.00"}, {"value", "300.00"}}));
  EXPECT_EQ(rows[2]["to"], nullptr);
  EXPECT_EQ(s["amount"]["en"], "Amount by income, plus €50 per child");

  EXPECT_EQ(env().Get("/api/v1/schemes/essai-ouvert").Json()["amount"], nullptr);
  HttpResult missing = env().Get("/api/v1/schemes/inconnu");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ProblemSlug(missing), "not-found");
  EXPECT_EQ(env().Get("/api/v1/schemes/a%20b").status, 404);
  EXPECT_EQ(env().Post("/api/v1/schemes/inconnu/evaluate", R"({"facts":{}})").status, 404);
}

TEST_P(SchemesApiTest, AnEligibleSimulationStoresNothing) {
  const Counts before = env().CountAll();
  for (Who who : {Who::kAnonymous, Who::kCitizen, Who::kAdmin}) {
    HttpResult r = Evaluate("aide-essai", {{"facts", kEligible}, {"date", "2025-06-01"}}, who);
    ASSERT_EQ(r.status, 200) << r.body;
    const json d = r.Json();
    EXPECT_EQ(d["scheme"], "aide-essai");
    EXPECT_EQ(d["title_fr"], "Aide d'essai");
    EXPECT_EQ(d["as_of"], "2025-06-01");
    EXPECT_EQ(d["outcome"], "eligible");
    EXPECT_EQ(d["amount"], "250.00");  // 150 € for 900 €, plus 2 × 50 €
    EXPECT_EQ(d["automatic_approval"], true);
    EXPECT_EQ(d["missing"], json::array());
    ASSERT_EQ(d["trace"].size(), 4u);
    EXPECT_EQ(d["trace"][2]["rule"], "plafond");
    EXPECT_EQ(d["trace"][2]["result"], "passed");
    EXPECT_EQ(d["trace"][2]["legal"]["article"], "article 3");
    EXPECT_EQ(d["trace"][2]["inputs"][0],
              json({{"name", "revenu"}, {"kind", "fact"}, {"type", "money"}, {"value", "900.00"}}));
    EXPECT_NE(d["explanation"]["fr"].get<std::string>().find("Résultat : éligible"),
              std::string::npos)
        << d["explanation"];
    EXPECT_NE(d["explanation"]["en"].get<std::string>().find("Outcome: eligible"),
              std::string::npos);
  }
  EXPECT_EQ(env().CountAll(), before);
}

TEST_P(SchemesApiTest, IncompleteFactsListTheQuestionsInOrder) {
  HttpResult r = Evaluate("aide-essai", {{"facts", {{"commune", "ville"}, {"revenu", nullptr}}},
                                         {"date", "2025-06-01"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json d = r.Json();
  EXPECT_EQ(d["outcome"], "incomplete");
  EXPECT_EQ(d["amount"], nullptr);
  ASSERT_GE(d["missing"].size(), 3u);
  EXPECT_EQ(d["missing"][0]["fact"], "date_naissance");
  EXPECT_EQ(d["missing"][0]["question_fr"], "Quelle est votre date de naissance ?");
  EXPECT_EQ(d["missing"][1]["fact"], "revenu");
  EXPECT_EQ(d["missing"][2]["fact"], "justificatif");
}

TEST_P(SchemesApiTest, NotEligibleComesWithACounterfactualAndIsNotADecision) {
  HttpResult r =
      Evaluate("aide-essai",
               {{"facts", Facts({{"revenu", "2000,00"}})}, {"date", "2025-06-01"}, {"lang", "fr"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json d = r.Json();
  EXPECT_EQ(d["outcome"], "not_eligible");
  EXPECT_EQ(d["automatic_approval"], false);
  ASSERT_EQ(d["counterfactuals"].size(), 1u);
  EXPECT_EQ(d["counterfactuals"][0]["fact"], "revenu");
  EXPECT_EQ(d["counterfactuals"][0]["bound"], "at_most");
  EXPECT_EQ(d["counterfactuals"][0]["value"], "1499.99");
  EXPECT_EQ(d["counterfactuals"][0]["outcome"], "eligible");
  // lang: only that language.
  EXPECT_FALSE(d["explanation"].contains("en"));
  EXPECT_NE(d["explanation"]["fr"].get<std::string>().find("un refus n'est jamais automatique"),
            std::string::npos);
}

TEST_P(SchemesApiTest, AMissingDocumentSendsTheCaseToAnAgent) {
  HttpResult r = Evaluate(
      "aide-essai",
      {{"facts", Facts({{"justificatif", false}})}, {"date", "2025-06-01"}, {"lang", "en"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json d = r.Json();
  EXPECT_EQ(d["outcome"], "needs_review");
  EXPECT_EQ(d["automatic_approval"], false);
  EXPECT_FALSE(d["explanation"].contains("fr"));
  EXPECT_NE(d["explanation"]["en"].get<std::string>().find("the case goes to an agent"),
            std::string::npos);
}

TEST_P(SchemesApiTest, BadFactsAreNamedNeverDefaulted) {
  const json bad = {{"revenu", "beaucoup"},
                    {"enfants", 2.5},
                    {"couleur", "bleu"},
                    {"commune", "paris"},
                    {"date_naissance", "1980-02-30"},
                    {"justificatif", "oui"}};
  HttpResult r = Evaluate("aide-essai", {{"facts", bad}, {"date", "2025-06-01"}});
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(ProblemSlug(r), "validation-failed");
  std::vector<std::string> fields = ErrorFields(r);
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields,
            (std::vector<std::string>{"facts.commune", "facts.couleur", "facts.date_naissance",
                                      "facts.enfants", "facts.justificatif", "facts.revenu"}));
  EXPECT_NE(r.body.find("hors_commune"), std::string::npos) << r.body;  // the allowed values

  // Absurd values: out of the scheme's bounds, as of the evaluation date.
  const std::vector<std::pair<json, std::string>> absurd = {
      {{{"revenu", -100}}, "facts.revenu"},
      {{{"revenu", 250000}}, "facts.revenu"},
      {{{"enfants", -1}}, "facts.enfants"},
      {{{"enfants", 300}}, "facts.enfants"},
      {{{"date_naissance", "1725-01-01"}}, "facts.date_naissance"},  // 300 years old
      {{{"date_naissance", "2030-01-01"}}, "facts.date_naissance"},  // not born yet
      {{{"revenu", 12.345}}, "facts.revenu"},                        // a third decimal
  };
  for (const auto& [change, field] : absurd) {
    HttpResult a = Evaluate("aide-essai", {{"facts", Facts(change)}, {"date", "2025-06-01"}});
    EXPECT_EQ(a.status, 422) << change << " " << a.body;
    EXPECT_EQ(ErrorFields(a), std::vector<std::string>{field}) << a.body;
    EXPECT_NE(a.Json()["errors"][0]["reason"].get<std::string>().find(field.substr(6)),
              std::string::npos)
        << a.body;
  }
}

TEST_P(SchemesApiTest, DatesOutsideTheValidityAreRefusedClearly) {
  HttpResult r = Evaluate("aide-essai", {{"facts", kEligible}, {"date", "2030-01-01"}});
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(ProblemSlug(r), "date-outside-validity");
  EXPECT_EQ(ErrorFields(r), std::vector<std::string>{"date"});
  EXPECT_NE(r.body.find("scheme aide-essai is valid from 2025-01-01 to 2026-12-31"),
            std::string::npos)
      << r.body;

  HttpResult bad_date = Evaluate("aide-essai", {{"facts", kEligible}, {"date", "2025-02-30"}});
  EXPECT_EQ(bad_date.status, 422);
  EXPECT_EQ(ErrorFields(bad_date), std::vector<std::string>{"date"});

  // No date: today (UTC), within the open-ended scheme.
  HttpResult today = Evaluate("essai-ouvert", {{"facts", {{"inscrit", true}}}});
  ASSERT_EQ(today.status, 200) << today.body;
  const auto days = std::chrono::duration_cast<std::chrono::days>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  EXPECT_EQ(today.Json()["as_of"], rules::FormatDate(rules::Date{static_cast<std::int32_t>(days)}));
  EXPECT_EQ(today.Json()["outcome"], "eligible");
  EXPECT_EQ(today.Json()["automatic_approval"], false);  // the scheme does not allow it
}

TEST_P(SchemesApiTest, BadBodiesAreRefused) {
  auto fields_of = [&](const json& body) { return ErrorFields(Evaluate("aide-essai", body)); };
  EXPECT_EQ(fields_of({{"date", "2025-06-01"}}), std::vector<std::string>{"facts"});
  EXPECT_EQ(fields_of({{"facts", nullptr}}), std::vector<std::string>{"facts"});
  EXPECT_EQ(fields_of({{"facts", json::array()}}), std::vector<std::string>{"facts"});
  EXPECT_EQ(fields_of({{"facts", json::object()}, {"colour", "red"}}),
            std::vector<std::string>{"colour"});
  EXPECT_EQ(fields_of({{"facts", json::object()}, {"lang", "de"}}),
            std::vector<std::string>{"lang"});
  EXPECT_EQ(fields_of({{"facts", json::object()}, {"date", 20250601}}),
            std::vector<std::string>{"date"});

  const std::string target = "/api/v1/schemes/aide-essai/evaluate";
  EXPECT_EQ(env().Post(target, "{facts", JsonAs(Who::kAnonymous)).status, 400);
  EXPECT_EQ(env().Post(target, "[]", JsonAs(Who::kAnonymous)).status, 400);
  EXPECT_EQ(
      env().Call({"POST", target, {{"Content-Type", "text/plain"}}, R"({"facts":{}})"}).status,
      415);
  const std::string big = R"({"facts":{"commune":")" + std::string(70000, 'x') + R"("}})";
  EXPECT_EQ(env().Post(target, big, JsonAs(Who::kAnonymous)).status, 413);
  // Many unknown facts: a bounded list of errors.
  json many = json::object();
  for (int i = 0; i < 200; ++i) many["f" + std::to_string(i)] = i;
  HttpResult r = Evaluate("aide-essai", {{"facts", many}});
  EXPECT_EQ(r.status, 422);
  EXPECT_LE(r.Json()["errors"].size(), 21u);
}

TEST_P(SchemesApiTest, ASignedInCitizenNeedsTheCsrfTokenLikeAnyPost) {
  const SessionCookie session = env().NewSession(Who::kCitizen);
  const std::string body = json({{"facts", kEligible}, {"date", "2025-06-01"}}).dump();
  Headers cookie = {{"Cookie", "guichet_session=" + session.token}};
  EXPECT_EQ(env().Post("/api/v1/schemes/aide-essai/evaluate", body, cookie).status, 403);
  cookie.emplace_back("X-CSRF-Token", session.csrf);
  EXPECT_EQ(env().Post("/api/v1/schemes/aide-essai/evaluate", body, cookie).status, 200);
}

// The portal's "am I eligible?" pages: the list, a form generated from the facts, and the answer
// on the same page; errors at their fields; nothing stored.
TEST_P(SchemesApiTest, PortalPagesSimulateWithoutAnAccount) {
  HttpResult list = env().Get("/aides");
  ASSERT_EQ(list.status, 200) << list.body.substr(0, 300);
  EXPECT_NE(list.body.find("href=\"/aides/aide-essai?lang=fr\""), std::string::npos);
  EXPECT_NE(list.body.find("Aide d"), std::string::npos) << list.body;
  EXPECT_NE(env().Get("/aides?lang=en").body.find("Test allowance"), std::string::npos);

  HttpResult form = env().Get("/aides/aide-essai");
  ASSERT_EQ(form.status, 200);
  for (const char* field : {"name=\"fact_commune\"", "name=\"fact_revenu\"", "type=\"date\"",
                            "name=\"fact_justificatif\" value=\"true\"", "hors_commune"})
    EXPECT_NE(form.body.find(field), std::string::npos) << field;
  const std::string set_cookie = form.Header("set-cookie");
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  const std::string token = cookie.substr(cookie.find('=') + 1);
  ASSERT_FALSE(token.empty());
  auto post = [&](const std::string& fields) {
    return env().Call({"POST",
                       "/aides/aide-essai",
                       {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookie}},
                       "csrf_token=" + token + "&" + fields});
  };
  const Counts before = env().CountAll();
  HttpResult eligible = post(
      "fact_commune=ville&fact_revenu=900%2C00&fact_enfants=2&fact_date_naissance=1980-05-04"
      "&fact_justificatif=true&date=2025-06-01");
  ASSERT_EQ(eligible.status, 200) << eligible.body.substr(0, 500);
  EXPECT_NE(eligible.body.find("éligible"), std::string::npos);
  EXPECT_NE(eligible.body.find("250,00"), std::string::npos);
  EXPECT_NE(eligible.body.find("article 3"), std::string::npos);         // legal references
  EXPECT_NE(eligible.body.find("value=\"900,00\""), std::string::npos);  // the answers stay

  HttpResult incomplete = post("fact_commune=ville&fact_justificatif=&date=2025-06-01");
  ASSERT_EQ(incomplete.status, 200);
  EXPECT_NE(incomplete.body.find("href=\"#fact_date_naissance\""), std::string::npos);
  EXPECT_NE(incomplete.body.find("Quelle est votre date de naissance ?"), std::string::npos);

  HttpResult absurd = post("fact_revenu=-100&date=2025-06-01");
  EXPECT_EQ(absurd.status, 422);
  EXPECT_NE(absurd.body.find("id=\"revenu-error\""), std::string::npos) << absurd.body;
  HttpResult old = post("fact_date_naissance=1725-01-01&date=2025-06-01");  // 300 years old
  EXPECT_EQ(old.status, 422);
  EXPECT_NE(old.body.find("id=\"date_naissance-error\""), std::string::npos) << old.body;
  HttpResult wrong = post("fact_enfants=deux&date=2025-06-01");
  EXPECT_EQ(wrong.status, 422);
  EXPECT_NE(wrong.body.find("id=\"enfants-error\""), std::string::npos);
  HttpResult outside = post("fact_commune=ville&date=2030-01-01");
  EXPECT_EQ(outside.status, 422);
  EXPECT_NE(outside.body.find("id=\"date-error\""), std::string::npos);
  EXPECT_EQ(env().CountAll(), before);

  // Without the form's token: refused like every form.
  EXPECT_EQ(env()
                .Call({"POST",
                       "/aides/aide-essai",
                       {{"Content-Type", "application/x-www-form-urlencoded"}},
                       "fact_commune=ville"})
                .status,
            403);
  EXPECT_EQ(env().Get("/aides/inconnue").status, 404);
}

GUICHET_INSTANTIATE_ON_BACKENDS(SchemesApiTest);

// The example schemes shipped in rules/examples, served as `make run` serves them.
class ExampleSchemesApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (auto why = StoreFixtureUnavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    ASSERT_OK_AND_ASSIGN(store_, OpenFreshStore(GetParam(), clock_));
    ASSERT_OK_AND_ASSIGN(auto registry,
                         rules::LoadSchemeRegistry(GUICHET_SOURCE_DIR "/rules/examples"));
    server::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.schemes = std::make_shared<const rules::SchemeRegistry>(std::move(registry));
    ASSERT_OK_AND_ASSIGN(server_, server::StartServer(*store_, options));
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
  }

  ManualClock clock_{kTestStart};
  std::unique_ptr<TestStore> store_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_P(ExampleSchemesApiTest, ServesTheExamples) {
  HttpResult list = client_->Get("/api/v1/schemes");
  ASSERT_EQ(list.status, 200) << list.body;
  std::vector<std::string> ids;
  const json listed = list.Json();
  for (const json& s : listed["items"]) {
    ids.push_back(s["id"]);
    EXPECT_EQ(s["example"], true) << s;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"aide-seniors", "cantine", "declaration-travaux",
                                           "stationnement-residentiel"}));
  for (const std::string& id : ids) {
    HttpResult one = client_->Get("/api/v1/schemes/" + id);
    EXPECT_EQ(one.status, 200) << one.body;
    EXPECT_EQ(one.body.find(GUICHET_SOURCE_DIR), std::string::npos);
  }

  // A case of cantine/tests.toml: a quotient of exactly 450 € is in the second bracket.
  const json facts = {{"commune_residence", "ville"},
                      {"enfant_scolarise", true},
                      {"ressources_mensuelles", 1125},
                      {"nombre_parts", 2.5},
                      {"date_naissance_enfant", "2017-05-04"}};
  HttpResult r = client_->Post("/api/v1/schemes/cantine/evaluate",
                               json({{"facts", facts}, {"date", "2025-01-15"}}).dump(),
                               {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["outcome"], "eligible");
  EXPECT_EQ(r.Json()["amount"], "1.90");
  EXPECT_EQ(r.Json()["automatic_approval"], true);
  EXPECT_EQ(r.Json()["example"], true);
  EXPECT_NE(r.Json()["explanation"]["fr"].get<std::string>().find("barème d'exemple"),
            std::string::npos);
  EXPECT_EQ(r.body.find(GUICHET_SOURCE_DIR), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, ExampleSchemesApiTest, ::testing::ValuesIn(BackendNames()),
                         BackendParamName);

}  // namespace
}  // namespace guichet::testing
