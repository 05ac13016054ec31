// A server of the test's own (not the shared harness's), for suites that change desk-wide
// settings: a fresh store of the backend under test, accounts with API tokens for a few roles,
// and the server on port 0. The suite opens the store and makes its teams in SetUp, then calls
// AddAccountsAndStart.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/crypto.h"
#include "http_client.h"
#include "server/server.h"
#include "tests/testing/status_macros.h"
#include "tests/testing/store_fixture.h"

namespace guichet::testing {

class OwnServerTest : public ::testing::TestWithParam<std::string> {
 protected:
  // One account and Bearer token per role (agents in `agent_teams`), then the server, on
  // `clock` when given.
  void AddAccountsAndStart(const std::vector<core::Role>& roles,
                           const std::vector<core::Id>& agent_teams, const Clock* clock = nullptr) {
    for (auto role : roles) {
      core::NewUser user;
      user.email = std::string(core::ToString(role)) + "@mairie.example";
      user.role = role;
      if (role == core::Role::kAgent) user.team_ids = agent_teams;
      ASSERT_OK_AND_ASSIGN(auto created, store_->CreateUser(user, storage::Actor::System("t")));
      const std::string token = "gu_" + RandomToken(32);
      ASSERT_OK(
          store_->CreateApiToken(created.id, "t", Sha256Hex(token), storage::Actor::System("t"))
              .status());
      tokens_[role] = token;
    }
    server::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.clock = clock;
    ASSERT_OK_AND_ASSIGN(server_, server::StartServer(*store_, options));
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
  }

  Headers As(core::Role role, bool with_body = false) {
    Headers h = {{"Authorization", "Bearer " + tokens_[role]}};
    if (with_body) h.push_back({"Content-Type", "application/json"});
    return h;
  }

  ManualClock clock_{kTestStart};  // for suites that open their store and server on it
  std::unique_ptr<TestStore> store_;
  std::map<core::Role, std::string> tokens_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace guichet::testing
