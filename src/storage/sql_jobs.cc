// SqlJobQueue: the jobs table (migrations/*/0004_jobs.sql) behind storage/jobs.h. Claims are one
// UPDATE over a sub-select of the due rows; on PostgreSQL the sub-select locks them FOR UPDATE
// SKIP LOCKED, so concurrent claimers take disjoint sets without waiting; on SQLite the write
// transaction (BEGIN IMMEDIATE) already holds the only write lock.
#include "storage/sql_jobs.h"

#include <algorithm>

#include "common/text.h"

namespace guichet::storage {

std::string_view ToString(JobStatus status) {
  switch (status) {
    case JobStatus::kPending:
      return "pending";
    case JobStatus::kRunning:
      return "running";
    case JobStatus::kDone:
      return "done";
    case JobStatus::kFailed:
      return "failed";
  }
  return "pending";
}

std::optional<JobStatus> ParseJobStatus(std::string_view text) {
  for (JobStatus s :
       {JobStatus::kPending, JobStatus::kRunning, JobStatus::kDone, JobStatus::kFailed}) {
    if (ToString(s) == text) return s;
  }
  return std::nullopt;
}

namespace internal {
namespace {

constexpr char kJobColumns[] =
    "id, kind, payload, dedupe_key, status, run_at, attempts, max_attempts, lease_owner, "
    "lease_until, last_error, created_at, updated_at, finished_at";

// Enqueues of one dedupe key take this PostgreSQL advisory lock (with the key's hash), so the
// look-up and the insert of concurrent callers run one after the other.
constexpr int kDedupeLockSpace = 7170003;
constexpr size_t kMaxKind = 100;
constexpr size_t kMaxDedupeKey = 300;
constexpr size_t kMaxError = 2000;  // bytes of last_error kept
constexpr int kMaxClaim = 100;
constexpr int kMaxList = 500;

Job RowToJob(const Row& r) {
  Job j;
  j.id = AsInt(r[0]);
  j.kind = AsText(r[1]);
  j.payload = AsText(r[2]);
  j.dedupe_key = AsText(r[3]);
  j.status = ParseJobStatus(AsText(r[4])).value_or(JobStatus::kPending);
  j.run_at = AsInt(r[5]);
  j.attempts = static_cast<int>(AsInt(r[6]));
  j.max_attempts = static_cast<int>(AsInt(r[7]));
  j.lease_owner = AsText(r[8]);
  if (!IsNull(r[9])) j.lease_until = AsInt(r[9]);
  j.last_error = AsText(r[10]);
  j.created_at = AsInt(r[11]);
  j.updated_at = AsInt(r[12]);
  if (!IsNull(r[13])) j.finished_at = AsInt(r[13]);
  return j;
}

std::vector<Job> RowsToJobs(const std::vector<Row>& rows) {
  std::vector<Job> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(RowToJob(r));
  return out;
}

// An error text fit to store: valid UTF-8 (other bytes become '?') and at most kMaxError bytes,
// cut on a character boundary.
std::string StorableError(std::string_view error) {
  std::string out(error);
  if (!IsValidUtf8(out)) {
    for (char& c : out) {
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
    }
  }
  if (out.size() > kMaxError) {
    size_t cut = kMaxError;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

// " AND kind IN (?, …)" for a non-empty `kinds`, its values appended to `params`.
std::string KindsClause(const std::vector<std::string>& kinds, Params& params) {
  if (kinds.empty()) return "";
  for (const std::string& k : kinds) params.push_back(k);
  return " AND kind IN (" + Placeholders(kinds.size()) + ")";
}

Status ValidateNewJob(const NewJob& job) {
  if (job.kind.empty() || job.kind.size() > kMaxKind)
    return InvalidArgument("a job kind must be 1 to 100 characters");
  for (char c : job.kind) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '.' && c != '_' && c != '-')
      return InvalidArgument("a job kind may contain only letters, digits, '.', '_' and '-'");
  }
  if (!IsValidUtf8(job.dedupe_key) || job.dedupe_key.size() > kMaxDedupeKey)
    return InvalidArgument("a dedupe key must be at most 300 bytes of valid UTF-8");
  if (!IsValidUtf8(job.payload) || !json::parse(job.payload, nullptr, false).is_object())
    return InvalidArgument("a job payload must be a JSON object");
  if (job.max_attempts < 1 || job.max_attempts > 100)
    return InvalidArgument("max_attempts must be between 1 and 100");
  return Status::Ok();
}

}  // namespace

Result<EnqueueResult> SqlJobQueue::Enqueue(const NewJob& job) {
  GUICHET_RETURN_IF_ERROR(ValidateNewJob(job));
  const bool keyed = !job.dedupe_key.empty();
  const std::string find_existing =
      std::string("SELECT ") + kJobColumns + " FROM jobs WHERE dedupe_key = ?" +
      (job.dedupe_finished ? "" : " AND status IN ('pending', 'running')") +
      " ORDER BY id DESC LIMIT 1";
  return db_.Tx<EnqueueResult>(true, [&](SqlConnection& c) -> Result<EnqueueResult> {
    const Millis now = db_.clock().Now();
    if (keyed) {
      if (db_.dialect() == Dialect::kPostgres) {
        GUICHET_ASSIGN_OR_RETURN(
            auto locked, c.Query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(" +
                                     std::to_string(kDedupeLockSpace) + ", hashtext(?))) AS l",
                                 {job.dedupe_key}));
      }
      GUICHET_ASSIGN_OR_RETURN(auto found, c.Query(find_existing, {job.dedupe_key}));
      if (!found.empty()) return EnqueueResult{RowToJob(found[0]), false};
    }
    // ON CONFLICT: a concurrent insert of the same key that the lock did not cover answers
    // "exists" rather than aborting the transaction.
    GUICHET_ASSIGN_OR_RETURN(
        auto rows,
        c.Query(
            std::string("INSERT INTO jobs (kind, payload, dedupe_key, status, run_at, "
                        "attempts, max_attempts, last_error, created_at, updated_at) "
                        "VALUES (?, ?, ?, 'pending', ?, 0, ?, '', ?, ?) "
                        "ON CONFLICT DO NOTHING RETURNING ") +
                kJobColumns,
            {job.kind, job.payload, keyed ? SqlValue(job.dedupe_key) : SqlValue(std::monostate{}),
             job.run_at.value_or(now), std::int64_t{job.max_attempts}, now, now}));
    if (!rows.empty()) return EnqueueResult{RowToJob(rows[0]), true};
    GUICHET_ASSIGN_OR_RETURN(auto found, c.Query(find_existing, {job.dedupe_key}));
    if (found.empty()) return Unavailable("the job queue is busy; try again");
    return EnqueueResult{RowToJob(found[0]), false};
  });
}

Result<std::vector<Job>> SqlJobQueue::Claim(const std::string& worker_id, int max_jobs,
                                            Millis lease, const std::vector<std::string>& kinds) {
  if (worker_id.empty() || !IsValidUtf8(worker_id) || worker_id.size() > 200)
    return InvalidArgument("a worker id must be 1 to 200 bytes of valid UTF-8");
  if (max_jobs < 1) return InvalidArgument("max_jobs must be at least 1");
  if (lease <= 0) return InvalidArgument("a lease must be longer than zero");
  const int limit = std::min(max_jobs, kMaxClaim);
  const std::string skip_locked =
      db_.dialect() == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
  // Idle workers poll often: a read first keeps them from taking the write lock for nothing.
  auto due = db_.Tx<bool>(false, [&](SqlConnection& c) -> Result<bool> {
    const Millis now = db_.clock().Now();
    Params params = {now, now};
    const std::string kinds_clause = KindsClause(kinds, params);
    GUICHET_ASSIGN_OR_RETURN(
        auto rows, c.Query("SELECT 1 FROM jobs WHERE ((status = 'pending' AND run_at <= ?) OR "
                           "(status = 'running' AND lease_until <= ?))" +
                               kinds_clause + " LIMIT 1",
                           params));
    return !rows.empty();
  });
  if (!due.ok()) return due.status();
  if (!*due) return std::vector<Job>{};
  return db_.Tx<std::vector<Job>>(true, [&](SqlConnection& c) -> Result<std::vector<Job>> {
    const Millis now = db_.clock().Now();
    {
      // Jobs whose last attempt's lease ran out: they will not be tried again.
      Params params = {now, now,
                       std::string("the lease ran out on the last attempt (the worker stopped "
                                   "or took too long)"),
                       now};
      const std::string kinds_clause = KindsClause(kinds, params);
      GUICHET_ASSIGN_OR_RETURN(
          auto expired,
          c.Query("UPDATE jobs SET status = 'failed', finished_at = ?, updated_at = ?, "
                  "lease_until = NULL, last_error = ? WHERE id IN (SELECT id FROM jobs WHERE "
                  "status = 'running' AND lease_until <= ? AND attempts >= max_attempts" +
                      kinds_clause + skip_locked + ") RETURNING id",
                  params));
    }
    Params params = {worker_id, now + lease, now, now, now};
    const std::string kinds_clause = KindsClause(kinds, params);
    params.push_back(std::int64_t{limit});
    GUICHET_ASSIGN_OR_RETURN(
        auto rows,
        c.Query(std::string("UPDATE jobs SET status = 'running', attempts = attempts + 1, "
                            "lease_owner = ?, lease_until = ?, updated_at = ? WHERE id IN "
                            "(SELECT id FROM jobs WHERE ((status = 'pending' AND run_at <= ?) OR "
                            "(status = 'running' AND lease_until <= ?))") +
                    kinds_clause + " ORDER BY run_at, id LIMIT ?" + skip_locked + ") RETURNING " +
                    kJobColumns,
                params));
    std::vector<Job> jobs = RowsToJobs(rows);
    std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
      return a.run_at != b.run_at ? a.run_at < b.run_at : a.id < b.id;
    });
    return jobs;
  });
}

