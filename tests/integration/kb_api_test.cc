// The knowledge base over real HTTP, on every backend: who may read, write, publish and see the
// versions of articles (anonymous, citizen, agent, lead, admin, auditor); version conflicts;
// bad input; HTML sanitised on write and a safe public page; imports as the API shows them; and
// the deflection events with their rate; search, completion, suggestions and the articles
// suggested for a request, following the database. A server of its own per test (fresh store).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "http_client.h"
#include "own_server.h"
#include "tests/testing/status_macros.h"
#include "tests/testing/store_fixture.h"

namespace guichet::testing {
namespace {

using core::Role;
using json = nlohmann::json;

json Article(const std::string& title) {
  return {{"title", title},
          {"summary", "En bref"},
          {"body", "<p>Texte de " + title + "</p>"},
          {"format", "html"},
          {"themes", {"Logement"}},
          {"offices", {{{"title", "Mairie"}, {"local_code", "mairie"}}}},
          {"online_services",
           {{{"title", "Simulateur"}, {"url", "https://www.caf.fr/sim"}, {"kind", "Simulateur"}}}},
          {"legal_refs", {{{"id", "R1"}, {"title", "Loi n° 89-462"}}}}};
}

class KbApiTest : public OwnServerTest {
 protected:
  void SetUp() override {
    if (auto why = StoreFixtureUnavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    ASSERT_OK_AND_ASSIGN(store_, OpenFreshStore(GetParam(), clock_));
    ASSERT_OK_AND_ASSIGN(auto team, store_->CreateTeam("Accueil", storage::Actor::System("test")));
    ASSERT_NO_FATAL_FAILURE(AddAccountsAndStart(
        {Role::kAdmin, Role::kLead, Role::kAgent, Role::kAuditor, Role::kCitizen}, {team.id},
        &clock_));
  }

  // `role` nullopt: anonymous.
  Headers Who(std::optional<Role> role, bool with_body = false) {
    if (role) return As(*role, with_body);
    return with_body ? Headers{{"Content-Type", "application/json"}} : Headers{};
  }
  HttpResult Post(const std::string& target, const json& body, std::optional<Role> role) {
    return client_->Post(target, body.dump(), Who(role, true));
  }
  HttpResult Put(const std::string& target, const json& body, std::optional<Role> role) {
    return client_->Send({"PUT", target, Who(role, true), body.dump()});
  }
  HttpResult Get(const std::string& target, std::optional<Role> role) {
    return client_->Get(target, Who(role));
  }
  std::string Path(std::int64_t id, const std::string& rest = "") {
    return "/api/v1/kb/articles/" + std::to_string(id) + rest;
  }
  // A new article written by `role` (a lead publishes it when `published`).
  json Create(const std::string& title, Role role = Role::kAgent, bool published = false) {
    json body = Article(title);
    if (published) body["status"] = "published";
    HttpResult r = Post("/api/v1/kb/articles", body, role);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json();
  }
  std::vector<std::string> Titles(const HttpResult& r) {
    std::vector<std::string> out;
    const json body = r.Json();
    for (const auto& item : body["items"]) out.push_back(item["title"]);
    return out;
  }
  static std::string Slug(const HttpResult& r) {
    const json body = r.Json();
    const std::string type = body.value("type", "");
    const std::string prefix = "urn:guichet:problem:";
    return type.rfind(prefix, 0) == 0 ? type.substr(prefix.size()) : "";
  }
};

TEST_P(KbApiTest, AgentsProposeDraftsAndLeadsPublish) {
  EXPECT_EQ(Post("/api/v1/kb/articles", Article("x"), std::nullopt).status, 401);
  EXPECT_EQ(Post("/api/v1/kb/articles", Article("x"), Role::kCitizen).status, 403);
  const HttpResult auditor = Post("/api/v1/kb/articles", Article("x"), Role::kAuditor);
  EXPECT_EQ(auditor.status, 403);
  EXPECT_NE(auditor.body.find("reads them"), std::string::npos) << auditor.body;

  json agent_publishing = Article("Publié par un agent");
  agent_publishing["status"] = "published";
  const HttpResult refused = Post("/api/v1/kb/articles", agent_publishing, Role::kAgent);
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("a lead or an admin publishes"), std::string::npos) << refused.body;

