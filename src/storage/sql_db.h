// Private to src/storage: what every SQL-backed part of the store shares — the dialect, the
// connection pool and the clock, one transaction per call with retries (Tx), the append to the
// hash-chained audit log (Audit) — and small row and JSON helpers. SqlStore and the feature
// stores (SLA policies, jobs, automations) are each built on one shared SqlDb.
// Thread-safety: SqlDb is shared by threads; each Tx runs on a connection of its own.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

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

class SqlDb {
 public:
  SqlDb(Dialect dialect, std::unique_ptr<ConnectionPool> pool, const Clock* clock)
      : dialect_(dialect), pool_(std::move(pool)), clock_(clock) {}

  Dialect dialect() const { return dialect_; }
  const Clock& clock() const { return *clock_; }
  ConnectionPool& pool() { return *pool_; }
  // " FOR UPDATE" on PostgreSQL; SQLite write transactions hold the database lock anyway.
  std::string ForUpdate() const { return dialect_ == Dialect::kPostgres ? " FOR UPDATE" : ""; }

  // Runs `fn` in one transaction on a pooled connection and commits when it succeeds. Lock
  // timeouts, deadlocks and serialization failures retry the whole transaction a few times.
  template <typename T>
  Result<T> Tx(bool write, const std::function<Result<T>(SqlConnection&)>& fn) {
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
  Status Audit(SqlConnection& c, const Actor& actor, const std::string& action,
               const std::string& entity, Id entity_id, std::optional<Id> request_id,
               const json& changes);

 private:
  const Dialect dialect_;
  std::unique_ptr<ConnectionPool> pool_;
  const Clock* clock_;
};

}  // namespace guichet::storage::internal
