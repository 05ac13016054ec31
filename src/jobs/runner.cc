#include "jobs/runner.h"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/log.h"

namespace guichet::jobs {
namespace {

std::string DefaultNodeId() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof host, "localhost");
  }
  return std::string(host) + ":" + std::to_string(getpid());
}

struct Schedule {
  std::string kind;
  Millis period = 0;
  std::string payload;
  std::optional<Millis> enqueued_slot;  // the last slot this node has made sure of
};

}  // namespace

Millis RetryDelay(int attempts, Millis base, Millis max) {
  Millis delay = base;
  for (int i = 1; i < attempts && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

struct Runner::State {
  State(storage::JobQueue& q, const Clock& c, RunnerOptions o)
      : queue(q), clock(c), options(std::move(o)) {
    if (options.node_id.empty()) options.node_id = DefaultNodeId();
  }

  storage::JobQueue& queue;
  const Clock& clock;
  RunnerOptions options;
  std::map<std::string, Handler> handlers;  // fixed once started
  std::vector<Schedule> schedules;          // guarded by schedules_mu once started
  std::mutex schedules_mu;

  std::mutex mu;  // guards the fields below
  std::condition_variable wake_cv;
  bool started = false;
  bool stopping = false;
  std::uint64_t generation = 0;             // bumped by Wake()
  std::map<core::Id, std::string> running;  // job id → worker id, for lease renewal
  std::vector<std::thread> threads;

  std::atomic<std::uint64_t> succeeded{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> lost{0};

  // Enqueues the current slot's job of each schedule, once per slot per node. One worker at a
  // time; the others skip it rather than wait.
  void TickSchedules() {
    std::unique_lock lock(schedules_mu, std::try_to_lock);
    if (!lock.owns_lock()) return;
    const Millis now = clock.Now();
    for (Schedule& s : schedules) {
      const Millis slot = now - ((now % s.period) + s.period) % s.period;
      if (s.enqueued_slot == slot) continue;
      storage::NewJob job;
      job.kind = s.kind;
      job.payload = s.payload;
      job.dedupe_key = s.kind + "@" + FormatIso8601(slot);
      job.dedupe_finished = true;
      job.run_at = slot;
      auto added = queue.Enqueue(job);
      if (!added.ok()) {
        LogEvent(LogLevel::kWarn, "job_schedule_failed",
                 {{"kind", s.kind}, {"error", added.status().ToString()}});
        continue;
      }
      s.enqueued_slot = slot;
      if (added->created) {
        LogEvent(LogLevel::kInfo, "job_scheduled",
                 {{"kind", s.kind},
                  {"job_id", std::to_string(added->job.id)},
                  {"slot", FormatIso8601(slot)}});
      }
    }
  }

  // Runs the handler of `job`, turning a throw into an error.
  Status RunHandler(const storage::Job& job) {
    const auto it = handlers.find(job.kind);
    if (it == handlers.end()) {
      return FailedPrecondition("no handler for job kind \"" + job.kind + "\" on this node");
    }
    try {
      return it->second(job);
    } catch (const std::exception& e) {
      return Internal(std::string("the handler threw: ") + e.what());
    } catch (...) {
      return Internal("the handler threw something that is not a std::exception");
    }
  }

  void Finish(const storage::Job& job, const std::string& worker_id, const Status& result,
              std::chrono::steady_clock::duration took) {
    const std::string ms =
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
    if (result.ok()) {
      const Status done = queue.Complete(job.id, worker_id);
      if (done.ok()) {
        ++succeeded;
        LogEvent(LogLevel::kDebug, "job_done",
                 {{"kind", job.kind},
                  {"job_id", std::to_string(job.id)},
                  {"attempt", std::to_string(job.attempts)},
                  {"ms", ms}});
        return;
      }
      ++lost;
      LogEvent(
          LogLevel::kWarn, "job_result_lost",
          {{"kind", job.kind}, {"job_id", std::to_string(job.id)}, {"error", done.ToString()}});
      return;
    }
    const Millis retry_at =
        clock.Now() + RetryDelay(job.attempts, options.retry_base, options.retry_max);
    auto recorded = queue.Fail(job.id, worker_id, result.ToString(), retry_at);
    if (!recorded.ok()) {
      ++lost;
      LogEvent(LogLevel::kWarn, "job_result_lost",
               {{"kind", job.kind},
                {"job_id", std::to_string(job.id)},
                {"error", recorded.status().ToString()}});
      return;
    }
    ++failed;
    const bool gave_up = recorded->status == storage::JobStatus::kFailed;
    LogEvent(gave_up ? LogLevel::kError : LogLevel::kWarn, gave_up ? "job_failed" : "job_retry",
             {{"kind", job.kind},
              {"job_id", std::to_string(job.id)},
              {"attempt", std::to_string(job.attempts) + "/" + std::to_string(job.max_attempts)},
              {"error", result.ToString()},
              {"retry_at", gave_up ? std::string() : FormatIso8601(recorded->run_at)},
              {"ms", ms}});
  }

  void WorkerLoop(int number) {
    const std::string worker_id = options.node_id + ":" + std::to_string(number);
    for (;;) {
      std::uint64_t seen;
      {
        std::lock_guard lock(mu);
        if (stopping) return;
        seen = generation;
      }
      TickSchedules();
      auto claimed = queue.Claim(worker_id, 1, options.lease);
      if (!claimed.ok()) {
        LogEvent(LogLevel::kWarn, "job_claim_failed", {{"error", claimed.status().ToString()}});
      }
      if (claimed.ok() && !claimed->empty()) {
        const storage::Job& job = claimed->front();
        {
          std::lock_guard lock(mu);
          running[job.id] = worker_id;
        }
        const auto started_at = std::chrono::steady_clock::now();
        const Status result = RunHandler(job);
        {
          std::lock_guard lock(mu);
          running.erase(job.id);
        }
        Finish(job, worker_id, result, std::chrono::steady_clock::now() - started_at);
        continue;  // there may be more due
      }
      std::unique_lock lock(mu);
      wake_cv.wait_for(lock, options.poll_interval, [&] { return stopping || generation != seen; });
    }
  }

  // Renews the leases of the jobs running on this node every third of the lease.
  void KeeperLoop() {
    const auto every = std::chrono::milliseconds(std::max<Millis>(options.lease / 3, 1));
    std::unique_lock lock(mu);
    while (!stopping) {
      wake_cv.wait_for(lock, every, [&] { return stopping; });
      if (stopping) return;
      const std::map<core::Id, std::string> now_running = running;
      lock.unlock();
      for (const auto& [id, worker_id] : now_running) {
        const Status extended = queue.ExtendLease(id, worker_id, options.lease);
        // A job that finished meanwhile is no longer held: that is not worth a warning.
        if (!extended.ok()) {
          std::lock_guard relock(mu);
          if (running.count(id)) {
            LogEvent(LogLevel::kWarn, "job_lease_not_renewed",
                     {{"job_id", std::to_string(id)}, {"error", extended.ToString()}});
          }
        }
      }
      lock.lock();
    }
  }
};

Runner::Runner(storage::JobQueue& queue, const Clock& clock, RunnerOptions options)
    : state_(std::make_unique<State>(queue, clock, std::move(options))) {}

Runner::~Runner() { Stop(); }

Status Runner::Register(const std::string& kind, Handler handler) {
  std::lock_guard lock(state_->mu);
  if (state_->started) return FailedPrecondition("handlers are registered before Start");
  if (kind.empty() || !handler) return InvalidArgument("a handler needs a kind and a function");
  if (!state_->handlers.emplace(kind, std::move(handler)).second) {
    return InvalidArgument("job kind \"" + kind + "\" already has a handler");
  }
  return Status::Ok();
}

Status Runner::Every(const std::string& kind, Millis period, const std::string& payload) {
  std::lock_guard lock(state_->mu);
  if (state_->started) return FailedPrecondition("schedules are set before Start");
  if (kind.empty()) return InvalidArgument("a schedule needs a job kind");
  if (period < 1000) return InvalidArgument("a schedule's period must be at least one second");
  for (const Schedule& s : state_->schedules) {
    if (s.kind == kind) return InvalidArgument("job kind \"" + kind + "\" is already scheduled");
  }
  state_->schedules.push_back({kind, period, payload, std::nullopt});
  return Status::Ok();
}

Status Runner::Start() {
  std::lock_guard lock(state_->mu);
  if (state_->started) return FailedPrecondition("the job runner is already started");
  const RunnerOptions& o = state_->options;
  if (o.workers < 1 || o.workers > 64) return InvalidArgument("workers must be between 1 and 64");
  if (o.poll_interval.count() < 1) return InvalidArgument("the poll interval must be positive");
  if (o.lease < 1000) return InvalidArgument("a lease must be at least one second");
  if (o.retry_base < 1 || o.retry_max < o.retry_base)
    return InvalidArgument("retry_base must be positive and at most retry_max");
  for (const Schedule& s : state_->schedules) {
    if (!state_->handlers.count(s.kind)) {
      return InvalidArgument("scheduled job kind \"" + s.kind + "\" has no handler");
    }
  }
  state_->started = true;
  state_->stopping = false;
  for (int i = 1; i <= o.workers; ++i) {
    state_->threads.emplace_back([this, i] { state_->WorkerLoop(i); });
  }
  state_->threads.emplace_back([this] { state_->KeeperLoop(); });
  LogEvent(LogLevel::kInfo, "jobs_started",
           {{"node", o.node_id},
            {"workers", std::to_string(o.workers)},
            {"kinds", std::to_string(state_->handlers.size())},
            {"schedules", std::to_string(state_->schedules.size())}});
  return Status::Ok();
}

void Runner::Wake() {
  {
    std::lock_guard lock(state_->mu);
    ++state_->generation;
  }
  state_->wake_cv.notify_all();
}

void Runner::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(state_->mu);
    if (!state_->started || state_->stopping) return;
    state_->stopping = true;
    threads.swap(state_->threads);
  }
  state_->wake_cv.notify_all();
  for (std::thread& t : threads) t.join();
  LogEvent(LogLevel::kInfo, "jobs_stopped", {{"node", state_->options.node_id}});
}

const std::string& Runner::node_id() const { return state_->options.node_id; }

RunnerStats Runner::stats() const {
  return {state_->succeeded.load(), state_->failed.load(), state_->lost.load()};
}

}  // namespace guichet::jobs
