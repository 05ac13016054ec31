// The citizen portal over real HTTP, on every backend: pages in French and English with their
// security headers, the knowledge-base search, making a request (errors, CSRF, consent, hostile
// text rendered as text), following it through the private link and replying. A server of its
// own per test (fresh store).
#include <gtest/gtest.h>

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

class PortalTest : public OwnServerTest {
 protected:
  void SetUp() override {
    if (auto why = StoreFixtureUnavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    ASSERT_OK_AND_ASSIGN(store_, OpenFreshStore(GetParam(), clock_));
    ASSERT_OK_AND_ASSIGN(auto team, store_->CreateTeam("Voirie", storage::Actor::System("test")));
    core::Category lights;
    lights.slug = "eclairage";
    lights.name = "Éclairage public";
    lights.default_team_id = team.id;
    ASSERT_OK_AND_ASSIGN(auto category,
                         store_->CreateCategory(lights, storage::Actor::System("test")));
    category_slug_ = category.slug;
    team_id_ = team.id;
    ASSERT_NO_FATAL_FAILURE(
        AddAccountsAndStart({Role::kAgent, Role::kAuditor, Role::kCitizen}, {team.id}, &clock_));
  }

  // The form page's CSRF cookie and token for a new visitor.
  struct Visitor {
    std::string cookie;  // "guichet_csrf=…"
    std::string token;
  };
  Visitor OpenForm(const std::string& target = "/demande") {
    const HttpResult r = client_->Get(target);
    EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
    Visitor v;
    const std::string set_cookie = r.Header("set-cookie");
    v.cookie = set_cookie.substr(0, set_cookie.find(';'));
    v.token = Find(r.body, R"re(name="csrf_token" value="([^"]+)")re");
    EXPECT_FALSE(v.token.empty());
    EXPECT_EQ(v.cookie, "guichet_csrf=" + v.token);
    EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(set_cookie.find("SameSite=Lax"), std::string::npos);
    return v;
  }

  HttpResult PostForm(const std::string& target, const std::string& fields, const Visitor& v,
                      Headers extra = {}) {
    Headers h = {{"Content-Type", kForm}, {"Cookie", v.cookie}};
    h.insert(h.end(), extra.begin(), extra.end());
    return client_->Post(target, "csrf_token=" + UrlEncode(v.token) + "&" + fields, h);
  }

  static std::string Fields(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [k, v] : fields) out += (out.empty() ? "" : "&") + k + "=" + UrlEncode(v);
    return out;
  }

  // A user who can sign in with "a-long-password" (an agent: of the test's team).
  core::User AddUser(const std::string& email, const std::string& name, Role role) {
    std::vector<core::Id> teams;
    if (role == Role::kAgent) teams = {team_id_};
    auto created = store_->CreateUser(UserWithPassword(email, name, role, teams),
                                      storage::Actor::System("test"));
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : core::User{};
  }
  void AddAgent(const std::string& email, const std::string& name) {
    AddUser(email, name, Role::kAgent);
  }

  // Signs `email` in through the sign-in page `form`; the session cookie ("guichet_session=…").
  std::string SignIn(const std::string& email, const std::string& form = "/agent/connexion",
                     const std::string& then = "/agent?lang=fr") {
    const Visitor v = OpenForm(form);
    const HttpResult r =
        PostForm(form, Fields({{"email", email}, {"password", "a-long-password"}}), v);
    EXPECT_EQ(r.status, 303) << r.body.substr(0, 300);
    EXPECT_EQ(r.Header("location"), then);
    const std::string set_cookie = r.Header("set-cookie");
    EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
    return set_cookie.substr(0, set_cookie.find(';'));
  }

  std::size_t RequestCount() {
    auto page = store_->ListRequests({}, storage::PageSpec{});
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items.size() : 0;
  }

  std::string category_slug_;
  core::Id team_id_ = 0;
};

void ExpectPageHeaders(const HttpResult& r, const std::string& lang) {
  EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.Header("content-language"), lang);
  const std::string csp = r.Header("content-security-policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_NE(r.body.find("<html lang=\"" + lang + "\""), std::string::npos);
}

