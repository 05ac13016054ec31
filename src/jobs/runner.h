// Runner: runs the background jobs of the database's queue (storage/jobs.h) on this node. Each of
// N worker threads claims one due job at a time with a lease, runs the handler registered for
// its kind and completes it, or records the failure for a retry with exponential back-off
// (retry_base × 2^(attempt-1), at most retry_max) until the job's attempts are spent. A handler
// that throws has failed; a kind with no handler here fails with an error naming it. While a
// handler runs, a keeper thread renews its lease every third of the lease, so only a node that
// stopped or hung loses its jobs to another node.
//
// Periodic schedules (Every) enqueue one job per period slot — slots are aligned on the Unix
// epoch, so a daily job's slot starts at 00:00 UTC — with the dedupe key "<kind>@<slot start>"
// (ISO 8601) matching finished jobs too: every node may run the same schedules, the slot's job
// is created once and runs once. A slot missed while no node ran is skipped, not caught up.
//
// Worker ids are "<node id>:<thread number>", the node id being "<hostname>:<pid>" unless set.
// Logs name job ids, kinds and errors, never payloads; handler errors are logged and stored in
// the job, so they must not carry personal data either. Time comes from the injected clock
// (run_at, leases, slots); waits between polls are real time.
//
// Thread-safety: Register and Every before Start; Start, Stop and Wake from any thread; handlers
// run on the worker threads, several at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "storage/jobs.h"

namespace guichet::jobs {

// Runs one job. An error (or a throw) makes the attempt a failure, retried later.
using Handler = std::function<Status(const storage::Job& job)>;

struct RunnerOptions {
  int workers = 2;                                // 1 to 64
  std::chrono::milliseconds poll_interval{5000};  // idle workers look for due jobs this often
  Millis lease = 5 * 60 * 1000;                   // renewed while the handler runs
  Millis retry_base = 30 * 1000;                  // the wait after a first failed attempt
  Millis retry_max = 6 * 60 * 60 * 1000;          // the longest wait between attempts
  std::string node_id;                            // default "<hostname>:<pid>"
};

// What this runner has done since it started.
struct RunnerStats {
  std::uint64_t succeeded = 0;  // handlers that returned OK (and the job was completed)
  std::uint64_t failed = 0;     // failed attempts (handler error, throw, unknown kind), recorded
  std::uint64_t lost = 0;       // results not recorded: the job had been taken over
};

// The wait before retrying a job whose `attempts`-th attempt failed.
Millis RetryDelay(int attempts, Millis base, Millis max);

class Runner {
 public:
  // `queue` and `clock` are not owned and must outlive the runner.
  Runner(storage::JobQueue& queue, const Clock& clock, RunnerOptions options = {});
  ~Runner();  // Stop()
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // The handler of jobs of `kind`. kInvalidArgument for an empty kind or one already
  // registered; kFailedPrecondition once started.
  Status Register(const std::string& kind, Handler handler);
  // Enqueues a job of `kind` (with `payload`) once per `period` slot. The kind needs a handler
  // by Start. kInvalidArgument for a period under one second or a kind already scheduled;
  // kFailedPrecondition once started.
  Status Every(const std::string& kind, Millis period, const std::string& payload = "{}");

  // Starts the worker threads. kInvalidArgument for bad options or a schedule with no handler;
  // kFailedPrecondition when already started.
  Status Start();
  // Makes idle workers look for due jobs (and schedules for a new slot) now.
  void Wake();
  // Stops claiming, waits for the running handlers to return and records their results, then
  // joins the threads. Idempotent.
  void Stop();

  const std::string& node_id() const;
  RunnerStats stats() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace guichet::jobs
