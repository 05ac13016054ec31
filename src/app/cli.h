// The `guichet` command line as a library function, so that tests run it in-process with their
// own streams. Commands: serve, admin (migrate, create-user, create-token, audit verify),
// import requests, export requests, demo. `--help` works at every level.
//
// Exit codes scripts can trust:
//   0  the command did what was asked
//   1  the operation failed (bad data, database error, broken audit chain, …)
//   2  usage error (unknown flag, missing argument, bad config file or variable)
// Errors are one line on `err`, "guichet: error: …"; never a stack trace.
//
// Configuration: --config FILE (default ./guichet.toml when present), then GUICHET_* variables,
// then flags; see app/config.h. Logs are JSON lines on the process's stderr (spdlog).
//
// Thread-safety: RunCli may be called from one thread at a time (it installs the logger and,
// for `serve`, changes the calling thread's signal mask while serving).
#pragma once

#include <iosfwd>

namespace guichet::app {

int RunCli(int argc, char** argv, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace guichet::app