TEST_P(PortalTest, HomeIsInFrenchOrEnglish) {
  HttpResult r = client_->Get("/");
  ASSERT_EQ(r.status, 200);
  ExpectPageHeaders(r, "fr");
  EXPECT_NE(r.body.find("Comment pouvons-nous vous aider ?"), std::string::npos);
  r = client_->Get("/", {{"Accept-Language", "en-GB,en;q=0.9,fr;q=0.5"}});
  ExpectPageHeaders(r, "en");
  EXPECT_NE(r.body.find("How can we help you?"), std::string::npos);
  r = client_->Get("/?lang=fr", {{"Accept-Language", "en"}});  // the link wins
  ExpectPageHeaders(r, "fr");
  r = client_->Get("/?lang=xx", {{"Accept-Language", "de, es"}});  // nothing offered: French
  ExpectPageHeaders(r, "fr");
  // The other language's link keeps the page and its query.
  r = client_->Get("/?q=passeport");
  EXPECT_NE(r.body.find("href=\"/?lang=en&amp;q=passeport\""), std::string::npos);
}

TEST_P(PortalTest, SearchShowsArticlesWithHighlightsAndEscapedQueries) {
  core::KbArticle a;
  a.title = "Carte nationale d'identité";
  a.summary = "Comment obtenir une carte d'identité.";
  a.body = "La carte d'identité est gratuite.";
  a.status = core::ArticleStatus::kPublished;
  ASSERT_OK(store_->kb().Create(a, storage::Actor::System("test")).status());
  const HttpResult r = Eventually(*client_, "/?q=carte+identit%C3%A9", [](const HttpResult& h) {
    return h.body.find("Carte nationale") != std::string::npos;
  });
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<mark>"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/kb/articles/"), std::string::npos);
  const HttpResult hostile = client_->Get("/?q=" + UrlEncode("<script>alert(1)</script>"));
  ASSERT_EQ(hostile.status, 200);
  EXPECT_EQ(hostile.body.find("<script>alert"), std::string::npos);
  EXPECT_NE(hostile.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(hostile.body.find("Aucune réponse ne correspond"), std::string::npos);
}