  HttpResult drafted = Post("/api/v1/kb/articles", Article("Brouillon d'agent"), Role::kAgent);
  ASSERT_EQ(drafted.status, 201) << drafted.body;
  const json draft = drafted.Json();
  EXPECT_EQ(draft["status"], "draft");
  EXPECT_EQ(draft["version"], 1);
  EXPECT_EQ(drafted.Header("etag"), "\"1\"");
  EXPECT_EQ(drafted.Header("location"), Path(draft["id"]));
  EXPECT_EQ(draft["page_url"], "/kb/articles/" + std::to_string(draft["id"].get<std::int64_t>()));
  const json published = Create("Publié par une responsable", Role::kLead, true);
  EXPECT_EQ(published["status"], "published");
  EXPECT_EQ(Create("Publié par un admin", Role::kAdmin, true)["status"], "published");

  // Drafts are for staff; published articles for everyone.
  for (std::optional<Role> outsider :
       {std::optional<Role>(), std::optional<Role>(Role::kCitizen)}) {
    EXPECT_EQ(Get(Path(draft["id"]), outsider).status, 404);
    const HttpResult read = Get(Path(published["id"]), outsider);
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(read.Json()["body_html"], "<p>Texte de Publié par une responsable</p>");
    EXPECT_FALSE(read.Json().contains("updated_by")) << "staff details stay with staff";
  }
  for (Role staff : {Role::kAgent, Role::kLead, Role::kAdmin, Role::kAuditor}) {
    const HttpResult read = Get(Path(draft["id"]), staff);
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(read.Json()["updated_by"], "user:" + std::to_string(3));
    EXPECT_TRUE(read.Json().contains("change_seq"));
  }

  // Lists: published only for outsiders, any status for staff.
  EXPECT_EQ(Titles(Get("/api/v1/kb/articles", std::nullopt)),
            (std::vector<std::string>{"Publié par un admin", "Publié par une responsable"}));
  EXPECT_EQ(Get("/api/v1/kb/articles?status=draft", std::nullopt).status, 403);
  EXPECT_EQ(Get("/api/v1/kb/articles?status=published", Role::kCitizen).status, 200);
  EXPECT_EQ(Titles(Get("/api/v1/kb/articles?status=draft", Role::kAgent)),
            std::vector<std::string>{"Brouillon d'agent"});
  EXPECT_EQ(Titles(Get("/api/v1/kb/articles", Role::kAuditor)).size(), 3u);
  const json listed = Get("/api/v1/kb/articles?limit=1", Role::kAgent).Json();
  EXPECT_FALSE(listed["items"][0].contains("body")) << "lists carry no body";
  ASSERT_TRUE(listed["next_cursor"].is_string());
  EXPECT_EQ(
      Titles(Get("/api/v1/kb/articles?limit=5&cursor=" + listed["next_cursor"].get<std::string>(),
                 Role::kAgent))
          .size(),
      2u);
  EXPECT_EQ(Titles(Get("/api/v1/kb/articles?q=PUBLIE%20PAR%20UNE", std::nullopt)),
            std::vector<std::string>{"Publié par une responsable"});
}

TEST_P(KbApiTest, AgentsEditDraftsOnlyAndLeadsMoveStatuses) {
  const json draft = Create("Horaires de la mairie");
  const std::int64_t id = draft["id"];
  json edit = Article("Horaires d'été de la mairie");
  edit["version"] = 1;
  HttpResult edited = Put(Path(id), edit, Role::kAgent);
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.Json()["version"], 2);
  EXPECT_EQ(edited.Header("etag"), "\"2\"");

  // Publishing is for leads and admins; outsiders do not even see the draft.
  EXPECT_EQ(client_->Post(Path(id, "/publish"), "", As(Role::kAgent)).status, 403);
  EXPECT_EQ(client_->Post(Path(id, "/publish"), "", As(Role::kAuditor)).status, 403);
  EXPECT_EQ(client_->Post(Path(id, "/publish"), "", As(Role::kCitizen)).status, 404);
  EXPECT_EQ(client_->Post(Path(id, "/publish"), "").status, 401);
  HttpResult published = client_->Post(Path(id, "/publish"), "", As(Role::kLead));
  ASSERT_EQ(published.status, 200) << published.body;
  EXPECT_EQ(published.Json()["status"], "published");
  EXPECT_EQ(published.Json()["version"], 3);
  EXPECT_EQ(Get(Path(id), std::nullopt).status, 200);

