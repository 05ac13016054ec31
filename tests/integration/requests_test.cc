// Working a request over real HTTP: optimistic concurrency with ETag/If-Match, cursor
// pagination (each request exactly once, stable under inserts), status transitions, assignment,
// messages (citizens see public ones only), attachments, the citizen's private link, and the
// audit trail with field-level before/after values.
#include <atomic>
#include <set>
#include <thread>

#include "common/crypto.h"
#include "harness.h"

namespace guichet::testing {
namespace {

using json = nlohmann::json;

class RequestsTest : public ServerTest<RequestsTest> {
 protected:
  static std::string Target(const CreatedRequest& r) {
    return "/api/v1/requests/" + std::to_string(r.request.id);
  }
  static Headers With(Headers h, const std::string& name, const std::string& value) {
    h.emplace_back(name, value);
    return h;
  }
  // Moves `target` to `status` as agent A; returns the response.
  HttpResult Move(const std::string& target, const std::string& status) {
    const HttpResult current = env().Get(target, env().As(Who::kAgentA));
    return env().Post(target + "/status", json{{"status", status}}.dump(),
                      With(env().As(Who::kAgentA), "If-Match", current.Header("etag")));
  }
};

// ---- Optimistic concurrency ----------------------------------------------------------------

TEST_P(RequestsTest, ETagIsTheVersion) {
  const CreatedRequest made = env().MakeRequest();
  const HttpResult r = env().Get(Target(made), env().As(Who::kAgentA));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("etag"), "\"1\"");
  EXPECT_EQ(r.Json()["version"], 1);

  const HttpResult patched = env().Patch(Target(made), R"({"subject": "Sujet corrigé"})",
                                         With(env().As(Who::kAgentA), "If-Match", "\"1\""));
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Json()["version"], 2);
  EXPECT_EQ(patched.Header("etag"), "\"2\"");
  EXPECT_EQ(patched.Json()["subject"], "Sujet corrigé");
  EXPECT_EQ(env().Get(Target(made), env().As(Who::kAgentA)).Header("etag"), "\"2\"");

  // A POST that creates gives the ETag and Location too.
  const HttpResult created =
      env().Post("/api/v1/requests",
                 R"({"subject": "Nouvelle", "description": "Par téléphone", "channel": "phone"})",
                 env().As(Who::kAgentA));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("etag"), "\"1\"");
  EXPECT_EQ(created.Header("location"),
            "/api/v1/requests/" + std::to_string(created.Json()["id"].get<core::Id>()));
}

TEST_P(RequestsTest, SecondEditOnTheSameVersionIsAConflict) {
  const CreatedRequest made = env().MakeRequest();
  const Headers h = With(env().As(Who::kAgentA), "If-Match", "\"1\"");
  const HttpResult first = env().Patch(Target(made), R"({"priority": "high"})", h);
  const HttpResult second = env().Patch(Target(made), R"({"priority": "low"})", h);
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_EQ(ProblemSlug(second), "edit-conflict");
  // The first edit stands.
  const HttpResult now = env().Get(Target(made), env().As(Who::kAgentA));
  EXPECT_EQ(now.Json()["priority"], "high");
  EXPECT_EQ(now.Json()["version"], 2);
  // The same for the action routes.
  const HttpResult stale = env().Post(Target(made) + "/status", R"({"status": "open"})", h);
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(ProblemSlug(stale), "edit-conflict");
}

TEST_P(RequestsTest, ParallelEditsOnOneVersionLetExactlyOneWin) {
  const CreatedRequest made = env().MakeRequest();
  constexpr int kWriters = 6;
  std::atomic<int> ok{0}, conflict{0}, other{0};
  std::vector<std::thread> writers;
  const Headers h = With(env().As(Who::kAgentA), "If-Match", "\"1\"");
  const std::uint16_t port = env().port();
  const std::string target = Target(made);
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      HttpClient client(port);
      Headers headers = h;
      headers.emplace_back("Content-Type", "application/json");
      const HttpResult r = client.Send(
          {"PATCH", target, headers, json{{"subject", "Écrit par " + std::to_string(i)}}.dump()});
      (r.status == 200 ? ok : r.status == 409 ? conflict : other)++;
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflict, kWriters - 1);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(env().store().GetRequest(made.request.id)->version, 2);
}

