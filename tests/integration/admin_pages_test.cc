// The admin pages over real HTTP, on every backend: who may open them (admins change, auditors
// read, the others are turned away), and for each section the list, a creation, a change, bad
// input shown next to its field with the values kept, changes on a stale version explained, and
// every change audited as the API audits it. A server of its own per test (fresh store).
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>

#include "http_client.h"
#include "own_server.h"
#include "page_helpers.h"
#include "tests/testing/status_macros.h"
#include "tests/testing/store_fixture.h"

namespace guichet::testing {
namespace {

using core::Role;
using json = nlohmann::json;

bool Has(const std::string& body, const std::string& text) {
  return body.find(text) != std::string::npos;
}

class AdminPagesTest : public OwnServerTest {
 protected:
  struct Session {
    std::string cookie;  // "guichet_session=…"
    std::string csrf;
  };

  void SetUp() override {
    if (auto why = StoreFixtureUnavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    ASSERT_OK_AND_ASSIGN(store_, OpenFreshStore(GetParam(), clock_));
    ASSERT_OK_AND_ASSIGN(auto team, store_->CreateTeam("Voirie", storage::Actor::System("test")));
    team_id_ = team.id;
    core::Category lights;
    lights.slug = "eclairage";
    lights.name = "Éclairage public";
    lights.default_team_id = team.id;
    ASSERT_OK_AND_ASSIGN(auto category,
                         store_->CreateCategory(lights, storage::Actor::System("test")));
    category_id_ = category.id;
    ASSERT_NO_FATAL_FAILURE(AddAccountsAndStart({Role::kAdmin}, {team.id}, &clock_));
  }

  // A user of `role` who signs in through the sign-in page; their session and its CSRF token.
  Session SignedIn(Role role) {
    const std::string email = "page-" + std::string(core::ToString(role)) + "@mairie.example";
    std::vector<core::Id> teams;
    if (role == Role::kAgent || role == Role::kLead) teams = {team_id_};
    EXPECT_TRUE(
        store_
            ->CreateUser(UserWithPassword(email, "Dominique " + std::string(core::ToString(role)),
                                          role, teams),
                         storage::Actor::System("test"))
            .ok());
    HttpResult r = PostSignIn(*client_, email);
    EXPECT_EQ(r.status, 303) << r.body.substr(0, 300);
    Session s;
    s.cookie = CookieOf(r.Header("set-cookie"));
    // The session's token, as every page with a form carries it (the request form, open to all).
    r = client_->Get("/demande", {{"Cookie", s.cookie}});
    s.csrf = FormToken(r.body);
    EXPECT_FALSE(s.csrf.empty());
    return s;
  }

  HttpResult Get(const std::string& target, const Session& s) {
    return client_->Get(target, {{"Cookie", s.cookie}});
  }

  HttpResult Post(const std::string& target,
                  const std::vector<std::pair<std::string, std::string>>& fields,
                  const Session& s) {
    std::string body = "csrf_token=" + UrlEncode(s.csrf);
    for (const auto& [k, v] : fields) body += "&" + k + "=" + UrlEncode(v);
    return client_->Post(target, body, {{"Content-Type", kForm}, {"Cookie", s.cookie}});
  }

  // The actions of the audit log, oldest first.
  std::vector<std::string> AuditActions() {
    storage::AuditQuery q;
    q.limit = 1000;
    auto entries = store_->ListAudit(q);
    EXPECT_TRUE(entries.ok());
    std::vector<std::string> out;
    if (entries.ok())
      for (const auto& e : *entries) out.push_back(e.action);
    return out;
  }

  bool Audited(const std::string& action) {
    const auto all = AuditActions();
    return std::find(all.begin(), all.end(), action) != all.end();
  }

  core::Id team_id_ = 0;
  core::Id category_id_ = 0;
};

TEST_P(AdminPagesTest, AdminsChangeAuditorsReadOthersAreTurnedAway) {
  HttpResult r = client_->Get("/admin/sla?lang=en");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("location"), "/agent/connexion?lang=en");

