// Configuration (app/config.h): defaults < file < environment < flags, and errors that point at
// the line and column of a bad file.
#include "app/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>

#include "cli_runner.h"

namespace guichet::app {
namespace {

using testing::RunGuichet;
using testing::TempDir;
using testing::WriteFile;

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ConfigTest, DefaultsWithoutFileOrEnvironment) {
  TempDir dir;
  auto config = LoadConfig(std::nullopt, FakeEnv({}), dir.File("guichet.toml"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->database_url, "sqlite:var/guichet.db");
  EXPECT_EQ(config->server_listen, "127.0.0.1:8080");
  EXPECT_EQ(config->server_threads, 4);
  EXPECT_FALSE(config->server_secure_cookies);
  EXPECT_EQ(config->log_level, "info");
}

TEST(ConfigTest, FileOverridesDefaultsAndEnvironmentOverridesFile) {
  TempDir dir;
  WriteFile(dir.File("guichet.toml"),
            "# Guichet\n"
            "[database]\n"
            "url = \"sqlite:/srv/file.db\"\n"
            "[server]\n"
            "listen = \"0.0.0.0:9000\"\n"
            "threads = 8\n"
            "secure_cookies = true\n"
            "[log]\n"
            "level = \"debug\"\n");
  // The default file is read when present.
  auto from_file = LoadConfig(std::nullopt, FakeEnv({}), dir.File("guichet.toml"));
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_EQ(from_file->database_url, "sqlite:/srv/file.db");
  EXPECT_EQ(from_file->server_listen, "0.0.0.0:9000");
  EXPECT_EQ(from_file->server_threads, 8);
  EXPECT_TRUE(from_file->server_secure_cookies);
  EXPECT_EQ(from_file->log_level, "debug");

  auto with_env = LoadConfig(dir.File("guichet.toml"),
                             FakeEnv({{"GUICHET_DATABASE_URL", "postgresql://db/guichet"},
                                      {"GUICHET_SERVER_THREADS", "2"},
                                      {"GUICHET_SERVER_SECURE_COOKIES", "off"},
                                      {"GUICHET_LOG_LEVEL", ""}}));  // empty = unset
  ASSERT_TRUE(with_env.ok()) << with_env.status().ToString();
  EXPECT_EQ(with_env->database_url, "postgresql://db/guichet");
  EXPECT_EQ(with_env->server_listen, "0.0.0.0:9000");
  EXPECT_EQ(with_env->server_threads, 2);
  EXPECT_FALSE(with_env->server_secure_cookies);
  EXPECT_EQ(with_env->log_level, "debug");
}

TEST(ConfigTest, JobsSection) {
  Config defaults;
  EXPECT_TRUE(defaults.jobs_enabled);
  EXPECT_EQ(defaults.jobs_workers, 2);
  EXPECT_EQ(defaults.jobs_poll_seconds, 5);

  auto from_file =
      ApplyToml({}, "[jobs]\nenabled = false\nworkers = 4\npoll_seconds = 30\n", "x.toml");
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_FALSE(from_file->jobs_enabled);
  EXPECT_EQ(from_file->jobs_workers, 4);
  EXPECT_EQ(from_file->jobs_poll_seconds, 30);

  auto from_env = ApplyEnv(*from_file, FakeEnv({{"GUICHET_JOBS_ENABLED", "yes"},
                                                {"GUICHET_JOBS_WORKERS", "8"},
                                                {"GUICHET_JOBS_POLL_SECONDS", "1"}}));
  ASSERT_TRUE(from_env.ok()) << from_env.status().ToString();
  EXPECT_TRUE(from_env->jobs_enabled);
  EXPECT_EQ(from_env->jobs_workers, 8);
  EXPECT_EQ(from_env->jobs_poll_seconds, 1);

  auto no_workers = ApplyToml({}, "[jobs]\nworkers = 0\n", "x.toml");
  ASSERT_FALSE(no_workers.ok());
  EXPECT_EQ(no_workers.status().message(), "x.toml:2:11: jobs.workers must be between 1 and 64");
  auto slow = ApplyEnv({}, FakeEnv({{"GUICHET_JOBS_POLL_SECONDS", "86400"}}));
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().message(),
            "GUICHET_JOBS_POLL_SECONDS (jobs.poll_seconds) must be between 1 and 3600");
  auto unknown = ApplyToml({}, "[jobs]\nthreads = 2\n", "x.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("known keys: jobs.enabled, jobs.workers, "
                                            "jobs.poll_seconds"),
            std::string::npos)
      << unknown.status().message();
}