TEST_P(PortalTest, ACitizenMakesARequestFollowsItAndReplies) {
  const Visitor v = OpenForm();
  const std::string subject = "<script>alert(1)</script>";
  const std::string description = "\"><img src=x onerror=alert(1)> lampadaire éteint";
  HttpResult r = PostForm("/demande",
                          Fields({{"category", category_slug_},
                                  {"subject", subject},
                                  {"description", description},
                                  {"name", "Camille Martin"},
                                  {"email", "camille@example.org"},
                                  {"consent", "yes"},
                                  {"deflection_session", "form-session-0123456789"}}),
                          v);
  ASSERT_EQ(r.status, 201) << r.body.substr(0, 2000);
  ExpectPageHeaders(r, "fr");
  const std::string reference = Find(r.body, R"(class="reference">([^<]+)<)");
  const std::string follow = Find(r.body, R"re(href="(/suivi/[^"]+)")re");
  ASSERT_FALSE(reference.empty());
  ASSERT_NE(follow.find(reference), std::string::npos);
  const std::string secret = Find(follow, R"(secret=([^&]+))");

  // Stored as typed, in the chosen category, with the contact.
  ASSERT_OK_AND_ASSIGN(auto stored,
                       store_->FindRequestByReferenceAndSecret(reference, Sha256Hex(secret)));
  EXPECT_EQ(stored.subject, subject);
  EXPECT_EQ(stored.description, description);
  EXPECT_EQ(stored.channel, core::Channel::kWeb);
  ASSERT_TRUE(stored.category_id.has_value());

  // The private page shows it as text; the reply goes through post/redirect/get.
  const std::string page_target = std::regex_replace(follow, std::regex("&amp;"), "&");
  r = client_->Get(page_target, {{"Cookie", v.cookie}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  EXPECT_EQ(r.body.find("<script>alert"), std::string::npos);
  EXPECT_EQ(r.body.find("<img src=x"), std::string::npos);
  EXPECT_NE(r.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("Reçue"), std::string::npos);
  r = PostForm("/suivi/" + reference + "/messages",
               Fields({{"secret", secret}, {"body", "Il est toujours éteint ce soir."}}), v);
  ASSERT_EQ(r.status, 303) << r.body;
  const std::string location = r.Header("location");
  EXPECT_NE(location.find("sent=1"), std::string::npos);
  r = client_->Get(location);
  EXPECT_NE(r.body.find("Il est toujours éteint ce soir."), std::string::npos);
  EXPECT_NE(r.body.find("Votre message a été ajouté."), std::string::npos);

  // A blank reply is refused with a message and nothing is added.
  r = PostForm("/suivi/" + reference + "/messages", Fields({{"secret", secret}, {"body", " "}}), v);
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("aria-invalid=\"true\""), std::string::npos);
  ASSERT_OK_AND_ASSIGN(auto messages, store_->ListMessages(stored.id, false));
  EXPECT_EQ(messages.size(), 1u);

  // A wrong secret finds nothing, and says nothing about the reference.
  r = client_->Get("/suivi/" + reference + "?secret=wrong");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("Aucune demande ne correspond"), std::string::npos);
  r = client_->Get("/suivi?reference=" + reference + "&secret=" + secret);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(reference), std::string::npos);
}

// A multipart/form-data body: the text fields, then each file as {name, type, content}.
struct FilePart {
  std::string filename, type, content;
};
constexpr char kBoundary[] = "----guichet-test-boundary-7MA4YWxk";
std::string Multipart(const std::vector<std::pair<std::string, std::string>>& fields,
                      const std::vector<FilePart>& files) {
  std::string body;
  for (const auto& [name, value] : fields)
    body += std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name +
            "\"\r\n\r\n" + value + "\r\n";
  for (const FilePart& f : files)
    body += std::string("--") + kBoundary +
            "\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"" + f.filename +
            "\"\r\nContent-Type: " + f.type + "\r\n\r\n" + f.content + "\r\n";
  return body + "--" + kBoundary + "--\r\n";
}
const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + "pixels";

TEST_P(PortalTest, RequestsCarryTheirFilesAndTheCitizenDownloadsThem) {
  const Visitor v = OpenForm();
  EXPECT_NE(client_->Get("/demande").body.find("enctype=\"multipart/form-data\""),
            std::string::npos);
  const std::string body =
      Multipart({{"csrf_token", v.token},
                 {"subject", "Dépôt sauvage"},
                 {"description", "Photo jointe, rue des Lilas"},
                 {"email", "dominique@example.org"},
                 {"consent", "yes"}},
                {{"photo été.png", "image/png", kPng},
                 {"dossier/note.txt", "text/plain", "Depuis lundi."},
                 {"", "application/octet-stream", ""}});  // an input left empty
  HttpResult r =
      client_->Post("/demande", body,
                    {{"Content-Type", std::string("multipart/form-data; boundary=") + kBoundary},
                     {"Cookie", v.cookie}});
  ASSERT_EQ(r.status, 201) << r.body.substr(0, 2000);
  EXPECT_NE(r.body.find("photo été.png"), std::string::npos);
  EXPECT_NE(r.body.find("<li>note.txt</li>"), std::string::npos);  // no folder kept
  const std::string reference = Find(r.body, R"(class="reference">([^<]+)<)");
  const std::string secret = Find(r.body, R"re(href="/suivi/[^"?]+\?secret=([^&"]+))re");
  ASSERT_OK_AND_ASSIGN(auto stored,
                       store_->FindRequestByReferenceAndSecret(reference, Sha256Hex(secret)));
  ASSERT_OK_AND_ASSIGN(auto files, store_->ListAttachments(stored.id));
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].content_type, "image/png");
  EXPECT_EQ(files[1].filename, "note.txt");

  // The follow-up page lists them; each downloads through the same private link.
  r = client_->Get("/suivi/" + reference + "?secret=" + secret);
  ASSERT_EQ(r.status, 200);
  const std::string link =
      Find(r.body, R"re(href="(/suivi/[^"]+/pieces/[0-9]+[^"]*)" download>photo)re");
  ASSERT_FALSE(link.empty()) << r.body;
  r = client_->Get(std::regex_replace(link, std::regex("&amp;"), "&"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kPng);
  EXPECT_EQ(r.Header("content-type"), "image/png");
  EXPECT_NE(r.Header("content-disposition").find("attachment;"), std::string::npos);
  EXPECT_NE(r.Header("content-disposition").find("filename*=UTF-8''photo%20%C3%A9t%C3%A9.png"),
            std::string::npos);
  // The staff's page of the request lists them too, downloading through the API.
  r = client_->Get("/agent/demandes/" + std::to_string(stored.id),
                   {{"Authorization", "Bearer " + tokens_[Role::kAuditor]}});
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<a href=\"/api/v1/attachments/" + std::to_string(files[1].id) +
                        "\" download>note.txt</a> (13 octets)"),
            std::string::npos)
      << r.body;
  // Not without the secret, and not another request's file through this link.
  const std::string file_path = "/suivi/" + reference + "/pieces/" + std::to_string(files[0].id);
  EXPECT_EQ(client_->Get(file_path + "?secret=wrong").status, 404);
  core::NewRequest other;
  other.subject = "Autre";
  other.description = "Autre";
  ASSERT_OK_AND_ASSIGN(auto made, store_->CreateRequest(other, Sha256Hex("other-secret"),
                                                        storage::Actor::System("test")));
  storage::AttachmentMeta meta;
  meta.request_id = made.id;
  meta.filename = "privé.txt";
  meta.content_type = "text/plain";
  ASSERT_OK_AND_ASSIGN(auto theirs,
                       store_->AddAttachment(meta, "secret", storage::Actor::System("test")));
  EXPECT_EQ(client_
                ->Get("/suivi/" + reference + "/pieces/" + std::to_string(theirs.id) +
                      "?secret=" + secret)
                .status,
            404);
}

