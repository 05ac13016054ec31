// SQLite backend of SqlConnection: WAL journal, foreign keys on, a busy timeout so that
// concurrent writers queue instead of failing, and a per-connection prepared statement cache.
#include <sqlite3.h>

#include <filesystem>
#include <unordered_map>

#include "common/log.h"
#include "storage/sql.h"
#include "storage/sqlite/sqlite_backup.h"

namespace guichet::storage::internal {
namespace {

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Status ExecScript(std::string_view sql) override {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string message = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Fail(rc, message);
    }
    return Status::Ok();
  }

  Result<std::vector<Row>> Query(const std::string& sql, const Params& params) override {
    retryable_ = false;
    sqlite3_stmt* stmt = nullptr;
    if (auto it = cache_.find(sql); it != cache_.end()) {
      stmt = it->second;
    } else {
      const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) return Fail(rc, sqlite3_errmsg(db_));
      cache_.emplace(sql, stmt);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      const SqlValue& p = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::monostate>(p)) {
        rc = sqlite3_bind_null(stmt, index);
      } else if (auto* n = std::get_if<std::int64_t>(&p)) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else if (auto* d = std::get_if<double>(&p)) {
        rc = sqlite3_bind_double(stmt, index, *d);
      } else if (auto* s = std::get_if<std::string>(&p)) {
        // PostgreSQL cannot store NUL in text; refused on both backends so that they agree.
        if (s->find('\0') != std::string::npos) {
          return InvalidArgument("text values may not contain NUL characters");
        }
        rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      } else if (auto* b = std::get_if<Blob>(&p)) {
        rc = sqlite3_bind_blob64(stmt, index, b->bytes.data(), b->bytes.size(), SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) return Fail(rc, sqlite3_errmsg(db_));
    }
    std::vector<Row> rows;
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Status failure = Fail(rc, sqlite3_errmsg(db_));
        sqlite3_reset(stmt);
        return failure;
      }
      const int n = sqlite3_column_count(stmt);
      Row row;
      row.reserve(n);
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            row.emplace_back(std::monostate{});
            break;
          case SQLITE_INTEGER:
            row.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            row.emplace_back(sqlite3_column_double(stmt, c));
            break;
          case SQLITE_BLOB: {
            const void* data = sqlite3_column_blob(stmt, c);
            const int size = sqlite3_column_bytes(stmt, c);
            row.emplace_back(Blob{std::string(static_cast<const char*>(data), size)});
            break;
          }
          default: {
            const auto* text = sqlite3_column_text(stmt, c);
            const int size = sqlite3_column_bytes(stmt, c);
            row.emplace_back(std::string(reinterpret_cast<const char*>(text), size));
          }
        }
      }
      rows.push_back(std::move(row));
    }
    sqlite3_reset(stmt);
    return rows;
  }

  // Through Query, so that these statements are prepared once per connection like the others
  // (sqlite3_exec would parse them again for every transaction).
  Status Begin(bool write) override {
    return Query(write ? "BEGIN IMMEDIATE" : "BEGIN", {}).status();
  }
  Status Commit() override { return Query("COMMIT", {}).status(); }
  void Rollback() override {
    if (!sqlite3_get_autocommit(db_)) (void)Query("ROLLBACK", {});
  }
  bool last_error_retryable() const override { return retryable_; }
  bool broken() const override { return false; }

  Status BackupTo(const std::string& path) override {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) return AlreadyExists("the backup file already exists");
    sqlite3* dest = nullptr;
    if (sqlite3_open_v2(path.c_str(), &dest,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      sqlite3_close_v2(dest);
      return Unavailable("cannot create the backup file");
    }
    Status copied = CopySqliteDatabase(db_, dest);
    // The copy is a file of its own: no -wal beside it to lose.
    if (copied.ok()) {
      if (sqlite3_exec(dest, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr) !=
          SQLITE_OK) {
        copied = Internal("cannot finish the backup file");
      }
    }
    sqlite3_close_v2(dest);
    return copied;
  }

 private:
  Status Fail(int rc, const std::string& message) {
    const int primary = rc & 0xFF;
    retryable_ = primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return AlreadyExists("a record with the same key already exists");
    }
    if (retryable_) return Unavailable("the database is busy");
    LogEvent(LogLevel::kError, "sqlite_error",
             {{"code", std::to_string(rc)}, {"message", message}});
    if (primary == SQLITE_FULL) return ResourceExhausted("the database disk is full");
    // The transaction is rolled back (by SQLite or by the caller) and the connection recovers by
    // itself, so it is not marked broken: closing it could close the database's last connection,
    // and the next one would rebuild the WAL index from the file, where a commit whose fsync
    // failed may still be whole, and show the change this call reports as failed.
    if (primary == SQLITE_IOERR) return Unavailable("the database storage failed (I/O error)");
    if (primary == SQLITE_CONSTRAINT) return InvalidArgument("the change breaks a data constraint");
    return Internal("database error");
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  bool retryable_ = false;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                    (path.rfind("file:", 0) == 0 ? SQLITE_OPEN_URI : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    LogEvent(LogLevel::kError, "sqlite_open_failed",
             {{"message", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)}});
    sqlite3_close_v2(db);
    return Unavailable("cannot open the SQLite database file");
  }
  sqlite3_busy_timeout(db, 10000);
  // Extended codes tell a unique violation (SQLITE_CONSTRAINT_UNIQUE) from other constraints.
  sqlite3_extended_result_codes(db, 1);
  auto conn = std::make_unique<SqliteConnection>(db);
  // WAL lets readers run beside the writer; synchronous=FULL makes each commit durable before
  // the call returns (a 201 means the request is on disk).
  Status pragmas = conn->ExecScript(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
      "PRAGMA temp_store=MEMORY;");
  if (!pragmas.ok()) return pragmas;
  return std::unique_ptr<SqlConnection>(std::move(conn));
}

}  // namespace guichet::storage::internal
