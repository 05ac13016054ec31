// The permission matrix: every route of AllRoutes() called by every kind of caller, checked
// against a table of expected outcomes written as data below; then the no-leak rules: lists are
// scoped to what the caller may see, and a request one may not see is a 404 that looks exactly
// like a request that does not exist.
#include <fstream>
#include <set>

#include "common/crypto.h"
#include "harness.h"
#include "server/http.h"
#include "triage/classifier.h"

namespace guichet::testing {
namespace {

using json = nlohmann::json;

// One row per route. `expected` has one letter per caller, in the order of kEveryone:
//   anonymous, citizen (owner of the target request), other citizen, agent of team A, agent of
//   team B, lead of team A, auditor, admin.
// A = allowed (2xx, or a page's 303: after a form, or to the sign-in page), 1 = 401, 3 = 403,
// 4 = 404.
// Targets: {id} of a request route is a request of the citizen in team A; {id} of a user is
// agent A; {id} of an attachment is a file on such a request; {reference} is such a request
// with its right secret; {id} of an article is a draft, except a published one for archive,
// unpublish and the public page.
struct MatrixRow {
  const char* method;
  const char* path;
  const char* expected;
};

// clang-format off
constexpr MatrixRow kMatrix[] = {
    //                                                     anon
    //                                                     |cit
    //                                                     ||oth
    //                                                     |||agA
    //                                                     ||||agB
    //                                                     |||||ldA
    //                                                     ||||||aud
    //                                                     |||||||adm
    {"POST",   "/api/v1/session",                         "AAAAAAAA"},
    {"GET",    "/api/v1/session",                         "1AAAAAAA"},
    {"DELETE", "/api/v1/session",                         "1AAAAAAA"},
    {"POST",   "/api/v1/tokens",                          "1AAAAAAA"},
    {"GET",    "/api/v1/users",                           "133333AA"},
    {"POST",   "/api/v1/users",                           "1333333A"},
    {"GET",    "/api/v1/users/{id}",                      "144A44AA"},
    {"PATCH",  "/api/v1/users/{id}",                      "1333333A"},
    {"GET",    "/api/v1/teams",                           "133AAAAA"},
    {"POST",   "/api/v1/teams",                           "1333333A"},
    {"GET",    "/api/v1/categories",                      "AAAAAAAA"},
    {"POST",   "/api/v1/categories",                      "1333333A"},
    {"GET",    "/api/v1/requests",                        "1AAAAAAA"},
    {"POST",   "/api/v1/requests",                        "AAAAAA3A"},
    {"GET",    "/api/v1/requests/{id}",                   "1A4A4AAA"},
    {"PATCH",  "/api/v1/requests/{id}",                   "134A4A3A"},
    {"POST",   "/api/v1/requests/{id}/assign",            "134A4A3A"},
    {"POST",   "/api/v1/requests/{id}/status",            "134A4A3A"},
    {"GET",    "/api/v1/requests/{id}/messages",          "1A4A4AAA"},
    {"POST",   "/api/v1/requests/{id}/messages",          "1A4A4A3A"},
    {"GET",    "/api/v1/requests/{id}/attachments",       "1A4A4AAA"},
    {"POST",   "/api/v1/requests/{id}/attachments",       "1A4A4A3A"},
    {"GET",    "/api/v1/attachments/{id}",                "1A4A4AAA"},
    {"GET",    "/api/v1/track/{reference}",               "AAAAAAAA"},
    {"POST",   "/api/v1/track/{reference}/messages",      "AAAAAAAA"},
    {"GET",    "/api/v1/audit",                           "133333AA"},
    {"GET",    "/api/v1/requests/{id}/audit",             "13333AAA"},
    {"GET",    "/api/v1/jobs",                            "1333333A"},
    {"GET",    "/healthz",                                "AAAAAAAA"},
    {"GET",    "/readyz",                                 "AAAAAAAA"},
    {"GET",    "/metrics",                                "AAAAAAAA"},
    {"GET",    "/api/v1/openapi.json",                    "AAAAAAAA"},
    {"GET",    "/api/v1/sla/policies",                    "133AAAAA"},
    {"POST",   "/api/v1/sla/policies",                    "1333333A"},
    {"GET",    "/api/v1/sla/policies/{id}",               "133AAAAA"},
    {"PATCH",  "/api/v1/sla/policies/{id}",               "1333333A"},
    {"DELETE", "/api/v1/sla/policies/{id}",               "1333333A"},
    {"GET",    "/api/v1/sla/calendar",                    "133AAAAA"},
    {"PUT",    "/api/v1/sla/calendar",                    "1333333A"},
    {"GET",    "/api/v1/teams/{id}/opening-hours",        "133AAAAA"},
    {"PUT",    "/api/v1/teams/{id}/opening-hours",        "1333333A"},
    {"GET",    "/api/v1/automations",                     "133AAAAA"},
    {"POST",   "/api/v1/automations",                     "1333333A"},
    {"GET",    "/api/v1/automations/{id}",                "133AAAAA"},
    {"PATCH",  "/api/v1/automations/{id}",                "1333333A"},
    {"DELETE", "/api/v1/automations/{id}",                "1333333A"},
    {"GET",    "/api/v1/macros",                          "133AAAAA"},
    {"POST",   "/api/v1/macros",                          "13333A3A"},
    {"GET",    "/api/v1/macros/{id}",                     "133AAAAA"},
    {"PATCH",  "/api/v1/macros/{id}",                     "13333A3A"},
    {"DELETE", "/api/v1/macros/{id}",                     "13333A3A"},
    {"POST",   "/api/v1/requests/{id}/apply-macro",       "134A4A3A"},
    {"GET",    "/api/v1/requests/{id}/notifications",     "133A4AAA"},
    {"GET",    "/api/v1/ai/settings",                     "133AAAAA"},
    {"PUT",    "/api/v1/ai/settings/{feature}",           "1333333A"},
    {"GET",    "/api/v1/ai/models",                       "1333333A"},
    {"POST",   "/api/v1/ai/models/{id}/activate",         "1333333A"},
    {"GET",    "/api/v1/requests/{id}/ai-decisions",      "134A4AAA"},
    {"POST",   "/api/v1/ai-decisions/{id}/review",        "134A4A3A"},
    {"GET",    "/api/v1/kb/articles",                     "AAAAAAAA"},
    {"POST",   "/api/v1/kb/articles",                     "133AAA3A"},
    {"GET",    "/api/v1/kb/articles/{id}",                "444AAAAA"},
    {"PUT",    "/api/v1/kb/articles/{id}",                "144AAA3A"},
    {"POST",   "/api/v1/kb/articles/{id}/publish",        "14433A3A"},
    {"POST",   "/api/v1/kb/articles/{id}/archive",        "13333A3A"},
    {"POST",   "/api/v1/kb/articles/{id}/unpublish",      "13333A3A"},
    {"GET",    "/api/v1/kb/articles/{id}/versions",       "144AAAAA"},
    {"POST",   "/api/v1/kb/deflection-events",            "AAAAAAAA"},
    {"GET",    "/api/v1/kb/deflection-stats",             "13333AAA"},
    {"GET",    "/kb/articles/{id}",                       "AAAAAAAA"},
    {"GET",    "/api/v1/kb/search",                       "AAAAAAAA"},
    {"GET",    "/api/v1/kb/complete",                     "AAAAAAAA"},
    {"GET",    "/api/v1/kb/suggestions",                  "AAAAAAAA"},
    {"GET",    "/api/v1/requests/{id}/suggested-articles", "133A4AAA"},
    {"GET",    "/api/v1/requests/{id}/similar",           "133A4AAA"},
    {"GET",    "/",                                       "AAAAAAAA"},
    {"GET",    "/demande",                                "AAAAAAAA"},
    {"POST",   "/demande",                                "AAAAAA3A"},
    {"GET",    "/demande/suggestions",                    "AAAAAAAA"},
    {"GET",    "/suivi",                                  "AAAAAAAA"},
    {"GET",    "/suivi/{reference}",                      "AAAAAAAA"},
    {"POST",   "/suivi/{reference}/messages",             "AAAAAAAA"},
    {"GET",    "/suivi/{reference}/pieces/{attachment}",  "AAAAAAAA"},
    {"GET",    "/connexion",                              "AAAAAAAA"},
    {"POST",   "/connexion",                              "AAAAAAAA"},
    {"GET",    "/mes-demandes",                           "AAAAAAAA"},
    {"GET",    "/mes-demandes/{id}",                      "AA4AAAAA"},
    {"POST",   "/mes-demandes/{id}/messages",             "AA4AAAAA"},
    {"GET",    "/mes-demandes/{id}/pieces/{attachment}",  "AA4AAAAA"},
    {"GET",    "/static/{file}",                          "AAAAAAAA"},
    {"GET",    "/static/vendor/{file}",                   "AAAAAAAA"},
    {"GET",    "/agent",                                  "A33AAAAA"},
    {"GET",    "/agent/connexion",                        "AAAAAAAA"},
    {"POST",   "/agent/connexion",                        "AAAAAAAA"},
    {"POST",   "/agent/deconnexion",                      "AAAAAAAA"},
    {"GET",    "/agent/demandes/{id}",                    "A33A4AAA"},
    {"POST",   "/agent/demandes/{id}/messages",           "A33A4A3A"},
    {"POST",   "/agent/demandes/{id}/statut",             "A33A4A3A"},
    {"POST",   "/agent/demandes/{id}/ia",                 "A33A4A3A"},
    {"POST",   "/agent/demandes/{id}/affectation",        "A33A4A3A"},
    {"POST",   "/agent/demandes/{id}/macro",              "A33A4A3A"},
    {"POST",   "/agent/lot",                              "A33AAA3A"},
    {"GET",    "/agent/tableau-de-bord",                  "A3333AAA"},
    {"GET",    "/agent/tableau-de-bord/{table}",          "A3333AAA"},
    {"GET",    "/api/v1/reports/dashboard",               "13333AAA"},
    {"GET",    "/admin",                                  "A33333AA"},
    {"GET",    "/admin/utilisateurs",                     "A33333AA"},
    {"POST",   "/admin/utilisateurs",                     "A333333A"},
    {"GET",    "/admin/utilisateurs/{id}",                "A33333AA"},
    {"POST",   "/admin/utilisateurs/{id}",                "A333333A"},
    {"GET",    "/admin/equipes",                          "A33333AA"},
    {"POST",   "/admin/equipes",                          "A333333A"},
    {"POST",   "/admin/equipes/{id}/horaires",            "A333333A"},
    {"GET",    "/admin/categories",                       "A33333AA"},
    {"POST",   "/admin/categories",                       "A333333A"},
    {"GET",    "/admin/sla",                              "A33333AA"},
    {"POST",   "/admin/sla",                              "A333333A"},
    {"GET",    "/admin/sla/{id}",                         "A33333AA"},
    {"POST",   "/admin/sla/{id}",                         "A333333A"},
    {"GET",    "/admin/automatisations",                  "A33333AA"},
    {"POST",   "/admin/automatisations",                  "A333333A"},
    {"GET",    "/admin/automatisations/{id}",             "A33333AA"},
    {"POST",   "/admin/automatisations/{id}",             "A333333A"},
    {"POST",   "/admin/automatisations/{id}/activation",  "A333333A"},
    {"GET",    "/admin/ia",                               "A33333AA"},
    {"POST",   "/admin/ia/{feature}",                     "A333333A"},
    {"GET",    "/api/v1/schemes",                         "AAAAAAAA"},
    {"GET",    "/api/v1/schemes/{scheme}",                "AAAAAAAA"},
    {"POST",   "/api/v1/schemes/{scheme}/evaluate",       "AAAAAAAA"},
    {"GET",    "/aides",                                  "AAAAAAAA"},
    {"GET",    "/aides/{scheme}",                         "AAAAAAAA"},
    {"POST",   "/aides/{scheme}",                         "AAAAAAAA"},
};
// clang-format on

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

class PermissionsTest : public ServerTest<PermissionsTest> {
 protected:
  // A call of `row` by `who` with a valid body, on fresh targets, so that "allowed" is a 2xx.
  HttpRequest CellRequest(const MatrixRow& row, Who who, Auth auth) {
    static int cells = 0;  // unique names across both matrices and backends
    const int n = ++cells;
    HttpRequest req;
    req.method = row.method;
    req.headers = env().As(who, auth);
    const std::string path = row.path;
    const std::string method = row.method;
    auto json_body = [&](const json& body) {
      req.headers.emplace_back("Content-Type", "application/json");
      req.body = body.dump();
    };
    // A page's form: the session's CSRF token for a signed-in caller, else the visitor's
    // guichet_csrf cookie echoed.
    auto form_body = [&](const std::string& fields) {
      std::string token;
      for (const auto& [name, value] : req.headers)
        if (name == "X-CSRF-Token") token = value;
      if (token.empty()) {
        token = "matrix-visitor-csrf-token-" + std::to_string(1000000 + n);
        req.headers.emplace_back("Cookie", "guichet_csrf=" + token);
      }
      req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      req.body = "csrf_token=" + UrlEncode(token) + "&" + fields;
    };
    req.target = path;
    if (path == "/api/v1/session" && method == "POST") {
      const Account& a = env().account(who == Who::kAnonymous ? Who::kCitizen : who);
      json_body({{"email", a.email}, {"password", a.password}});
    } else if (path == "/api/v1/tokens") {
      json_body({{"name", "matrix " + std::to_string(n)}});
    } else if (path == "/api/v1/users" && method == "POST") {
      json_body({{"email", "new" + std::to_string(n) + "@mairie.example"},
                 {"display_name", "Nouvel agent"},
                 {"role", "agent"},
                 {"password", "a-long-password"},
                 {"team_ids", {env().team_a().id}}});
    } else if (path == "/api/v1/users/{id}") {
      req.target = "/api/v1/users/" + std::to_string(env().account(Who::kAgentA).user.id);
      if (method == "PATCH") json_body({{"active", true}});  // as it is: changes nothing
    } else if (path == "/api/v1/teams" && method == "POST") {
      json_body({{"name", "Équipe " + std::to_string(n)}});
    } else if (path == "/api/v1/categories" && method == "POST") {
      json_body({{"slug", "cat-" + std::to_string(n)}, {"name", "Catégorie"}});
    } else if (path == "/api/v1/requests" && method == "POST") {
      json_body({{"subject", "Permis de construire"},
                 {"description", "Question sur un dossier"},
                 {"channel", "web"},
                 {"category", env().category_a().slug}});
    } else if (path.find("{id}") != std::string::npos && path.rfind("/api/v1/requests/", 0) == 0) {
      const CreatedRequest made = env().MakeRequest(Who::kCitizen, "Cellule " + std::to_string(n));
      req.target = Replace(path, "{id}", std::to_string(made.request.id));
      if (method == "PATCH") {
        req.headers.emplace_back("If-Match", "\"1\"");
        json_body({{"priority", "high"}});
      } else if (path.ends_with("/assign")) {
        json_body({{"assignee_id", env().account(Who::kAgentA).user.id}, {"version", 1}});
      } else if (path.ends_with("/status")) {
        json_body({{"status", "open"}, {"version", 1}});
      } else if (path.ends_with("/apply-macro")) {
        json_body({{"macro_id", MakeMacro(n).id}, {"version", 1}});
      } else if (path.ends_with("/messages") && method == "POST") {
        json_body({{"body", "Bonjour, où en est ma demande ?"}});
      } else if (path.ends_with("/attachments") && method == "POST") {
        req.target += "?filename=photo.png";
        req.headers.emplace_back("Content-Type", "image/png");
        req.body = TinyPng();
      }
    } else if (path == "/api/v1/attachments/{id}") {
      const CreatedRequest made = env().MakeRequest();
      const auto a = env().MakeAttachment(made.request.id, "note.txt", "text/plain", "Bonjour");
      req.target = "/api/v1/attachments/" + std::to_string(a.id);
    } else if (path.rfind("/api/v1/track/{reference}", 0) == 0) {
      const CreatedRequest made = env().MakeRequest();
      req.target = Replace(path, "{reference}", made.request.reference) +
                   "?secret=" + UrlEncode(made.secret);
      if (method == "POST") json_body({{"body", "Merci pour votre réponse"}});
    } else if (path == "/demande" && method == "POST") {
      form_body("subject=Trottoir&description=Un+trou&email=a%40example.org&consent=yes");
    } else if (path.rfind("/suivi/{reference}", 0) == 0) {
      const CreatedRequest made = env().MakeRequest();
      req.target = Replace(path, "{reference}", made.request.reference);
      if (path.ends_with("{attachment}")) {
        const auto a = env().MakeAttachment(made.request.id, "note.txt", "text/plain", "Bonjour");
        req.target = Replace(req.target, "{attachment}", std::to_string(a.id)) +
                     "?secret=" + UrlEncode(made.secret);
      } else if (method == "POST") {
        form_body("secret=" + UrlEncode(made.secret) + "&body=Merci");
      } else {
        req.target += "?secret=" + UrlEncode(made.secret);
      }
    } else if (path.rfind("/mes-demandes/{id}", 0) == 0) {
      const CreatedRequest made = env().MakeRequest(Who::kCitizen, "Cellule " + std::to_string(n));
      req.target = Replace(path, "{id}", std::to_string(made.request.id));
      if (path.ends_with("{attachment}")) {
        const auto a = env().MakeAttachment(made.request.id, "note.txt", "text/plain", "Bonjour");
        req.target = Replace(req.target, "{attachment}", std::to_string(a.id));
      }
      if (method == "POST") form_body("body=Merci");
    } else if ((path == "/agent/connexion" || path == "/connexion") && method == "POST") {
      const Account& a = env().account(who == Who::kAnonymous ? Who::kAgentA : who);
      form_body("email=" + UrlEncode(a.email) + "&password=" + UrlEncode(a.password));
    } else if (path == "/agent/deconnexion") {
      form_body("");
    } else if (path.rfind("/agent/demandes/{id}", 0) == 0) {
      const CreatedRequest made = env().MakeRequest(Who::kCitizen, "Cellule " + std::to_string(n));
      req.target = Replace(path, "{id}", std::to_string(made.request.id));
      if (path.ends_with("/messages")) form_body("body=Bonjour&visibility=internal");
      if (path.ends_with("/statut")) form_body("version=1&status=open&priority=high");
      if (path.ends_with("/affectation"))
        form_body("version=1&team=" + std::to_string(env().team_a().id) + "&assignee=me");
      if (path.ends_with("/macro"))
        form_body("version=1&macro_id=" + std::to_string(MakeMacro(n).id));
      if (path.ends_with("/ia")) {
        const auto [request_id, decision_id] = MakeAiDecision(n);
        req.target = Replace(path, "{id}", std::to_string(request_id));
        form_body("decision_id=" + std::to_string(decision_id) + "&outcome=ignored");
      }
    } else if (path == "/agent/lot") {
      // Agent B's line is refused (out of scope); the page answers all the same.
      const CreatedRequest made = env().MakeRequest(Who::kCitizen, "Cellule " + std::to_string(n));
      form_body("action=priority&priority=high&id=" + std::to_string(made.request.id) + "%3A1");
    } else if (path == "/agent/tableau-de-bord/{table}") {
      req.target = "/agent/tableau-de-bord/stock.csv";
    } else if (path == "/static/{file}") {
      req.target = "/static/guichet.css";
    } else if (path == "/static/vendor/{file}") {
      req.target = "/static/vendor/htmx.min.js";
    } else if (path == "/api/v1/automations" && method == "POST") {
      // Inactive: the other cells' requests must not change under them.
      json_body({{"name", "Règle " + std::to_string(n)},
                 {"active", false},
                 {"actions", {{{"type", "add_tags"}, {"tags", {"matrice"}}}}}});
    } else if (path == "/api/v1/automations/{id}") {
      storage::Automation a;
      a.name = "Cellule " + std::to_string(n);
      a.active = false;
      a.actions = {automation::Action{automation::ActionType::kAddTags, {}, "", {"x"}, {}}};
      auto made = env().store().automations().CreateAutomation(a, storage::Actor::System("test"));
      EXPECT_TRUE(made.ok()) << made.status().ToString();
      req.target = "/api/v1/automations/" + std::to_string(made.ok() ? made->id : 0);
      if (method == "PATCH") {
        req.headers.emplace_back("If-Match", "\"1\"");
        json_body({{"position", 3}});
      }
    } else if (path == "/api/v1/macros" && method == "POST") {
      json_body({{"name", "Macro " + std::to_string(n)}, {"texts", {{"fr", "Bonjour"}}}});
    } else if (path == "/api/v1/macros/{id}") {
      req.target = "/api/v1/macros/" + std::to_string(MakeMacro(n).id);
      if (method == "PATCH") {
        req.headers.emplace_back("If-Match", "\"1\"");
        json_body({{"texts", {{"fr", "Bonjour {{citizen_name}}"}}}});
      }
    } else if (path == "/api/v1/sla/policies" && method == "POST") {
      json_body({{"name", "Politique " + std::to_string(n)}, {"resolution_minutes", 600}});
    } else if (path == "/api/v1/sla/policies/{id}") {
      // Inactive, so that the requests of other cells keep no deadlines from it.
      sla::Policy policy;
      policy.name = "Cellule " + std::to_string(n);
      policy.first_reply_minutes = 60;
      policy.active = false;
      auto made = env().store().sla().CreatePolicy(policy, storage::Actor::System("test"));
      EXPECT_TRUE(made.ok()) << made.status().ToString();
      req.target = "/api/v1/sla/policies/" + std::to_string(made.ok() ? made->id : 0);
      if (method == "PATCH") {
        req.headers.emplace_back("If-Match", "\"1\"");
        json_body({{"warning_percent", 70}});
      }
    } else if (path == "/api/v1/sla/calendar" && method == "PUT") {
      const sla::CalendarSettings defaults;  // the same settings again: other tests rely on them
      json_body({{"time_zone", defaults.time_zone},
                 {"opening_hours", defaults.opening_hours},
                 {"alsace_moselle", false},
                 {"extra_closed_days", json::array()}});
    } else if (path == "/api/v1/ai/settings/{feature}") {
      req.target = Replace(path, "{feature}", "triage.category");
      auto now = env().store().ai().GetSetting(storage::kAiTriageCategory);
      EXPECT_TRUE(now.ok());
      json_body({{"mode", "off"}, {"version", now.ok() ? now->version : 0}});  // stays off
    } else if (path == "/api/v1/ai-decisions/{id}/review") {
      req.target = Replace(path, "{id}", std::to_string(MakeAiDecision(n).second));
      json_body({{"outcome", "ignored"}});
    } else if (path == "/api/v1/ai/models/{id}/activate") {
      req.target = Replace(path, "{id}", std::to_string(AddTinyModel()));
    } else if (path == "/api/v1/kb/articles" && method == "POST") {
      json_body({{"title", "Article " + std::to_string(n)}, {"body", "Texte"}});
    } else if (path.rfind("/api/v1/kb/articles/{id}", 0) == 0 || path == "/kb/articles/{id}") {
      const bool published =
          path.ends_with("/archive") || path.ends_with("/unpublish") || path == "/kb/articles/{id}";
      req.target = Replace(path, "{id}", std::to_string(MakeArticle(n, published)));
      if (method == "PUT")
        json_body({{"title", "Article " + std::to_string(n) + " revu"}, {"version", 1}});
    } else if (path == "/api/v1/kb/deflection-events") {
      json_body({{"kind", "shown"},
                 {"session", "matrix-session-" + std::to_string(n)},
                 {"suggestions", 2}});
    } else if (path == "/aides/{scheme}") {
      req.target = "/aides/aide-essai";
      if (method == "POST") form_body("fact_commune=ville&date=2025-06-01");
    } else if (path.rfind("/api/v1/schemes/{scheme}", 0) == 0) {
      req.target = Replace(path, "{scheme}", "aide-essai");
      if (method == "POST") json_body({{"facts", {{"revenu", 900}}}, {"date", "2025-06-01"}});
    } else if (path == "/api/v1/teams/{id}/opening-hours") {
      req.target = Replace(path, "{id}", std::to_string(env().team_a().id));
      if (method == "PUT") json_body({{"opening_hours", nullptr}});
    } else if (path.rfind("/admin", 0) == 0 && method == "POST") {
      // The admin pages' forms, harmless to the other cells: new names, inactive rules, the
      // desk's hours and the AI switch kept as they are.
      const std::string tag = std::to_string(n);
      if (path == "/admin/utilisateurs") {
        form_body("email=page" + tag + "%40mairie.example&role=agent&display_name=Cellule");
      } else if (path == "/admin/utilisateurs/{id}") {
        // Agent A as they are: changes nothing.
        const core::User& agent = env().account(Who::kAgentA).user;
        req.target = Replace(path, "{id}", std::to_string(agent.id));
        std::string teams;
        for (core::Id t : agent.team_ids) teams += "&team=" + std::to_string(t);
        form_body("role=agent&active=yes" + teams);
      } else if (path == "/admin/equipes") {
        form_body("name=Equipe+page+" + tag);
      } else if (path == "/admin/equipes/{id}/horaires") {
        req.target = Replace(path, "{id}", std::to_string(env().team_a().id));
        form_body("opening_hours=");
      } else if (path == "/admin/categories") {
        form_body("slug=page-" + tag + "&name=Cellule");
      } else if (path == "/admin/sla") {
        form_body("name=Cellule+" + tag + "&resolution_minutes=600");  // no "active": inactive
      } else if (path == "/admin/sla/{id}") {
        req.target = Replace(path, "{id}", std::to_string(InactivePolicy(n)));
        form_body("version=1&name=Cellule+" + tag + "&first_reply_minutes=45");
      } else if (path == "/admin/automatisations") {
        form_body("name=Cellule+" + tag + "&kind=trigger&on_create=yes&actions=" +
                  UrlEncode(R"([{"type":"add_tags","tags":["x"]}])"));
      } else if (path.rfind("/admin/automatisations/{id}", 0) == 0) {
        req.target = Replace(path, "{id}", std::to_string(InactiveAutomation(n)));
        if (path.ends_with("/activation"))
          form_body("version=1&active=false");
        else
          form_body("version=1&name=Cellule+" + tag + "&kind=trigger&on_create=yes&actions=" +
                    UrlEncode(R"([{"type":"add_tags","tags":["y"]}])"));
      } else if (path == "/admin/ia/{feature}") {
        req.target = Replace(path, "{feature}", "triage.category");
        auto now = env().store().ai().GetSetting(storage::kAiTriageCategory);
        EXPECT_TRUE(now.ok());
        form_body("mode=off&version=" + std::to_string(now.ok() ? now->version : 0));  // stays off
      }
    } else if (path == "/admin/utilisateurs/{id}") {
      req.target = Replace(path, "{id}", std::to_string(env().account(Who::kAgentA).user.id));
    } else if (path.rfind("/admin/", 0) == 0 && path.find("{id}") != std::string::npos) {
      req.target = Replace(
          path, "{id}",
          std::to_string(path == "/admin/sla/{id}" ? InactivePolicy(n) : InactiveAutomation(n)));
    }
    return req;
  }