// ---- Pagination ----------------------------------------------------------------------------

TEST_P(RequestsTest, CursorWalkGivesEachRequestExactlyOnceEvenWithInserts) {
  // Its own category, so that other tests' requests do not interfere.
  auto category = env().store().CreateCategory({0, "pagination", "Pagination", env().team_a().id},
                                               storage::Actor::System("test"));
  ASSERT_TRUE(category.ok());
  std::set<core::Id> expected;
  for (int i = 0; i < 23; ++i)
    expected.insert(
        env().MakeRequest(Who::kCitizen, "Page " + std::to_string(i), &*category).request.id);

  std::vector<core::Id> seen;
  std::string cursor;
  int pages = 0;
  core::Id previous = INT64_MAX;
  for (; pages < 20; ++pages) {
    const HttpResult r = env().Get("/api/v1/requests?category=pagination&limit=5" +
                                       (cursor.empty() ? "" : "&cursor=" + cursor),
                                   env().As(Who::kAgentA));
    ASSERT_EQ(r.status, 200) << r.body;
    const json body = r.Json();
    EXPECT_LE(body["items"].size(), 5u);
    for (const auto& item : body["items"]) {
      const core::Id id = item["id"];
      EXPECT_LT(id, previous) << "newest first";
      previous = id;
      seen.push_back(id);
    }
    if (pages == 1) {
      // Inserts between pages land before the cursor: later pages do not shift.
      for (int i = 0; i < 4; ++i) env().MakeRequest(Who::kCitizen, "Insérée", &*category);
    }
    if (body["next_cursor"].is_null()) break;
    cursor = body["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(pages, 4);  // 23 requests in pages of 5
  EXPECT_EQ(seen.size(), expected.size());
  EXPECT_EQ(std::set<core::Id>(seen.begin(), seen.end()), expected);

  // A fresh walk sees the inserted ones too, each once.
  seen.clear();
  cursor.clear();
  for (int i = 0; i < 20; ++i) {
    const HttpResult r = env().Get("/api/v1/requests?category=pagination&limit=7" +
                                       (cursor.empty() ? "" : "&cursor=" + cursor),
                                   env().As(Who::kAdmin));
    const json r_json = r.Json();
    for (const auto& item : r_json.value("items", json::array())) seen.push_back(item["id"]);
    if (r.Json()["next_cursor"].is_null()) break;
    cursor = r.Json()["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen.size(), 27u);
  EXPECT_EQ(std::set<core::Id>(seen.begin(), seen.end()).size(), 27u);
}

TEST_P(RequestsTest, FiltersSelectTheRightRequests) {
  auto category = env().store().CreateCategory({0, "filtres", "Filtres", env().team_a().id},
                                               storage::Actor::System("test"));
  ASSERT_TRUE(category.ok());
  const CreatedRequest a = env().MakeRequest(Who::kCitizen, "Lampadaire cassé", &*category);
  const CreatedRequest b = env().MakeRequest(Who::kCitizen, "Nid de poule", &*category);
  const CreatedRequest c = env().MakeRequest(Who::kCitizen, "Graffiti", &*category);
  ASSERT_EQ(Move(Target(b), "open").status, 200);
  ASSERT_EQ(Move(Target(c), "closed").status, 200);
  ASSERT_EQ(env()
                .Post(Target(a) + "/assign",
                      json{{"assignee_id", env().account(Who::kAgentA).user.id}}.dump(),
                      With(env().As(Who::kAgentA), "If-Match", "\"1\""))
                .status,
            200);

  auto ids = [&](const std::string& query) {
    const HttpResult r =
        env().Get("/api/v1/requests?category=filtres&" + query, env().As(Who::kAdmin));
    EXPECT_EQ(r.status, 200) << query << " " << r.body;
    std::set<core::Id> out;
    const json r_json = r.Json();
    for (const auto& item : r_json.value("items", json::array()))
      out.insert(item["id"].get<core::Id>());
    return out;
  };
  const core::Id ia = a.request.id, ib = b.request.id, ic = c.request.id;
  EXPECT_EQ(ids("status=new"), (std::set<core::Id>{ia}));
  EXPECT_EQ(ids("status=new,open"), (std::set<core::Id>{ia, ib}));
  EXPECT_EQ(ids("status=closed"), (std::set<core::Id>{ic}));
  EXPECT_EQ(ids("assignee_id=none"), (std::set<core::Id>{ib, ic}));
  EXPECT_EQ(ids("assignee_id=" + std::to_string(env().account(Who::kAgentA).user.id)),
            (std::set<core::Id>{ia}));
  EXPECT_EQ(ids("team_id=" + std::to_string(env().team_a().id)), (std::set<core::Id>{ia, ib, ic}));
  EXPECT_EQ(ids("team_id=" + std::to_string(env().team_b().id)), (std::set<core::Id>{}));
  EXPECT_EQ(ids("priority=normal&channel=web"), (std::set<core::Id>{ia, ib, ic}));
  EXPECT_EQ(ids("priority=urgent"), (std::set<core::Id>{}));
  EXPECT_EQ(ids("channel=email"), (std::set<core::Id>{}));
  EXPECT_EQ(ids("q=lampadaire"), (std::set<core::Id>{ia}));
  EXPECT_EQ(ids("created_from=2000-01-01"), (std::set<core::Id>{ia, ib, ic}));
  EXPECT_EQ(ids("created_to=2000-01-01"), (std::set<core::Id>{}));
  // ISO 8601 times as browsers send them: ':' is not percent-encoded in a query.
  EXPECT_EQ(ids("created_from=2000-01-01T00:00:00Z"), (std::set<core::Id>{ia, ib, ic}));
  EXPECT_EQ(ids("created_to=2000-01-01T09:30:00.000%2B01:00"), (std::set<core::Id>{}));
  // The documented comma list works encoded or not.
  EXPECT_EQ(ids("status=new%2Copen"), (std::set<core::Id>{ia, ib}));
  EXPECT_EQ(ids("category=" + std::to_string(category->id) + "&status=open"),
            (std::set<core::Id>{ib}));
}

// Search text is data, never syntax: FTS operators, quotes and SQL give a normal answer on every
// backend.
TEST_P(RequestsTest, HostileTextIsJustText) {
  for (const std::string& q :
       {std::string("\"unbalanced"), std::string("AND OR NOT"), std::string("*"), std::string("-x"),
        std::string("a:b NEAR(c d)"), std::string("'; DROP TABLE requests; --"), std::string("été"),
        std::string("%_\\"), std::string(" ")}) {
    const HttpResult r = env().Get("/api/v1/requests?q=" + UrlEncode(q), env().As(Who::kAgentA));
    EXPECT_EQ(r.status, 200) << q << " " << r.body;
  }
}

// PostgreSQL cannot store U+0000 in text, so the one answer both backends can give is a 422
// that changes nothing (SQLite would keep it, PostgreSQL refuse it: the API must not differ).
TEST_P(RequestsTest, NulCharactersAreRefusedOnEveryBackend) {
  const Counts before = env().CountAll();
  const HttpResult nul =
      env().Post("/api/v1/requests",
                 R"({"subject": "avant\u0000après", "description": "d", "channel": "web"})",
                 env().As(Who::kAgentA));
  EXPECT_EQ(nul.status, 422) << nul.body;
  EXPECT_EQ(ProblemSlug(nul), "validation-failed");
  EXPECT_EQ(env().CountAll(), before);
}

// ---- Status, assignment ----------------------------------------------------------------------

TEST_P(RequestsTest, StatusTransitionsFollowTheLifeCycle) {
  const CreatedRequest made = env().MakeRequest();
  const std::string t = Target(made);
  EXPECT_EQ(Move(t, "open").status, 200);
  HttpResult r = Move(t, "new");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(ProblemSlug(r), "invalid-state");
  EXPECT_EQ(Move(t, "pending_citizen").status, 200);
  EXPECT_EQ(Move(t, "open").status, 200);
  r = Move(t, "resolved");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.Json()["resolved_at"].is_null());
  r = Move(t, "pending_third_party");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(ProblemSlug(r), "invalid-state");
  r = Move(t, "open");  // reopened
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.Json()["resolved_at"].is_null());
  EXPECT_EQ(Move(t, "closed").status, 200);
  for (const char* s : {"open", "resolved", "pending_citizen", "new"}) {
    r = Move(t, s);
    EXPECT_EQ(r.status, 409) << s;
    EXPECT_EQ(ProblemSlug(r), "invalid-state") << s;
  }
  const HttpResult final_state = env().Get(t, env().As(Who::kAgentA));
  EXPECT_EQ(final_state.Json()["status"], "closed");
  EXPECT_EQ(final_state.Json()["version"], 7);
}

TEST_P(RequestsTest, AssignAndUnassign) {
  const CreatedRequest made = env().MakeRequest();
  const std::string t = Target(made);
  const core::Id agent = env().account(Who::kAgentA).user.id;
  HttpResult r = env().Post(t + "/assign", json{{"assignee_id", agent}, {"version", 1}}.dump(),
                            env().As(Who::kLeadA));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["assignee_id"], agent);
  r = env().Post(t + "/assign", R"({"assignee_id": null})",
                 With(env().As(Who::kAgentA), "If-Match", r.Header("etag")));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.Json()["assignee_id"].is_null());
  EXPECT_EQ(r.Json()["version"], 3);
}

