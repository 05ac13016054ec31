// Sessions and API tokens over real HTTP: the login cookie and its attributes, identical answers
// for a wrong password and an unknown e-mail, the CSRF rule for cookie-authenticated writes,
// logout, and Bearer tokens that need no CSRF token.
#include "common/crypto.h"
#include "harness.h"

namespace guichet::testing {
namespace {

using json = nlohmann::json;

class SessionsTest : public ServerTest<SessionsTest> {
 protected:
  struct Login {
    HttpResult result;
    std::string cookie;  // the guichet_session value
    std::string csrf;
  };

  Login LogIn(Who who) {
    const Account& a = env().account(who);
    Login login;
    login.result =
        env().Post("/api/v1/session", json{{"email", a.email}, {"password", a.password}}.dump());
    for (const std::string& set_cookie : login.result.AllHeaders("set-cookie")) {
      if (auto v = SetCookieValue(set_cookie, "guichet_session")) login.cookie = *v;
    }
    login.csrf = login.result.Json().value("csrf_token", "");
    return login;
  }

  static Headers Cookie(const std::string& value) {
    return {{"Cookie", "guichet_session=" + value}};
  }

  std::string NewRequestBody() {
    return json{{"subject", "Carte d'identité"},
                {"description", "Renouvellement"},
                {"channel", "web"},
                {"category", env().category_a().slug}}
        .dump();
  }
};

TEST_P(SessionsTest, LoginSetsAHardenedCookieAndReturnsTheCsrfToken) {
  const Login login = LogIn(Who::kAgentA);
  ASSERT_EQ(login.result.status, 200) << login.result.body;
  ASSERT_FALSE(login.cookie.empty());
  EXPECT_GE(login.cookie.size(), 32u);
  EXPECT_FALSE(login.csrf.empty());
  const json body = login.result.Json();
  EXPECT_EQ(body["user"]["email"], env().account(Who::kAgentA).email);
  EXPECT_EQ(body["user"]["role"], "agent");
  EXPECT_FALSE(body["user"].contains("password_hash"));
  EXPECT_TRUE(body.contains("expires_at"));

  const auto set_cookies = login.result.AllHeaders("set-cookie");
  ASSERT_EQ(set_cookies.size(), 1u);
  std::map<std::string, std::string> attributes;
  for (const auto& [name, value] : SetCookieAttributes(set_cookies[0])) attributes[name] = value;
  EXPECT_TRUE(attributes.count("httponly")) << set_cookies[0];
  ASSERT_TRUE(attributes.count("samesite")) << set_cookies[0];
  EXPECT_TRUE(attributes["samesite"] == "lax" || attributes["samesite"] == "strict");
  EXPECT_EQ(attributes["path"], "/");
  EXPECT_GT(std::stol(attributes["max-age"]), 0);
  // The cookie value never appears in the body.
  EXPECT_EQ(login.result.body.find(login.cookie), std::string::npos);

  // The cookie works; a GET needs no CSRF token, and the session tells the token again.
  const HttpResult me = env().Get("/api/v1/session", Cookie(login.cookie));
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.Json()["user"]["id"], env().account(Who::kAgentA).user.id);
  EXPECT_EQ(me.Json()["csrf_token"], login.csrf);
}

TEST_P(SessionsTest, WrongPasswordAndUnknownEmailGiveTheSameProblem) {
  const Account& a = env().account(Who::kCitizen);
  const HttpResult wrong = env().Post(
      "/api/v1/session", json{{"email", a.email}, {"password", "not-the-password"}}.dump());
  const HttpResult unknown =
      env().Post("/api/v1/session",
                 json{{"email", "nobody@example.org"}, {"password", "whatever-123"}}.dump());
  const HttpResult wrong_case = env().Post(
      "/api/v1/session", json{{"email", a.email}, {"password", a.password + "x"}}.dump());
  for (const HttpResult* r : {&wrong, &unknown, &wrong_case}) {
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(ProblemSlug(*r), "invalid-credentials");
    EXPECT_FALSE(r->HasHeader("set-cookie"));
  }
  // Same type, title and detail: nothing tells which part was wrong.
  const json w = wrong.Json(), u = unknown.Json();
  EXPECT_EQ(w["type"], u["type"]);
  EXPECT_EQ(w["title"], u["title"]);
  EXPECT_EQ(w["detail"], u["detail"]);

  // E-mails are matched case-insensitively; the password is not.
  std::string upper = a.email;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(
      env().Post("/api/v1/session", json{{"email", upper}, {"password", a.password}}.dump()).status,
      200);
}

TEST_P(SessionsTest, LoginBodyIsValidated) {
  const HttpResult missing = env().Post("/api/v1/session", R"({"email": "a@b.org"})");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(ErrorFields(missing), std::vector<std::string>{"password"});
  const HttpResult extra =
      env().Post("/api/v1/session", R"({"email": "a@b.org", "password": "x", "remember": true})");
  EXPECT_EQ(extra.status, 422);
  EXPECT_EQ(ErrorFields(extra), std::vector<std::string>{"remember"});
  const HttpResult huge = env().Post(
      "/api/v1/session", json{{"email", "a@b.org"}, {"password", std::string(2000, 'p')}}.dump());
  EXPECT_EQ(huge.status, 422);
  EXPECT_EQ(ErrorFields(huge), std::vector<std::string>{"password"});
}

TEST_P(SessionsTest, CookieWritesNeedTheCsrfToken) {
  const Login login = LogIn(Who::kCitizen);
  ASSERT_EQ(login.result.status, 200);
  const Counts before = env().CountAll();

  HttpResult r = env().Post("/api/v1/requests", NewRequestBody(), Cookie(login.cookie));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ProblemSlug(r), "csrf-token-invalid");
  Headers wrong = Cookie(login.cookie);
  wrong.emplace_back("X-CSRF-Token", login.csrf + "x");
  r = env().Post("/api/v1/requests", NewRequestBody(), wrong);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ProblemSlug(r), "csrf-token-invalid");
  // Another session's token does not do either.
  Headers other = Cookie(login.cookie);
  other.emplace_back("X-CSRF-Token", env().NewSession(Who::kCitizen).csrf);
  EXPECT_EQ(env().Post("/api/v1/requests", NewRequestBody(), other).status, 403);
  EXPECT_EQ(env().CountAll(), before);

  Headers right = Cookie(login.cookie);
  right.emplace_back("X-CSRF-Token", login.csrf);
  r = env().Post("/api/v1/requests", NewRequestBody(), right);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(env().CountAll().requests, before.requests + 1);
  // The citizen wrote as themselves.
  EXPECT_EQ(r.Json()["citizen"]["id"], *env().account(Who::kCitizen).user.citizen_id);
}