  // A pending AI suggestion on a new request of the citizen in team A: {request id, decision id}.
  std::pair<core::Id, core::Id> MakeAiDecision(int n) {
    core::NewRequest in;
    in.subject = "Cellule " + std::to_string(n);
    in.description = "Suggestion à revoir";
    in.team_id = env().team_a().id;
    in.citizen_id = env().account(Who::kCitizen).user.citizen_id;
    core::AiSuggestion suggestion;
    suggestion.feature = "triage.category";
    suggestion.mode = "suggest";
    suggestion.output = env().category_a().slug;
    suggestion.confidence = 0.9;
    in.ai_suggestions.push_back(suggestion);
    auto made = env().store().CreateRequest(in, Sha256Hex("s"), storage::Actor::System("test"));
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    auto decisions = env().store().ai().ListDecisions(made.ok() ? made->id : 0);
    EXPECT_TRUE(decisions.ok() && decisions->size() == 1);
    return {made.ok() ? made->id : 0,
            decisions.ok() && !decisions->empty() ? decisions->front().id : 0};
  }

  // An inactive SLA policy (other cells' requests get no deadlines from it); its id.
  core::Id InactivePolicy(int n) {
    sla::Policy policy;
    policy.name = "Cellule " + std::to_string(n);
    policy.first_reply_minutes = 60;
    policy.active = false;
    auto made = env().store().sla().CreatePolicy(policy, storage::Actor::System("test"));
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? made->id : 0;
  }