  // Once published, agents no longer edit it; leads and admins do; others may only read it.
  edit["version"] = 3;
  const HttpResult agent = Put(Path(id), edit, Role::kAgent);
  EXPECT_EQ(agent.status, 403);
  EXPECT_NE(agent.body.find("Agents edit drafts; this article is published"), std::string::npos)
      << agent.body;
  EXPECT_EQ(Put(Path(id), edit, Role::kCitizen).status, 403);
  EXPECT_EQ(Put(Path(id), edit, Role::kAuditor).status, 403);
  EXPECT_EQ(Put(Path(id), edit, std::nullopt).status, 401);
  edit["summary"] = "Mis à jour par la responsable";
  ASSERT_EQ(Put(Path(id), edit, Role::kLead).status, 200);

  ASSERT_EQ(client_->Post(Path(id, "/archive"), "", As(Role::kAdmin)).status, 200);
  EXPECT_EQ(Get(Path(id), std::nullopt).status, 404) << "archived: staff only";
  EXPECT_EQ(Get(Path(id), Role::kAgent).status, 200);
  const HttpResult back = client_->Post(Path(id, "/unpublish"), "", As(Role::kAdmin));
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.Json()["status"], "draft");
  EXPECT_EQ(back.Json()["version"], 6);

  // Versions: staff only, newest first, with their diffs.
  EXPECT_EQ(Get(Path(id, "/versions"), std::nullopt).status, 401);
  EXPECT_EQ(Get(Path(id, "/versions"), Role::kCitizen).status, 404);
  EXPECT_EQ(Get(Path(id, "/versions"), Role::kAuditor).status, 200);
  const HttpResult versions = Get(Path(id, "/versions"), Role::kAgent);
  ASSERT_EQ(versions.status, 200) << versions.body;
  const json items = versions.Json()["items"];
  ASSERT_EQ(items.size(), 6u);
  EXPECT_EQ(items[0]["version"], 6);
  EXPECT_EQ(items[0]["diff"], "status: archived -> draft\n");
  EXPECT_EQ(items[3]["diff"], "status: draft -> published\n");
  EXPECT_NE(items[4]["diff"].get<std::string>().find("+Horaires d'été de la mairie"),
            std::string::npos)
      << items[4]["diff"];
  EXPECT_EQ(items[5]["diff"], "");
  EXPECT_EQ(items[5]["article"]["title"], "Horaires de la mairie");
  EXPECT_EQ(items[5]["author_id"], 3);

  // A published article's versions are still staff business.
  ASSERT_EQ(client_->Post(Path(id, "/publish"), "", As(Role::kAdmin)).status, 200);
  EXPECT_EQ(Get(Path(id, "/versions"), Role::kCitizen).status, 403);
  EXPECT_EQ(Get(Path(id, "/versions"), std::nullopt).status, 401);
}