TEST_P(SessionsTest, CsrfAppliesToPatchAndDeleteToo) {
  const Login login = LogIn(Who::kAgentA);
  ASSERT_EQ(login.result.status, 200);
  const CreatedRequest made = env().MakeRequest();
  const std::string target = "/api/v1/requests/" + std::to_string(made.request.id);
  Headers h = Cookie(login.cookie);
  h.emplace_back("If-Match", "\"1\"");
  HttpResult r = env().Patch(target, R"({"priority": "high"})", h);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ProblemSlug(r), "csrf-token-invalid");
  r = env().Delete("/api/v1/session", Cookie(login.cookie));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ProblemSlug(r), "csrf-token-invalid");
  // Still logged in, and the request unchanged.
  EXPECT_EQ(env().Get("/api/v1/session", Cookie(login.cookie)).status, 200);
  h.emplace_back("X-CSRF-Token", login.csrf);
  r = env().Patch(target, R"({"priority": "high"})", h);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["priority"], "high");
}

TEST_P(SessionsTest, LogoutEndsTheSession) {
  const Login login = LogIn(Who::kLeadA);
  ASSERT_EQ(login.result.status, 200);
  Headers h = Cookie(login.cookie);
  h.emplace_back("X-CSRF-Token", login.csrf);
  const HttpResult out = env().Delete("/api/v1/session", h);
  EXPECT_EQ(out.status, 204);
  EXPECT_TRUE(out.body.empty());
  // The cookie is cleared in the browser…
  const auto set_cookies = out.AllHeaders("set-cookie");
  ASSERT_EQ(set_cookies.size(), 1u);
  EXPECT_EQ(SetCookieValue(set_cookies[0], "guichet_session"), "");
  bool expired = false;
  for (const auto& [name, value] : SetCookieAttributes(set_cookies[0]))
    expired |= name == "max-age" && value == "0";
  EXPECT_TRUE(expired) << set_cookies[0];
  // …and dead on the server: replaying it is anonymous.
  const HttpResult replay = env().Get("/api/v1/session", Cookie(login.cookie));
  EXPECT_EQ(replay.status, 401);
  EXPECT_EQ(ProblemSlug(replay), "unauthenticated");
  EXPECT_EQ(env().Get("/api/v1/requests", Cookie(login.cookie)).status, 401);
}