  for (Role role : {Role::kAgent, Role::kLead, Role::kCitizen}) {
    const Session s = SignedIn(role);
    for (const char* page : {"/admin", "/admin/utilisateurs", "/admin/sla", "/admin/ia"}) {
      r = Get(page, s);
      EXPECT_EQ(r.status, 403) << page << " " << core::ToString(role);
      EXPECT_TRUE(Has(r.body, "Accès refusé")) << page;
    }
    r = Post("/admin/equipes", {{"name", "Interdite"}}, s);
    EXPECT_EQ(r.status, 403);
  }
  EXPECT_FALSE(store_->FindTeamByName("Interdite").ok());

  // Auditors read every section, without a form, and may change nothing.
  const Session auditor = SignedIn(Role::kAuditor);
  for (const char* page : {"/admin", "/admin/utilisateurs", "/admin/equipes", "/admin/categories",
                           "/admin/sla", "/admin/automatisations", "/admin/ia"}) {
    r = Get(page, auditor);
    EXPECT_EQ(r.status, 200) << page << r.body.substr(0, 300);
    EXPECT_FALSE(Has(r.body, "<form class=\"admin-form")) << page;
  }
  r = Post("/admin/equipes", {{"name", "Par l'auditeur"}}, auditor);
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(Has(r.body, "Accès refusé"));
  EXPECT_FALSE(store_->FindTeamByName("Par l'auditeur").ok());

  // The admin's index links every section; the staff bar links the index.
  const Session admin = SignedIn(Role::kAdmin);
  r = Get("/admin", admin);
  ASSERT_EQ(r.status, 200);
  for (const char* link :
       {"/admin/utilisateurs?lang=fr", "/admin/equipes?lang=fr", "/admin/categories?lang=fr",
        "/admin/sla?lang=fr", "/admin/automatisations?lang=fr", "/admin/ia?lang=fr"})
    EXPECT_TRUE(Has(r.body, std::string("href=\"") + link + "\"")) << link;
  EXPECT_TRUE(Has(Get("/agent", admin).body, "href=\"/admin?lang=fr\""));
}

TEST_P(AdminPagesTest, FormsWithoutTheSessionTokenAreRefused) {
  const Session admin = SignedIn(Role::kAdmin);
  for (const char* target : {"/admin/equipes", "/admin/sla", "/admin/utilisateurs",
                             "/admin/ia/triage.category", "/admin/automatisations"}) {
    HttpResult r = client_->Post(target, "name=Sans+jeton",
                                 {{"Content-Type", kForm}, {"Cookie", admin.cookie}});
    EXPECT_EQ(r.status, 403) << target;
    r = client_->Post(target, "csrf_token=not-the-token&name=Sans+jeton",
                      {{"Content-Type", kForm}, {"Cookie", admin.cookie}});
    EXPECT_EQ(r.status, 403) << target;
  }
  EXPECT_FALSE(store_->FindTeamByName("Sans jeton").ok());
}

TEST_P(AdminPagesTest, UsersAreListedAndCreatedWithTheApisRules) {
  const Session admin = SignedIn(Role::kAdmin);
  HttpResult r = Get("/admin/utilisateurs", admin);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(Has(r.body, "page-admin@mairie.example"));
  EXPECT_TRUE(Has(r.body, "Administrateur"));

  // Bad input: each error next to its field, the values kept, the password never echoed.
  r = Post("/admin/utilisateurs",
           {{"display_name", "Lou <Nouvelle>"},
            {"email", "pas-une-adresse"},
            {"role", "agent"},
            {"team", std::to_string(team_id_)},
            {"password", "court"}},
           admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "id=\"user-password-error\"")) << r.body;
  EXPECT_TRUE(Has(r.body, "au moins 10 caractères"));
  EXPECT_TRUE(Has(r.body, "value=\"Lou &lt;Nouvelle&gt;\""));
  EXPECT_TRUE(Has(r.body, "value=\"pas-une-adresse\""));
  EXPECT_FALSE(Has(r.body, "court\""));
  r = Post("/admin/utilisateurs", {{"email", "pas-une-adresse"}, {"role", "agent"}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "id=\"user-email-error\""));

