// The integration harness: the real server (StartServer on port 0) over a fresh, migrated store
// of one backend, seeded through the Store with two teams, their categories and one account of
// every role, plus the checks every response must pass (request id, security headers, problem
// shape, no internals in bodies).
//
// Test suites derive from ServerTest<Suite>: value-parameterised over the backends, they share
// one server and store per backend for the whole suite (started on first use, stopped when the
// suite ends), so tests of one suite must not depend on each other's data.
// Thread-safety: one thread drives an Env; tests that need parallel calls make their own
// HttpClient per thread.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/model.h"
#include "http_client.h"
#include "server/server.h"
#include "storage/store.h"
#include "testing/store_fixture.h"

namespace guichet::testing {

// The callers of the permission matrix, in its column order.
enum class Who { kAnonymous, kCitizen, kOtherCitizen, kAgentA, kAgentB, kLeadA, kAuditor, kAdmin };
inline constexpr Who kEveryone[] = {Who::kAnonymous, Who::kCitizen, Who::kOtherCitizen,
                                    Who::kAgentA,    Who::kAgentB,  Who::kLeadA,
                                    Who::kAuditor,   Who::kAdmin};
const char* Name(Who who);

struct Account {
  core::User user;
  std::string email;
  std::string password;
  std::string token;  // a personal API token (Bearer)
};

// How a caller authenticates a call.
enum class Auth { kBearer, kCookie };

// A fresh session made directly in the store (no password hashing): the cookie value and its
// CSRF token.
struct SessionCookie {
  std::string token;
  std::string csrf;
};

// Request and audit counts, to check that a refused call changed nothing.
struct Counts {
  std::size_t requests = 0;
  std::size_t audit = 0;
  std::size_t messages = 0;     // of every request
  std::size_t attachments = 0;  // of every request
  bool operator==(const Counts&) const = default;
};
std::ostream& operator<<(std::ostream& out, const Counts& c);

struct CreatedRequest {
  core::Request request;
  std::string secret;  // for the private link
};

class Env {
 public:
  // Starts the server over a fresh store of `backend`; fails the current test on error.
  static std::unique_ptr<Env> Start(const std::string& backend);
  ~Env();

  const std::string& backend() const { return backend_; }
  storage::Store& store() { return *store_; }
  std::uint16_t port() const { return server_->port(); }
  HttpClient& client() { return *client_; }

  const Account& account(Who who) const { return accounts_.at(who); }
  const core::Team& team_a() const { return team_a_; }
  const core::Team& team_b() const { return team_b_; }
  const core::Category& category_a() const { return category_a_; }
  const core::Category& category_b() const { return category_b_; }

  // Headers that authenticate as `who` (none for kAnonymous). kCookie makes a new session in
  // the store and sends its cookie and CSRF token.
  Headers As(Who who, Auth auth = Auth::kBearer);
  SessionCookie NewSession(Who who);

  // Sends a call and checks what every response must satisfy (see harness.cc).
  HttpResult Call(const HttpRequest& request);
  HttpResult Get(const std::string& target, Headers headers = {});
  HttpResult Post(const std::string& target, const std::string& json_body, Headers headers = {});
  HttpResult Patch(const std::string& target, const std::string& json_body, Headers headers = {});
  HttpResult Delete(const std::string& target, Headers headers = {});

  // A request in the team of `category` (team A by default) from `citizen`'s contact, made
  // through the store.
  CreatedRequest MakeRequest(Who citizen = Who::kCitizen, const std::string& subject = "Demande",
                             const core::Category* category = nullptr);
  storage::AttachmentMeta MakeAttachment(core::Id request_id, const std::string& filename,
                                         const std::string& content_type,
                                         const std::string& content);
  Counts CountAll();

 private:
  Env() = default;

  std::string backend_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<HttpClient> client_;
  core::Team team_a_, team_b_;
  core::Category category_a_, category_b_;
  std::map<Who, Account> accounts_;
  int made_ = 0;
};

// One server per backend for the whole suite; tests reach it through env().
template <typename Suite>
class ServerTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() { Envs().clear(); }

  void SetUp() override {
    const std::string why = StoreFixtureUnavailable(GetParam());
    if (!why.empty()) GTEST_SKIP() << why;
    auto& env = Envs()[GetParam()];
    if (!env) env = Env::Start(GetParam());
    ASSERT_NE(env, nullptr) << "the server did not start on " << GetParam();
    env_ = env.get();
  }

  Env& env() { return *env_; }

 private:
  static std::map<std::string, std::unique_ptr<Env>>& Envs() {
    static std::map<std::string, std::unique_ptr<Env>> envs;
    return envs;
  }
  Env* env_ = nullptr;
};

// Runs a ServerTest suite on every backend, named Backends/Suite.Case/sqlite.
#define GUICHET_INSTANTIATE_ON_BACKENDS(Suite)                                      \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                         \
                           ::testing::ValuesIn(::guichet::testing::BackendNames()), \
                           ::guichet::testing::BackendParamName)

// JSON helpers.
nlohmann::json ParseJson(const std::string& text);
// The problem `type` slug of a problem response ("urn:guichet:problem:x" → "x"), or "".
std::string ProblemSlug(const HttpResult& r);
// The fields named in a problem's errors[].
std::vector<std::string> ErrorFields(const HttpResult& r);

// A small valid PNG (8-byte signature, IHDR, IEND).
std::string TinyPng();

}  // namespace guichet::testing