TEST_P(PortalTest, RefusedFilesComeBackWithTheFormAndNothingIsCreated) {
  const Visitor v = OpenForm();
  const Headers headers = {
      {"Content-Type", std::string("multipart/form-data; boundary=") + kBoundary},
      {"Cookie", v.cookie}};
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"csrf_token", v.token},
      {"subject", "Dépôt sauvage"},
      {"description", "Rue des Lilas"},
      {"email", "dominique@example.org"},
      {"consent", "yes"}};
  // A program renamed as a picture: refused by its content, named in the message.
  HttpResult r = client_->Post(
      "/demande", Multipart(fields, {{"photo.png", "image/png", "MZ\x90\x00program"}}), headers);
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("photo.png : seuls les fichiers PDF, PNG, JPEG ou texte sont acceptés."),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("value=\"Dépôt sauvage\""), std::string::npos);  // values kept
  EXPECT_NE(r.body.find("href=\"#attachments\""), std::string::npos);
  r = client_->Post("/demande", Multipart(fields, {{"vide.txt", "text/plain", ""}}), headers);
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("vide.txt : le fichier est vide."), std::string::npos);
  r = client_->Post("/demande", Multipart(fields, {{"app.exe", "application/x-msdownload", "MZ"}}),
                    headers);
  EXPECT_EQ(r.status, 422);
  std::vector<FilePart> six(6, FilePart{"note.txt", "text/plain", "texte"});
  r = client_->Post("/demande", Multipart(fields, six), headers);
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("au plus 5 fichiers"), std::string::npos);
  // A body that is not multipart at all, and a missing token, change nothing either.
  r = client_->Post("/demande", "--nope\r\n", headers);
  EXPECT_EQ(r.status, 400);
  r = client_->Post("/demande",
                    Multipart({fields.begin() + 1, fields.end()}, {{"a.txt", "text/plain", "x"}}),
                    headers);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(RequestCount(), 0u);
}