// ---- Messages ------------------------------------------------------------------------------

TEST_P(RequestsTest, CitizensSeePublicMessagesOnly) {
  const CreatedRequest made = env().MakeRequest();
  const std::string t = Target(made) + "/messages";
  HttpResult r =
      env().Post(t, R"({"body": "Bonjour, voici ma question."})", env().As(Who::kCitizen));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json()["visibility"], "public");
  r = env().Post(t, R"({"body": "Dossier incomplet, relancer.", "visibility": "internal"})",
                 env().As(Who::kAgentA));
  ASSERT_EQ(r.status, 201) << r.body;
  r = env().Post(t, R"({"body": "Merci, nous traitons votre demande.", "channel": "email"})",
                 env().As(Who::kAgentA));
  ASSERT_EQ(r.status, 201) << r.body;

  const HttpResult citizen = env().Get(t, env().As(Who::kCitizen));
  ASSERT_EQ(citizen.status, 200);
  ASSERT_EQ(citizen.Json()["items"].size(), 2u);
  const json citizen_json = citizen.Json();
  for (const auto& m : citizen_json.value("items", json::array()))
    EXPECT_EQ(m["visibility"], "public");
  EXPECT_EQ(citizen.body.find("relancer"), std::string::npos);

  const HttpResult staff = env().Get(t, env().As(Who::kLeadA));
  ASSERT_EQ(staff.Json()["items"].size(), 3u);
  EXPECT_EQ(staff.Json()["items"][1]["visibility"], "internal");

  // The first public staff reply is recorded.
  const HttpResult request = env().Get(Target(made), env().As(Who::kCitizen));
  EXPECT_FALSE(request.Json()["first_reply_at"].is_null());

  // The private link shows the public thread only, without internal ids.
  const HttpResult tracked =
      env().Get("/api/v1/track/" + made.request.reference, {{"X-Guichet-Secret", made.secret}});
  ASSERT_EQ(tracked.status, 200) << tracked.body;
  ASSERT_EQ(tracked.Json()["messages"].size(), 2u);
  // The citizen's own message (written from their account) is theirs, the reply the desk's.
  EXPECT_EQ(tracked.Json()["messages"][0]["from"], "citizen");
  EXPECT_EQ(tracked.Json()["messages"][1]["from"], "desk");
  EXPECT_EQ(tracked.body.find("relancer"), std::string::npos);
}