  // An inactive automation (other cells' requests do not change under it); its id.
  core::Id InactiveAutomation(int n) {
    storage::Automation a;
    a.name = "Cellule " + std::to_string(n);
    a.active = false;
    a.actions = {automation::Action{automation::ActionType::kAddTags, {}, "", {"x"}, {}}};
    auto made = env().store().automations().CreateAutomation(a, storage::Actor::System("test"));
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? made->id : 0;
  }

  // A real (tiny) triage model version, inactive; its id.
  core::Id AddTinyModel() {
    auto model = triage::Classifier::Train(
        {{"trou dans la chaussée", "voirie"}, {"poubelle pleine", "dechets"}}, {});
    EXPECT_TRUE(model.ok());
    const std::string file = ::testing::TempDir() + "matrix.model";
    EXPECT_TRUE(model->Save(file).ok());
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    auto added = env().store().ai().AddModel(storage::kAiTriageCategory, bytes, "x", "{}",
                                             storage::Actor::System("test"));
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    return added.ok() ? added->id : 0;
  }

  // A knowledge-base article, a draft or published; its id.
  core::Id MakeArticle(int n, bool published) {
    core::KbArticle a;
    a.title = "Cellule " + std::to_string(n);
    a.body = "Texte";
    a.status = published ? core::ArticleStatus::kPublished : core::ArticleStatus::kDraft;
    auto made = env().store().kb().Create(a, storage::Actor::System("test"));
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? made->article.id : 0;
  }

