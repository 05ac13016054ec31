// The supervisor dashboard over real HTTP, on every backend: a known desk (requests created on
// given days, replied to and resolved on and off time against a round-the-clock SLA policy, AI
// suggestions accepted, corrected and ignored) and the exact figures of the store's report, of
// the page and of the CSV files; who may see which teams; and counts that follow new requests.
// A server of its own per test, on a manual clock.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "http_client.h"
#include "own_server.h"
#include "tests/testing/status_macros.h"
#include "tests/testing/store_fixture.h"

namespace guichet::testing {
namespace {

using core::Role;
using storage::kDayMillis;

constexpr Millis kHour = 60 * 60 * 1000;
constexpr Millis kMinute = 60 * 1000;
// The test's "today": the day of kTestStart (2026-03-01), midnight UTC.
constexpr Millis kToday = kTestStart / kDayMillis * kDayMillis;

// The cells of the table row whose heading is `head` in the table of id `table_id`, as text.
std::vector<std::string> RowOf(const std::string& html, const std::string& table_id,
                               const std::string& head) {
  const auto start = html.find("id=\"" + table_id + "\"");
  if (start == std::string::npos) return {};
  const auto end = html.find("</table>", start);
  const std::string table = html.substr(start, end - start);
  const auto row = table.find("<th scope=\"row\">" + head + "</th>");
  if (row == std::string::npos) return {};
  const std::string line = table.substr(row, table.find("</tr>", row) - row);
  std::vector<std::string> cells;
  const std::regex cell(R"re(<td data-value="[^"]*">([^<]*)</td>)re");
  for (auto it = std::sregex_iterator(line.begin(), line.end(), cell); it != std::sregex_iterator();
       ++it)
    cells.push_back((*it)[1].str());
  return cells;
}

class DashboardTest : public OwnServerTest {
 protected:
  void SetUp() override {
    if (auto why = StoreFixtureUnavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    ASSERT_OK_AND_ASSIGN(store_, OpenFreshStore(GetParam(), clock_));
    const auto system = storage::Actor::System("test");
    ASSERT_OK_AND_ASSIGN(roads_, store_->CreateTeam("Voirie", system));
    ASSERT_OK_AND_ASSIGN(civil_, store_->CreateTeam("État civil", system));
    // A hostile name: a spreadsheet would run it as a formula.
    ASSERT_OK_AND_ASSIGN(hostile_,
                         store_->CreateTeam("=HYPERLINK(\"https://x.invalid\",\"x\")", system));
    core::Category lights{0, "eclairage", "Éclairage public", roads_.id};
    ASSERT_OK_AND_ASSIGN(lights_, store_->CreateCategory(lights, system));
    core::Category birth{0, "naissance", "Acte de naissance", civil_.id};
    ASSERT_OK_AND_ASSIGN(birth_, store_->CreateCategory(birth, system));
    sla::Policy policy;
    policy.name = "Tout";
    policy.first_reply_minutes = 60;
    policy.resolution_minutes = 8 * 60;
    policy.business_hours = false;
    policy.warning_percent = 80;
    ASSERT_OK(store_->sla().CreatePolicy(policy, system).status());
    ASSERT_NO_FATAL_FAILURE(AddAccountsAndStart(
        {Role::kAgent, Role::kAdmin, Role::kAuditor, Role::kCitizen}, {roads_.id}, &clock_));
    ASSERT_NO_FATAL_FAILURE(AddLead());
  }

  // A lead of the roads team, with a token.
  void AddLead() {
    core::NewUser lead;
    lead.email = "lead@mairie.example";
    lead.role = Role::kLead;
    lead.team_ids = {roads_.id};
    ASSERT_OK_AND_ASSIGN(auto created, store_->CreateUser(lead, storage::Actor::System("t")));
    lead_token_ = "gu_" + RandomToken(32);
    ASSERT_OK(
        store_->CreateApiToken(created.id, "t", Sha256Hex(lead_token_), storage::Actor::System("t"))
            .status());
  }
  Headers AsLead() { return {{"Authorization", "Bearer " + lead_token_}}; }

  // A request created at `at` on `channel` in the team of `category` (none: no team), with
  // AI suggestions applied automatically for its category and priority when `with_ai`.
  core::Request Make(Millis at, core::Channel channel, const core::Category* category,
                     bool with_ai = false) {
    clock_.Set(at);
    core::NewRequest n;
    n.subject = "Demande";
    n.description = "Texte";
    n.channel = channel;
    if (category) n.category_id = category->id;
    n.citizen = core::NewCitizen{"Camille", "camille@example.org", "", "fr"};
    if (with_ai) {
      core::AiSuggestion c{std::string(storage::kAiTriageCategory), std::nullopt, "auto",
                           category ? std::optional(category->slug) : std::nullopt, 0.9};
      c.applied = true;
      core::AiSuggestion p{std::string(storage::kAiTriagePriority), std::nullopt, "auto", "normal",
                           0.9};
      p.applied = true;
      n.ai_suggestions = {c, p};
    }
    auto made = store_->CreateRequest(n, "secret-hash", storage::Actor::System("test"));
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? *made : core::Request{};
  }

  void Reply(const core::Request& r, Millis at) {
    clock_.Set(at);
    core::NewMessage m;
    m.body = "Bonjour";
    m.author_name = "Agent";
    ASSERT_OK(
        store_->AddMessage(r.id, m, /*from_staff=*/true, storage::Actor::System("t")).status());
  }

  void SetStatus(const core::Request& r, core::RequestStatus status, Millis at) {
    clock_.Set(at);
    ASSERT_OK_AND_ASSIGN(auto now, store_->GetRequest(r.id));
    core::RequestPatch patch;
    patch.status = status;
    ASSERT_OK(
        store_->UpdateRequest(r.id, now.version, patch, storage::Actor::System("t")).status());
  }

  void Review(const core::Request& r, std::string_view feature, const std::string& outcome,
              Millis at) {
    clock_.Set(at);
    ASSERT_OK_AND_ASSIGN(auto decisions, store_->ai().ListDecisions(r.id));
    for (const auto& d : decisions) {
      if (d.suggestion.feature != feature) continue;
      storage::AiReview review;
      review.outcome = outcome;
      if (outcome == "corrected") {
        review.priority = core::Priority::kHigh;
        ASSERT_OK_AND_ASSIGN(auto now, store_->GetRequest(r.id));
        review.expected_version = now.version;
      }
      ASSERT_OK(store_->ReviewAiDecision(d.id, review, storage::Actor::System("t")).status());
    }
  }

  // The desk of every test (today is 2026-03-01, the page's default period the 30 days to it):
  //   a: roads, web, two days ago; replied after 30 min (on time), resolved after 10 h (late);
  //   b: roads, email, yesterday; replied after 2 h (late), resolved after 4 h (on time);
  //   c: civil status, phone, today 09:00, not replied to: at risk at 09:50;
  //   d: no team, web, today 09:30, nothing yet;
  //   e: roads, 40 days ago (before the period), open.
  // AI: a's category accepted and priority ignored, b's category accepted and priority
  // corrected, all today. Then the clock stands at today 09:50.
  void MakeDesk() {
    a_ = Make(kToday - 2 * kDayMillis + 9 * kHour, core::Channel::kWeb, &lights_, true);
    Reply(a_, a_.created_at + 30 * kMinute);
    SetStatus(a_, core::RequestStatus::kResolved, a_.created_at + 10 * kHour);
    b_ = Make(kToday - kDayMillis + 9 * kHour, core::Channel::kEmail, &lights_, true);
    Reply(b_, b_.created_at + 2 * kHour);
    SetStatus(b_, core::RequestStatus::kResolved, b_.created_at + 4 * kHour);
    e_ = Make(kToday - 40 * kDayMillis, core::Channel::kWeb, &lights_);
    SetStatus(e_, core::RequestStatus::kOpen, kToday - 40 * kDayMillis + kHour);
    c_ = Make(kToday + 9 * kHour, core::Channel::kPhone, &birth_);
    d_ = Make(kToday + 9 * kHour + 30 * kMinute, core::Channel::kWeb, nullptr);
    Review(a_, storage::kAiTriageCategory, "accepted", kToday + 9 * kHour + 40 * kMinute);
    Review(a_, storage::kAiTriagePriority, "ignored", kToday + 9 * kHour + 40 * kMinute);
    Review(b_, storage::kAiTriageCategory, "accepted", kToday + 9 * kHour + 40 * kMinute);
    Review(b_, storage::kAiTriagePriority, "corrected", kToday + 9 * kHour + 40 * kMinute);
    clock_.Set(kToday + 9 * kHour + 50 * kMinute);
  }

  HttpResult Page(const std::string& query, const Headers& who) {
    return client_->Get("/agent/tableau-de-bord" + query, who);
  }

  core::Team roads_, civil_, hostile_;
  core::Category lights_, birth_;
  std::string lead_token_;
  core::Request a_, b_, c_, d_, e_;
};

TEST_P(DashboardTest, StoreReportHasTheExactFigures) {
  ASSERT_NO_FATAL_FAILURE(MakeDesk());
  storage::ReportQuery q;
  q.from = kToday - 29 * kDayMillis;
  q.to = kToday + kDayMillis;
  ASSERT_OK_AND_ASSIGN(auto r, store_->reports().Dashboard(q));
  EXPECT_EQ(r.created, 4);
  ASSERT_EQ(r.created_per_day.size(), 30u);
  EXPECT_EQ(r.created_per_day.front().first, q.from);
  EXPECT_EQ(r.created_per_day[27].second, 1);  // two days ago
  EXPECT_EQ(r.created_per_day[28].second, 1);
  EXPECT_EQ(r.created_per_day[29].second, 2);  // today
  EXPECT_EQ(r.created_per_day[0].second, 0);
  EXPECT_EQ(r.created_per_team.at(roads_.id), 2);
  EXPECT_EQ(r.created_per_team.at(civil_.id), 1);
  EXPECT_EQ(r.created_per_team.at(std::nullopt), 1);
  EXPECT_EQ(r.created_per_channel.at(core::Channel::kWeb), 2);
  EXPECT_EQ(r.created_per_channel.at(core::Channel::kEmail), 1);
  EXPECT_EQ(r.created_per_channel.at(core::Channel::kPhone), 1);

  EXPECT_EQ(r.backlog_total, 3);  // c, d and e
  ASSERT_EQ(r.backlog.size(), 3u);

  EXPECT_EQ(r.first_reply.reached, 2);
  EXPECT_EQ(r.first_reply.with_target, 2);
  EXPECT_EQ(r.first_reply.met, 1);
  EXPECT_EQ(r.first_reply.median, 30 * kMinute);
  EXPECT_EQ(r.first_reply.p90, 2 * kHour);
  EXPECT_EQ(r.resolution.reached, 2);
  EXPECT_EQ(r.resolution.met, 1);
  EXPECT_EQ(r.resolution.median, 4 * kHour);
  EXPECT_EQ(r.resolution.p90, 10 * kHour);
  EXPECT_EQ(r.running.first_reply_at_risk, 1);   // c: 50 of its 60 minutes gone
  EXPECT_EQ(r.running.first_reply_breached, 1);  // e, for weeks
  EXPECT_EQ(r.running.resolution_at_risk, 0);
  EXPECT_EQ(r.running.resolution_breached, 1);

  ASSERT_EQ(r.ai.size(), 3u);
  EXPECT_EQ(r.ai[0].feature, storage::kAiTriageCategory);
  EXPECT_EQ(r.ai[0].accepted, 2);
  EXPECT_EQ(r.ai[1].feature, storage::kAiTriagePriority);
  EXPECT_EQ(r.ai[1].corrected, 1);
  EXPECT_EQ(r.ai[1].ignored, 1);
  EXPECT_EQ(r.ai[2].accepted + r.ai[2].corrected + r.ai[2].ignored, 0);

  // Scoped to the civil status team: c alone.
  q.scope_team_ids = std::vector<core::Id>{civil_.id};
  ASSERT_OK_AND_ASSIGN(r, store_->reports().Dashboard(q));
  EXPECT_EQ(r.created, 1);
  EXPECT_EQ(r.backlog_total, 1);
  EXPECT_EQ(r.first_reply.reached, 0);
  EXPECT_FALSE(r.first_reply.median.has_value());
  EXPECT_EQ(r.running.first_reply_at_risk, 1);
  EXPECT_EQ(r.ai[0].accepted, 0);
  // An empty scope sees nothing.
  q.scope_team_ids = std::vector<core::Id>{};
  ASSERT_OK_AND_ASSIGN(r, store_->reports().Dashboard(q));
  EXPECT_EQ(r.created, 0);
  EXPECT_EQ(r.backlog_total, 0);

  // Later: c overdue.
  clock_.Set(kToday + 10 * kHour);
  q.scope_team_ids.reset();
  ASSERT_OK_AND_ASSIGN(r, store_->reports().Dashboard(q));
  EXPECT_EQ(r.running.first_reply_breached, 2);
  EXPECT_EQ(r.running.first_reply_at_risk, 0);

  // Bad periods.
  q.to = q.from;
  EXPECT_EQ(store_->reports().Dashboard(q).status().code(), StatusCode::kInvalidArgument);
  q.to = q.from + 367 * kDayMillis;
  EXPECT_EQ(store_->reports().Dashboard(q).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(DashboardTest, PageShowsTheFiguresOfTheLast30Days) {
  ASSERT_NO_FATAL_FAILURE(MakeDesk());
  const HttpResult r = Page("", As(Role::kAdmin));
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
  const std::string& html = r.body;
  EXPECT_NE(html.find("<h1>Tableau de bord</h1>"), std::string::npos);
  EXPECT_NE(html.find("value=\"2026-01-31\""), std::string::npos);  // from: 29 days before
  EXPECT_NE(html.find("value=\"2026-03-01\""), std::string::npos);
  EXPECT_EQ(RowOf(html, "dash-volumes-par-jour", "2026-03-01"), std::vector<std::string>{"2"});
  EXPECT_EQ(RowOf(html, "dash-volumes-par-jour", "2026-02-27"), std::vector<std::string>{"1"});
  EXPECT_EQ(RowOf(html, "dash-volumes-par-jour", "2026-02-01"), std::vector<std::string>{"0"});
  EXPECT_EQ(RowOf(html, "dash-volumes-par-equipe", "Voirie"), std::vector<std::string>{"2"});
  EXPECT_EQ(RowOf(html, "dash-volumes-par-equipe", "Sans équipe"), std::vector<std::string>{"1"});
  EXPECT_EQ(RowOf(html, "dash-volumes-par-canal", "Courriel"), std::vector<std::string>{"1"});
  // Backlog: new, open, waiting for the requester, for a third party, total.
  EXPECT_EQ(RowOf(html, "dash-stock", "Voirie"),
            (std::vector<std::string>{"0", "1", "0", "0", "1"}));
  EXPECT_EQ(RowOf(html, "dash-stock", "État civil"),
            (std::vector<std::string>{"1", "0", "0", "0", "1"}));
  EXPECT_EQ(
      RowOf(html, "dash-delais", "Première réponse"),
      (std::vector<std::string>{"2", "2", "1", "50,0\u00a0%", "30 min", "2 h 00 min", "1", "1"}));
  EXPECT_EQ(RowOf(html, "dash-delais", "Résolution"),
            (std::vector<std::string>{"2", "2", "1", "50,0\u00a0%", "4 h 00 min", "10 h 00 min",
                                      "0", "1"}));
  EXPECT_EQ(RowOf(html, "dash-ia", "Catégorie"),
            (std::vector<std::string>{"2", "0", "0", "2", "100,0\u00a0%"}));
  EXPECT_EQ(RowOf(html, "dash-ia", "Priorité"),
            (std::vector<std::string>{"0", "1", "1", "2", "0,0\u00a0%"}));
  // Tables for everyone, charts for those with scripts, and a CSV link per table.
  EXPECT_NE(html.find("<caption>Demandes reçues par jour</caption>"), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"col\">Jour</th>"), std::string::npos);
  EXPECT_NE(html.find("data-chart=\"days\""), std::string::npos);
  EXPECT_NE(html.find("src=\"/static/dashboard.js\""), std::string::npos);
  EXPECT_NE(html.find("href=\"/agent/tableau-de-bord/delais.csv?from=2026-01-31&amp;to=2026-03-01"
                      "&amp;lang=fr\""),
            std::string::npos);
  // The hostile team name is text.
  EXPECT_NE(html.find("=HYPERLINK(&quot;https://x.invalid&quot;,&quot;x&quot;)"),
            std::string::npos);

  // In English.
  const HttpResult en = Page("?lang=en", As(Role::kAdmin));
  ASSERT_EQ(en.status, 200);
  EXPECT_EQ(RowOf(en.body, "dash-delais", "First reply"),
            (std::vector<std::string>{"2", "2", "1", "50.0%", "30 min", "2 h 00 min", "1", "1"}));
}

TEST_P(DashboardTest, PeriodAndTeamAreChosen) {
  ASSERT_NO_FATAL_FAILURE(MakeDesk());
  // Yesterday only: b.
  HttpResult r = Page("?from=2026-02-28&to=2026-02-28", As(Role::kAuditor));
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(RowOf(r.body, "dash-volumes-par-jour", "2026-02-28"), std::vector<std::string>{"1"});
  EXPECT_EQ(RowOf(r.body, "dash-volumes-par-jour", "2026-03-01"), std::vector<std::string>{});
  // The backlog is of now whatever the period.
  EXPECT_EQ(RowOf(r.body, "dash-stock", "Voirie").back(), "1");
  // One team.
  r = Page("?team=" + std::to_string(civil_.id), As(Role::kAdmin));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(RowOf(r.body, "dash-volumes-par-equipe", "État civil"), std::vector<std::string>{"1"});
  EXPECT_EQ(RowOf(r.body, "dash-volumes-par-equipe", "Voirie"), std::vector<std::string>{});
  EXPECT_EQ(RowOf(r.body, "dash-volumes-par-canal", "Téléphone"), std::vector<std::string>{"1"});
  // Refused choices.
  EXPECT_EQ(Page("?from=2026-02-30", As(Role::kAdmin)).status, 400);
  EXPECT_EQ(Page("?from=hier", As(Role::kAdmin)).status, 400);
  EXPECT_EQ(Page("?from=2026-03-02&to=2026-03-01", As(Role::kAdmin)).status, 400);
  EXPECT_EQ(Page("?from=2024-01-01&to=2026-03-01", As(Role::kAdmin)).status, 400);
  EXPECT_EQ(Page("?team=abc", As(Role::kAdmin)).status, 400);
  EXPECT_EQ(Page("?team=999999", As(Role::kAdmin)).status, 404);
}

TEST_P(DashboardTest, WhoMaySeeWhat) {
  ASSERT_NO_FATAL_FAILURE(MakeDesk());
  HttpResult r = Page("", {});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("location"), "/agent/connexion?lang=fr");
  r = Page("", As(Role::kCitizen));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("Accès refusé"), std::string::npos);
  r = Page("", As(Role::kAgent));  // agents work queues
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("Accès refusé"), std::string::npos);
  EXPECT_EQ(client_->Get("/agent/tableau-de-bord/stock.csv", As(Role::kAgent)).status, 403);
  EXPECT_EQ(Page("", As(Role::kAuditor)).status, 200);

  // A lead sees their team only, and no request without one.
  r = Page("", AsLead());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(RowOf(r.body, "dash-volumes-par-jour", "2026-03-01"), std::vector<std::string>{"0"});
  EXPECT_EQ(RowOf(r.body, "dash-volumes-par-equipe", "Voirie"), std::vector<std::string>{"2"});
  EXPECT_EQ(RowOf(r.body, "dash-volumes-par-equipe", "État civil"), std::vector<std::string>{});
  EXPECT_EQ(RowOf(r.body, "dash-volumes-par-equipe", "Sans équipe"), std::vector<std::string>{});
  EXPECT_EQ(RowOf(r.body, "dash-delais", "Première réponse")[6], "0");  // c is not theirs
  EXPECT_EQ(RowOf(r.body, "dash-delais", "Première réponse")[7], "1");  // e is
  EXPECT_EQ(r.body.find("État civil"), std::string::npos);
  r = Page("?team=" + std::to_string(civil_.id), AsLead());
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("Accès refusé"), std::string::npos);
  EXPECT_EQ(Page("?team=" + std::to_string(roads_.id), AsLead()).status, 200);
  EXPECT_EQ(
      client_->Get("/agent/tableau-de-bord/stock.csv?team=" + std::to_string(civil_.id), AsLead())
          .status,
      403);
}

TEST_P(DashboardTest, EachTableIsACsvFile) {
  ASSERT_NO_FATAL_FAILURE(MakeDesk());
  HttpResult r = client_->Get("/agent/tableau-de-bord/delais.csv", As(Role::kAdmin));
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(r.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r.Header("content-disposition"),
            "attachment; filename=\"guichet-delais-2026-01-31-2026-03-01.csv\"");
  EXPECT_EQ(r.body,
            "\xEF\xBB\xBF"
            "Objectif,Atteint dans la période,Dont avec échéance,Dans les délais,Taux de respect,"
            "Durée médiane,90e centile,Bientôt dues maintenant,En retard maintenant\r\n"
            "Première réponse,2,2,1,50.0,0.5,2.0,1,1\r\n"
            "Résolution,2,2,1,50.0,4.0,10.0,0,1\r\n");

  // Every team, the hostile name neutralised (a leading apostrophe) and quoted.
  r = client_->Get("/agent/tableau-de-bord/volumes-par-equipe.csv?lang=en", As(Role::kAdmin));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\xEF\xBB\xBFTeam,Requests received\r\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\r\nVoirie,2\r\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\r\n\"'=HYPERLINK(\"\"https://x.invalid\"\",\"\"x\"\")\",0\r\n"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("\r\nNo team,1\r\n"), std::string::npos) << r.body;

