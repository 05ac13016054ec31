#include "harness.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ostream>
#include <regex>
#include <thread>

#include "common/crypto.h"
#include "common/log.h"
#include "test_schemes.h"
#include "testing/store_fixture.h"

namespace guichet::testing {
namespace {

using json = nlohmann::json;

const storage::Actor kSeed = storage::Actor::System("test-seed");

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Strings the API returns that are random by design (secrets, tokens, hashes): a random token
// may spell "SQL" by chance, so they are left out of the leak check.
bool IsRandomField(const std::string& key) {
  static const char* const kRandom[] = {"secret",     "follow_up_url", "token",
                                        "csrf_token", "hash",          "sha256"};
  return std::any_of(std::begin(kRandom), std::end(kRandom),
                     [&](const char* k) { return key == k; });
}

void CollectText(const json& v, std::string& out) {
  if (v.is_string()) {
    out += v.get<std::string>();
    out += '\n';
  } else if (v.is_object()) {
    for (const auto& [key, child] : v.items()) {
      out += key + '\n';
      if (!IsRandomField(key)) CollectText(child, out);
    }
  } else if (v.is_array()) {
    for (const auto& child : v) CollectText(child, out);
  }
}

// What a response body must never show: SQL, the database's name, file paths, stack traces.
void ExpectNoInternals(const HttpResult& r) {
  std::string text;
  const json parsed = json::parse(r.body, nullptr, false);
  if (!parsed.is_discarded()) {
    CollectText(parsed, text);
  } else {
    // A page: its random tokens (secrets, CSRF tokens in links, fields and codes) may spell
    // anything, "SQL" included.
    static const std::regex kToken(R"re((secret=|value="|<code>)[A-Za-z0-9_-]{16,})re");
    text = std::regex_replace(r.body, kToken, "$1token");
  }
  const std::string lower = Lower(text);
  EXPECT_EQ(text.find("SQL"), std::string::npos) << r.body.substr(0, 500);
  for (const char* word : {"sqlite", "postgres", "/tmp/", "/dev/shm", "what():", "terminate called",
                           "stack trace", "traceback", "std::", ".cc:", "#0 0x"}) {
    EXPECT_EQ(lower.find(word), std::string::npos) << word << " in " << r.body.substr(0, 500);
  }
  // Nor the source tree's location.
  EXPECT_EQ(text.find(GUICHET_SOURCE_DIR), std::string::npos) << r.body.substr(0, 500);
}

std::string PathOf(const std::string& target) { return target.substr(0, target.find('?')); }

}  // namespace