  storage::Macro MakeMacro(int n) {
    storage::Macro m;
    m.name = "Cellule " + std::to_string(n);
    m.texts = {{"fr", "Votre demande {{reference}} est en cours."}};
    auto made = env().store().automations().CreateMacro(m, storage::Actor::System("test"));
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? *made : m;
  }

  void RunMatrix(Auth auth) {
    int failures = 0;
    for (const MatrixRow& row : kMatrix) {
      ASSERT_EQ(std::string(row.expected).size(), std::size(kEveryone)) << row.path;
      for (size_t i = 0; i < std::size(kEveryone); ++i) {
        const Who who = kEveryone[i];
        const char expected = row.expected[i];
        const HttpResult r = env().Call(CellRequest(row, who, auth));
        const bool ok = expected == 'A'   ? (r.status >= 200 && r.status < 300) || r.status == 303
                        : expected == '1' ? r.status == 401
                        : expected == '3' ? r.status == 403
                                          : r.status == 404;
        if (!ok) ++failures;
        EXPECT_TRUE(ok) << row.method << " " << row.path << " as " << Name(who) << ": expected "
                        << expected << ", got " << r.status << " " << r.body.substr(0, 300);
        // A 403 here is the role's, never a CSRF failure.
        if (r.status == 403 && r.Header("content-type").rfind("text/html", 0) == 0) {
          EXPECT_NE(r.body.find("Accès refusé"), std::string::npos) << r.body;
        } else if (r.status == 403) {
          EXPECT_EQ(ProblemSlug(r), "forbidden") << r.body;
        }
      }
    }
    EXPECT_EQ(failures, 0);
  }
};

TEST(PermissionMatrixTable, CoversEveryRouteExactlyOnce) {
  std::set<std::pair<std::string, std::string>> routes, rows;
  for (const server::Route& r : server::AllRoutes()) routes.insert({r.method, r.path});
  for (const MatrixRow& row : kMatrix) {
    EXPECT_TRUE(rows.insert({row.method, row.path}).second) << "twice: " << row.path;
    EXPECT_TRUE(routes.count({row.method, row.path})) << "not a route: " << row.path;
  }
  for (const auto& [method, path] : routes) {
    EXPECT_TRUE(rows.count({method, path}))
        << "route missing from the matrix: " << method << " " << path;
  }
}

TEST_P(PermissionsTest, MatrixWithApiTokens) { RunMatrix(Auth::kBearer); }

TEST_P(PermissionsTest, MatrixWithSessionCookies) { RunMatrix(Auth::kCookie); }

// All items of every page of `target` for `who`.
std::vector<json> ListAll(Env& env, Who who, const std::string& target) {
  std::vector<json> items;
  std::string cursor;
  for (int pages = 0; pages < 100; ++pages) {
    const std::string sep = target.find('?') == std::string::npos ? "?" : "&";
    const HttpResult r = env.Get(
        target + sep + "limit=50" + (cursor.empty() ? "" : "&cursor=" + cursor), env.As(who));
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) break;
    const json body = r.Json();
    for (const auto& item : body["items"]) items.push_back(item);
    if (body["next_cursor"].is_null()) break;
    cursor = body["next_cursor"].get<std::string>();
  }
  return items;
}

TEST_P(PermissionsTest, ListsAreScopedToWhatTheCallerMaySee) {
  for (int i = 0; i < 3; ++i) {
    env().MakeRequest(Who::kCitizen, "A du citoyen", &env().category_a());
    env().MakeRequest(Who::kCitizen, "B du citoyen", &env().category_b());
    env().MakeRequest(Who::kOtherCitizen, "A de l'autre", &env().category_a());
    env().MakeRequest(Who::kOtherCitizen, "B de l'autre", &env().category_b());
  }
  const core::Id team_a = env().team_a().id, team_b = env().team_b().id;
  const auto own = *env().account(Who::kCitizen).user.citizen_id;

  const auto citizen = ListAll(env(), Who::kCitizen, "/api/v1/requests");
  EXPECT_GE(citizen.size(), 6u);
  for (const auto& item : citizen) {
    ASSERT_TRUE(item["citizen"].is_object()) << item.dump();
    EXPECT_EQ(item["citizen"]["id"], own) << item.dump();
  }
  // Filters narrow; they never widen.
  for (const auto& item :
       ListAll(env(), Who::kCitizen, "/api/v1/requests?team_id=" + std::to_string(team_b)))
    EXPECT_EQ(item["citizen"]["id"], own);

  for (Who agent : {Who::kAgentA, Who::kLeadA}) {
    const auto items = ListAll(env(), agent, "/api/v1/requests");
    EXPECT_GE(items.size(), 6u);
    for (const auto& item : items) EXPECT_EQ(item["team_id"], team_a) << Name(agent);
  }
  const auto agent_b = ListAll(env(), Who::kAgentB, "/api/v1/requests");
  EXPECT_GE(agent_b.size(), 6u);
  for (const auto& item : agent_b) EXPECT_EQ(item["team_id"], team_b) << item.dump();
  EXPECT_TRUE(
      ListAll(env(), Who::kAgentB, "/api/v1/requests?team_id=" + std::to_string(team_a)).empty());
  EXPECT_TRUE(
      ListAll(env(), Who::kAgentB, "/api/v1/requests?q=citoyen&team_id=" + std::to_string(team_a))
          .empty());

  // Admins and auditors see everything.
  const size_t all = env().CountAll().requests;
  EXPECT_EQ(ListAll(env(), Who::kAdmin, "/api/v1/requests").size(), all);
  EXPECT_EQ(ListAll(env(), Who::kAuditor, "/api/v1/requests").size(), all);
}

TEST_P(PermissionsTest, HiddenRequestsLookExactlyLikeMissingOnes) {
  const CreatedRequest a = env().MakeRequest(Who::kCitizen, "Dans l'équipe A");
  const std::string hidden = std::to_string(a.request.id);
  const std::string missing = "987654321";
  for (Who who : {Who::kAgentB, Who::kOtherCitizen}) {
    for (const char* suffix : {"", "/messages", "/attachments"}) {
      const HttpResult h = env().Get("/api/v1/requests/" + hidden + suffix, env().As(who));
      const HttpResult m = env().Get("/api/v1/requests/" + missing + suffix, env().As(who));
      EXPECT_EQ(h.status, 404) << Name(who) << suffix;
      EXPECT_EQ(m.status, 404);
      EXPECT_EQ(ProblemSlug(h), ProblemSlug(m));
      EXPECT_EQ(h.Json()["title"], m.Json()["title"]);
      EXPECT_EQ(Replace(h.Json().value("detail", ""), hidden, missing), m.Json()["detail"]);
      EXPECT_EQ(h.body.find(a.request.reference), std::string::npos);
      EXPECT_EQ(h.body.find(a.request.subject), std::string::npos);
    }
  }
  // The same for an attachment of that request.
  const auto file = env().MakeAttachment(a.request.id, "scan.pdf", "application/pdf", "%PDF-1.4");
  const HttpResult h =
      env().Get("/api/v1/attachments/" + std::to_string(file.id), env().As(Who::kAgentB));
  const HttpResult m = env().Get("/api/v1/attachments/" + missing, env().As(Who::kAgentB));
  EXPECT_EQ(h.status, 404);
  EXPECT_EQ(m.status, 404);
  EXPECT_EQ(ProblemSlug(h), ProblemSlug(m));
  EXPECT_EQ(h.Json()["title"], m.Json()["title"]);
  EXPECT_EQ(Replace(h.Json().value("detail", ""), std::to_string(file.id), missing),
            m.Json()["detail"]);
  EXPECT_EQ(h.body.find("%PDF"), std::string::npos);

  // And for the audit trail of a request outside the lead's team.
  const CreatedRequest b = env().MakeRequest(Who::kCitizen, "Dans l'équipe B", &env().category_b());
  const HttpResult hidden_audit = env().Get(
      "/api/v1/requests/" + std::to_string(b.request.id) + "/audit", env().As(Who::kLeadA));
  const HttpResult missing_audit =
      env().Get("/api/v1/requests/" + missing + "/audit", env().As(Who::kLeadA));
  EXPECT_EQ(hidden_audit.status, 404);
  EXPECT_EQ(missing_audit.status, 404);
  EXPECT_EQ(Replace(hidden_audit.Json().value("detail", ""), std::to_string(b.request.id), missing),
            missing_audit.Json()["detail"]);
}

TEST_P(PermissionsTest, NonNumericIdsAreNotFound) {
  for (const char* id : {"abc", "0x1", "-1", "1.0", "99999999999999999999999"}) {
    const HttpResult r = env().Get(std::string("/api/v1/requests/") + id, env().As(Who::kAdmin));
    EXPECT_EQ(r.status, 404) << id;
  }
  EXPECT_EQ(env().Get("/api/v1/requests/0", env().As(Who::kAdmin)).status, 404);
}

TEST_P(PermissionsTest, CitizensDoNotSeeInternalDirectoryData) {
  const HttpResult anonymous = env().Get("/api/v1/categories");
  ASSERT_EQ(anonymous.status, 200);
  const json anonymous_json = anonymous.Json();
  for (const auto& c : anonymous_json.value("items", json::array()))
    EXPECT_FALSE(c.contains("default_team_id"));
  const HttpResult citizen = env().Get("/api/v1/categories", env().As(Who::kCitizen));
  const json citizen_json = citizen.Json();
  for (const auto& c : citizen_json.value("items", json::array()))
    EXPECT_FALSE(c.contains("default_team_id"));
  const HttpResult agent = env().Get("/api/v1/categories", env().As(Who::kAgentA));
  const json agent_json = agent.Json();
  for (const auto& c : agent_json.value("items", json::array()))
    EXPECT_TRUE(c.contains("default_team_id"));

  // A user is visible to themselves and to admins/auditors only.
  const std::string other =
      "/api/v1/users/" + std::to_string(env().account(Who::kOtherCitizen).user.id);
  EXPECT_EQ(env().Get(other, env().As(Who::kCitizen)).status, 404);
  EXPECT_EQ(env().Get(other, env().As(Who::kLeadA)).status, 404);
  EXPECT_EQ(env().Get(other, env().As(Who::kOtherCitizen)).status, 200);
  EXPECT_EQ(env().Get(other, env().As(Who::kAuditor)).status, 200);
  // No password hash anywhere in the directory.
  const HttpResult users = env().Get("/api/v1/users", env().As(Who::kAdmin));
  ASSERT_EQ(users.status, 200);
  EXPECT_EQ(users.body.find("argon2"), std::string::npos);
  EXPECT_EQ(users.body.find("password"), std::string::npos);
}

TEST_P(PermissionsTest, AuditorsReadButNeverChange) {
  const CreatedRequest made = env().MakeRequest();
  const std::string target = "/api/v1/requests/" + std::to_string(made.request.id);
  const Counts before = env().CountAll();
  const Headers as = env().As(Who::kAuditor);
  Headers if_match = as;
  if_match.emplace_back("If-Match", "\"1\"");
  EXPECT_EQ(env().Patch(target, R"({"subject": "changé"})", if_match).status, 403);
  EXPECT_EQ(env().Post(target + "/status", R"({"status": "closed", "version": 1})", as).status,
            403);
  EXPECT_EQ(env().Post(target + "/messages", R"({"body": "note"})", as).status, 403);
  EXPECT_EQ(
      env()
          .Post("/api/v1/requests", R"({"subject": "s", "description": "d", "channel": "web"})", as)
          .status,
      403);
  EXPECT_EQ(env().Post("/api/v1/teams", R"({"name": "Audit"})", as).status, 403);
  EXPECT_EQ(env().CountAll(), before);
  EXPECT_EQ(env().Get(target, as).status, 200);
  EXPECT_EQ(env().Get(target + "/audit", as).status, 200);
}

GUICHET_INSTANTIATE_ON_BACKENDS(PermissionsTest);

}  // namespace
}  // namespace guichet::testing
