// Sessions (login/logout for people) and personal API tokens (for scripts).
#include "common/crypto.h"
#include "common/log.h"
#include "common/text.h"
#include "server/auth.h"
#include "server/json/dto.h"
#include "server/sign_in.h"

namespace guichet::server {
namespace {

constexpr size_t kMaxPasswordBytes = 1024;

// Unknown e-mails cost as much as wrong passwords, so timing does not reveal accounts.
void SpendVerifyTime(const std::string& password, PasswordCost cost) {
  static const std::string kDummy = HashPassword("guichet-dummy-password", cost).value();
  (void)VerifyPassword(password, kDummy);
}

// How long `failures` recent failures make the next try wait after the last one.
Millis ThrottleDelay(std::int64_t failures, int free_failures, const LoginThrottlePolicy& policy) {
  if (failures < free_failures) return 0;
  const std::int64_t doublings = std::min<std::int64_t>(failures - free_failures, 30);
  return std::min(policy.max_delay, policy.base_delay << doublings);
}

struct ThrottleKey {
  std::string key;
  int free_failures;
};

std::vector<ThrottleKey> ThrottleKeys(const HttpContext& ctx, const std::string& email) {
  const auto& policy = ctx.options->login_throttle;
  return {{"account:" + AsciiLower(Trim(email)), policy.account_free_failures},
          {"address:" + ctx.remote_address, policy.address_free_failures}};
}

// 429 while any key is in its back-off; checked before the (costly) password check.
std::optional<HttpResponse> CheckThrottle(const HttpContext& ctx,
                                          const std::vector<ThrottleKey>& keys) {
  const Millis now = ctx.clock->Now();
  Millis wait = 0;
  for (const auto& k : keys) {
    auto failures = ctx.store->GetLoginFailures(k.key);
    if (!failures.ok()) return ProblemFor(failures.status());
    const Millis until =
        failures->last_failure_at +
        ThrottleDelay(failures->failures, k.free_failures, ctx.options->login_throttle);
    if (failures->failures >= k.free_failures) wait = std::max(wait, until - now);
  }
  if (wait <= 0) return std::nullopt;
  const std::string seconds = std::to_string((wait + 999) / 1000);
  HttpResponse r = Problem(429, "too-many-login-attempts", "Too many login attempts",
                           "Too many failed logins; try again in " + seconds + " seconds.");
  r.headers.emplace_back("Retry-After", seconds);
  return r;
}

}  // namespace

std::string SessionCookie(const std::string& value, Millis max_age_ms, bool secure) {
  return std::string(kSessionCookie) + "=" + value +
         "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age_ms / 1000) +
         (secure ? "; Secure" : "");
}

std::variant<SignedIn, HttpResponse> SignIn(HttpContext& ctx, const std::string& email,
                                            const std::string& password) {
  if (password.size() > kMaxPasswordBytes) return ValidationProblem({{"password", "is too long"}});
  const auto keys = ThrottleKeys(ctx, email);
  if (auto throttled = CheckThrottle(ctx, keys)) return *throttled;
  auto credentials = ctx.store->FindUserByEmail(email);
  if (!credentials.ok() && credentials.status().code() != StatusCode::kNotFound)
    return ProblemFor(credentials.status());
  const bool valid = credentials.ok() && credentials->user.active &&
                     VerifyPassword(password, credentials->password_hash);
  if (!credentials.ok()) SpendVerifyTime(password, ctx.options->password_cost);
  if (!valid) {
    LogEvent(LogLevel::kWarn, "login_failed",
             {{"request_id", ctx.request_id}, {"email", MaskEmail(email)}});
    for (const auto& k : keys) {
      auto counted = ctx.store->RecordLoginFailure(k.key, ctx.clock->Now(),
                                                   ctx.options->login_throttle.window);
      if (!counted.ok()) return ProblemFor(counted.status());
    }
    return Problem(401, "invalid-credentials", "Wrong e-mail or password",
                   "The e-mail or the password is wrong, or the account is disabled.");
  }
  const core::User& user = credentials->user;
  // Success forgives the account's failures, not the address's: one known password must not
  // reset the count of a guessing run against other accounts.
  if (Status cleared = ctx.store->ClearLoginFailures(keys[0].key); !cleared.ok())
    return ProblemFor(cleared);
  // A new session on every login: a token planted before login is never promoted.
  if (!ctx.principal.session_token_hash.empty())
    (void)ctx.store->DeleteSession(ctx.principal.session_token_hash);
  const std::string token = RandomToken(32);
  const Millis now = ctx.clock->Now();
  storage::Session session{Sha256Hex(token), user.id, RandomToken(24), now,
                           now + ctx.options->session_ttl};
  Status created = ctx.store->CreateSession(session);
  if (!created.ok()) return ProblemFor(created);
  LogEvent(LogLevel::kInfo, "login",
           {{"request_id", ctx.request_id}, {"user_id", std::to_string(user.id)}});
  return SignedIn{user, token, session};
}

namespace {

HttpResponse Login(HttpContext& ctx) {
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  const json& body = std::get<json>(parsed);
  std::vector<core::FieldError> errors;
  FieldReader reader(body, errors);
  const std::string email = reader.String("email", true).value_or("");
  const std::string password = reader.String("password", true).value_or("");
  reader.RejectUnknown();
  if (!errors.empty()) return ValidationProblem(errors);
  auto signed_in = SignIn(ctx, email, password);
  if (auto* problem = std::get_if<HttpResponse>(&signed_in)) return *problem;
  const SignedIn& s = std::get<SignedIn>(signed_in);
  HttpResponse r = Json(200, {{"user", UserToJson(s.user)},
                              {"csrf_token", s.session.csrf_token},
                              {"expires_at", FormatIso8601(s.session.expires_at)}});
  r.headers.emplace_back(
      "Set-Cookie", SessionCookie(s.token, ctx.options->session_ttl, ctx.options->secure_cookies));
  return r;
}

HttpResponse CurrentSession(HttpContext& ctx) {
  if (auto denied = RequireUser(ctx)) return *denied;
  json body = {{"user", UserToJson(*ctx.principal.user)}};
  if (ctx.principal.via_session) body["csrf_token"] = ctx.principal.csrf_token;
  return Json(200, body);
}

HttpResponse Logout(HttpContext& ctx) {
  if (auto denied = RequireUser(ctx)) return *denied;
  if (!ctx.principal.session_token_hash.empty()) {
    Status deleted = ctx.store->DeleteSession(ctx.principal.session_token_hash);
    if (!deleted.ok()) return ProblemFor(deleted);
  }
  HttpResponse r;
  r.status = 204;
  r.headers.emplace_back("Set-Cookie", SessionCookie("", 0, ctx.options->secure_cookies));
  return r;
}

HttpResponse CreateToken(HttpContext& ctx) {
  if (auto denied = RequireUser(ctx)) return *denied;
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  FieldReader reader(std::get<json>(parsed), errors);
  const std::string name = reader.String("name", true).value_or("");
  reader.RejectUnknown();
  if (!errors.empty()) return ValidationProblem(errors);
  const std::string raw = "gu_" + RandomToken(32);
  auto token = ctx.store->CreateApiToken(ctx.principal.user->id, name, Sha256Hex(raw), ctx.actor());
  if (!token.ok()) return ProblemFor(token.status());
  return Json(201, {{"id", token->id},
                    {"name", token->name},
                    {"token", raw},
                    {"created_at", FormatIso8601(token->created_at)},
                    {"note", "This token is shown once; store it safely."}});
}

}  // namespace

void AddSessionRoutes(std::vector<Route>& routes) {
  routes.push_back({"POST", "/api/v1/session", BodyKind::kJson, Login});
  routes.push_back({"GET", "/api/v1/session", BodyKind::kNone, CurrentSession});
  routes.push_back({"DELETE", "/api/v1/session", BodyKind::kNone, Logout});
  routes.push_back({"POST", "/api/v1/tokens", BodyKind::kJson, CreateToken});
}

}  // namespace guichet::server