TEST_P(KbApiTest, StaleVersionsAreConflictsWithAClearMessage) {
  const std::int64_t id = Create("Carte d'identité")["id"];
  json edit = Article("Carte nationale d'identité");
  HttpResult missing = Put(Path(id), edit, Role::kAgent);
  EXPECT_EQ(missing.status, 428) << missing.body;
  edit["version"] = 1;
  ASSERT_EQ(Put(Path(id), edit, Role::kAgent).status, 200);
  edit["title"] = "Autre titre";
  const HttpResult stale = Put(Path(id), edit, Role::kAgent);  // still on version 1
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(Slug(stale), "edit-conflict");
  EXPECT_NE(stale.Json()["detail"].get<std::string>().find(
                "is at version 2, the change was made on version 1"),
            std::string::npos)
      << stale.body;
  Headers if_match = As(Role::kAgent, true);
  if_match.push_back({"If-Match", "\"2\""});
  EXPECT_EQ(client_->Send({"PUT", Path(id), if_match, edit.dump()}).status, 200)
      << "If-Match wins over the body's version";

  Headers stale_match = As(Role::kLead);
  stale_match.push_back({"If-Match", "\"1\""});
  EXPECT_EQ(client_->Post(Path(id, "/publish"), "", stale_match).status, 409);
  Headers bad_match = As(Role::kLead);
  bad_match.push_back({"If-Match", "W/\"3\""});
  EXPECT_EQ(client_->Post(Path(id, "/publish"), "", bad_match).status, 400);
  Headers good_match = As(Role::kLead);
  good_match.push_back({"If-Match", "\"3\""});
  EXPECT_EQ(client_->Post(Path(id, "/publish"), "", good_match).status, 200);

  // Concurrent edits of one version: exactly one wins.
  edit.erase("version");
  std::atomic<int> won{0}, conflicts{0};
  std::vector<std::thread> editors;
  for (int i = 0; i < 4; ++i) {
    editors.emplace_back([&, i] {
      HttpClient own(server_->port());
      json mine = edit;
      mine["title"] = "Édition concurrente " + std::to_string(i);
      mine["version"] = 4;
      const HttpResult r = own.Send({"PUT", Path(id), As(Role::kLead, true), mine.dump()});
      if (r.status == 200) ++won;
      if (r.status == 409) ++conflicts;
    });
  }
  for (auto& t : editors) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicts.load(), 3);
}

TEST_P(KbApiTest, BadInputIsRefusedFieldByField) {
  const Headers agent = As(Role::kAgent, true);
  const HttpResult not_json = client_->Post("/api/v1/kb/articles", "{\"title\": ", agent);
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(Slug(not_json), "invalid-json");
  EXPECT_EQ(client_->Post("/api/v1/kb/articles", "[1]", agent).status, 400);

  auto fields = [](const HttpResult& r) {
    std::vector<std::string> out;
    const json body = r.Json();
    for (const auto& e : body.value("errors", json::array())) out.push_back(e["field"]);
    return out;
  };
  json empty = Article("  ");
  HttpResult r = Post("/api/v1/kb/articles", empty, Role::kAgent);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(fields(r), std::vector<std::string>{"title"});

  json big = Article(std::string(301, 'T'));
  big["summary"] = std::string(2001, 's');
  big["body"] = std::string(520 * 1024, 'b');  // under the 1 MiB of JSON, over the 500 KB
  big["format"] = "text";
  r = Post("/api/v1/kb/articles", big, Role::kAgent);
  EXPECT_EQ(r.status, 422) << r.body.substr(0, 300);
  EXPECT_EQ(fields(r), (std::vector<std::string>{"title", "summary", "body"}));

  json odd = Article("Titre");
  odd["format"] = "pdf";
  odd["status"] = "archived";
  odd["colour"] = "red";
  odd["themes"] = "Logement";
  odd["legal_refs"] = {{{"title", "Piège"}, {"url", "javascript:alert(1)"}, {"note", "x"}}};
  odd["offices"] = {"Mairie"};
  r = Post("/api/v1/kb/articles", odd, Role::kLead);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(fields(r), (std::vector<std::string>{"format", "themes", "legal_refs[0].note",
                                                 "offices[0]", "status", "colour"}));
  odd = Article("Titre");
  odd["legal_refs"] = {{{"title", "Piège"}, {"url", "javascript:alert(1)"}}};
  odd["language"] = "français";
  r = Post("/api/v1/kb/articles", odd, Role::kLead);
  EXPECT_EQ(fields(r), (std::vector<std::string>{"legal_refs[0].url", "language"}));

  const std::string huge = "{\"title\": \"" + std::string(1100 * 1024, 'x') + "\"}";
  EXPECT_EQ(client_->Post("/api/v1/kb/articles", huge, agent).status, 413);

  EXPECT_EQ(Get("/api/v1/kb/articles?status=deleted", Role::kAgent).status, 400);
  EXPECT_EQ(Get("/api/v1/kb/articles?colour=red", Role::kAgent).status, 400);
  EXPECT_EQ(Get("/api/v1/kb/articles?limit=0", Role::kAgent).status, 400);
  EXPECT_EQ(Get("/api/v1/kb/articles/0", Role::kAgent).status, 404);
  EXPECT_EQ(Get("/api/v1/kb/articles/999", Role::kAgent).status, 404);
  EXPECT_EQ(Put(Path(999), Article("x"), Role::kAdmin).status, 404);
  EXPECT_EQ(client_->Post(Path(999, "/archive"), "", As(Role::kAdmin)).status, 404);

  // A taken external id is a conflict, named.
  json imported = Article("Fiche");
  imported["external_id"] = "F2211";
  imported["audience"] = "particuliers";
  ASSERT_EQ(Post("/api/v1/kb/articles", imported, Role::kAgent).status, 201);
  r = Post("/api/v1/kb/articles", imported, Role::kAgent);
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("F2211"), std::string::npos) << r.body;
}