  r = Post("/admin/utilisateurs",
           {{"display_name", "Lou Nouvelle"},
            {"email", "lou@mairie.example"},
            {"role", "lead"},
            {"team", std::to_string(team_id_)},
            {"password", "un-mot-de-passe-long"}},
           admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 500);
  EXPECT_EQ(r.Header("location"), "/admin/utilisateurs?lang=fr&done=created");
  ASSERT_OK_AND_ASSIGN(auto lou, store_->FindUserByEmail("lou@mairie.example"));
  EXPECT_EQ(lou.user.role, Role::kLead);
  EXPECT_EQ(lou.user.team_ids, std::vector<core::Id>{team_id_});
  EXPECT_FALSE(lou.password_hash.empty());
  EXPECT_TRUE(Audited("user.create"));
  r = Get("/admin/utilisateurs?done=created", admin);
  EXPECT_TRUE(Has(r.body, "Création enregistrée."));
  EXPECT_TRUE(Has(r.body, "lou@mairie.example"));

  // The same e-mail again is refused next to the e-mail.
  r = Post("/admin/utilisateurs", {{"email", "lou@mairie.example"}, {"role", "agent"}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "id=\"user-email-error\""));
}

TEST_P(AdminPagesTest, UsersChangeRoleTeamsAndAccessButNotTheirOwn) {
  ASSERT_OK_AND_ASSIGN(auto second, store_->CreateTeam("État civil", storage::Actor::System("t")));
  const Session admin = SignedIn(Role::kAdmin);
  const Session agent = SignedIn(Role::kAgent);
  ASSERT_OK_AND_ASSIGN(auto who, store_->FindUserByEmail("page-agent@mairie.example"));
  const std::string page = "/admin/utilisateurs/" + std::to_string(who.user.id);
  HttpResult r = Get("/admin/utilisateurs", admin);
  EXPECT_TRUE(Has(r.body, "href=\"" + page + "?lang=fr\""));
  r = Get(page, admin);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(Has(r.body, "value=\"agent\" selected"));
  EXPECT_TRUE(Has(r.body, "name=\"team\" value=\"" + std::to_string(team_id_) + "\" checked"));

  // Lead of both teams: audited field by field.
  r = Post(page,
           {{"role", "lead"},
            {"team", std::to_string(team_id_)},
            {"team", std::to_string(second.id)},
            {"active", "yes"}},
           admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 800);
  EXPECT_EQ(r.Header("location"), page + "?lang=fr&done=saved");
  ASSERT_OK_AND_ASSIGN(auto changed, store_->GetUser(who.user.id));
  EXPECT_EQ(changed.role, Role::kLead);
  EXPECT_EQ(changed.team_ids, (std::vector<core::Id>{team_id_, second.id}));
  EXPECT_TRUE(Audited("user.update"));
  // Deactivated (the box unticked): their session stops at once.
  EXPECT_EQ(Get("/agent", agent).status, 200);
  r = Post(page, {{"role", "lead"}, {"team", std::to_string(team_id_)}}, admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 800);
  ASSERT_OK_AND_ASSIGN(changed, store_->GetUser(who.user.id));
  EXPECT_FALSE(changed.active);
  EXPECT_EQ(changed.team_ids, std::vector<core::Id>{team_id_});
  EXPECT_EQ(Get("/agent", agent).status, 303);

  // Bad input: an unknown team, a citizen role; each next to its field, the choices kept.
  r = Post(page, {{"role", "lead"}, {"team", "99999"}, {"active", "yes"}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "id=\"user-team-error\"")) << r.body;
  r = Post(page, {{"role", "citizen"}, {"active", "yes"}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "id=\"user-role-error\""));
  EXPECT_TRUE(Has(r.body, "value=\"citizen\" selected"));
  ASSERT_OK_AND_ASSIGN(changed, store_->GetUser(who.user.id));
  EXPECT_EQ(changed.role, Role::kLead);

  // An admin's own role and access are another admin's to change.
  ASSERT_OK_AND_ASSIGN(auto me, store_->FindUserByEmail("page-admin@mairie.example"));
  const std::string mine = "/admin/utilisateurs/" + std::to_string(me.user.id);
  r = Post(mine, {{"role", "auditor"}, {"active", "yes"}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "propre rôle"));
  r = Post(mine, {{"role", "admin"}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "id=\"user-active-error\""));
  ASSERT_OK_AND_ASSIGN(me, store_->FindUserByEmail("page-admin@mairie.example"));
  EXPECT_TRUE(me.user.active);
  EXPECT_EQ(me.user.role, Role::kAdmin);
  EXPECT_EQ(Get("/admin/utilisateurs/99999", admin).status, 404);
}

// The API's side of the same rules: PATCH /api/v1/users/{id}.
TEST_P(AdminPagesTest, TheApiChangesUsersWithTheSameRules) {
  core::NewUser u;
  u.email = "api-agent@mairie.example";
  u.role = Role::kAgent;
  u.team_ids = {team_id_};
  ASSERT_OK_AND_ASSIGN(auto agent, store_->CreateUser(u, storage::Actor::System("t")));
  const std::string target = "/api/v1/users/" + std::to_string(agent.id);
  HttpResult r =
      client_->Patch(target, R"({"role": "auditor", "team_ids": []})", As(Role::kAdmin, true));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["role"], "auditor");
  EXPECT_EQ(r.Json()["team_ids"], json::array());
  r = client_->Patch(target, R"({"role": "mayor"})", As(Role::kAdmin, true));
  EXPECT_EQ(r.status, 422);
  r = client_->Patch(target, R"({"nickname": "x"})", As(Role::kAdmin, true));
  EXPECT_EQ(r.status, 422);
  r = client_->Patch(target, R"({})", As(Role::kAdmin, true));
  EXPECT_EQ(r.status, 422);
  r = client_->Patch(target, R"({"team_ids": [99999]})", As(Role::kAdmin, true));
  EXPECT_EQ(r.status, 422) << r.body;
  r = client_->Patch(target, R"({"role": "citizen"})", As(Role::kAdmin, true));
  EXPECT_EQ(r.status, 409) << r.body;
  r = client_->Patch("/api/v1/users/99999", R"({"active": false})", As(Role::kAdmin, true));
  EXPECT_EQ(r.status, 404);
  // The admin behind the token cannot lock themselves out.
  ASSERT_OK_AND_ASSIGN(auto me, store_->FindUserByEmail("admin@mairie.example"));
  r = client_->Patch("/api/v1/users/" + std::to_string(me.user.id), R"({"active": false})",
                     As(Role::kAdmin, true));
  EXPECT_EQ(r.status, 422);
  r = client_->Patch(target, R"({"active": false})", As(Role::kAdmin, true));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["active"], false);
}