TEST_P(PortalTest, SignedInCitizensSeeTheirOwnRequestsAndReply) {
  const core::User me = AddUser("claude@example.org", "Claude Martin", Role::kCitizen);
  const core::User them = AddUser("alix@example.org", "Alix Durand", Role::kCitizen);
  ASSERT_TRUE(me.citizen_id && them.citizen_id);
  std::vector<core::Id> ids;
  for (const auto& [subject, citizen] : {std::pair{"Ma poubelle <jaune>", *me.citizen_id},
                                         {"Mon trottoir", *me.citizen_id},
                                         {"Leur lampadaire", *them.citizen_id}}) {
    core::NewRequest in;
    in.subject = subject;
    in.description = "Texte";
    in.citizen_id = citizen;
    ASSERT_OK_AND_ASSIGN(auto made,
                         store_->CreateRequest(in, Sha256Hex("s"), storage::Actor::System("test")));
    ids.push_back(made.id);
  }
  // Anonymous readers are asked to sign in; the sign-in page sends citizens to their requests.
  HttpResult r = client_->Get("/mes-demandes");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("location"), "/connexion?lang=fr");
  EXPECT_NE(client_->Get("/").body.find("href=\"/connexion?lang=fr\""), std::string::npos);
  const std::string session = SignIn("claude@example.org", "/connexion", "/mes-demandes?lang=fr");
  EXPECT_EQ(client_->Get("/connexion", {{"Cookie", session}}).Header("location"),
            "/mes-demandes?lang=fr");

  r = client_->Get("/mes-demandes", {{"Cookie", session}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  ExpectPageHeaders(r, "fr");
  EXPECT_NE(r.body.find("<td>Ma poubelle &lt;jaune&gt;</td>"), std::string::npos);
  EXPECT_NE(r.body.find("Mon trottoir"), std::string::npos);
  EXPECT_EQ(r.body.find("Leur lampadaire"), std::string::npos);
  EXPECT_NE(r.body.find("Connecté : Claude Martin"), std::string::npos);

  // Their request's page, and a reply written as their account.
  const std::string mine = "/mes-demandes/" + std::to_string(ids[0]);
  r = client_->Get(mine, {{"Cookie", session}});
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("action=\"" + mine + "/messages?lang=fr\""), std::string::npos);
  EXPECT_EQ(r.body.find("name=\"secret\""), std::string::npos);
  const std::string csrf =
      Find(r.body,
           R"re(class="reply"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)")re");
  ASSERT_FALSE(csrf.empty());
  r = client_->Post(mine + "/messages", "csrf_token=" + UrlEncode(csrf) + "&body=Merci+%21",
                    {{"Content-Type", kForm}, {"Cookie", session}});
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 300);
  EXPECT_EQ(r.Header("location"), mine + "?lang=fr&sent=1");
  ASSERT_OK_AND_ASSIGN(auto messages, store_->ListMessages(ids[0], false));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, "Merci !");
  EXPECT_EQ(messages[0].author_user_id, me.id);
  EXPECT_NE(client_->Get(mine + "?sent=1", {{"Cookie", session}}).body.find("Merci !"),
            std::string::npos);

  // Someone else's request is not found, by page, reply or file; staff go to their own area.
  const std::string theirs = "/mes-demandes/" + std::to_string(ids[2]);
  EXPECT_EQ(client_->Get(theirs, {{"Cookie", session}}).status, 404);
  r = client_->Post(theirs + "/messages", "csrf_token=" + UrlEncode(csrf) + "&body=Hop",
                    {{"Content-Type", kForm}, {"Cookie", session}});
  EXPECT_EQ(r.status, 404);
  ASSERT_OK_AND_ASSIGN(auto their_messages, store_->ListMessages(ids[2], false));
  EXPECT_TRUE(their_messages.empty());
  EXPECT_EQ(client_->Get("/mes-demandes/999999", {{"Cookie", session}}).status, 404);
  r = client_->Get("/mes-demandes", {{"Authorization", "Bearer " + tokens_[Role::kAgent]}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("location"), "/agent?lang=fr");
}

TEST_P(PortalTest, InvalidFormsComeBackWithTheirErrorsAndValues) {
  const Visitor v = OpenForm("/demande?lang=en");
  const HttpResult r = PostForm("/demande?lang=en",
                                Fields({{"subject", ""},
                                        {"description", "Bonjour <b>"},
                                        {"email", "not-an-address"},
                                        {"category", "no-such-category"}}),
                                v);
  ASSERT_EQ(r.status, 422) << r.body.substr(0, 500);
  ExpectPageHeaders(r, "en");
  EXPECT_NE(r.body.find("class=\"error-summary\""), std::string::npos);
  EXPECT_NE(r.body.find("href=\"#subject\""), std::string::npos);
  EXPECT_NE(r.body.find("This field is required."), std::string::npos);
  EXPECT_NE(r.body.find("Enter a valid email address"), std::string::npos);
  EXPECT_NE(r.body.find("Your consent is needed"), std::string::npos);
  EXPECT_NE(r.body.find("Choose a subject from the list."), std::string::npos);
  EXPECT_NE(r.body.find(">Bonjour &lt;b&gt;</textarea>"), std::string::npos);  // kept, escaped
  EXPECT_NE(r.body.find("value=\"not-an-address\""), std::string::npos);
  // The form posts back in the reader's language.
  EXPECT_NE(r.body.find("action=\"/demande?lang=en\""), std::string::npos);
  EXPECT_EQ(RequestCount(), 0u);
}

