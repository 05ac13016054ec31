// Private to src/storage: what every SQL-backed part of the store shares — the dialect, the
// connection pool and the clock, one transaction per call with retries (Tx), the append to the
// hash-chained audit log (Audit) — and small row and JSON helpers. SqlStore and the feature
// stores (SLA policies, jobs, automations) are each built on one shared SqlDb.
// Thread-safety: SqlDb is shared by threads; each Tx runs on a connection of its own.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "storage/sql.h"
#include "storage/store.h"

namespace guichet::storage::internal {

using json = nlohmann::json;

// The value of a transaction that returns nothing.
struct Unit {};

inline SqlValue OptId(const std::optional<Id>& v) {
  return v ? SqlValue(*v) : SqlValue(std::monostate{});
}
inline std::optional<Id> ToOptId(const SqlValue& v) {
  return IsNull(v) ? std::nullopt : std::optional<Id>(AsInt(v));
}
inline json OptJson(const std::optional<Id>& v) { return v ? json(*v) : json(nullptr); }

// "?, ?, ?" for n parameters.
std::string Placeholders(size_t n);
// {"field": {"before": x, "after": y}} for each field that differs between two JSON objects.
json Diff(const json& before, const json& after);
// {"field": {"after": x}} for each field of a new entity.
json Created(const json& after);
// The chained hash of one audit entry (see docs/decisions/0002).
std::string AuditHash(const std::string& prev_hash, Millis at, const std::string& actor,
                      const std::string& action, const std::string& entity, Id entity_id,
                      const std::optional<Id>& request_id, const std::string& changes);

// What one write batch keeps in memory and writes once, just before its COMMIT: the audit
// chain's head and new entries, and the reference counters it advanced (rows every create would
// otherwise read and write). The head and counter rows stay locked by the batch's transaction
// in the meantime; nothing reads audit entries inside a write transaction.
struct BatchState {
  struct AuditRow {
    Millis at = 0;
    std::string actor, action, entity;
    Id entity_id = 0;
    std::optional<Id> request_id;
    std::string changes, prev_hash, hash;
  };
  std::optional<std::string> audit_head_hash;  // once read: the chain's last hash, as advanced
  std::vector<AuditRow> audit_rows;            // entries to append, in chain order
  std::map<int, std::int64_t> counters;        // year → last number given, once read
  std::set<int> changed_counters;
  // Configuration rows (SqlDb::QueryConfig) read by this batch's run of request creates; any
  // other kind of write in between forgets them, as it may change them.
  bool sharing_config = false;  // the running body is a request create
  std::map<std::string, std::vector<Row>> config_rows;
};

// Group commit: one writer thread runs the write transactions of all callers one after the
// other inside a single database transaction, so that one COMMIT (one WAL fsync on SQLite, one
// WAL flush on PostgreSQL) serves them all, and writers queue here instead of sleeping in
// SQLite's busy handler. The writer takes everything queued (up to a bound) as its next batch,
// runs the bodies in arrival order (so audit entries are chained in that order), runs the
// before-commit hook, commits, and only then reports each outcome (durability before the
// answer); a failed COMMIT fails the whole batch. A failing body gets its own error and the
// others are unaffected: the batch is rolled back and the others run again, this time each
// inside its own SAVEPOINT so that a further failure is rolled back alone. (Savepoints are not
// used up front: they cost a statement each.) Callers either wait (Run) or are called back
// (RunAsync), so a server can keep far more writes in one batch than it has threads.
class GroupCommitter {
 public:
  using Body = std::function<Status(SqlConnection&)>;
  using Done = std::function<void(Status)>;

  explicit GroupCommitter(ConnectionPool* pool) : pool_(pool) {}
  // Lets the queued calls finish, then stops the writer thread.
  ~GroupCommitter();

  // Runs `body` in a shared write transaction. Ok once it is committed; else the body's own
  // error, or the error that stopped the batch from committing.
  Status Run(const Body& body);
  // The same without waiting: `done` gets that outcome on the writer thread, after the commit.
  // It must be short (hand longer work to another thread): the next batch waits for it.
  // `shares_config`: the body changes no configuration (SqlDb::QueryConfig), so that it may
  // share the configuration rows read by the batch's other such bodies.
  void RunAsync(Body body, Done done, bool shares_config = false);
  // Runs in every batch after the last body and before COMMIT (deferred index maintenance). An
  // error fails the batch. Set before the first write.
  void SetBeforeCommit(Body hook) { before_commit_ = std::move(hook); }

 private:
  struct Call {
    Body body;
    Done done;
    bool shares_config = false;
    Status status;
    int attempts = 0;
    bool isolate = false;  // run inside a savepoint: its batch had a failure before
  };

  void WriterLoop();
  // Runs one batch to its end; returns the calls to run again, in order.
  std::vector<Call*> RunBatch(std::vector<Call*> batch);

  ConnectionPool* const pool_;
  Body before_commit_;
  std::mutex mu_;
  std::condition_variable queued_;
  std::deque<std::unique_ptr<Call>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::thread writer_;                       // started by the first call
};

class SqlDb {
 public:
  SqlDb(Dialect dialect, std::unique_ptr<ConnectionPool> pool, const Clock* clock)
      : dialect_(dialect), pool_(std::move(pool)), clock_(clock), committer_(pool_.get()) {}

