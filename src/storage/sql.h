// Private to src/storage: the small SQL connection interface both backends implement, so that
// one SqlStore holds all the queries. SQL is written with `?` placeholders; the PostgreSQL
// connection rewrites them to $1, $2, … Statements are prepared once per connection and cached.
// A connection is used by one thread at a time (the pool hands it out).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace guichet::storage::internal {

struct Blob {
  std::string bytes;
};

using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string, Blob>;
using Row = std::vector<SqlValue>;
using Params = std::vector<SqlValue>;

enum class Dialect { kSqlite, kPostgres };

// Error statuses from a connection: a unique-key violation is kAlreadyExists; a lock timeout,
// deadlock or serialization failure is kUnavailable with retryable() true; a full disk is
// kResourceExhausted; an I/O error is kUnavailable, not retryable; anything else kInternal (the
// database text goes to the log, never to the caller).
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual Dialect dialect() const = 0;
  // Runs several statements without parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;
  virtual Result<std::vector<Row>> Query(const std::string& sql, const Params& params) = 0;
  // A write transaction takes the write lock up front on SQLite (BEGIN IMMEDIATE).
  virtual Status Begin(bool write) = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;
  // True after an error that the whole transaction may be retried for.
  virtual bool last_error_retryable() const = 0;
  // True when the connection is unusable and must be replaced.
  virtual bool broken() const = 0;
  // SQLite only: writes a consistent copy of the whole database into the new file `path` (see
  // Store::BackupTo). Other backends answer kFailedPrecondition.
  virtual Status BackupTo(const std::string& path) {
    (void)path;
    return FailedPrecondition("this database cannot be copied to a file");
  }
};

using ConnectionFactory = std::function<Result<std::unique_ptr<SqlConnection>>()>;

// A fixed-size pool; Acquire blocks until a connection is free. Broken connections are replaced
// lazily on the next Acquire.
class ConnectionPool {
 public:
  ConnectionPool(ConnectionFactory factory, int size) : factory_(std::move(factory)), size_(size) {}

  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<SqlConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (conn_) pool_->Release(std::move(conn_));
    }
    SqlConnection& operator*() { return *conn_; }
    SqlConnection* operator->() { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<SqlConnection> conn_;
  };

  Result<Lease> Acquire();
  int size() const { return size_; }
  // Opened and idle connection counts, read together.
  std::pair<int, int> Counts();

 private:
  void Release(std::unique_ptr<SqlConnection> conn);

  ConnectionFactory factory_;
  const int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;
  int open_ = 0;
};

Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path);
Result<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const std::string& url);

// Value accessors for result rows; NULL reads as 0 / "" / nullopt.
std::int64_t AsInt(const SqlValue& v);
double AsDouble(const SqlValue& v);
std::string AsText(const SqlValue& v);
bool IsNull(const SqlValue& v);

}  // namespace guichet::storage::internal