TEST_P(AdminPagesTest, TeamsAreCreatedAndGetTheirOpeningHours) {
  const Session admin = SignedIn(Role::kAdmin);
  HttpResult r = Post("/admin/equipes", {{"name", "État civil"}}, admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 500);
  ASSERT_OK_AND_ASSIGN(auto team, store_->FindTeamByName("État civil"));
  EXPECT_TRUE(Audited("team.create"));
  r = Post("/admin/equipes", {{"name", "  "}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "id=\"team-name-error\""));
  r = Post("/admin/equipes", {{"name", "État civil"}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "value=\"État civil\""));

  const std::string hours = "/admin/equipes/" + std::to_string(team.id) + "/horaires";
  r = Post(hours, {{"opening_hours", "lundi matin"}}, admin);
  EXPECT_EQ(r.status, 422);
  const std::string field = "team-hours-" + std::to_string(team.id);
  EXPECT_TRUE(Has(r.body, "id=\"" + field + "-error\"")) << r.body;
  EXPECT_TRUE(Has(r.body, "value=\"lundi matin\""));
  r = Post(hours, {{"opening_hours", "mon-fri 08:00-18:00"}}, admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 500);
  r = client_->Get("/api/v1/teams/" + std::to_string(team.id) + "/opening-hours", As(Role::kAdmin));
  EXPECT_EQ(r.Json()["opening_hours"], "mon-fri 08:00-18:00");
  EXPECT_TRUE(Has(Get("/admin/equipes", admin).body, "mon-fri 08:00-18:00"));
  // Empty: back to the desk's hours.
  ASSERT_EQ(Post(hours, {{"opening_hours", ""}}, admin).status, 303);
  r = client_->Get("/api/v1/teams/" + std::to_string(team.id) + "/opening-hours", As(Role::kAdmin));
  EXPECT_TRUE(r.Json()["opening_hours"].is_null());
  EXPECT_EQ(Post("/admin/equipes/99999/horaires", {{"opening_hours", ""}}, admin).status, 404);
}