TEST_P(SessionsTest, EachLoginMakesANewSession) {
  const Login first = LogIn(Who::kAgentB);
  const Login second = LogIn(Who::kAgentB);
  ASSERT_EQ(first.result.status, 200);
  ASSERT_EQ(second.result.status, 200);
  EXPECT_NE(first.cookie, second.cookie);
  EXPECT_NE(first.csrf, second.csrf);
  // A CSRF token belongs to its session only.
  Headers mixed = Cookie(first.cookie);
  mixed.emplace_back("X-CSRF-Token", second.csrf);
  EXPECT_EQ(env().Post("/api/v1/tokens", R"({"name": "x"})", mixed).status, 403);
}

TEST_P(SessionsTest, BearerTokenFromTheApiWorksWithoutCsrf) {
  const Login login = LogIn(Who::kAgentA);
  ASSERT_EQ(login.result.status, 200);
  Headers h = Cookie(login.cookie);
  h.emplace_back("X-CSRF-Token", login.csrf);
  const HttpResult made = env().Post("/api/v1/tokens", R"({"name": "script de tri"})", h);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string token = made.Json().value("token", "");
  ASSERT_EQ(token.rfind("gu_", 0), 0u) << token;
  EXPECT_EQ(made.Json()["name"], "script de tri");

  const Headers bearer = {{"Authorization", "Bearer " + token}};
  const HttpResult me = env().Get("/api/v1/session", bearer);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.Json()["user"]["id"], env().account(Who::kAgentA).user.id);
  EXPECT_FALSE(me.Json().contains("csrf_token"));
  const HttpResult created = env().Post("/api/v1/requests", NewRequestBody(), bearer);
  EXPECT_EQ(created.status, 201) << created.body;

  // A wrong or malformed token is anonymous, never someone else.
  for (const std::string& bad : {token + "x", std::string("gu_"), std::string(300, 'a')}) {
    const HttpResult r = env().Get("/api/v1/session", {{"Authorization", "Bearer " + bad}});
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.Header("www-authenticate").rfind("Bearer", 0), 0u);
  }
  // Bearer wins over a cookie: a bad token with a good cookie is still anonymous.
  Headers both = Cookie(login.cookie);
  both.emplace_back("Authorization", "Bearer gu_nope");
  EXPECT_EQ(env().Get("/api/v1/session", both).status, 401);
}

TEST_P(SessionsTest, ExpiredOrForgedCookiesAreAnonymous) {
  // A session that expired a second ago.
  const std::string token = "expired-" + std::to_string(env().account(Who::kAdmin).user.id);
  const Millis now = SystemClock().Now();
  ASSERT_TRUE(env()
                  .store()
                  .CreateSession({Sha256Hex(token), env().account(Who::kAdmin).user.id, "csrf",
                                  now - 7200 * 1000, now - 1000})
                  .ok());
  EXPECT_EQ(env().Get("/api/v1/session", Cookie(token)).status, 401);
  EXPECT_EQ(env().Get("/api/v1/session", Cookie("forged")).status, 401);
  EXPECT_EQ(env().Get("/api/v1/session", Cookie(std::string(500, 'z'))).status, 401);
}

GUICHET_INSTANTIATE_ON_BACKENDS(SessionsTest);

}  // namespace
}  // namespace guichet::testing
