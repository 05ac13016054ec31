#include "jobs/builtin.h"

#include "common/log.h"

namespace guichet::jobs {

Status RegisterBuiltinJobs(Runner& runner, storage::Store& store, const Clock& clock) {
  storage::JobQueue& queue = store.jobs();
  GUICHET_RETURN_IF_ERROR(
      runner.Register(kPurgeFinishedJobs, [&queue, &clock](const storage::Job&) -> Status {
        auto purged = queue.PurgeFinished(clock.Now() - kFinishedJobsKept);
        if (!purged.ok()) return purged.status();
        LogEvent(LogLevel::kInfo, "jobs_purged", {{"count", std::to_string(*purged)}});
        return Status::Ok();
      }));
  GUICHET_RETURN_IF_ERROR(runner.Every(kPurgeFinishedJobs, kDay));
  GUICHET_RETURN_IF_ERROR(
      runner.Register(kSweepAutomations, [&store](const storage::Job&) -> Status {
        auto run = store.RunScheduledAutomations(kSweepBatch);
        if (!run.ok()) return run.status();
        if (run->fired > 0)
          LogEvent(
              LogLevel::kInfo, "automations_swept",
              {{"examined", std::to_string(run->examined)}, {"fired", std::to_string(run->fired)}});
        return Status::Ok();
      }));
  return runner.Every(kSweepAutomations, kSweepPeriod);
}

}  // namespace guichet::jobs
