// Private to src/storage: the JobQueue of both backends, on the SqlStore's shared SqlDb. Every
// method is one transaction (SqlDb::Tx). Thread-safety: as SqlDb, safe to share between threads.
#pragma once

#include "storage/jobs.h"
#include "storage/sql_db.h"

namespace guichet::storage::internal {

class SqlJobQueue final : public JobQueue {
 public:
  explicit SqlJobQueue(SqlDb& db) : db_(db) {}

  Result<EnqueueResult> Enqueue(const NewJob& job) override;
  Result<std::vector<Job>> Claim(const std::string& worker_id, int max_jobs, Millis lease,
                                 const std::vector<std::string>& kinds) override;
  Status Complete(Id id, const std::string& worker_id) override;
  Result<Job> Fail(Id id, const std::string& worker_id, const std::string& error,
                   Millis retry_at) override;
  Status ExtendLease(Id id, const std::string& worker_id, Millis lease) override;
  Result<Job> Get(Id id) override;
  Result<std::vector<Job>> List(const JobFilter& filter) override;
  Result<JobCounts> Counts() override;
  Result<std::int64_t> PurgeFinished(Millis finished_before) override;

 private:
  SqlDb& db_;  // the owning SqlStore's
};

}  // namespace guichet::storage::internal
