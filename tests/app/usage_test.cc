// The CLI's contract with scripts, without a database: --help everywhere (exit 0, on stdout),
// usage errors exit 2 with one "guichet: error: …" line on stderr.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "cli_runner.h"

namespace guichet::app {
namespace {

using testing::RunGuichet;

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(UsageTest, HelpEverywhere) {
  const std::vector<std::vector<std::string>> commands = {
      {},
      {"serve"},
      {"admin"},
      {"admin", "migrate"},
      {"admin", "create-user"},
      {"admin", "create-token"},
      {"admin", "audit"},
      {"admin", "audit", "verify"},
      {"admin", "backup"},
      {"admin", "restore"},
      {"import"},
      {"import", "requests"},
      {"export"},
      {"export", "requests"},
      {"demo"},
      {"rules"},
      {"rules", "check"},
      {"rules", "test"},
      {"rules", "eval"},
  };
  for (auto args : commands) {
    std::string name = "guichet";
    for (const auto& a : args) name += " " + a;
    args.push_back("--help");
    auto r = RunGuichet(args);
    EXPECT_EQ(r.code, 0) << name << ": " << r.err;
    EXPECT_NE(r.out.find("Usage: " + name), std::string::npos) << r.out;
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
}

TEST(UsageTest, VersionFlag) {
  auto r = RunGuichet({"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("guichet ", 0), 0u) << r.out;
}

TEST(UsageTest, UsageErrorsExitTwoWithOneLine) {
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"frobnicate"},
      {"admin"},
      {"admin", "create-user", "--role", "agent"},
      {"admin", "create-user", "--email", "a@example.org", "--role", "mayor"},
      {"admin", "create-token"},
      {"admin", "backup"},
      {"admin", "restore", "--force"},
      {"import", "requests", "--format", "xml", "file.xml"},
      {"import", "requests", "--format", "csv"},
      {"export", "requests", "--format", "csv"},
      {"serve", "--threads", "0"},
      {"serve", "--listen", "nowhere", "--db", "sqlite::memory:"},
      {"demo", "--count", "-3"},
      {"demo", "--now", "yesterday", "--db", "sqlite::memory:"},
      {"admin", "migrate", "--db", "mysql://localhost/guichet"},
      {"admin", "migrate", "--unknown-flag"},
      {"rules"},
      {"rules", "check"},
      {"rules", "eval", "--scheme", "s.toml"},
  };
  for (const auto& args : bad) {
    std::string name;
    for (const auto& a : args) name += " " + a;
    auto r = RunGuichet(args);
    EXPECT_EQ(r.code, 2) << name << ": " << r.err;
    EXPECT_EQ(r.err.rfind("guichet: error: ", 0), 0u) << name << ": " << r.err;
    EXPECT_EQ(Lines(r.err), 1) << name << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << name << ": " << r.out;
  }
}

TEST(UsageTest, GlobalOptionsMayFollowTheCommand) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("g.toml"), "[database]\nurl = \"sqlite:" + dir.File("g.db") + "\"\n");
  auto r = RunGuichet({"--log-level", "error", "admin", "migrate", "--config", dir.File("g.toml")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::MatchesRegex("applied [0-9]+ migrations?\n"));
  auto level = RunGuichet(
      {"admin", "audit", "verify", "--log-level", "warn", "--db", "sqlite:" + dir.File("g.db")});
  EXPECT_EQ(level.code, 0) << level.err;
}

TEST(UsageTest, UnreachableDatabaseFailsWithExitOne) {
  testing::TempDir dir;
  // A directory where the database file should be: SQLite cannot open it.
  auto r = RunGuichet({"admin", "migrate", "--db", "sqlite:" + dir.path()});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.err.rfind("guichet: error: cannot open the database", 0), 0u) << r.err;
  EXPECT_EQ(Lines(r.err), 1) << r.err;
}

}  // namespace
}  // namespace guichet::app