namespace {

// Inside a write transaction: the job `id`, locked, if `worker_id` holds it.
Result<Job> LoadHeld(SqlDb& db, SqlConnection& c, Id id, const std::string& worker_id) {
  GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kJobColumns +
                                                  " FROM jobs WHERE id = ?" + db.ForUpdate(),
                                              {id}));
  if (rows.empty()) return NotFound("job " + std::to_string(id) + " does not exist");
  Job job = RowToJob(rows[0]);
  if (job.status != JobStatus::kRunning || job.lease_owner != worker_id) {
    return FailedPrecondition("job " + std::to_string(id) +
                              " is not held by this worker any more (its lease ran out and it "
                              "was taken over, or it finished)");
  }
  return job;
}

}  // namespace

Status SqlJobQueue::Complete(Id id, const std::string& worker_id) {
  return db_
      .Tx<Unit>(true,
                [&](SqlConnection& c) -> Result<Unit> {
                  GUICHET_ASSIGN_OR_RETURN(Job job, LoadHeld(db_, c, id, worker_id));
                  const Millis now = db_.clock().Now();
                  GUICHET_ASSIGN_OR_RETURN(
                      auto rows,
                      c.Query("UPDATE jobs SET status = 'done', finished_at = ?, updated_at = ?, "
                              "lease_until = NULL WHERE id = ?",
                              {now, now, job.id}));
                  return Unit{};
                })
      .status();
}