  Dialect dialect() const { return dialect_; }
  const Clock& clock() const { return *clock_; }
  ConnectionPool& pool() { return *pool_; }
  // " FOR UPDATE" on PostgreSQL; SQLite write transactions hold the database lock anyway.
  std::string ForUpdate() const { return dialect_ == Dialect::kPostgres ? " FOR UPDATE" : ""; }

  // Runs `fn` in one transaction on a pooled connection and commits when it succeeds. Lock
  // timeouts, deadlocks and serialization failures retry it a few times. Writes go through
  // group commit (see GroupCommitter): `fn` may share its transaction with other callers' and
  // must not start another write transaction itself.
  template <typename T>
  Result<T> Tx(bool write, const std::function<Result<T>(SqlConnection&)>& fn) {
    if (!write) return TxAlone<T>(false, fn);
    std::optional<Result<T>> out;
    Status status = committer_.Run([&](SqlConnection& c) -> Status {
      out.emplace(fn(c));
      return out->status();
    });
    if (!status.ok()) return status;
    return std::move(*out);
  }

  // A write Tx that returns at once; `done` gets its result on the writer thread once it is
  // committed or has failed (see GroupCommitter::RunAsync: keep `done` short).
  template <typename T>
  // `shares_config` as in GroupCommitter::RunAsync.
  void TxAsync(std::function<Result<T>(SqlConnection&)> fn, std::function<void(Result<T>)> done,
               bool shares_config = false) {
    auto out = std::make_shared<std::optional<Result<T>>>();
    committer_.RunAsync(
        [fn = std::move(fn), out](SqlConnection& c) -> Status {
          out->emplace(fn(c));
          return (*out)->status();
        },
        [out, done = std::move(done)](Status status) {
          if (!status.ok()) return done(std::move(status));
          done(std::move(**out));
        },
        shares_config);
  }

  // See GroupCommitter::SetBeforeCommit.
  void SetBeforeCommit(GroupCommitter::Body hook) { committer_.SetBeforeCommit(std::move(hook)); }

  // A read of one statement (or of several that need no common snapshot) without BEGIN and
  // COMMIT: the statement is its own transaction. Saves two statements on SQLite and two round
  // trips on PostgreSQL. Retried like Tx.
  template <typename T>
  Result<T> Read(const std::function<Result<T>(SqlConnection&)>& fn) {
    constexpr int kAttempts = 5;
    for (int attempt = 1;; ++attempt) {
      GUICHET_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
      Result<T> result = fn(*conn);
      if (result.ok() || !conn->last_error_retryable() || attempt >= kAttempts) return result;
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
    }
  }

  // Tx in a transaction of its own, outside group commit (schema migrations).
  template <typename T>
  Result<T> TxAlone(bool write, const std::function<Result<T>(SqlConnection&)>& fn) {
    constexpr int kAttempts = 5;
    for (int attempt = 1;; ++attempt) {
      GUICHET_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
      Status begun = conn->Begin(write);
      if (!begun.ok()) {
        if (conn->last_error_retryable() && attempt < kAttempts) continue;
        return begun;
      }
      Result<T> result = fn(*conn);
      if (result.ok()) {
        Status committed = conn->Commit();
        if (committed.ok()) return result;
        conn->Rollback();
        if (!conn->last_error_retryable() || attempt >= kAttempts) return committed;
      } else {
        const bool retry = conn->last_error_retryable() && attempt < kAttempts;
        conn->Rollback();
        if (!retry) return result;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
    }
  }

  // Appends one entry to the audit chain inside the caller's transaction. The head row is locked
  // first, so concurrent transactions append one after the other and the chain never forks.
  // Inside a batch the entry is chained in memory and appended with the batch's others just
  // before COMMIT (BatchState).
  Status Audit(SqlConnection& c, const Actor& actor, const std::string& action,
               const std::string& entity, Id entity_id, std::optional<Id> request_id,
               const json& changes);
  // Locks the audit chain's head now rather than at the transaction's first Audit. For a write
  // that is about to lock another row every writer of its kind shares (the knowledge base's
  // change counter): taking the head first keeps one lock order, so writers on two nodes never
  // wait on each other.
  Status HoldAuditHead(SqlConnection& c);
  // The next request number of `year` (1, 2, …; gap-free), in the caller's transaction; inside a
  // batch the counter is read once and written back before COMMIT.
  Result<std::int64_t> NextReferenceNumber(SqlConnection& c, int year);
  // A read of configuration (automations, SLA policies and calendar, team hours) on the request
  // create path: in a batch of request creates the same statement is run once for them all.
  Result<std::vector<Row>> QueryConfig(SqlConnection& c, const std::string& sql,
                                       const Params& params);

 private:
  const Dialect dialect_;
  std::unique_ptr<ConnectionPool> pool_;
  const Clock* clock_;
  GroupCommitter committer_;  // last: its writer thread stops before the pool goes
};

}  // namespace guichet::storage::internal
