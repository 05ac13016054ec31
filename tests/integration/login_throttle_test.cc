// Login throttling over real HTTP, on every backend: past the free failures an account (or an
// address) must wait, doubling with each further failure; the right password does not get
// through a back-off; success clears the account's count. A server of its own with a manual
// clock, so that other suites' logins from 127.0.0.1 are not throttled.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "http_client.h"
#include "server/server.h"
#include "tests/testing/status_macros.h"
#include "tests/testing/store_fixture.h"

namespace guichet::testing {
namespace {

using json = nlohmann::json;

constexpr char kPassword[] = "correct horse battery";

class LoginThrottleTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (auto why = StoreFixtureUnavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    ASSERT_OK_AND_ASSIGN(store_, OpenFreshStore(GetParam(), clock_));
    for (const char* email : {"agent@mairie.example", "autre@mairie.example"}) {
      core::NewUser user;
      user.email = email;
      user.role = core::Role::kAgent;
      ASSERT_OK_AND_ASSIGN(user.password_hash, HashPassword(kPassword, PasswordCost::kFast));
      ASSERT_OK(store_->CreateUser(user, storage::Actor::System("test")).status());
    }
    server::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.password_cost = PasswordCost::kFast;
    options.clock = &clock_;
    options.login_throttle.account_free_failures = 3;
    options.login_throttle.address_free_failures = 6;
    options.login_throttle.base_delay = 10'000;
    options.login_throttle.max_delay = 60'000;
    ASSERT_OK_AND_ASSIGN(server_, server::StartServer(*store_, options));
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
  }

  HttpResult Login(const std::string& email, const std::string& password) {
    return client_->Post("/api/v1/session", json{{"email", email}, {"password", password}}.dump(),
                         {{"Content-Type", "application/json"}});
  }

  ManualClock clock_{kTestStart};
  std::unique_ptr<TestStore> store_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_P(LoginThrottleTest, AccountBacksOffAndDoubles) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Login("agent@mairie.example", "wrong").status, 401);
  // Three failures: the account waits 10 s, even with the right password.
  HttpResult locked = Login("agent@mairie.example", kPassword);
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_EQ(locked.Header("retry-after"), "10");
  EXPECT_NE(locked.body.find("too-many-login-attempts"), std::string::npos);
  // The e-mail's case and spaces do not make another account.
  EXPECT_EQ(Login(" AGENT@mairie.example", kPassword).status, 429);
  // Another account from the same address is not locked yet.
  EXPECT_EQ(Login("autre@mairie.example", kPassword).status, 200);

  clock_.Advance(10'000);
  EXPECT_EQ(Login("agent@mairie.example", "wrong again").status, 401);
  HttpResult doubled = Login("agent@mairie.example", kPassword);
  EXPECT_EQ(doubled.status, 429);
  EXPECT_EQ(doubled.Header("retry-after"), "20");

  clock_.Advance(20'000);
  EXPECT_EQ(Login("agent@mairie.example", kPassword).status, 200);
  // Success cleared the count: one new failure does not lock.
  EXPECT_EQ(Login("agent@mairie.example", "wrong").status, 401);
  EXPECT_EQ(Login("agent@mairie.example", kPassword).status, 200);
}

TEST_P(LoginThrottleTest, FailuresOutsideTheWindowStartAfresh) {
  for (int i = 0; i < 2; ++i) EXPECT_EQ(Login("agent@mairie.example", "wrong").status, 401);
  clock_.Advance(16 * 60 * 1000);  // past the 15-minute window
  EXPECT_EQ(Login("agent@mairie.example", "wrong").status, 401);
  EXPECT_EQ(Login("agent@mairie.example", kPassword).status, 200);
}

TEST_P(LoginThrottleTest, AnAddressGuessingManyAccountsIsThrottled) {
  // Unknown accounts count against the address too.
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(Login("personne" + std::to_string(i) + "@mairie.example", "x").status, 401);
  }
  HttpResult locked = Login("autre@mairie.example", kPassword);
  EXPECT_EQ(locked.status, 429) << locked.body;
  clock_.Advance(10'000);
  EXPECT_EQ(Login("autre@mairie.example", kPassword).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, LoginThrottleTest, ::testing::ValuesIn(BackendNames()),
                         BackendParamName);

}  // namespace
}  // namespace guichet::testing
