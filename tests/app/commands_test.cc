// guichet admin …: migrate, create-user, create-token and audit verify, run in-process against a
// fresh store of each backend (the CLI opens its own connections to the same database).
#include <gtest/gtest.h>

#include "cli_runner.h"
#include "common/crypto.h"
#include "testing/status_macros.h"
#include "testing/store_fixture.h"

namespace guichet::app {
namespace {

using testing::CliResult;
using testing::RunGuichet;

class AdminCommandsTest : public guichet::testing::StoreTest {
 protected:
  CliResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.push_back("--db");
    args.push_back(store().url());
    return RunGuichet(args, input);
  }
};

TEST_P(AdminCommandsTest, MigrateReportsHowManyRan) {
  auto r = Run({"admin", "migrate"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "applied 0 migrations (the schema is up to date)\n");
}

TEST_P(AdminCommandsTest, CreateUserWithPasswordAndTeams) {
  ASSERT_OK(store().CreateTeam("Voirie et propreté", actor()));
  ASSERT_OK(store().CreateTeam("Urbanisme", actor()));
  auto r = Run(
      {"admin", "create-user", "--email", "Agent@Example.org", "--role", "agent", "--name",
       "Nadia Canevas", "--team", "Voirie et propreté", "--team", "Urbanisme", "--password-stdin"},
      "correct horse battery\nignored second line\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("agent@example.org (agent; teams: Voirie et propreté, Urbanisme)"),
            std::string::npos)
      << r.out;
  ASSERT_OK_AND_ASSIGN(auto creds, store().FindUserByEmail("agent@example.org"));
  EXPECT_EQ(creds.user.display_name, "Nadia Canevas");
  EXPECT_EQ(creds.user.role, core::Role::kAgent);
  EXPECT_EQ(creds.user.team_ids.size(), 2u);
  EXPECT_TRUE(VerifyPassword("correct horse battery", creds.password_hash));

  // The audit log says the CLI did it.
  ASSERT_OK_AND_ASSIGN(auto audit, store().ListAudit({}));
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().action, "user.create");
  EXPECT_EQ(audit.back().actor, "cli");
}

TEST_P(AdminCommandsTest, CreateUserWithoutPasswordIsTokenOnly) {
  auto r = Run({"admin", "create-user", "--email", "bot@example.org", "--role", "agent"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("API tokens only"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(auto creds, store().FindUserByEmail("bot@example.org"));
  EXPECT_TRUE(creds.password_hash.empty());
}

TEST_P(AdminCommandsTest, CreateUserFailures) {
  auto short_password = Run(
      {"admin", "create-user", "--email", "a@example.org", "--role", "admin", "--password-stdin"},
      "too short\n");
  EXPECT_EQ(short_password.code, 1);
  EXPECT_EQ(short_password.err,
            "guichet: error: the password must be at least 10 characters long\n");

  auto no_input = Run(
      {"admin", "create-user", "--email", "a@example.org", "--role", "admin", "--password-stdin"});
  EXPECT_EQ(no_input.code, 1);
  EXPECT_NE(no_input.err.find("no password on standard input"), std::string::npos);

  auto unknown_team = Run(
      {"admin", "create-user", "--email", "a@example.org", "--role", "agent", "--team", "Nope"});
  EXPECT_EQ(unknown_team.code, 1);
  EXPECT_EQ(unknown_team.err,
            "guichet: error: team \"Nope\" does not exist (there are no teams yet)\n");

  auto bad_email = Run({"admin", "create-user", "--email", "not-an-address", "--role", "agent"});
  EXPECT_EQ(bad_email.code, 1);

  EXPECT_FALSE(store().FindUserByEmail("a@example.org").ok());  // nothing was created

  ASSERT_EQ(Run({"admin", "create-user", "--email", "a@example.org", "--role", "lead"}).code, 0);
  auto duplicate = Run({"admin", "create-user", "--email", "A@example.org", "--role", "lead"});
  EXPECT_EQ(duplicate.code, 1);
  EXPECT_EQ(duplicate.err, "guichet: error: a user with e-mail a@example.org already exists\n");
}

TEST_P(AdminCommandsTest, CreateTokenPrintsAWorkingTokenOnce) {
  ASSERT_EQ(Run({"admin", "create-user", "--email", "ops@example.org", "--role", "admin"}).code, 0);
  auto r = Run({"admin", "create-token", "--email", "ops@example.org", "--name", "backup job"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.out.rfind("gu_", 0), 0u) << r.out;
  ASSERT_EQ(r.out.back(), '\n');
  const std::string token = r.out.substr(0, r.out.size() - 1);
  EXPECT_EQ(token.find('\n'), std::string::npos);
  EXPECT_GE(token.size(), 40u);
  ASSERT_OK_AND_ASSIGN(auto user, store().FindUserByTokenHash(Sha256Hex(token)));
  EXPECT_EQ(user.email, "ops@example.org");
  EXPECT_EQ(r.out.find(Sha256Hex(token)), std::string::npos);

  auto second = Run({"admin", "create-token", "--email", "ops@example.org"});
  ASSERT_EQ(second.code, 0);
  EXPECT_NE(second.out, r.out);  // a fresh token each time

  auto unknown = Run({"admin", "create-token", "--email", "nobody@example.org"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_EQ(unknown.err, "guichet: error: no user with e-mail nobody@example.org\n");
  EXPECT_TRUE(unknown.out.empty());
}

TEST_P(AdminCommandsTest, AuditVerifyOkThenBroken) {
  ASSERT_OK(store().CreateTeam("État civil", actor()));
  ASSERT_OK(store().CreateTeam("Urbanisme", actor()));
  ASSERT_OK(store().CreateTeam("Voirie", actor()));
  auto ok = Run({"admin", "audit", "verify"});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(ok.out, "audit chain OK (3 entries)\n");

  ASSERT_OK_AND_ASSIGN(auto audit, store().ListAudit({}));
  ASSERT_EQ(audit.size(), 3u);
  const core::Id second = audit[1].id;
  ASSERT_OK(store().RawExec("UPDATE audit_log SET actor = 'someone else' WHERE id = " +
                            std::to_string(second)));
  auto broken = Run({"admin", "audit", "verify"});
  EXPECT_EQ(broken.code, 1);
  EXPECT_EQ(broken.out.rfind("audit chain broken at entry " + std::to_string(second) + ": ", 0), 0u)
      << broken.out;
  EXPECT_NE(broken.out.find("altered"), std::string::npos) << broken.out;
}

GUICHET_INSTANTIATE_STORE_TEST(AdminCommandsTest);

}  // namespace
}  // namespace guichet::app
