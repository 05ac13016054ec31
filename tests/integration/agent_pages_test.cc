// The agent workspace's second half over real HTTP, on every backend: team and assignee changes
// (with conflicts explained), the AI's language corrected, macros applied, suggested articles and
// similar requests, queue filters with counts and pages, and bulk actions with one line per
// request — never reaching a request outside the agent's scope. A server of its own per test.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "http_client.h"
#include "own_server.h"
#include "page_helpers.h"
#include "tests/testing/status_macros.h"
#include "tests/testing/store_fixture.h"

namespace guichet::testing {
namespace {

using core::Role;

std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class AgentPagesTest : public OwnServerTest {
 protected:
  void SetUp() override {
    if (auto why = StoreFixtureUnavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    ASSERT_OK_AND_ASSIGN(store_, OpenFreshStore(GetParam(), clock_));
    ASSERT_OK_AND_ASSIGN(auto team, store_->CreateTeam("Voirie", System()));
    ASSERT_OK_AND_ASSIGN(auto other, store_->CreateTeam("État civil", System()));
    team_id_ = team.id;
    other_team_id_ = other.id;
    core::Category lights;
    lights.slug = "eclairage";
    lights.name = "Éclairage public";
    lights.default_team_id = team.id;
    ASSERT_OK_AND_ASSIGN(auto category, store_->CreateCategory(lights, System()));
    category_id_ = category.id;
    ASSERT_NO_FATAL_FAILURE(
        AddAccountsAndStart({Role::kAgent, Role::kAuditor, Role::kCitizen}, {team.id}, &clock_));
    ASSERT_OK_AND_ASSIGN(agent_id_, AddAgent("camille@mairie.example", "Camille Agent", team.id));
    ASSERT_OK_AND_ASSIGN(colleague_id_, AddAgent("sacha@mairie.example", "Sacha Agent", team.id));
    cookie_ = SignIn("camille@mairie.example");
  }

  static storage::Actor System() { return storage::Actor::System("test"); }

  Result<core::Id> AddAgent(const std::string& email, const std::string& name, core::Id team) {
    auto made = store_->CreateUser(UserWithPassword(email, name, Role::kAgent, {team}), System());
    if (!made.ok()) return made.status();
    return made->id;
  }

  // Signs in through the page; the session cookie. csrf_ is the session's form token.
  std::string SignIn(const std::string& email) {
    HttpResult r = PostSignIn(*client_, email);
    EXPECT_EQ(r.status, 303) << r.body.substr(0, 300);
    const std::string cookie = CookieOf(r.Header("set-cookie"));
    r = client_->Get("/agent", {{"Cookie", cookie}});
    csrf_ = FormToken(r.body);
    EXPECT_FALSE(csrf_.empty());
    return cookie;
  }

  HttpResult Page(const std::string& target) { return client_->Get(target, {{"Cookie", cookie_}}); }
  HttpResult Post(const std::string& target, const std::string& fields) {
    return client_->Post(target, "csrf_token=" + UrlEncode(csrf_) + "&" + fields,
                         {{"Content-Type", kForm}, {"Cookie", cookie_}});
  }

  core::Request MakeRequest(const std::string& subject, std::optional<core::Id> team,
                            const std::string& description = "Texte de la demande",
                            std::vector<core::AiSuggestion> ai = {}) {
    core::NewRequest in;
    in.subject = subject;
    in.description = description;
    in.team_id = team;
    in.ai_suggestions = std::move(ai);
    auto made = store_->CreateRequest(in, Sha256Hex("secret-" + subject), System());
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? *made : core::Request{};
  }

  core::Request Stored(core::Id id) {
    auto r = store_->GetRequest(id);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : core::Request{};
  }

  static std::string RequestPath(const core::Request& r) {
    return "/agent/demandes/" + std::to_string(r.id);
  }

  core::Id team_id_ = 0, other_team_id_ = 0, category_id_ = 0, agent_id_ = 0, colleague_id_ = 0;
  std::string cookie_, csrf_;
};

TEST_P(AgentPagesTest, TeamAndAssigneeChangeOnTheShownVersionWithConflictsExplained) {
  const core::Request made = MakeRequest("Nid de poule", team_id_);
  const std::string page = RequestPath(made);
  HttpResult r = Page(page);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  // The teams, and the people who may work on it.
  EXPECT_NE(r.body.find(">État civil</option>"), std::string::npos);
  EXPECT_NE(r.body.find("<option value=\"" + std::to_string(colleague_id_) + "\">Sacha Agent"),
            std::string::npos);
  EXPECT_NE(r.body.find("<option value=\"none\" selected>Personne</option>"), std::string::npos);

  r = Post(page + "/affectation", "version=1&team=" + std::to_string(team_id_) +
                                      "&assignee=" + std::to_string(colleague_id_));
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 500);
  EXPECT_NE(r.Header("location").find("done=saved"), std::string::npos);
  core::Request now = Stored(made.id);
  EXPECT_EQ(now.assignee_id, colleague_id_);
  EXPECT_EQ(now.version, 2);
  r = Page(page);
  EXPECT_NE(r.body.find("<dd>Sacha Agent</dd>"), std::string::npos);

  // On the version the page showed (1), now stale: nothing applied, the current one shown.
  r = Post(page + "/affectation", "version=1&team=" + std::to_string(team_id_) + "&assignee=me");
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("Quelqu’un a modifié cette demande"), std::string::npos);
  EXPECT_NE(r.body.find("name=\"version\" value=\"2\""), std::string::npos);
  EXPECT_EQ(Stored(made.id).assignee_id, colleague_id_);