TEST_P(AdminPagesTest, CategoriesAreListedAndCreated) {
  const Session admin = SignedIn(Role::kAdmin);
  HttpResult r = Get("/admin/categories", admin);
  EXPECT_TRUE(Has(r.body, "Éclairage public"));
  r = Post("/admin/categories", {{"name", "Voirie"}, {"slug", "voirie en vrac"}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "id=\"category-slug-error\""));
  EXPECT_TRUE(Has(r.body, "value=\"voirie en vrac\""));
  r = Post("/admin/categories",
           {{"name", "Voirie"}, {"slug", "voirie"}, {"default_team_id", std::to_string(team_id_)}},
           admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 500);
  ASSERT_OK_AND_ASSIGN(auto c, store_->FindCategoryBySlug("voirie"));
  EXPECT_EQ(c.default_team_id, team_id_);
  EXPECT_TRUE(Audited("category.create"));
  r = Post("/admin/categories", {{"name", "Encore"}, {"slug", "voirie"}}, admin);
  EXPECT_EQ(r.status, 422);
}

TEST_P(AdminPagesTest, SlaPoliciesAreCreatedEditedAndGuardedAgainstStaleVersions) {
  const Session admin = SignedIn(Role::kAdmin);
  // Bad input: the errors next to the fields, every value kept.
  HttpResult r = Post("/admin/sla",
                      {{"name", "Urgences éclairage"},
                       {"category_id", std::to_string(category_id_)},
                       {"priority", "urgent"},
                       {"first_reply_minutes", "une heure"},
                       {"resolution_minutes", "480"},
                       {"business_hours", "no"},
                       {"warning_percent", "75"},
                       {"active", "yes"}},
                      admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "id=\"sla-first_reply_minutes-error\"")) << r.body;
  EXPECT_TRUE(Has(r.body, "Saisissez un nombre entier."));
  EXPECT_TRUE(Has(r.body, "value=\"une heure\""));
  EXPECT_TRUE(Has(r.body, "value=\"480\""));
  EXPECT_TRUE(Has(r.body, "value=\"urgent\" selected"));
  EXPECT_TRUE(Has(r.body, "id=\"sla-hours-no\" name=\"business_hours\" value=\"no\" checked"));
  r = Post("/admin/sla", {{"name", "Sans délai"}, {"active", "yes"}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "Donnez au moins un délai"));

  r = Post("/admin/sla",
           {{"name", "Urgences éclairage"},
            {"category_id", std::to_string(category_id_)},
            {"priority", "urgent"},
            {"first_reply_minutes", "60"},
            {"resolution_minutes", "480"},
            {"business_hours", "no"},
            {"warning_percent", "75"},
            {"active", "yes"}},
           admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 800);
  EXPECT_EQ(r.Header("location"), "/admin/sla?lang=fr&done=created");
  ASSERT_OK_AND_ASSIGN(auto policies, store_->sla().ListPolicies());
  ASSERT_EQ(policies.size(), 1u);
  const sla::Policy p = policies[0];
  EXPECT_EQ(p.first_reply_minutes, 60);
  EXPECT_EQ(p.priority, core::Priority::kUrgent);
  EXPECT_FALSE(p.business_hours);
  EXPECT_EQ(p.warning_percent, 75);
  r = Get("/admin/sla", admin);
  EXPECT_TRUE(Has(r.body, "Urgences éclairage"));
  EXPECT_TRUE(Has(r.body, "60 min"));

  // The policy's page: its form on version 1; a change of the first-reply target.
  const std::string page = "/admin/sla/" + std::to_string(p.id);
  r = Get(page, admin);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(Has(r.body, "name=\"version\" value=\"1\""));
  EXPECT_TRUE(Has(r.body, "id=\"sla-first_reply_minutes\" name=\"first_reply_minutes\"")) << r.body;
  const std::vector<std::pair<std::string, std::string>> change = {
      {"version", "1"},
      {"name", "Urgences éclairage"},
      {"category_id", std::to_string(category_id_)},
      {"priority", "urgent"},
      {"first_reply_minutes", "30"},
      {"resolution_minutes", "480"},
      {"business_hours", "no"},
      {"warning_percent", "75"},
      {"active", "yes"}};
  r = Post(page, change, admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 800);
  EXPECT_EQ(r.Header("location"), page + "?lang=fr&done=saved");
  r = Get(page + "?done=saved", admin);
  EXPECT_TRUE(Has(r.body, "Modification enregistrée."));
  EXPECT_TRUE(Has(r.body, "value=\"30\""));
  r = client_->Get("/api/v1/sla/policies/" + std::to_string(p.id), As(Role::kAdmin));
  EXPECT_EQ(r.Json()["first_reply_minutes"], 30);
  EXPECT_EQ(r.Json()["version"], 2);
  EXPECT_TRUE(Audited("sla_policy.update")) << json(AuditActions());

  // The same form again (version 1): someone changed it meanwhile.
  r = Post(page, change, admin);
  EXPECT_EQ(r.status, 409);
  EXPECT_TRUE(Has(r.body, "Quelqu’un a modifié cet élément"));
  EXPECT_TRUE(Has(r.body, "name=\"version\" value=\"2\""));

  // Deactivated: the box unticked.
  auto off = change;
  off[0].second = "2";
  off.pop_back();
  r = Post(page, off, admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 800);
  ASSERT_OK_AND_ASSIGN(auto stored, store_->sla().GetPolicy(p.id));
  EXPECT_FALSE(stored.active);
  // Bad input on the policy's page: the values kept, nothing stored.
  r = Post(page, {{"version", "3"}, {"name", ""}, {"first_reply_minutes", "-5"}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "value=\"-5\""));
  EXPECT_EQ(client_->Get("/admin/sla/99999", {{"Cookie", admin.cookie}}).status, 404);
}