TEST_P(PortalTest, FormsWithoutTheRightTokenAreRefused) {
  const Visitor v = OpenForm();
  const std::string fields = Fields({{"subject", "Trou"},
                                     {"description", "Un trou dans la route"},
                                     {"email", "a@example.org"},
                                     {"consent", "yes"}});
  // No cookie, a wrong token, another visitor's token: nothing is created.
  HttpResult r =
      client_->Post("/demande", "csrf_token=" + v.token + "&" + fields, {{"Content-Type", kForm}});
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("Formulaire expiré"), std::string::npos);
  r = PostForm("/demande", fields, {v.cookie, "x" + v.token.substr(1)});
  EXPECT_EQ(r.status, 403);
  const Visitor other = OpenForm();
  r = PostForm("/demande", fields, {v.cookie, other.token});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(RequestCount(), 0u);
  // Malformed and oversized forms get clear errors.
  r = client_->Post("/demande", "csrf_token=%zz", {{"Content-Type", kForm}, {"Cookie", v.cookie}});
  EXPECT_EQ(r.status, 400);
  r = client_->Post("/demande", "csrf_token=" + v.token, {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 415);
  r = PostForm("/demande", "description=" + std::string(300 * 1024, 'a'), v);
  EXPECT_EQ(r.status, 413);
  // The token of the same visitor works.
  r = PostForm("/demande", fields, v);
  EXPECT_EQ(r.status, 201);
}