TEST(ConfigTest, RulesDirIsNoneByDefaultAndOverridable) {
  EXPECT_EQ(Config{}.rules_dir, "");
  auto from_file = ApplyToml({}, "[rules]\ndir = \"/etc/guichet/rules\"\n", "x.toml");
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_EQ(from_file->rules_dir, "/etc/guichet/rules");
  auto from_env = ApplyEnv(*from_file, FakeEnv({{"GUICHET_RULES_DIR", "rules/examples"}}));
  ASSERT_TRUE(from_env.ok()) << from_env.status().ToString();
  EXPECT_EQ(from_env->rules_dir, "rules/examples");
  auto wrong = ApplyToml({}, "[rules]\ndir = 3\n", "x.toml");
  EXPECT_FALSE(wrong.ok());
  // [search] was refused as an unknown table although search.index_dir is a key.
  auto search = ApplyToml({}, "[search]\nindex_dir = \"var/search\"\n", "x.toml");
  ASSERT_TRUE(search.ok()) << search.status().ToString();
  EXPECT_EQ(search->search_index_dir, "var/search");
}

// A scheme that does not load stops `guichet serve` before it opens the database, with every
// problem as file:line:col under the folder, like a bad config.
TEST(ConfigTest, ServeRefusesToStartWithASchemeThatDoesNotLoad) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("rules/casse"));
  WriteFile(dir.File("rules/casse/scheme.toml"),
            "[scheme]\nid = \"casse\"\ntitle_fr = \"x\"\ntitle_en = \"x\"\n"
            "valid_from = 2025-01-01\ncolour = \"red\"\n");
  WriteFile(dir.File("guichet.toml"), "[rules]\ndir = \"" + dir.File("rules") + "\"\n");
  const auto run = RunGuichet({"serve", "--config", dir.File("guichet.toml"), "--db",
                               "sqlite:" + dir.File("g.db"), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(run.code, 1) << run.err;
  EXPECT_NE(run.err.find(dir.File("rules") + "/casse/scheme.toml:6:1: unknown key \"colour\""),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("the server does not start"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir.File("g.db")));

  WriteFile(dir.File("guichet.toml"), "[rules]\ndir = \"" + dir.File("nowhere") + "\"\n");
  const auto missing = RunGuichet({"serve", "--config", dir.File("guichet.toml"), "--db",
                                   "sqlite:" + dir.File("g.db"), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(missing.code, 1) << missing.err;
  EXPECT_NE(missing.err.find("rules.dir " + dir.File("nowhere") + ": not a folder"),
            std::string::npos)
      << missing.err;
  EXPECT_FALSE(std::filesystem::exists(dir.File("g.db")));
}

TEST(ConfigTest, DottedKeysWork) {
  auto config = ApplyToml({}, "server.listen = \"[::1]:8443\"\nlog.level = \"warn\"\n", "x.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server_listen, "[::1]:8443");
  EXPECT_EQ(config->log_level, "warn");
}

TEST(ConfigTest, SyntaxErrorNamesFileLineAndColumn) {
  auto config = ApplyToml({}, "[server]\nlisten = \"127.0.0.1:80\"\nthreads = = 4\n", "bad.toml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message().rfind("bad.toml:3:", 0), 0u) << config.status().message();
}

TEST(ConfigTest, UnknownKeysAreErrorsWithTheirPosition) {
  auto key = ApplyToml({}, "[server]\nlisten = \"127.0.0.1:80\"\nthread = 4\n", "g.toml");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message().rfind("g.toml:3:1: unknown key \"server.thread\"", 0), 0u)
      << key.status().message();
  EXPECT_NE(key.status().message().find("server.threads"), std::string::npos);

  auto table = ApplyToml({}, "\n[databse]\nurl = \"sqlite:x\"\n", "g.toml");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message().rfind("g.toml:2:", 0), 0u) << table.status().message();
  EXPECT_NE(table.status().message().find("\"databse\""), std::string::npos);
}

TEST(ConfigTest, WrongTypesAndValuesAreErrors) {
  auto type = ApplyToml({}, "[server]\nthreads = \"four\"\n", "g.toml");
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.status().message(), "g.toml:2:11: server.threads must be an integer");

  auto range = ApplyToml({}, "[server]\nthreads = 0\n", "g.toml");
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.status().message().find("between 1 and 256"), std::string::npos);

  auto url = ApplyToml({}, "[database]\nurl = \"mysql://x\"\n", "g.toml");
  ASSERT_FALSE(url.ok());
  EXPECT_NE(url.status().message().find("database.url must be sqlite:PATH"), std::string::npos);

  auto level = ApplyToml({}, "log = { level = \"loud\" }\n", "g.toml");
  ASSERT_FALSE(level.ok());
  EXPECT_NE(level.status().message().find("log.level"), std::string::npos);

  auto not_table = ApplyToml({}, "server = 3\n", "g.toml");
  ASSERT_FALSE(not_table.ok());
  EXPECT_NE(not_table.status().message().find("must be a table"), std::string::npos);
}

TEST(ConfigTest, BadEnvironmentValuesNameTheVariable) {
  auto threads = ApplyEnv({}, FakeEnv({{"GUICHET_SERVER_THREADS", "many"}}));
  ASSERT_FALSE(threads.ok());
  EXPECT_EQ(threads.status().message().rfind("GUICHET_SERVER_THREADS must be an integer", 0), 0u);
  auto listen = ApplyEnv({}, FakeEnv({{"GUICHET_SERVER_LISTEN", "localhost"}}));
  ASSERT_FALSE(listen.ok());
  EXPECT_EQ(listen.status().message().rfind("GUICHET_SERVER_LISTEN", 0), 0u);
  auto cookies = ApplyEnv({}, FakeEnv({{"GUICHET_SERVER_SECURE_COOKIES", "maybe"}}));
  ASSERT_FALSE(cookies.ok());
}

TEST(ConfigTest, MissingExplicitFileIsAnError) {
  TempDir dir;
  auto config = LoadConfig(dir.File("nope.toml"), FakeEnv({}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kNotFound);
}

TEST(ConfigTest, ParseListenAddress) {
  auto v4 = ParseListenAddress("127.0.0.1:8080");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  auto name = ParseListenAddress("localhost:443");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->host, "localhost");
  for (const char* bad :
       {"", "8080", ":8080", "host:", "host:65536", "host:80x", "::1:80", "[::1:80", "a b:80"}) {
    EXPECT_FALSE(ParseListenAddress(bad).ok()) << bad;
  }
}

// Restores an environment variable when the test ends.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// End to end through the CLI: which database does `admin migrate` create?
TEST(ConfigTest, FlagsOverrideEnvironmentWhichOverridesFile) {
  TempDir dir;
  const std::string config = dir.File("guichet.toml");
  WriteFile(config, "[database]\nurl = \"sqlite:" + dir.File("file.db") + "\"\n");
  namespace fs = std::filesystem;
  {
    ScopedEnv env("GUICHET_DATABASE_URL", nullptr);
    auto r = RunGuichet({"--config", config, "admin", "migrate"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::exists(dir.File("file.db")));
  }
  {
    ScopedEnv env("GUICHET_DATABASE_URL", ("sqlite:" + dir.File("env.db")).c_str());
    auto r = RunGuichet({"--config", config, "admin", "migrate"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::exists(dir.File("env.db")));
    EXPECT_THAT(r.out, ::testing::MatchesRegex("applied [0-9]+ migrations?\n"));

    r = RunGuichet(
        {"--config", config, "admin", "migrate", "--db", "sqlite:" + dir.File("flag/flag.db")});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::exists(dir.File("flag/flag.db")));  // the folder is created too
  }
}

TEST(ConfigTest, BadConfigFileIsAUsageErrorOnOneLine) {
  TempDir dir;
  const std::string config = dir.File("guichet.toml");
  WriteFile(config, "[server]\nthreads = 4\nlisten = 127.0.0.1:8080\n");
  auto r = RunGuichet({"--config", config, "admin", "migrate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind("guichet: error: " + config + ":3:", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  auto missing = RunGuichet({"--config", dir.File("missing.toml"), "admin", "migrate"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;

  ScopedEnv env("GUICHET_SERVER_THREADS", "lots");
  auto bad_env = RunGuichet({"admin", "migrate", "--db", "sqlite:" + dir.File("x.db")});
  EXPECT_EQ(bad_env.code, 2);
  EXPECT_NE(bad_env.err.find("GUICHET_SERVER_THREADS"), std::string::npos) << bad_env.err;
}

}  // namespace
}  // namespace guichet::app