TEST_P(AdminPagesTest, AutomationsAreWrittenAsJsonCheckedAndSwitched) {
  const Session admin = SignedIn(Role::kAdmin);
  // An error names the element of the list, next to the conditions; the text is kept.
  const std::string bad_conditions =
      R"([{"field": "priority", "op": "bigger", "value": "urgent"}])";
  HttpResult r = Post("/admin/automatisations",
                      {{"name", "Urgences"},
                       {"kind", "trigger"},
                       {"on_create", "yes"},
                       {"conditions", bad_conditions},
                       {"actions", R"([{"type": "add_tags", "tags": ["urgent"]}])"},
                       {"active", "yes"}},
                      admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "id=\"automation-conditions-error\"")) << r.body;
  EXPECT_TRUE(Has(r.body, "conditions[0].op")) << r.body;
  EXPECT_TRUE(Has(r.body, "&quot;bigger&quot;"));
  r = Post("/admin/automatisations",
           {{"name", "Urgences"}, {"kind", "trigger"}, {"on_create", "yes"}, {"actions", "[{"}},
           admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "id=\"automation-actions-error\""));

  r = Post("/admin/automatisations",
           {{"name", "Urgences"},
            {"kind", "trigger"},
            {"on_create", "yes"},
            {"conditions", R"([{"field": "priority", "op": "is", "value": "urgent"}])"},
            {"actions", R"([{"type": "add_tags", "tags": ["urgent"]}])"},
            {"active", "yes"}},
           admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 800);
  ASSERT_OK_AND_ASSIGN(auto all, store_->automations().ListAutomations());
  ASSERT_EQ(all.size(), 1u);
  const storage::Automation a = all[0];
  EXPECT_TRUE(a.active);
  EXPECT_TRUE(a.on_create);
  EXPECT_FALSE(a.on_update);
  ASSERT_EQ(a.conditions.size(), 1u);
  r = Get("/admin/automatisations", admin);
  EXPECT_TRUE(Has(r.body, "Urgences"));
  EXPECT_TRUE(Has(r.body, "à la création d’une demande"));

  // Switched off from the list, on the version it showed; a stale switch is explained.
  const std::string switch_to = "/admin/automatisations/" + std::to_string(a.id) + "/activation";
  r = Post(switch_to, {{"version", "1"}, {"active", "false"}}, admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 800);
  EXPECT_EQ(r.Header("location"), "/admin/automatisations?lang=fr&done=disabled");
  ASSERT_OK_AND_ASSIGN(auto stored, store_->automations().GetAutomation(a.id));
  EXPECT_FALSE(stored.active);
  r = Post(switch_to, {{"version", "1"}, {"active", "true"}}, admin);
  EXPECT_EQ(r.status, 409);
  EXPECT_TRUE(Has(r.body, "Quelqu’un a modifié cet élément"));

  // Edited on its page: the JSON shown, then changed.
  const std::string page = "/admin/automatisations/" + std::to_string(a.id);
  r = Get(page, admin);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(Has(r.body, "&quot;add_tags&quot;"));
  r = Post(page,
           {{"version", "2"},
            {"name", "Urgences (modifiée)"},
            {"kind", "trigger"},
            {"on_create", "yes"},
            {"on_update", "yes"},
            {"conditions", R"([{"field": "priority", "op": "is", "value": "urgent"}])"},
            {"actions", R"([{"type": "add_tags", "tags": ["urgent", "vu"]}])"}},
           admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 800);
  ASSERT_OK_AND_ASSIGN(stored, store_->automations().GetAutomation(a.id));
  EXPECT_EQ(stored.name, "Urgences (modifiée)");
  EXPECT_TRUE(stored.on_update);
  EXPECT_FALSE(stored.active);
  r = Post(page, {{"version", "3"}, {"name", "Urgences"}, {"kind", "trigger"}, {"actions", "[]"}},
           admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "Indiquez une liste de 1 à 20 actions.")) << r.body;
}