  r = client_->Get("/agent/tableau-de-bord/volumes-par-jour.csv?from=2026-02-27&to=2026-03-01",
                   As(Role::kAdmin));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "\xEF\xBB\xBFJour,Demandes reçues\r\n2026-02-27,1\r\n2026-02-28,1\r\n2026-03-01,2\r\n");
  r = client_->Get("/agent/tableau-de-bord/ia.csv", As(Role::kAdmin));
  EXPECT_NE(r.body.find("\r\nPriorité,0,1,1,2,0.0\r\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\r\nLangue,0,0,0,0,\r\n"), std::string::npos) << r.body;
  r = client_->Get("/agent/tableau-de-bord/stock.csv", As(Role::kAdmin));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(client_->Get("/agent/tableau-de-bord/secret.csv", As(Role::kAdmin)).status, 404);
  EXPECT_EQ(client_->Get("/agent/tableau-de-bord/stock", As(Role::kAdmin)).status, 404);
  EXPECT_EQ(client_->Get("/agent/tableau-de-bord/stock.csv", {}).status, 303);
}

TEST_P(DashboardTest, CountsFollowNewRequests) {
  ASSERT_NO_FATAL_FAILURE(MakeDesk());
  EXPECT_EQ(RowOf(Page("", AsLead()).body, "dash-volumes-par-jour", "2026-03-01"),
            std::vector<std::string>{"0"});
  Headers h = As(Role::kAgent, /*with_body=*/true);
  const HttpResult created = client_->Post(
      "/api/v1/requests",
      R"({"subject": "Lampadaire", "description": "Éteint", "channel": "phone", "category": ")" +
          lights_.slug + "\"}",
      h);
  ASSERT_EQ(created.status, 201) << created.body;
  const HttpResult r = Page("", AsLead());
  EXPECT_EQ(RowOf(r.body, "dash-volumes-par-jour", "2026-03-01"), std::vector<std::string>{"1"});
  EXPECT_EQ(RowOf(r.body, "dash-stock", "Voirie").back(), "2");
}