const char* Name(Who who) {
  switch (who) {
    case Who::kAnonymous:
      return "anonymous";
    case Who::kCitizen:
      return "citizen";
    case Who::kOtherCitizen:
      return "other-citizen";
    case Who::kAgentA:
      return "agent-A";
    case Who::kAgentB:
      return "agent-B";
    case Who::kLeadA:
      return "lead-A";
    case Who::kAuditor:
      return "auditor";
    case Who::kAdmin:
      return "admin";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& out, const Counts& c) {
  return out << "{requests " << c.requests << ", audit " << c.audit << ", messages " << c.messages
             << ", attachments " << c.attachments << "}";
}

std::unique_ptr<Env> Env::Start(const std::string& backend) {
  static const bool once = [] {
    InitLogging(LogLevel::kWarn);  // access logs would drown the test output
    return InitCrypto().ok();
  }();
  EXPECT_TRUE(once);
  std::unique_ptr<Env> env(new Env());
  env->backend_ = backend;
  auto store = OpenFreshStore(backend);
  if (!store.ok()) {
    ADD_FAILURE() << "cannot open a fresh " << backend << " store: " << store.status().ToString();
    return nullptr;
  }
  env->store_ = std::move(store).value();
  storage::Store& s = *env->store_;

  auto team_a = s.CreateTeam("Équipe A", kSeed);
  auto team_b = s.CreateTeam("Équipe B", kSeed);
  if (!team_a.ok() || !team_b.ok()) {
    ADD_FAILURE() << "seeding teams failed";
    return nullptr;
  }
  env->team_a_ = *team_a;
  env->team_b_ = *team_b;
  auto cat_a = s.CreateCategory({0, "etat-civil", "État civil", team_a->id}, kSeed);
  auto cat_b = s.CreateCategory({0, "voirie", "Voirie", team_b->id}, kSeed);
  if (!cat_a.ok() || !cat_b.ok()) {
    ADD_FAILURE() << "seeding categories failed";
    return nullptr;
  }
  env->category_a_ = *cat_a;
  env->category_b_ = *cat_b;

  struct Seed {
    Who who;
    const char* email;
    core::Role role;
    std::vector<core::Id> teams;
  };
  const Seed seeds[] = {
      {Who::kCitizen, "camille@example.org", core::Role::kCitizen, {}},
      {Who::kOtherCitizen, "dominique@example.org", core::Role::kCitizen, {}},
      {Who::kAgentA, "agent.a@mairie.example", core::Role::kAgent, {team_a->id}},
      {Who::kAgentB, "agent.b@mairie.example", core::Role::kAgent, {team_b->id}},
      {Who::kLeadA, "lead.a@mairie.example", core::Role::kLead, {team_a->id}},
      {Who::kAuditor, "audit@mairie.example", core::Role::kAuditor, {}},
      {Who::kAdmin, "admin@mairie.example", core::Role::kAdmin, {}},
  };
  for (const Seed& seed : seeds) {
    Account account;
    account.email = seed.email;
    account.password = std::string("pw-") + Name(seed.who) + "-0123456789";
    core::NewUser u;
    u.email = seed.email;
    u.display_name = Name(seed.who);
    u.role = seed.role;
    u.team_ids = seed.teams;
    auto hash = HashPassword(account.password, PasswordCost::kFast);
    if (!hash.ok()) {
      ADD_FAILURE() << "HashPassword failed";
      return nullptr;
    }
    u.password_hash = *hash;
    auto user = s.CreateUser(u, kSeed);
    if (!user.ok()) {
      ADD_FAILURE() << "seeding " << seed.email << ": " << user.status().ToString();
      return nullptr;
    }
    account.user = *user;
    account.token = "gu_" + RandomToken(32);
    auto token = s.CreateApiToken(user->id, "tests", Sha256Hex(account.token), kSeed);
    if (!token.ok()) {
      ADD_FAILURE() << "seeding a token: " << token.status().ToString();
      return nullptr;
    }
    env->accounts_[seed.who] = account;
  }
  env->accounts_[Who::kAnonymous] = Account{};

  server::ServerOptions options;
  options.port = 0;
  options.threads = 4;
  options.password_cost = PasswordCost::kFast;
  options.schemes = TestSchemes();
  auto server = server::StartServer(s, options);
  if (!server.ok()) {
    ADD_FAILURE() << "StartServer: " << server.status().ToString();
    return nullptr;
  }
  env->server_ = std::move(server).value();
  if (env->server_->port() == 0) {
    ADD_FAILURE() << "the server reports port 0";
    return nullptr;
  }
  env->client_ = std::make_unique<HttpClient>(env->server_->port());
  // The search index is built in the background at start; tests expect the routes ready.
  for (int i = 0; i < 400 && env->client_->Get("/api/v1/kb/search?q=x").status == 503; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  return env;
}

Env::~Env() {
  client_.reset();
  if (server_) server_->Stop();
  server_.reset();
  store_.reset();
}

SessionCookie Env::NewSession(Who who) {
  SessionCookie cookie{RandomToken(32), RandomToken(24)};
  const Millis now = SystemClock().Now();
  const Status made = store_->CreateSession(
      {Sha256Hex(cookie.token), account(who).user.id, cookie.csrf, now, now + 3600 * 1000});
  EXPECT_TRUE(made.ok()) << made.ToString();
  return cookie;
}

Headers Env::As(Who who, Auth auth) {
  if (who == Who::kAnonymous) return {};
  if (auth == Auth::kBearer) return {{"Authorization", "Bearer " + account(who).token}};
  const SessionCookie cookie = NewSession(who);
  return {{"Cookie", "guichet_session=" + cookie.token}, {"X-CSRF-Token", cookie.csrf}};
}

HttpResult Env::Call(const HttpRequest& request) {
  HttpResult r = client_->Send(request);
  SCOPED_TRACE(request.method + " " + request.target + " → " + std::to_string(r.status));
  EXPECT_NE(r.status, 0) << "no response: " << r.error;
  if (r.status == 0) return r;

  // Every response: a usable request id and the security headers.
  const std::string id = r.Header("x-request-id");
  EXPECT_FALSE(id.empty());
  EXPECT_NE(id, "-");
  for (const auto& [name, value] : request.headers) {
    if (Lower(name) == "x-request-id" && !value.empty() && value.size() <= 64 &&
        value.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
            std::string::npos) {
      EXPECT_EQ(id, value);
    }
  }
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  // Pages may load this origin's styles and scripts, and nothing inline; the API nothing.
  const bool page = r.Header("content-type").rfind("text/html", 0) == 0;
  const std::string policy = r.Header("content-security-policy");
  EXPECT_NE(policy.find(page ? "frame-ancestors 'none'" : "default-src 'none'"), std::string::npos)
      << policy;
  EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << policy;
  EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
  EXPECT_FALSE(r.Header("cache-control").empty());

  // API errors are RFC 9457 problems; a page's error is a page.
  if (r.status >= 400 && !page) {
    EXPECT_EQ(r.Header("content-type"), "application/problem+json");
    const json body = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(body.is_object()) << r.body.substr(0, 300);
    if (body.is_object()) {
      EXPECT_EQ(body.value("type", "").rfind("urn:guichet:problem:", 0), 0u) << r.body;
      EXPECT_FALSE(body.value("title", "").empty()) << r.body;
      EXPECT_EQ(body.value("status", 0), r.status) << r.body;
      EXPECT_FALSE(body.value("detail", "").empty()) << r.body;
      if (body.contains("errors")) {
        EXPECT_TRUE(body["errors"].is_array());
        for (const auto& e : body["errors"]) {
          EXPECT_TRUE(e.contains("field") && e.contains("reason")) << e.dump();
        }
      }
    }
  }
  // The readiness probe names the backend and the API document its examples, by design.
  const std::string path = PathOf(request.target);
  if (path != "/readyz" && path != "/api/v1/openapi.json") ExpectNoInternals(r);
  return r;
}

HttpResult Env::Get(const std::string& target, Headers headers) {
  return Call({"GET", target, std::move(headers), ""});
}

HttpResult Env::Post(const std::string& target, const std::string& json_body, Headers headers) {
  headers.emplace_back("Content-Type", "application/json");
  return Call({"POST", target, std::move(headers), json_body});
}

HttpResult Env::Patch(const std::string& target, const std::string& json_body, Headers headers) {
  headers.emplace_back("Content-Type", "application/json");
  return Call({"PATCH", target, std::move(headers), json_body});
}

HttpResult Env::Delete(const std::string& target, Headers headers) {
  return Call({"DELETE", target, std::move(headers), ""});
}

CreatedRequest Env::MakeRequest(Who citizen, const std::string& subject,
                                const core::Category* category) {
  core::NewRequest in;
  in.subject = subject;
  in.description = "Description de la demande n° " + std::to_string(++made_);
  in.channel = core::Channel::kWeb;
  in.category_id = (category ? *category : category_a_).id;
  in.citizen_id = account(citizen).user.citizen_id;
  CreatedRequest out;
  out.secret = RandomToken(24);
  auto created = store_->CreateRequest(in, Sha256Hex(out.secret), kSeed);
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  if (created.ok()) out.request = *created;
  return out;
}

storage::AttachmentMeta Env::MakeAttachment(core::Id request_id, const std::string& filename,
                                            const std::string& content_type,
                                            const std::string& content) {
  storage::AttachmentMeta meta;
  meta.request_id = request_id;
  meta.filename = filename;
  meta.content_type = content_type;
  auto added = store_->AddAttachment(meta, content, kSeed);
  EXPECT_TRUE(added.ok()) << added.status().ToString();
  return added.ok() ? *added : meta;
}

Counts Env::CountAll() {
  Counts c;
  storage::PageSpec page;
  page.limit = 500;
  for (;;) {
    auto result = store_->ListRequests({}, page);
    EXPECT_TRUE(result.ok());
    if (!result.ok()) break;
    c.requests += result->items.size();
    for (const auto& r : result->items) {
      auto messages = store_->ListMessages(r.id, true);
      auto attachments = store_->ListAttachments(r.id);
      if (messages.ok()) c.messages += messages->size();
      if (attachments.ok()) c.attachments += attachments->size();
    }
    if (!result->next_after_id) break;
    page.after_id = result->next_after_id;
  }
  storage::AuditQuery query;
  query.limit = 1000;
  for (;;) {
    auto entries = store_->ListAudit(query);
    EXPECT_TRUE(entries.ok());
    if (!entries.ok() || entries->empty()) break;
    c.audit += entries->size();
    query.after_id = entries->back().id;
  }
  return c;
}

json ParseJson(const std::string& text) { return json::parse(text, nullptr, false); }

std::string ProblemSlug(const HttpResult& r) {
  const json body = ParseJson(r.body);
  if (!body.is_object()) return "";
  const std::string type = body.value("type", "");
  const std::string prefix = "urn:guichet:problem:";
  return type.rfind(prefix, 0) == 0 ? type.substr(prefix.size()) : "";
}

std::vector<std::string> ErrorFields(const HttpResult& r) {
  std::vector<std::string> out;
  const json body = ParseJson(r.body);
  if (body.is_object() && body.contains("errors") && body["errors"].is_array()) {
    for (const auto& e : body["errors"]) out.push_back(e.value("field", ""));
  }
  return out;
}

std::string TinyPng() {
  static const unsigned char kPng[] = {
      0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
      0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
      0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78,
      0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00,
      0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(kPng), sizeof kPng);
}

}  // namespace guichet::testing