TEST_P(AdminPagesTest, AiSwitchesAreTurnedOnAndOffAndAudited) {
  const Session admin = SignedIn(Role::kAdmin);
  HttpResult r = Get("/admin/ia", admin);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(Has(r.body, "action=\"/admin/ia/triage.category?lang=fr\""));
  EXPECT_TRUE(Has(r.body, "aucun modèle entraîné"));  // admins see the models

  r = Post("/admin/ia/triage.priority",
           {{"version", "0"}, {"mode", "suggest"}, {"threshold", "1,5"}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(Has(r.body, "id=\"ai-triage.priority-threshold-error\"")) << r.body;
  EXPECT_TRUE(Has(r.body, "value=\"1,5\""));
  r = Post("/admin/ia/triage.priority",
           {{"version", "0"}, {"mode", "suggest"}, {"threshold", "0,7"}}, admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 800);
  ASSERT_OK_AND_ASSIGN(auto setting, store_->ai().GetSetting(storage::kAiTriagePriority));
  EXPECT_EQ(setting.mode, storage::AiMode::kSuggest);
  EXPECT_DOUBLE_EQ(setting.threshold, 0.7);
  r = client_->Get("/api/v1/ai/settings", As(Role::kAdmin));
  bool seen = false;
  const json settings = r.Json();
  for (const auto& item : settings["items"])
    if (item["feature"] == "triage.priority") seen = item["mode"] == "suggest";
  EXPECT_TRUE(seen) << r.body;
  EXPECT_TRUE(Audited("ai_setting.update")) << json(AuditActions());

  // The same form (version 0) again: stale. Then off, on the version shown.
  r = Post("/admin/ia/triage.priority", {{"version", "0"}, {"mode", "off"}}, admin);
  EXPECT_EQ(r.status, 409);
  r = Post("/admin/ia/triage.priority",
           {{"version", std::to_string(setting.version)}, {"mode", "off"}}, admin);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 800);
  ASSERT_OK_AND_ASSIGN(setting, store_->ai().GetSetting(storage::kAiTriagePriority));
  EXPECT_EQ(setting.mode, storage::AiMode::kOff);
  EXPECT_EQ(Post("/admin/ia/triage.nothing", {{"version", "0"}, {"mode", "off"}}, admin).status,
            404);

  // Auditors read the switches, not the models (the API shows models to admins only).
  r = Get("/admin/ia", SignedIn(Role::kAuditor));
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(Has(r.body, "aucun modèle entraîné"));
}

INSTANTIATE_TEST_SUITE_P(Backends, AdminPagesTest, ::testing::ValuesIn(BackendNames()),
                         BackendParamName);

}  // namespace
}  // namespace guichet::testing
