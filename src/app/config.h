// Config: the settings of a Guichet process, from four layers, each overriding the one before:
// built-in defaults < the TOML file < GUICHET_* environment variables < command-line flags (the
// last layer is applied by the CLI). Every key has one environment variable, named after it:
//
//   key                    environment variable             default
//   database.url           GUICHET_DATABASE_URL             sqlite:var/guichet.db
//   server.listen          GUICHET_SERVER_LISTEN            127.0.0.1:8080
//   server.threads         GUICHET_SERVER_THREADS           4
//   server.secure_cookies  GUICHET_SERVER_SECURE_COOKIES    false
//   log.level              GUICHET_LOG_LEVEL                info
//   jobs.enabled           GUICHET_JOBS_ENABLED             true   (run background jobs here)
//   jobs.workers           GUICHET_JOBS_WORKERS             2      (1 to 64 threads)
//   jobs.poll_seconds      GUICHET_JOBS_POLL_SECONDS        5      (1 to 3600: idle polling)
//   search.index_dir       GUICHET_SEARCH_INDEX_DIR         ""     (in memory)
//   rules.dir              GUICHET_RULES_DIR                ""     (no schemes)
//
// Errors are one readable line: "guichet.toml:3:1: unknown key "server.thread"" for the file
// (syntax errors, unknown keys, wrong types and bad values all carry line and column),
// "GUICHET_SERVER_THREADS: …" for the environment. An empty environment variable counts as unset.
// Pure functions; thread-safe apart from ProcessEnv(), which reads the process environment.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace guichet::app {

struct Config {
  std::string database_url = "sqlite:var/guichet.db";
  std::string server_listen = "127.0.0.1:8080";
  int server_threads = 4;
  bool server_secure_cookies = false;
  std::string log_level = "info";
  bool jobs_enabled = true;
  int jobs_workers = 2;
  int jobs_poll_seconds = 5;
  // The knowledge-base search index of this node: a folder kept across restarts, or "" to build
  // it in memory at every start (derived data either way; the database is the source).
  std::string search_index_dir;
  // The folder of eligibility schemes (every scheme.toml under it, docs/rules.md), or "" for
  // none. A scheme that does not load stops the server from starting, like a bad config.
  std::string rules_dir;
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
// The process environment (std::getenv).
EnvLookup ProcessEnv();

// The default file, read only when it exists.
inline constexpr char kDefaultConfigPath[] = "guichet.toml";

// Builds the configuration: defaults, then the file, then `env`. `path` is the --config flag:
// when set, the file must exist (kNotFound otherwise); when empty, `default_path` is read if it
// exists. kInvalidArgument for a bad file or variable.
Result<Config> LoadConfig(const std::optional<std::string>& path, const EnvLookup& env,
                          const std::string& default_path = kDefaultConfigPath);

// Applies TOML `text` over `base`. `source_name` names the file in error messages.
Result<Config> ApplyToml(Config base, std::string_view text, const std::string& source_name);
// Applies the GUICHET_* variables found through `env` over `base`.
Result<Config> ApplyEnv(Config base, const EnvLookup& env);

// Checks each value (URL scheme, listen address, thread counts, log level, poll interval). The
// message names the key, e.g. "server.threads must be between 1 and 256".
Status ValidateConfig(const Config& config);

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};
// "HOST:PORT" or "[IPv6]:PORT"; port 0 means any free port.
Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace guichet::app