  // "me", then unassigned; someone who may not receive requests is refused.
  ASSERT_EQ(
      Post(page + "/affectation", "version=2&team=" + std::to_string(team_id_) + "&assignee=me")
          .status,
      303);
  EXPECT_EQ(Stored(made.id).assignee_id, agent_id_);
  ASSERT_OK_AND_ASSIGN(auto users, store_->ListUsers());
  core::Id citizen_user = 0;
  for (const auto& u : users)
    if (u.role == Role::kCitizen) citizen_user = u.id;
  r = Post(page + "/affectation", "version=3&team=" + std::to_string(team_id_) +
                                      "&assignee=" + std::to_string(citizen_user));
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("ne peut pas recevoir de demandes"), std::string::npos);
  r = Post(page + "/affectation", "version=3&team=999999&assignee=none");
  EXPECT_EQ(r.status, 422);
  ASSERT_EQ(
      Post(page + "/affectation", "version=3&team=" + std::to_string(team_id_) + "&assignee=none")
          .status,
      303);
  EXPECT_FALSE(Stored(made.id).assignee_id.has_value());

  // Given to a team the agent is not in: back to the queues, and the request is out of sight.
  r = Post(page + "/affectation",
           "version=4&team=" + std::to_string(other_team_id_) + "&assignee=none");
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 500);
  EXPECT_EQ(r.Header("location"), "/agent?lang=fr&done=moved");
  EXPECT_EQ(Stored(made.id).team_id, other_team_id_);
  EXPECT_EQ(Page(page).status, 404);
  EXPECT_EQ(
      Post(page + "/affectation", "version=5&team=" + std::to_string(team_id_) + "&assignee=me")
          .status,
      404);
  r = Page("/agent?lang=fr&done=moved");
  EXPECT_NE(r.body.find("elle n’est plus dans vos files"), std::string::npos);
}

TEST_P(AgentPagesTest, TheAiLanguageGuessIsCorrectedFromThePage) {
  core::AiSuggestion guess;
  guess.feature = "triage.language";
  guess.mode = "suggest";
  guess.output = "es";
  guess.confidence = 0.6;
  guess.details_json = R"({"reason":"mots espagnols"})";
  const core::Request made =
      MakeRequest("Farola apagada", team_id_, "La farola no funciona", {guess});
  ASSERT_OK_AND_ASSIGN(auto decisions, store_->ai().ListDecisions(made.id));
  ASSERT_EQ(decisions.size(), 1u);
  const std::string page = RequestPath(made);
  HttpResult r = Page(page);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<option value=\"pt\" lang=\"pt\">português</option>"), std::string::npos);
  r = Post(page + "/ia", "decision_id=" + std::to_string(decisions[0].id) +
                             "&outcome=corrected&value=pt&version=1");
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 500);
  EXPECT_EQ(Stored(made.id).language, "pt");
  ASSERT_OK_AND_ASSIGN(auto reviewed, store_->ai().GetDecision(decisions[0].id));
  EXPECT_EQ(reviewed.outcome, "corrected");
  EXPECT_EQ(reviewed.outcome_value, "pt");
  r = Page(page);
  EXPECT_NE(r.body.find("<dd lang=\"pt\">português</dd>"), std::string::npos);
}

