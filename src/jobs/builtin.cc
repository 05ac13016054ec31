#include "jobs/builtin.h"

#include "common/log.h"

namespace guichet::jobs {

Status RegisterBuiltinJobs(Runner& runner, storage::JobQueue& queue, const Clock& clock) {
  GUICHET_RETURN_IF_ERROR(
      runner.Register(kPurgeFinishedJobs, [&queue, &clock](const storage::Job&) -> Status {
        auto purged = queue.PurgeFinished(clock.Now() - kFinishedJobsKept);
        if (!purged.ok()) return purged.status();
        LogEvent(LogLevel::kInfo, "jobs_purged", {{"count", std::to_string(*purged)}});
        return Status::Ok();
      }));
  return runner.Every(kPurgeFinishedJobs, kDay);
}

}  // namespace guichet::jobs