TEST_P(KbApiTest, HtmlIsSanitisedOnWriteAndThePageIsSafe) {
  json body = Article("Loyer <b>impayé</b> & \"aide\"");
  body["body"] =
      "<p onclick=\"steal()\">Bonjour<script>alert(1)</script></p>"
      "<a href=\"javascript:alert(1)\">piège</a><a href=\"https://www.caf.fr\">Caf</a>";
  body["source_url"] = "https://www.service-public.fr/particuliers/vosdroits/F2211";
  body["status"] = "published";
  HttpResult created = Post("/api/v1/kb/articles", body, Role::kLead);
  ASSERT_EQ(created.status, 201) << created.body;
  const json article = created.Json();
  EXPECT_EQ(article["body"],
            "<p>Bonjour</p>piège<a href=\"https://www.caf.fr\" rel=\"noopener\">Caf</a>");

  const std::int64_t id = article["id"];
  const HttpResult page = client_->Get("/kb/articles/" + std::to_string(id));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.Header("content-security-policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(page.Header("content-security-policy").find("unsafe-inline"), std::string::npos);
  const std::string& html = page.body;
  EXPECT_NE(html.find("<html lang=\"fr\" dir=\"ltr\">"), std::string::npos);
  EXPECT_NE(html.find("<h1>Loyer &lt;b&gt;impayé&lt;/b&gt; &amp; &quot;aide&quot;</h1>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<p>Bonjour</p>"), std::string::npos);
  EXPECT_NE(html.find("<h2 id=\"where-title\">Où s’adresser ?</h2>"), std::string::npos);
  EXPECT_NE(html.find("<li>Mairie</li>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"https://www.caf.fr/sim\" rel=\"noopener\">Simulateur</a>"),
            std::string::npos);
  EXPECT_NE(html.find("<li>Loi n° 89-462</li>"), std::string::npos) << "no address, no link";
  EXPECT_NE(html.find("Source : <a href=\"https://www.service-public.fr/particuliers/vosdroits/"
                      "F2211\""),
            std::string::npos);
  EXPECT_EQ(html.find("alert(1)"), std::string::npos);
  EXPECT_EQ(html.find("onclick"), std::string::npos);
  EXPECT_EQ(html.find("javascript:"), std::string::npos);

  // Markdown is rendered (and sanitised) for pages and for body_html.
  json markdown = Article("En Markdown");
  markdown["format"] = "markdown";
  markdown["body"] = "## Démarche\n\n**Pièces** : [formulaire](https://x.fr) <img src=x onerror=y>";
  const HttpResult md = Post("/api/v1/kb/articles", markdown, Role::kAgent);
  ASSERT_EQ(md.status, 201) << md.body;
  EXPECT_EQ(md.Json()["body"], markdown["body"]) << "Markdown is stored as written";
  EXPECT_EQ(md.Json()["body_html"],
            "<h2>Démarche</h2>\n<p><strong>Pièces</strong> : <a href=\"https://x.fr\" "
            "rel=\"noopener\">formulaire</a> </p>\n");

  // Drafts have no public page: browsers get an HTML 404, API clients a problem.
  const std::string draft_page = "/kb/articles/" + std::to_string(md.Json()["id"].get<int>());
  const HttpResult browser = client_->Get(draft_page, {{"Accept", "text/html,*/*"}});
  EXPECT_EQ(browser.status, 404);
  EXPECT_EQ(browser.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(browser.body.find("Article introuvable"), std::string::npos);
  const HttpResult api = client_->Get(draft_page, {{"Accept", "application/json"}});
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.Header("content-type"), "application/problem+json");
  const HttpResult staff = client_->Get(draft_page, As(Role::kAgent));
  EXPECT_EQ(staff.status, 200);
  EXPECT_NE(staff.body.find("Brouillon : visible par les agents seulement."), std::string::npos);
}

TEST_P(KbApiTest, ImportsShowInTheApiWithTheirVersions) {
  std::vector<core::KbArticle> fiches;
  for (int i = 1; i <= 3; ++i) {
    core::KbArticle a;
    a.external_id = "F" + std::to_string(i);
    a.audience = "particuliers";
    a.title = "Fiche " + std::to_string(i);
    a.body = "<p>Version A</p>";
    a.format = core::ArticleFormat::kHtml;
    a.status = core::ArticleStatus::kPublished;
    fiches.push_back(a);
  }
  const storage::Actor importer = storage::Actor::System("import");
  ASSERT_OK_AND_ASSIGN(auto first, store_->kb().UpsertImported(fiches, importer));
  EXPECT_EQ(first.created, 3);
  ASSERT_OK_AND_ASSIGN(auto again, store_->kb().UpsertImported(fiches, importer));
  EXPECT_EQ(again.unchanged, 3);
  EXPECT_EQ(Titles(Get("/api/v1/kb/articles", std::nullopt)).size(), 3u);

  ASSERT_OK_AND_ASSIGN(const auto f2, store_->kb().GetByExternalId("F2", "particuliers"));
  const std::int64_t seq_before = Get(Path(f2.article.id), Role::kAgent).Json()["change_seq"];
  fiches[1].body = "<p>Version B</p>";
  ASSERT_OK_AND_ASSIGN(auto changed, store_->kb().UpsertImported(fiches, importer));
  EXPECT_EQ(changed.updated, 1);
  EXPECT_EQ(changed.unchanged, 2);
  const json now = Get(Path(f2.article.id), Role::kAgent).Json();
  EXPECT_EQ(now["version"], 2);
  EXPECT_GT(now["change_seq"].get<std::int64_t>(), seq_before);
  EXPECT_EQ(now["updated_by"], "import");
  const json versions = Get(Path(f2.article.id, "/versions"), Role::kAgent).Json()["items"];
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0]["diff"], "--- body\n@@ -1 +1 @@\n-<p>Version A</p>\n+<p>Version B</p>\n");
  EXPECT_TRUE(versions[0]["author_id"].is_null());
  EXPECT_EQ(versions[0]["author"], "import");
}