TEST_P(AgentPagesTest, MacrosReplyAndActOnTheShownVersion) {
  storage::Macro macro;
  macro.name = "Prise en charge";
  macro.texts = {{"fr", "Votre demande {{reference}} est prise en charge."}};
  automation::Action high;
  high.type = automation::ActionType::kSetPriority;
  high.value = "high";
  macro.actions = {high};
  ASSERT_OK_AND_ASSIGN(auto saved, store_->automations().CreateMacro(macro, System()));
  storage::Macro off = macro;
  off.name = "Ancienne réponse";
  off.active = false;
  ASSERT_OK(store_->automations().CreateMacro(off, System()).status());

  const core::Request made = MakeRequest("Trottoir abîmé", team_id_);
  const std::string page = RequestPath(made);
  HttpResult r = Page(page);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<option value=\"" + std::to_string(saved.id) + "\">Prise en charge"),
            std::string::npos);
  EXPECT_EQ(r.body.find("Ancienne réponse"), std::string::npos);  // inactive: not offered

  r = Post(page + "/macro", "version=1&macro_id=" + std::to_string(saved.id));
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 500);
  EXPECT_NE(r.Header("location").find("done=macro"), std::string::npos);
  const core::Request now = Stored(made.id);
  EXPECT_EQ(now.priority, core::Priority::kHigh);
  ASSERT_OK_AND_ASSIGN(auto messages, store_->ListMessages(made.id, false));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, "Votre demande " + made.reference + " est prise en charge.");
  EXPECT_EQ(messages[0].author_name, "Camille Agent");
  r = Page(page + "?done=macro");
  EXPECT_NE(r.body.find("Réponse type appliquée."), std::string::npos);

  // The same on the stale version: refused, nothing more sent.
  r = Post(page + "/macro", "version=1&macro_id=" + std::to_string(saved.id));
  EXPECT_EQ(r.status, 409);
  ASSERT_OK_AND_ASSIGN(messages, store_->ListMessages(made.id, false));
  EXPECT_EQ(messages.size(), 1u);
  EXPECT_EQ(Post(page + "/macro", "version=2&macro_id=999999").status, 422);
}

TEST_P(AgentPagesTest, TheSidePanelShowsSuggestedArticlesAndSimilarRequestsInScope) {
  core::KbArticle a;
  a.title = "Signaler un lampadaire en panne";
  a.summary = "Éclairage public défaillant.";
  a.body = "Un lampadaire éteint se signale à la mairie.";
  a.status = core::ArticleStatus::kPublished;
  ASSERT_OK_AND_ASSIGN(auto article, store_->kb().Create(a, System()));
  const core::Request made =
      MakeRequest("Lampadaire éteint rue des Lilas", team_id_, "Le lampadaire est éteint.");
  const core::Request near =
      MakeRequest("Lampadaire éteint place du marché", team_id_, "Lampadaire éteint depuis hier.");
  const core::Request hidden =
      MakeRequest("Lampadaire éteint impasse secrète", other_team_id_, "Lampadaire éteint.");
  HttpResult page;  // the search index follows the database within a moment
  for (int i = 0; i < 100; ++i) {
    page = Page(RequestPath(made));
    if (page.body.find("/kb/articles/" + std::to_string(article.article.id)) != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<a href=\"/kb/articles/" + std::to_string(article.article.id) +
                           "\">Signaler un lampadaire en panne</a>"),
            std::string::npos);
  // The insert button waits for the script (hidden without it).
  EXPECT_NE(page.body.find("data-url=\"/kb/articles/" + std::to_string(article.article.id) + "\""),
            std::string::npos);
  EXPECT_NE(page.body.find("class=\"secondary insert-link\""), std::string::npos);
  EXPECT_NE(page.body.find("href=\"" + RequestPath(near) + "?lang=fr\""), std::string::npos);
  EXPECT_NE(page.body.find(near.reference), std::string::npos);
  EXPECT_EQ(page.body.find(hidden.reference), std::string::npos);
  EXPECT_EQ(page.body.find("impasse secrète"), std::string::npos);
  EXPECT_NE(page.body.find("src=\"/static/agent.js\""), std::string::npos);
  EXPECT_NE(page.body.find("Raccourcis clavier"), std::string::npos);
}