// ---- Attachments ---------------------------------------------------------------------------

TEST_P(RequestsTest, AttachmentsUploadAndDownload) {
  const CreatedRequest made = env().MakeRequest();
  const std::string png = TinyPng();
  HttpRequest upload{"POST", Target(made) + "/attachments?filename=" + UrlEncode("photo é.png"),
                     env().As(Who::kCitizen), png};
  upload.headers.emplace_back("Content-Type", "image/png");
  const HttpResult r = env().Call(upload);
  ASSERT_EQ(r.status, 201) << r.body;
  const json meta = r.Json();
  EXPECT_EQ(meta["filename"], "photo é.png");
  EXPECT_EQ(meta["content_type"], "image/png");
  EXPECT_EQ(meta["size"], png.size());
  EXPECT_EQ(meta["sha256"], Sha256Hex(png));
  const std::string download = "/api/v1/attachments/" + std::to_string(meta["id"].get<core::Id>());

  for (Who who : {Who::kCitizen, Who::kAgentA, Who::kAuditor}) {
    const HttpResult d = env().Get(download, env().As(who));
    ASSERT_EQ(d.status, 200) << Name(who);
    EXPECT_EQ(d.body, png);
    EXPECT_EQ(d.Header("content-type"), "image/png");
    EXPECT_EQ(d.Header("content-disposition").rfind("attachment", 0), 0u);
    EXPECT_EQ(d.Header("x-content-type-options"), "nosniff");
  }
  for (Who who : {Who::kOtherCitizen, Who::kAgentB}) {
    const HttpResult d = env().Get(download, env().As(who));
    EXPECT_EQ(d.status, 404) << Name(who);
    EXPECT_EQ(d.body.find("PNG"), std::string::npos);
  }
  EXPECT_EQ(env().Get(download).status, 401);

  const HttpResult list = env().Get(Target(made) + "/attachments", env().As(Who::kCitizen));
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.Json()["items"].size(), 1u);
  EXPECT_EQ(list.Json()["items"][0]["id"], meta["id"]);

  // PDF, JPEG and UTF-8 text with their magic are accepted too.
  for (const auto& [type, content] :
       std::vector<std::pair<std::string, std::string>>{{"application/pdf", "%PDF-1.7\n..."},
                                                        {"image/jpeg", "\xFF\xD8\xFF\xE0rest"},
                                                        {"text/plain; charset=utf-8", "Reçu"}}) {
    HttpRequest other{"POST", Target(made) + "/attachments?filename=f", env().As(Who::kAgentA),
                      content};
    other.headers.emplace_back("Content-Type", type);
    EXPECT_EQ(env().Call(other).status, 201) << type;
  }
}