TEST_P(KbApiTest, DeflectionEventsAreSmallAnonymousAndCounted) {
  const std::string session = "s3ss10n-t0ken_abcdef";
  auto event = [&](const std::string& kind, int suggestions, const std::string& who = "") {
    json e = {{"kind", kind},
              {"session", who.empty() ? session : who},
              {"query_length", 18},
              {"suggestions", suggestions}};
    return client_->Post("/api/v1/kb/deflection-events", e.dump(),
                         {{"Content-Type", "application/json"}});
  };
  const HttpResult shown = event("shown", 3);
  EXPECT_EQ(shown.status, 204) << shown.body;
  EXPECT_TRUE(shown.body.empty());
  EXPECT_EQ(event("clicked", 0).status, 204);
  EXPECT_EQ(event("shown", 2, "another-session-token-1").status, 204);
  EXPECT_EQ(event("submitted", 0, "another-session-token-1").status, 204);
  EXPECT_EQ(client_
                ->Post("/api/v1/kb/deflection-events",
                       json({{"kind", "shown"},
                             {"session", "citizen-session-token"},
                             {"article_id", 1},
                             {"article_external_id", "F2211"},
                             {"request_id", 7},
                             {"suggestions", 1}})
                           .dump(),
                       As(Role::kCitizen, true))
                .status,
            204)
      << "signed-in citizens too";

  EXPECT_EQ(event("bought", 1).status, 422);
  EXPECT_EQ(event("shown", 101).status, 422);
  EXPECT_EQ(event("shown", 1, "short").status, 422);
  EXPECT_EQ(event("shown", 1, "with spaces in the token").status, 422);
  const HttpResult bad_id = client_->Post(
      "/api/v1/kb/deflection-events",
      json({{"kind", "clicked"}, {"session", session}, {"article_external_id", "F1'; --"}}).dump(),
      {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad_id.status, 422);
  EXPECT_NE(bad_id.body.find("article_external_id"), std::string::npos) << bad_id.body;
  const HttpResult unknown =
      client_->Post("/api/v1/kb/deflection-events",
                    json({{"kind", "shown"}, {"session", session}, {"query", "mon loyer"}}).dump(),
                    {{"Content-Type", "application/json"}});
  EXPECT_EQ(unknown.status, 422) << "no room for the text typed";
  const HttpResult big =
      client_->Post("/api/v1/kb/deflection-events",
                    json({{"kind", "shown"}, {"session", std::string(3000, 'a')}}).dump(),
                    {{"Content-Type", "application/json"}});
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(
      client_->Post("/api/v1/kb/deflection-events", "kind=shown", {{"Content-Type", "text/plain"}})
          .status,
      415);

  EXPECT_EQ(Get("/api/v1/kb/deflection-stats", std::nullopt).status, 401);
  EXPECT_EQ(Get("/api/v1/kb/deflection-stats", Role::kAgent).status, 403);
  EXPECT_EQ(Get("/api/v1/kb/deflection-stats", Role::kCitizen).status, 403);
  EXPECT_EQ(Get("/api/v1/kb/deflection-stats?from=yesterday", Role::kLead).status, 400);
  EXPECT_EQ(Get("/api/v1/kb/deflection-stats?from=2026-03-02&to=2026-03-01", Role::kLead).status,
            400);
  clock_.Advance(1000);
  for (Role reader : {Role::kLead, Role::kAdmin, Role::kAuditor}) {
    const HttpResult stats = Get("/api/v1/kb/deflection-stats", reader);
    ASSERT_EQ(stats.status, 200) << stats.body;
    const json s = stats.Json();
    EXPECT_EQ(s["shown"], 3);
    EXPECT_EQ(s["clicked"], 1);
    EXPECT_EQ(s["submitted"], 1);
    EXPECT_EQ(s["sessions_shown"], 3);
    EXPECT_EQ(s["sessions_deflected"], 2);
    EXPECT_DOUBLE_EQ(s["deflection_rate"].get<double>(), 2.0 / 3.0);
  }
}

std::vector<std::string> HitTitles(const HttpResult& r) {
  std::vector<std::string> out;
  if (r.status != 200) return out;
  const json body = r.Json();  // kept: a loop over a temporary's member would dangle
  for (const auto& item : body["items"]) out.push_back(item["title"]);
  return out;
}

bool Has(const std::vector<std::string>& titles, const std::string& title) {
  return std::find(titles.begin(), titles.end(), title) != titles.end();
}

TEST_P(KbApiTest, SearchFollowsPublishingAndArchiving) {
  const json draft = Create("Aide personnalisée au logement");
  const std::string search = "/api/v1/kb/search?q=aide%20logement";
  // Ready once the first catch-up is done; a draft is not searchable.
  HttpResult r = Eventually(*client_, search, [](const HttpResult& h) { return h.status == 200; });
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(HitTitles(r).empty());
  ASSERT_EQ(Post(Path(draft["id"], "/publish"), json::object(), Role::kLead).status, 200);
  r = Eventually(*client_, search, [](const HttpResult& h) { return !HitTitles(h).empty(); });
  EXPECT_EQ(HitTitles(r), std::vector<std::string>{"Aide personnalisée au logement"});
  const json hit = r.Json()["items"][0];
  EXPECT_EQ(hit["url"], "/kb/articles/" + std::to_string(draft["id"].get<std::int64_t>()));
  EXPECT_NE(hit["snippet_html"].get<std::string>().find("<mark>"), std::string::npos);
  // Abbreviations, spelling and completion on the same index.
  EXPECT_TRUE(
      Has(HitTitles(client_->Get("/api/v1/kb/search?q=APL")), "Aide personnalisée au logement"));
  // Spelling corrects towards words of at least two articles.
  Create("Logement social", Role::kLead, true);
  Eventually(*client_, "/api/v1/kb/search?q=social",
             [](const HttpResult& h) { return !HitTitles(h).empty(); });
  r = client_->Get("/api/v1/kb/search?q=logemnt");
  EXPECT_EQ(r.Json()["did_you_mean"], "logement");
  r = client_->Get("/api/v1/kb/complete?q=aide%20pers");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HitTitles(r), std::vector<std::string>{"Aide personnalisée au logement"});
  r = client_->Get(
      "/api/v1/kb/suggestions?text=je%20voudrais%20une%20aide%20pour%20mon%20logement");
  EXPECT_TRUE(Has(HitTitles(r), "Aide personnalisée au logement"));
  ASSERT_EQ(Post(Path(draft["id"], "/archive"), json::object(), Role::kLead).status, 200);
  r = Eventually(*client_, search, [](const HttpResult& h) {
    return !Has(HitTitles(h), "Aide personnalisée au logement");
  });
  EXPECT_EQ(HitTitles(r), std::vector<std::string>{"Logement social"});
}

