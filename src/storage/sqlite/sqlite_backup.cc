// SQLite backup files: the whole-database copy behind Store::BackupTo and RestoreSqlite, and the
// checks a backup must pass before it is trusted (integrity, Guichet's tables, audit chain).
#include "storage/sqlite/sqlite_backup.h"

#include <array>
#include <filesystem>
#include <fstream>

#include "common/log.h"
#include "storage/store.h"

namespace guichet::storage {
namespace internal {

Status CopySqliteDatabase(sqlite3* source, sqlite3* dest) {
  sqlite3_backup* backup = sqlite3_backup_init(dest, "main", source, "main");
  if (backup == nullptr) {
    LogEvent(LogLevel::kError, "sqlite_backup_failed", {{"message", sqlite3_errmsg(dest)}});
    return Internal("cannot start the database copy");
  }
  // -1: every page in one step, so the copy is one snapshot of the source. A busy destination
  // has already waited through its busy handler; try a few more times before giving up.
  int rc = SQLITE_OK;
  for (int attempt = 1;; ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && attempt < 20) {
      sqlite3_sleep(100);
      continue;
    }
    break;
  }
  const int finished = sqlite3_backup_finish(backup);
  if (rc == SQLITE_DONE && finished == SQLITE_OK) return Status::Ok();
  if (rc == SQLITE_DONE) rc = finished;
  const int primary = rc & 0xFF;
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
    return InvalidArgument("the file is not an SQLite database or is damaged");
  }
  LogEvent(LogLevel::kError, "sqlite_backup_failed",
           {{"code", std::to_string(rc)}, {"message", sqlite3_errstr(rc)}});
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Unavailable("the database stayed busy; try again");
  }
  if (primary == SQLITE_FULL) return ResourceExhausted("the disk is full");
  return Internal("the database copy failed");
}

}  // namespace internal

namespace {

// A raw connection closed on scope exit.
struct RawDb {
  sqlite3* db = nullptr;
  ~RawDb() { sqlite3_close_v2(db); }
};

Status OpenRaw(const std::string& path, int flags, RawDb& out) {
  const int rc = sqlite3_open_v2(path.c_str(), &out.db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return Unavailable("cannot open the SQLite file");
  sqlite3_busy_timeout(out.db, 10000);
  return Status::Ok();
}

// The first column of the first row of `sql` as text ("" when there is no row).
Result<std::string> QueryText(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  std::string value;
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      if (text != nullptr) value = reinterpret_cast<const char*>(text);
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_OK) return InvalidArgument("it is not an SQLite database or is damaged");
  return value;
}

void RemoveWithSidecars(const std::string& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path + suffix, ignored);
  }
}

}  // namespace

Result<BackupSummary> CheckSqliteBackup(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return NotFound("there is no such file");
  {
    // Checked before SQLite sees it: opening any other file would only fail later, and noisily.
    std::array<char, 16> header{};
    std::ifstream in(path, std::ios::binary);
    in.read(header.data(), header.size());
    if (!in || std::string(header.data(), header.size()) != std::string("SQLite format 3\0", 16)) {
      return InvalidArgument("it is not an SQLite database");
    }
  }
  BackupSummary summary;
  {
    RawDb raw;
    GUICHET_RETURN_IF_ERROR(OpenRaw(path, SQLITE_OPEN_READWRITE, raw));
    GUICHET_ASSIGN_OR_RETURN(std::string integrity, QueryText(raw.db, "PRAGMA integrity_check"));
    if (integrity != "ok") {
      return InvalidArgument("it is damaged (integrity check: " + integrity + ")");
    }
    GUICHET_ASSIGN_OR_RETURN(
        std::string tables,
        QueryText(raw.db,
                  "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                  "('schema_migrations', 'requests', 'audit_log', 'audit_head')"));
    if (tables != "4") return InvalidArgument("it is not a Guichet database");
    GUICHET_ASSIGN_OR_RETURN(std::string requests,
                             QueryText(raw.db, "SELECT count(*) FROM requests"));
    summary.requests = std::stoll(requests);
  }
  {
    StoreOptions options;
    options.pool_size = 1;
    auto store = OpenStore("sqlite:" + path, options);
    if (!store.ok()) return store.status();
    auto audit = (*store)->VerifyAudit();
    if (!audit.ok()) return audit.status();
    if (!audit->ok) {
      return InvalidArgument("its audit chain is broken at entry " +
                             std::to_string(audit->first_broken_id.value_or(0)) + ": " +
                             audit->reason);
    }
    summary.audit_entries = audit->checked;
  }
  summary.bytes = static_cast<std::int64_t>(std::filesystem::file_size(path, ec));
  return summary;
}

Result<BackupSummary> RestoreSqlite(const std::string& backup_path, const std::string& db_path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(backup_path, ec)) {
    return NotFound("there is no such backup file");
  }
  // The check opens the file as a Store, which may write to it: work on a copy, so the backup
  // itself is never touched (and may sit on read-only media).
  const std::string scratch = db_path + ".restore-tmp";
  RemoveWithSidecars(scratch);
  if (!std::filesystem::copy_file(backup_path, scratch, ec)) {
    RemoveWithSidecars(scratch);
    return Unavailable("cannot copy the backup next to the database: " + ec.message());
  }
  Result<BackupSummary> summary = CheckSqliteBackup(scratch);
  if (summary.ok()) {
    RawDb source, dest;
    Status copied = OpenRaw(scratch, SQLITE_OPEN_READWRITE, source);
    if (copied.ok()) copied = OpenRaw(db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, dest);
    if (copied.ok()) copied = internal::CopySqliteDatabase(source.db, dest.db);
    if (!copied.ok()) summary = copied;
  }
  RemoveWithSidecars(scratch);
  return summary;
}

}  // namespace guichet::storage