TEST_P(DashboardTest, JsonHasTheSameFigures) {
  ASSERT_NO_FATAL_FAILURE(MakeDesk());
  HttpResult r = client_->Get("/api/v1/reports/dashboard", As(Role::kAuditor));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.Json();
  EXPECT_EQ(j["from"], "2026-01-31");
  EXPECT_EQ(j["to"], "2026-03-01");
  EXPECT_TRUE(j["team_id"].is_null());
  EXPECT_EQ(j["created"]["total"], 4);
  EXPECT_EQ(j["created"]["per_day"].size(), 30u);
  EXPECT_EQ(j["created"]["per_day"][29], (nlohmann::json{{"day", "2026-03-01"}, {"count", 2}}));
  EXPECT_EQ(j["backlog"]["total"], 3);
  EXPECT_EQ(j["first_reply"]["met"], 1);
  EXPECT_EQ(j["first_reply"]["compliance"], 0.5);
  EXPECT_EQ(j["first_reply"]["median_minutes"], 30.0);
  EXPECT_EQ(j["first_reply"]["p90_minutes"], 120.0);
  EXPECT_EQ(j["first_reply"]["at_risk_now"], 1);
  EXPECT_EQ(j["resolution"]["p90_minutes"], 600.0);
  EXPECT_EQ(j["ai"][0]["acceptance"], 1.0);
  EXPECT_EQ(j["ai"][1]["corrected"], 1);
  EXPECT_TRUE(j["ai"][2]["acceptance"].is_null());

  r = client_->Get("/api/v1/reports/dashboard?team=" + std::to_string(civil_.id), AsLead());
  EXPECT_EQ(r.status, 403);
  r = client_->Get("/api/v1/reports/dashboard", AsLead());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["created"]["total"], 2);
  EXPECT_EQ(client_->Get("/api/v1/reports/dashboard", As(Role::kAgent)).status, 403);
  EXPECT_EQ(client_->Get("/api/v1/reports/dashboard", {}).status, 401);
  r = client_->Get("/api/v1/reports/dashboard?from=2026-13-01", As(Role::kAdmin));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"field\":\"from\""), std::string::npos) << r.body;
  EXPECT_EQ(client_->Get("/api/v1/reports/dashboard?limit=3", As(Role::kAdmin)).status, 400);
  EXPECT_EQ(client_->Get("/api/v1/reports/dashboard?team=999999", As(Role::kAdmin)).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, DashboardTest, ::testing::ValuesIn(BackendNames()),
                         BackendParamName);

}  // namespace
}  // namespace guichet::testing