TEST_P(KbApiTest, SuggestedArticlesAreForStaffWhoMaySeeTheRequest) {
  Create("Déclarer un dépôt sauvage de déchets", Role::kLead, true);
  core::NewRequest in;
  in.subject = "Dépôt sauvage";
  in.description = "Des déchets sont déposés depuis une semaine devant l'école.";
  ASSERT_OK_AND_ASSIGN(auto request,
                       store_->CreateRequest(in, Sha256Hex("s"), storage::Actor::System("t")));
  const std::string path = "/api/v1/requests/" + std::to_string(request.id) + "/suggested-articles";
  EXPECT_EQ(client_->Get(path).status, 401);
  EXPECT_EQ(Get(path, Role::kCitizen).status, 403);
  HttpResult r;
  for (int i = 0; i < 300; ++i) {
    r = Get(path, Role::kAdmin);
    if (!HitTitles(r).empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(HitTitles(r), std::vector<std::string>{"Déclarer un dépôt sauvage de déchets"});
  EXPECT_EQ(Get("/api/v1/requests/999999/suggested-articles", Role::kAdmin).status, 404);
  EXPECT_EQ(Get(path + "?limit=500", Role::kAdmin).status, 400);
}

TEST_P(KbApiTest, SearchAnswersAnyTextOrSaysWhatIsWrong) {
  Create("Carte grise", Role::kLead, true);
  Eventually(*client_, "/api/v1/kb/search?q=carte",
             [](const HttpResult& h) { return !HitTitles(h).empty(); });
  for (const std::string& q :
       std::vector<std::string>{"", "%22carte%20AND%20(grise%20OR%20NOT%22%20*",
                                "%27%3B%20DROP%20TABLE%20kb_articles%3B--",
                                "%3Cscript%3Ealert(1)%3C%2Fscript%3E", std::string(3000, 'a')}) {
    const HttpResult r = client_->Get("/api/v1/kb/search?q=" + q);
    EXPECT_EQ(r.status, 200) << q << ": " << r.body;
  }
  EXPECT_EQ(client_->Get("/api/v1/kb/search?q=" + std::string(10001, 'a')).status, 400);
  EXPECT_EQ(client_->Get("/api/v1/kb/search?q=%FF%FE").status, 400);
  EXPECT_EQ(client_->Get("/api/v1/kb/search?q=carte&limit=0").status, 400);
  EXPECT_EQ(client_->Get("/api/v1/kb/search?q=carte&offset=-1").status, 400);
  EXPECT_EQ(client_->Get("/api/v1/kb/search?q=carte&colour=red").status, 400);
  EXPECT_EQ(client_->Get("/api/v1/kb/complete?q=c&limit=51").status, 400);
}

INSTANTIATE_TEST_SUITE_P(Backends, KbApiTest, ::testing::ValuesIn(BackendNames()),
                         BackendParamName);

}  // namespace
}  // namespace guichet::testing
