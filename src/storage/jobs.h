// JobQueue: background jobs kept in the database, so that every node of one deployment shares
// them and each job runs once even when several nodes poll at the same time. A worker claims due
// jobs with a lease (its worker id and a deadline); while the lease holds, no other worker gets
// the job. A worker that dies leaves its lease to run out, and the job becomes claimable again.
// On PostgreSQL claims lock rows with FOR UPDATE SKIP LOCKED, so claimers never wait on each
// other; on SQLite one writer at a time (BEGIN IMMEDIATE) gives the same guarantee.
//
// Life cycle: pending → running (Claim, attempts + 1) → done (Complete), or back to pending
// (Fail with a retry time) until attempts reach max_attempts, then failed. A running job whose
// lease ran out is claimed again as a new attempt; if it had no attempt left it becomes failed.
//
// Rules:
//   * jobs are not audited themselves: the changes their handlers make are;
//   * payloads hold ids and settings, never personal data (names, e-mails, message text): the
//     payload is stored in clear, listed to admins and kept after the job is done;
//   * time is the store's injected clock (StoreOptions::clock), so tests move it by hand;
//   * Complete, Fail and ExtendLease by a worker that does not hold the lease (it ran out and
//     another worker took the job over) are kFailedPrecondition; an unknown id is kNotFound.
// Thread-safety: safe to share between threads, like the Store that owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "core/model.h"

namespace guichet::storage {

enum class JobStatus { kPending, kRunning, kDone, kFailed };

// "pending", "running", "done", "failed".
std::string_view ToString(JobStatus status);
std::optional<JobStatus> ParseJobStatus(std::string_view text);

struct NewJob {
  std::string kind;              // what to run: "jobs.purge", "sla.sweep", …
  std::string payload = "{}";    // JSON text (ids, never personal data)
  std::string dedupe_key;        // empty = none; see JobQueue::Enqueue
  bool dedupe_finished = false;  // the key also matches finished jobs (one run, ever)
  std::optional<Millis> run_at;  // not before; defaults to now
  int max_attempts = 5;          // 1 to 100
};

struct Job {
  core::Id id = 0;
  std::string kind;
  std::string payload;
  std::string dedupe_key;  // empty when none
  JobStatus status = JobStatus::kPending;
  Millis run_at = 0;
  int attempts = 0;  // claims so far, this one included
  int max_attempts = 0;
  std::string lease_owner;  // the worker running it, or the last one that did
  std::optional<Millis> lease_until;
  std::string last_error;
  Millis created_at = 0;
  Millis updated_at = 0;
  std::optional<Millis> finished_at;
};

struct EnqueueResult {
  Job job;
  bool created = true;  // false: an existing job with the same dedupe key was returned
};

// Newest first; `after_id` is the id of the last job of the previous page.
struct JobFilter {
  std::optional<JobStatus> status;
  std::string kind;  // empty = all kinds
  int limit = 100;   // 1 to 500
  std::optional<core::Id> after_id;
};

struct JobCounts {
  std::int64_t pending = 0;
  std::int64_t running = 0;
  std::int64_t done = 0;
  std::int64_t failed = 0;
};

class JobQueue {
 public:
  virtual ~JobQueue() = default;

  // Adds a job. With a dedupe key, an unfinished job (pending or running) with the same key is
  // returned instead of a second one (created = false); with dedupe_finished, a finished one is
  // too. Enqueues of one key are serialised, so concurrent callers on several nodes create one
  // job. kInvalidArgument for an empty kind, a payload that is not a JSON object, or
  // max_attempts outside 1 to 100.
  virtual Result<EnqueueResult> Enqueue(const NewJob& job) = 0;

  // Claims up to `max_jobs` due jobs for `worker_id`, oldest run_at first: pending jobs whose
  // run_at has come, and running jobs whose lease ran out. Each is marked running, its attempts
  // counted and its lease set to now + `lease`. With `kinds`, only jobs of those kinds. Running
  // jobs with an expired lease and no attempt left become failed instead. Empty when none is due.
  virtual Result<std::vector<Job>> Claim(const std::string& worker_id, int max_jobs, Millis lease,
                                         const std::vector<std::string>& kinds = {}) = 0;

  // Marks a job this worker holds done. A lease that ran out but was not taken over still counts.
  virtual Status Complete(core::Id id, const std::string& worker_id) = 0;

  // Records a failed attempt of a job this worker holds: back to pending, not before `retry_at`,
  // or failed when attempts have reached max_attempts. Returns the job as it now is.
  virtual Result<Job> Fail(core::Id id, const std::string& worker_id, const std::string& error,
                           Millis retry_at) = 0;

  // Moves the lease of a job this worker holds to now + `lease` (long handlers call it).
  virtual Status ExtendLease(core::Id id, const std::string& worker_id, Millis lease) = 0;

  virtual Result<Job> Get(core::Id id) = 0;
  virtual Result<std::vector<Job>> List(const JobFilter& filter) = 0;
  // The number of jobs in each status (for /metrics).
  virtual Result<JobCounts> Counts() = 0;
  // Deletes done and failed jobs that finished before `finished_before`; returns how many.
  virtual Result<std::int64_t> PurgeFinished(Millis finished_before) = 0;
};

}  // namespace guichet::storage
