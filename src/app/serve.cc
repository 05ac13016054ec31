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
#include <memory>

#include "app/commands.h"
#include "common/log.h"
#include "jobs/builtin.h"
#include "jobs/runner.h"
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
