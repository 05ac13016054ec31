// The background jobs built into every Guichet node, registered on its Runner by
// `guichet serve`: the daily purge of finished jobs kept 30 days, and the sweep of scheduled
// automations every five minutes. New built-in jobs (notifications) are registered here too.
// Thread-safety: the handlers run on the runner's worker threads and share only the queue.
#pragma once

#include "common/clock.h"
#include "common/status.h"
#include "jobs/runner.h"
#include "storage/jobs.h"
#include "storage/store.h"

namespace guichet::jobs {

// Deletes done and failed jobs that finished more than kFinishedJobsKept ago; runs daily.
inline constexpr char kPurgeFinishedJobs[] = "jobs.purge_finished";
inline constexpr Millis kFinishedJobsKept = 30LL * 24 * 60 * 60 * 1000;
inline constexpr Millis kDay = 24LL * 60 * 60 * 1000;

// Fires the scheduled automations (Store::RunScheduledAutomations) on at most
// kSweepBatch requests per run; what is left waits for the next slot.
inline constexpr char kSweepAutomations[] = "automations.sweep";
inline constexpr Millis kSweepPeriod = 5LL * 60 * 1000;
inline constexpr int kSweepBatch = 1000;

// Registers the built-in handlers and schedules on `runner` (before it starts). `store` and
// `clock` must outlive the runner.
Status RegisterBuiltinJobs(Runner& runner, storage::Store& store, const Clock& clock);

}  // namespace guichet::jobs