// ---- Private link --------------------------------------------------------------------------

TEST_P(RequestsTest, TrackLinkNeedsTheRightReferenceAndSecret) {
  const CreatedRequest made = env().MakeRequest(Who::kCitizen, "Suivi par lien");
  const CreatedRequest other = env().MakeRequest(Who::kOtherCitizen, "Autre demande");
  const std::string base = "/api/v1/track/" + made.request.reference;
  const HttpResult ok = env().Get(base + "?secret=" + UrlEncode(made.secret));
  ASSERT_EQ(ok.status, 200) << ok.body;
  const json view = ok.Json();
  EXPECT_EQ(view["reference"], made.request.reference);
  EXPECT_EQ(view["subject"], "Suivi par lien");
  EXPECT_EQ(view["status"], "new");
  for (const char* internal : {"id", "team_id", "assignee_id", "citizen", "version"})
    EXPECT_FALSE(view.contains(internal)) << internal;
  EXPECT_EQ(ok.Header("cache-control"), "no-store");

  const HttpResult wrong_secret = env().Get(base + "?secret=" + UrlEncode(made.secret + "x"));
  const HttpResult others_secret = env().Get(base + "?secret=" + UrlEncode(other.secret));
  const HttpResult no_secret = env().Get(base);
  const HttpResult bad_reference =
      env().Get("/api/v1/track/GU-1999-000001?secret=" + UrlEncode(made.secret));
  const HttpResult not_a_reference =
      env().Get("/api/v1/track/hello?secret=" + UrlEncode(made.secret));
  for (const HttpResult* r :
       {&wrong_secret, &others_secret, &no_secret, &bad_reference, &not_a_reference}) {
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(ProblemSlug(*r), "not-found");
    EXPECT_EQ(r->Json()["detail"], wrong_secret.Json()["detail"]);  // nothing tells which part
    EXPECT_EQ(r->body.find("Suivi par lien"), std::string::npos);
  }

  // Replying through the link adds a public message from the citizen.
  const Counts before = env().CountAll();
  const HttpResult reply = env().Post(base + "/messages", R"({"body": "Voici le document."})",
                                      {{"X-Guichet-Secret", made.secret}});
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.Json()["from"], "citizen");
  EXPECT_EQ(env().CountAll().messages, before.messages + 1);
  const HttpResult wrong_reply =
      env().Post(base + "/messages", R"({"body": "Intrus"})", {{"X-Guichet-Secret", other.secret}});
  EXPECT_EQ(wrong_reply.status, 404);
  const HttpResult tracked = env().Get(base, {{"X-Guichet-Secret", made.secret}});
  ASSERT_EQ(tracked.Json()["messages"].size(), 1u);
  EXPECT_EQ(tracked.Json()["messages"][0]["from"], "citizen");

  // A closed request takes no more replies.
  ASSERT_EQ(Move(Target(made), "closed").status, 200);
  const HttpResult closed = env().Post(base + "/messages", R"({"body": "Encore une question"})",
                                       {{"X-Guichet-Secret", made.secret}});
  EXPECT_EQ(closed.status, 409);
  EXPECT_EQ(ProblemSlug(closed), "invalid-state");
}