TEST_P(PortalTest, AuditorsDoNotMakeRequests) {
  const Visitor v = OpenForm();
  const HttpResult r = PostForm("/demande",
                                Fields({{"subject", "Essai"},
                                        {"description", "Essai"},
                                        {"email", "a@example.org"},
                                        {"consent", "yes"}}),
                                v, {{"Authorization", "Bearer " + tokens_[Role::kAuditor]}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(RequestCount(), 0u);
}

TEST_P(PortalTest, StylesAndScriptsAreServedFromTheBinary) {
  HttpResult r = client_->Get("/static/guichet.css");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/css; charset=utf-8");
  EXPECT_NE(r.body.find(":focus-visible"), std::string::npos);
  r = client_->Get("/static/guichet.js");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(client_->Get("/static/nothing.css").status, 404);
  EXPECT_EQ(client_->Get("/static/..%2Ftemplates%2Flayout.mustache").status, 404);
}

TEST_P(PortalTest, StaffSignInSeeTheirQueuesAndSignOut) {
  // Anonymous readers are sent to the sign-in page; citizens are told the area is not theirs.
  HttpResult r = client_->Get("/agent?lang=en");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("location"), "/agent/connexion?lang=en");
  EXPECT_EQ(client_->Get("/agent", {{"Authorization", "Bearer " + tokens_[Role::kCitizen]}}).status,
            403);

  AddAgent("camille.agent@mairie.example", "Camille Agent");
  // One request of the agent's team, one of another team: only the first is listed.
  ASSERT_OK_AND_ASSIGN(auto other_team,
                       store_->CreateTeam("État civil", storage::Actor::System("test")));
  for (const auto& [subject, team] :
       {std::pair{"Lampadaire <éteint>", team_id_}, {"Acte de naissance", other_team.id}}) {
    core::NewRequest in;
    in.subject = subject;
    in.description = "Texte";
    in.team_id = team;
    ASSERT_OK(store_->CreateRequest(in, Sha256Hex("s"), storage::Actor::System("test")).status());
  }
  const Visitor v = OpenForm("/agent/connexion");
  r = PostForm("/agent/connexion",
               Fields({{"email", "camille.agent@mairie.example"}, {"password", "not-it"}}), v);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("Adresse ou mot de passe incorrect"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"camille.agent@mairie.example\""), std::string::npos);
  EXPECT_EQ(r.body.find("not-it"), std::string::npos);
  const std::string session = SignIn("camille.agent@mairie.example");
  ASSERT_EQ(session.rfind("guichet_session=", 0), 0u);

  r = client_->Get("/agent?queue=unassigned", {{"Cookie", session}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  ExpectPageHeaders(r, "fr");
  EXPECT_NE(r.body.find("Connecté : Camille Agent"), std::string::npos);
  EXPECT_NE(r.body.find("aria-current=\"page\">Non assignées"), std::string::npos);
  EXPECT_NE(r.body.find("<td>Lampadaire &lt;éteint&gt;</td>"), std::string::npos);
  EXPECT_EQ(r.body.find("Acte de naissance"), std::string::npos);
  const std::string csrf = Find(r.body, R"re(name="csrf_token" value="([^"]+)")re");
  ASSERT_FALSE(csrf.empty());

  // Signing out needs the session's token; then the session is gone.
  r = client_->Post("/agent/deconnexion", "csrf_token=wrong",
                    {{"Content-Type", kForm}, {"Cookie", session}});
  EXPECT_EQ(r.status, 403);
  r = client_->Post("/agent/deconnexion", "csrf_token=" + UrlEncode(csrf),
                    {{"Content-Type", kForm}, {"Cookie", session}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(client_->Get("/agent", {{"Cookie", session}}).status, 303);
}

TEST_P(PortalTest, AgentsReplyAddNotesAndChangeRequestsWithConflictsExplained) {
  AddAgent("sacha.agent@mairie.example", "Sacha Agent");
  core::NewRequest in;
  in.subject = "Nid de poule";
  in.description = "Rue Haute";
  in.team_id = team_id_;
  ASSERT_OK_AND_ASSIGN(auto made, store_->CreateRequest(in, Sha256Hex("secret-of-the-citizen"),
                                                        storage::Actor::System("test")));
  const std::string cookie = SignIn("sacha.agent@mairie.example");
  HttpResult r;
  const std::string page = "/agent/demandes/" + std::to_string(made.id);
  r = client_->Get(page, {{"Cookie", cookie}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  const std::string csrf = Find(r.body, R"re(name="csrf_token" value="([^"]+)")re");
  auto post = [&](const std::string& target, const std::string& fields) {
    return client_->Post(target, "csrf_token=" + UrlEncode(csrf) + "&" + fields,
                         {{"Content-Type", kForm}, {"Cookie", cookie}});
  };

  // A reply and an internal note; the citizen sees only the reply.
  r = post(page + "/messages", "body=Nous+passons+demain.&visibility=public");
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_NE(r.Header("location").find("done=message"), std::string::npos);
  ASSERT_EQ(post(page + "/messages", "body=Voir+avec+la+voirie.&visibility=internal").status, 303);
  r = client_->Get(page, {{"Cookie", cookie}});
  EXPECT_NE(r.body.find("Nous passons demain."), std::string::npos);
  EXPECT_NE(r.body.find("note interne"), std::string::npos);
  r = client_->Get("/suivi/" + made.reference + "?secret=secret-of-the-citizen");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Nous passons demain."), std::string::npos);
  EXPECT_EQ(r.body.find("Voir avec la voirie."), std::string::npos);
  EXPECT_EQ(post(page + "/messages", "body=+&visibility=public").status, 422);

  // A change on the version the page showed; a second one on that same, now stale, version is
  // refused with the current version shown and nothing applied.
  r = post(page + "/statut", "version=1&status=open&priority=high");
  ASSERT_EQ(r.status, 303) << r.body;
  ASSERT_OK_AND_ASSIGN(auto now, store_->GetRequest(made.id));
  EXPECT_EQ(now.status, core::RequestStatus::kOpen);
  EXPECT_EQ(now.priority, core::Priority::kHigh);
  r = post(page + "/statut", "version=1&status=resolved&priority=low");
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("Quelqu’un a modifié cette demande"), std::string::npos);
  EXPECT_NE(r.body.find("name=\"version\" value=\"" + std::to_string(now.version) + "\""),
            std::string::npos);
  ASSERT_OK_AND_ASSIGN(auto after, store_->GetRequest(made.id));
  EXPECT_EQ(after.status, core::RequestStatus::kOpen);
  EXPECT_EQ(after.priority, core::Priority::kHigh);
}

TEST_P(PortalTest, AgentsAcceptOrCorrectAiSuggestionsWithTheirReasonsShown) {
  AddAgent("lou.agent@mairie.example", "Lou Agent");
  core::NewRequest in;
  in.subject = "Lampadaire éteint";
  in.description = "Rue des Lilas";
  in.team_id = team_id_;
  for (const char* feature : {"triage.category", "triage.priority"}) {
    core::AiSuggestion suggestion;
    suggestion.feature = feature;
    suggestion.mode = "suggest";
    suggestion.output = feature == std::string("triage.category") ? category_slug_ : "high";
    suggestion.confidence = 0.87;
    suggestion.details_json = R"({"reasons_for":[{"text":"lampadaire","weight":1.2}]})";
    in.ai_suggestions.push_back(suggestion);
  }
  ASSERT_OK_AND_ASSIGN(auto made,
                       store_->CreateRequest(in, Sha256Hex("s"), storage::Actor::System("test")));
  ASSERT_OK_AND_ASSIGN(auto decisions, store_->ai().ListDecisions(made.id));
  ASSERT_EQ(decisions.size(), 2u);
  const std::string cookie = SignIn("lou.agent@mairie.example");
  const std::string page = "/agent/demandes/" + std::to_string(made.id);
  HttpResult r = client_->Get(page, {{"Cookie", cookie}});
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("confiance 87 %"), std::string::npos);
  EXPECT_NE(r.body.find("<span class=\"reason\">lampadaire</span>"), std::string::npos);
  const std::string csrf = Find(r.body, R"re(name="csrf_token" value="([^"]+)")re");
  auto review = [&](core::Id decision, const std::string& fields) {
    return client_->Post(
        page + "/ia",
        "csrf_token=" + UrlEncode(csrf) + "&decision_id=" + std::to_string(decision) + "&" + fields,
        {{"Content-Type", kForm}, {"Cookie", cookie}});
  };
  // The category is accepted (applied to the request); the priority corrected to low.
  const auto& category =
      decisions[0].suggestion.feature == "triage.category" ? decisions[0] : decisions[1];
  const auto& priority = &category == &decisions[0] ? decisions[1] : decisions[0];
  r = review(category.id, "outcome=accepted&version=1");
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 500);
  EXPECT_NE(r.Header("location").find("done=ai"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(auto after, store_->GetRequest(made.id));
  ASSERT_TRUE(after.category_id.has_value());
  // On the version the page showed (1), now stale: explained, nothing applied.
  r = review(priority.id, "outcome=corrected&value=low&version=1");
  EXPECT_EQ(r.status, 409);
  r = review(priority.id, "outcome=corrected&value=low&version=" + std::to_string(after.version));
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 500);
  ASSERT_OK_AND_ASSIGN(auto corrected, store_->GetRequest(made.id));
  EXPECT_EQ(corrected.priority, core::Priority::kLow);
  ASSERT_OK_AND_ASSIGN(auto reviewed, store_->ai().ListDecisions(made.id));
  for (const auto& d : reviewed) EXPECT_NE(d.outcome, "pending") << d.suggestion.feature;
  // A decision of another request is refused.
  EXPECT_EQ(review(999999, "outcome=ignored").status, 422);
}

TEST_P(PortalTest, BrowsersLostOutsideTheApiGetAPage) {
  HttpResult r = client_->Get("/nowhere", {{"Accept", "text/html"}, {"Accept-Language", "en"}});
  EXPECT_EQ(r.status, 404);
  ExpectPageHeaders(r, "en");
  EXPECT_NE(r.body.find("Page not found"), std::string::npos);
  // A path that reads as another site's address is not linked to.
  r = client_->Get("//evil.example/x", {{"Accept", "text/html"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("href=\"//evil.example"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/?lang=en\""), std::string::npos);
  r = client_->Get("/nowhere");  // an API client: a problem
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  r = client_->Get("/api/v1/nothing", {{"Accept", "text/html"}});
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
}

INSTANTIATE_TEST_SUITE_P(Backends, PortalTest, ::testing::ValuesIn(BackendNames()),
                         BackendParamName);

}  // namespace
}  // namespace guichet::testing