TEST_P(AgentPagesTest, QueueFiltersNarrowRowsAndCountsAndPagesGoOn) {
  // 52 of the team's requests (3 urgent ones about a lamp post), 1 urgent one of another team.
  std::vector<core::Request> mine;
  for (int i = 0; i < 52; ++i)
    mine.push_back(MakeRequest(
        i < 3 ? "Lampadaire " + std::to_string(i) : "Demande " + std::to_string(i), team_id_));
  for (int i = 0; i < 3; ++i) {
    core::RequestPatch patch;
    patch.priority = core::Priority::kUrgent;
    ASSERT_OK(store_->UpdateRequest(mine[i].id, 1, patch, System()).status());
  }
  const core::Request outside = MakeRequest("Lampadaire du voisin", other_team_id_);
  {
    core::RequestPatch patch;
    patch.priority = core::Priority::kUrgent;
    ASSERT_OK(store_->UpdateRequest(outside.id, 1, patch, System()).status());
  }

  HttpResult r = Page("/agent?queue=unassigned&priority=urgent");
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(Count(r.body, "<tr data-row>"), 3u);
  EXPECT_EQ(r.body.find("Lampadaire du voisin"), std::string::npos);
  // The counts are under the filters, and the tabs keep them.
  EXPECT_NE(r.body.find("href=\"/agent?queue=team&amp;lang=fr&amp;priority=urgent\">Mon équipe "
                        "<span class=\"count\">3</span>"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("<option value=\"urgent\" selected>"), std::string::npos);
  r = Page("/agent?q=lampadaire&status=new");
  EXPECT_EQ(Count(r.body, "<tr data-row>"), 3u);
  EXPECT_EQ(r.body.find("Lampadaire du voisin"), std::string::npos);
  EXPECT_EQ(Count(Page("/agent?status=resolved").body, "<tr data-row>"), 0u);
  EXPECT_EQ(Count(Page("/agent?channel=phone").body, "<tr data-row>"), 0u);
  EXPECT_EQ(Count(Page("/agent?category=eclairage").body, "<tr data-row>"), 0u);
  // Values that are not choices are left out; the page does not fail.
  r = Page("/agent?priority=%3Cscript%3E&category=nope&q=" + UrlEncode(std::string(300, 'x')));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Count(r.body, "<tr data-row>"), 50u);

  // 52 rows: a first page of 50 and a next one of 2.
  r = Page("/agent?queue=team");
  EXPECT_EQ(Count(r.body, "<tr data-row>"), 50u);
  EXPECT_NE(r.body.find("<span class=\"count\">50+</span>"), std::string::npos);
  const std::string next = Find(r.body, R"re(<a href="([^"]+)" rel="next">)re");
  ASSERT_NE(next.find("after="), std::string::npos) << next;
  r = Page(std::regex_replace(next, std::regex("&amp;"), "&"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Count(r.body, "<tr data-row>"), 2u);
  EXPECT_EQ(r.body.find("rel=\"next\""), std::string::npos);
  EXPECT_NE(r.body.find("Première page"), std::string::npos);
  EXPECT_NE(r.body.find("<span class=\"count\">50+</span>"), std::string::npos);
}

TEST_P(AgentPagesTest, BulkActionsChangeEachRequestAndSayWhichWereRefused) {
  const core::Request a = MakeRequest("Banc cassé", team_id_);
  const core::Request b = MakeRequest("Graffiti", team_id_);
  const core::Request stale = MakeRequest("Poubelle pleine", team_id_);
  const core::Request outside = MakeRequest("Acte de mariage", other_team_id_);
  // Changed by someone else after the queue was shown.
  core::RequestPatch patch;
  patch.priority = core::Priority::kLow;
  ASSERT_OK(store_->UpdateRequest(stale.id, 1, patch, System()).status());

  HttpResult r = Page("/agent");
  EXPECT_NE(r.body.find("name=\"id\" value=\"" + std::to_string(a.id) + ":1\""), std::string::npos);
  auto pick = [](const core::Request& x) { return "&id=" + std::to_string(x.id) + "%3A1"; };
  r = Post("/agent/lot", "action=priority&priority=urgent&back=" + UrlEncode("/agent?queue=team") +
                             pick(a) + pick(b) + pick(stale) + pick(outside) + "&id=junk");
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  EXPECT_EQ(Count(r.body, "<tr class=\"bulk-ok\">"), 2u);
  EXPECT_EQ(Count(r.body, "<tr class=\"bulk-refused\">"), 3u);
  EXPECT_NE(r.body.find("quelqu’un l’a modifiée entre-temps"), std::string::npos);
  EXPECT_NE(r.body.find("<td>#" + std::to_string(outside.id) + "</td>"), std::string::npos);
  EXPECT_NE(r.body.find("refusée : introuvable"), std::string::npos);
  EXPECT_EQ(r.body.find("Acte de mariage"), std::string::npos);  // nothing of it shown
  EXPECT_NE(r.body.find("href=\"/agent?queue=team\""), std::string::npos);
  EXPECT_EQ(Stored(a.id).priority, core::Priority::kUrgent);
  EXPECT_EQ(Stored(b.id).priority, core::Priority::kUrgent);
  EXPECT_EQ(Stored(stale.id).priority, core::Priority::kLow);
  EXPECT_EQ(Stored(outside.id).priority, core::Priority::kNormal);
  EXPECT_EQ(Stored(outside.id).version, 1);

  // Assign to me; a team; a status move the life cycle forbids (new → closed is refused, or
  // allowed: either way one line each).
  r = Post("/agent/lot", "action=assign_me&id=" + std::to_string(a.id) + "%3A2" + pick(outside));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Stored(a.id).assignee_id, agent_id_);
  EXPECT_FALSE(Stored(outside.id).assignee_id.has_value());
  r = Post("/agent/lot", "action=team&team=" + std::to_string(other_team_id_) +
                             "&id=" + std::to_string(b.id) + "%3A2");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Count(r.body, "<tr class=\"bulk-ok\">"), 1u);
  EXPECT_EQ(r.body.find("href=\"" + RequestPath(b)), std::string::npos);  // now out of sight
  EXPECT_EQ(Stored(b.id).team_id, other_team_id_);
  r = Post("/agent/lot", "action=status&status=open&id=" + std::to_string(a.id) + "%3A3");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Stored(a.id).status, core::RequestStatus::kOpen);
  // A link back only into this area.
  r = Post("/agent/lot", "action=assign_me&back=" + UrlEncode("https://evil.example/") +
                             "&id=" + std::to_string(a.id) + "%3A4");
  EXPECT_EQ(r.body.find("evil.example"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/agent?lang=fr\""), std::string::npos);

  // Nothing ticked, an unknown action or team: the page says so.
  EXPECT_EQ(Post("/agent/lot", "action=assign_me").status, 422);
  EXPECT_EQ(Post("/agent/lot", "action=delete" + pick(a)).status, 422);
  EXPECT_EQ(Post("/agent/lot", "action=team&team=999999" + pick(a)).status, 422);

  // A whole page of rows fits (the route's own cap of 120 fields), more does not.
  std::string many = "action=priority&priority=high";
  for (int i = 0; i < 60; ++i) many += "&id=" + std::to_string(900000 + i) + "%3A1";
  EXPECT_EQ(Post("/agent/lot", many).status, 200);
  for (int i = 0; i < 70; ++i) many += "&id=" + std::to_string(800000 + i) + "%3A1";
  EXPECT_EQ(Post("/agent/lot", many).status, 400);

  // Auditors read but do not change; their bulk form is refused.
  const HttpResult form = client_->Get("/demande");
  const std::string set_cookie = form.Header("set-cookie");
  const std::string token = Find(form.body, R"re(name="csrf_token" value="([^"]+)")re");
  r = client_->Post("/agent/lot", "csrf_token=" + UrlEncode(token) + "&action=assign_me" + pick(a),
                    {{"Content-Type", kForm},
                     {"Cookie", set_cookie.substr(0, set_cookie.find(';'))},
                     {"Authorization", "Bearer " + tokens_[Role::kAuditor]}});
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("Accès refusé"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, AgentPagesTest, ::testing::ValuesIn(BackendNames()),
                         BackendParamName);

}  // namespace
}  // namespace guichet::testing
