// guichet serve: open and migrate the store, serve HTTP and run background jobs ([jobs]), stop
// gracefully on SIGTERM or SIGINT: the job runner first (running handlers finish), then the
// server (in-flight requests finish).
//
// The two signals are blocked before the server starts its threads (which inherit the mask), so
// no handler ever runs on a pool thread; this thread then takes them with sigwait() and stops
// the server from ordinary code, where anything may be called.
#include <pthread.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <sstream>

#include "app/commands.h"
#include "common/log.h"
#include "jobs/builtin.h"
#include "jobs/runner.h"
#include "rules/registry.h"
#include "server/server.h"
#include "storage/jobs.h"

namespace guichet::app {
namespace {

// Restores the signal mask of the calling thread on every way out.
class SignalMaskGuard {
 public:
  explicit SignalMaskGuard(const sigset_t& block) {
    pthread_sigmask(SIG_BLOCK, &block, &previous_);
  }
  ~SignalMaskGuard() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  SignalMaskGuard(const SignalMaskGuard&) = delete;
  SignalMaskGuard& operator=(const SignalMaskGuard&) = delete;

 private:
  sigset_t previous_;
};

std::string UrlHost(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

int RunServe(const Config& config, const Io& io) {
  auto listen = ParseListenAddress(config.server_listen);
  if (!listen.ok()) return Fail(io, "server.listen " + listen.status().message());

  // Schemes first: a rule file that does not load stops the start, like a bad config, before
  // the store is opened.
  auto schemes = std::make_shared<rules::SchemeRegistry>();
  if (!config.rules_dir.empty()) {
    auto loaded = rules::LoadSchemeRegistry(config.rules_dir);
    if (!loaded.ok() && loaded.status().code() == StatusCode::kNotFound) {
      return Fail(io, "rules.dir " + loaded.status().message());
    }
    if (!loaded.ok()) {
      // One "file:line:col: message" per line, the file named under the folder.
      std::istringstream lines(loaded.status().message());
      for (std::string line; std::getline(lines, line);) {
        io.err << (std::filesystem::path(config.rules_dir) / line).generic_string() << '\n';
      }
      return Fail(io, "rules.dir " + config.rules_dir +
                          ": the schemes above do not load; the server does not start");
    }
    *schemes = std::move(*loaded);
    std::string ids;
    for (const rules::Scheme& s : schemes->schemes()) ids += (ids.empty() ? "" : ",") + s.id();
    LogEvent(LogLevel::kInfo, "schemes_loaded",
             {{"dir", config.rules_dir},
              {"count", std::to_string(schemes->schemes().size())},
              {"ids", ids}});
  }

  storage::StoreOptions store_options;
  // One connection per worker plus a few for bursts and operations endpoints, and one per job
  // worker plus one for lease renewals.
  store_options.pool_size =
      config.server_threads + 4 + (config.jobs_enabled ? config.jobs_workers + 1 : 0);
  auto store = OpenCliStore(config.database_url, store_options);
  if (!store.ok()) return Fail(io, store.status().message());

  const SystemClock clock;
  std::unique_ptr<jobs::Runner> runner;
  if (config.jobs_enabled) {
    jobs::RunnerOptions runner_options;
    runner_options.workers = config.jobs_workers;
    runner_options.poll_interval = std::chrono::seconds(config.jobs_poll_seconds);
    runner = std::make_unique<jobs::Runner>((*store)->jobs(), clock, runner_options);
    if (Status registered = jobs::RegisterBuiltinJobs(*runner, **store, clock); !registered.ok()) {
      return Fail(io, "cannot set up background jobs: " + registered.message());
    }
  }

  server::ServerOptions options;
  options.schemes = std::move(schemes);
  options.host = listen->host;
  options.port = listen->port;
  options.threads = config.server_threads;
  options.secure_cookies = config.server_secure_cookies;
  options.search_index_dir = config.search_index_dir;

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  SignalMaskGuard mask(stop_signals);
  // A client that disconnects mid-response must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  auto server = server::StartServer(**store, options);
  if (!server.ok()) {
    return Fail(io, "cannot start the server on " + config.server_listen + ": " +
                        server.status().message());
  }
  const std::string url =
      "http://" + UrlHost(listen->host) + ":" + std::to_string((*server)->port());
  LogEvent(LogLevel::kInfo, "server_listening",
           {{"msg", "listening on " + url},
            {"url", url},
            {"database", std::string((*store)->backend())},
            {"threads", std::to_string(options.threads)}});
  if (runner) {
    if (Status started = runner->Start(); !started.ok()) {
      (*server)->Stop();
      (*server)->Wait();
      return Fail(io, "cannot start background jobs: " + started.message());
    }
  }

  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) != 0) {
  }
  LogEvent(LogLevel::kInfo, "server_stopping",
           {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
  if (runner) runner->Stop();
  (*server)->Stop();
  (*server)->Wait();
  server->reset();
  LogEvent(LogLevel::kInfo, "server_stopped");
  return kExitOk;
}

}  // namespace guichet::app