Result<Job> SqlJobQueue::Fail(Id id, const std::string& worker_id, const std::string& error,
                              Millis retry_at) {
  const std::string stored_error = StorableError(error);
  return db_.Tx<Job>(true, [&](SqlConnection& c) -> Result<Job> {
    GUICHET_ASSIGN_OR_RETURN(Job job, LoadHeld(db_, c, id, worker_id));
    const Millis now = db_.clock().Now();
    if (job.attempts >= job.max_attempts) {
      GUICHET_ASSIGN_OR_RETURN(
          auto rows, c.Query("UPDATE jobs SET status = 'failed', finished_at = ?, updated_at = ?, "
                             "lease_until = NULL, last_error = ? WHERE id = ?",
                             {now, now, stored_error, id}));
    } else {
      GUICHET_ASSIGN_OR_RETURN(
          auto rows, c.Query("UPDATE jobs SET status = 'pending', run_at = ?, updated_at = ?, "
                             "lease_owner = NULL, lease_until = NULL, last_error = ? WHERE id = ?",
                             {std::max(retry_at, now), now, stored_error, id}));
    }
    GUICHET_ASSIGN_OR_RETURN(
        auto rows, c.Query(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?", {id}));
    return RowToJob(rows[0]);
  });
}

Status SqlJobQueue::ExtendLease(Id id, const std::string& worker_id, Millis lease) {
  if (lease <= 0) return InvalidArgument("a lease must be longer than zero");
  return db_
      .Tx<Unit>(true,
                [&](SqlConnection& c) -> Result<Unit> {
                  GUICHET_ASSIGN_OR_RETURN(Job job, LoadHeld(db_, c, id, worker_id));
                  const Millis now = db_.clock().Now();
                  GUICHET_ASSIGN_OR_RETURN(
                      auto rows,
                      c.Query("UPDATE jobs SET lease_until = ?, updated_at = ? WHERE id = ?",
                              {now + lease, now, job.id}));
                  return Unit{};
                })
      .status();
}

Result<Job> SqlJobQueue::Get(Id id) {
  return db_.Tx<Job>(false, [&](SqlConnection& c) -> Result<Job> {
    GUICHET_ASSIGN_OR_RETURN(
        auto rows, c.Query(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?", {id}));
    if (rows.empty()) return NotFound("job " + std::to_string(id) + " does not exist");
    return RowToJob(rows[0]);
  });
}

Result<std::vector<Job>> SqlJobQueue::List(const JobFilter& filter) {
  std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs WHERE 1 = 1";
  Params params;
  if (filter.status) {
    sql += " AND status = ?";
    params.push_back(std::string(ToString(*filter.status)));
  }
  if (!filter.kind.empty()) {
    sql += " AND kind = ?";
    params.push_back(filter.kind);
  }
  if (filter.after_id) {
    sql += " AND id < ?";
    params.push_back(*filter.after_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(std::int64_t{std::clamp(filter.limit, 1, kMaxList)});
  return db_.Tx<std::vector<Job>>(false, [&](SqlConnection& c) -> Result<std::vector<Job>> {
    GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
    return RowsToJobs(rows);
  });
}

Result<JobCounts> SqlJobQueue::Counts() {
  return db_.Tx<JobCounts>(false, [&](SqlConnection& c) -> Result<JobCounts> {
    GUICHET_ASSIGN_OR_RETURN(auto rows,
                             c.Query("SELECT status, COUNT(*) FROM jobs GROUP BY status", {}));
    JobCounts counts;
    for (const Row& r : rows) {
      const std::int64_t n = AsInt(r[1]);
      switch (ParseJobStatus(AsText(r[0])).value_or(JobStatus::kPending)) {
        case JobStatus::kPending:
          counts.pending += n;
          break;
        case JobStatus::kRunning:
          counts.running += n;
          break;
        case JobStatus::kDone:
          counts.done += n;
          break;
        case JobStatus::kFailed:
          counts.failed += n;
          break;
      }
    }
    return counts;
  });
}

Result<std::int64_t> SqlJobQueue::PurgeFinished(Millis finished_before) {
  return db_.Tx<std::int64_t>(true, [&](SqlConnection& c) -> Result<std::int64_t> {
    GUICHET_ASSIGN_OR_RETURN(auto rows,
                             c.Query("DELETE FROM jobs WHERE status IN ('done', 'failed') AND "
                                     "finished_at < ? RETURNING id",
                                     {finished_before}));
    return static_cast<std::int64_t>(rows.size());
  });
}

}  // namespace internal
}  // namespace guichet::storage