TEST_P(RequestsTest, AnonymousFormGetsItsLinkOnce) {
  const HttpResult created = env().Post(
      "/api/v1/requests",
      R"({"subject": "Encombrants", "description": "Enlèvement rue des Lilas", "channel": "web",
          "category": "voirie", "citizen": {"name": "Sam", "email": "sam@example.org"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const json body = created.Json();
  EXPECT_FALSE(body.contains("citizen"));  // anonymous callers get no contact data back
  EXPECT_EQ(body["team_id"], env().team_b().id);
  const std::string secret = body.value("secret", "");
  ASSERT_FALSE(secret.empty());
  const std::string url = body.value("follow_up_url", "");
  EXPECT_EQ(url, "/api/v1/track/" + body["reference"].get<std::string>() + "?secret=" + secret);
  EXPECT_EQ(env().Get(url).status, 200);
  // Later reads never show the secret again.
  const HttpResult staff = env().Get(
      "/api/v1/requests/" + std::to_string(body["id"].get<core::Id>()), env().As(Who::kAgentB));
  ASSERT_EQ(staff.status, 200);
  EXPECT_EQ(staff.body.find(secret), std::string::npos);
  EXPECT_FALSE(staff.Json().contains("secret"));
  EXPECT_EQ(staff.Json()["citizen"]["email"], "sam@example.org");
}

// ---- Audit ---------------------------------------------------------------------------------

TEST_P(RequestsTest, AuditListsFieldLevelChanges) {
  const CreatedRequest made = env().MakeRequest(Who::kCitizen, "Avant");
  const HttpResult patched =
      env().Patch(Target(made), R"({"subject": "Après", "priority": "urgent"})",
                  With(env().As(Who::kAgentA), "If-Match", "\"1\""));
  ASSERT_EQ(patched.status, 200) << patched.body;

  const HttpResult trail = env().Get(Target(made) + "/audit", env().As(Who::kAuditor));
  ASSERT_EQ(trail.status, 200) << trail.body;
  const json items = trail.Json()["items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["action"], "request.create");
  const json& update = items[1];
  EXPECT_EQ(update["action"], "request.update");
  EXPECT_EQ(update["entity"], "request");
  EXPECT_EQ(update["entity_id"], made.request.id);
  EXPECT_EQ(update["actor"], "user:" + std::to_string(env().account(Who::kAgentA).user.id));
  EXPECT_EQ(update["changes"]["subject"], (json{{"before", "Avant"}, {"after", "Après"}}));
  EXPECT_EQ(update["changes"]["priority"], (json{{"before", "normal"}, {"after", "urgent"}}));
  EXPECT_FALSE(update["changes"].contains("description"));  // unchanged fields are not listed
  EXPECT_EQ(update["hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(env().Get(Target(made) + "/audit", env().As(Who::kLeadA)).status, 200);

  // The whole log, paged: the entry is there once.
  std::string cursor;
  int found = 0;
  core::Id previous = 0;
  for (int pages = 0; pages < 200; ++pages) {
    const HttpResult page =
        env().Get("/api/v1/audit?limit=50" + (cursor.empty() ? "" : "&cursor=" + cursor),
                  env().As(Who::kAdmin));
    ASSERT_EQ(page.status, 200) << page.body;
    const json page_json = page.Json();
    for (const auto& e : page_json.value("items", json::array())) {
      EXPECT_GT(e["id"].get<core::Id>(), previous);
      previous = e["id"];
      if (e["id"] == update["id"]) ++found;
    }
    if (page.Json()["next_cursor"].is_null()) break;
    cursor = page.Json()["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(found, 1);
}

GUICHET_INSTANTIATE_ON_BACKENDS(RequestsTest);

}  // namespace
}  // namespace guichet::testing
