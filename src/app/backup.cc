// guichet admin backup / restore. SQLite: an online copy through the Store (the server may keep
// writing), checked (integrity, audit chain) before it is trusted, in either direction.
// PostgreSQL: its own tools, pg_dump / pg_restore, are the supported route; these commands say so.
#include <filesystem>
#include <string>

#include "app/commands.h"

namespace guichet::app {
namespace {

constexpr char kPostgresRestoreRoute[] =
    "guichet does not restore PostgreSQL itself; use its own tools with the same URL: "
    "pg_restore --clean --if-exists --dbname URL FILE, with a FILE written by "
    "pg_dump --format=custom --file FILE URL";

bool IsSqlite(const std::string& url) { return url.rfind("sqlite:", 0) == 0; }

void RemoveWithSidecars(const std::string& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path + suffix, ignored);
  }
}

// "5 requests, 42 audit entries, audit chain OK".
std::string Describe(const storage::BackupSummary& s) {
  return std::to_string(s.requests) + (s.requests == 1 ? " request, " : " requests, ") +
         std::to_string(s.audit_entries) +
         (s.audit_entries == 1 ? " audit entry" : " audit entries") + ", audit chain OK";
}

bool SameFile(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec) && !ec;
}

}  // namespace

int RunBackup(const Config& config, const BackupFlags& flags, const Io& io) {
  const std::string& url = config.database_url;
  std::string db_path;
  if (IsSqlite(url)) {
    db_path = url.substr(7);
    if (db_path == ":memory:") return Fail(io, "an in-memory database cannot be backed up");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(db_path, ec)) {
      return Fail(io, "there is no database at " + db_path);
    }
    if (SameFile(db_path, flags.file)) return Fail(io, flags.file + " is the database itself");
  }
  // Not OpenCliStore: a backup must not migrate first (it is what one takes before an upgrade).
  auto store = storage::OpenStore(url);
  if (!store.ok()) return Fail(io, "cannot open the database: " + store.status().message());

  std::error_code ec;
  if (std::filesystem::exists(flags.file, ec) && !flags.force) {
    return Fail(io, flags.file + " already exists; use --force to replace it");
  }
  // Written beside FILE and renamed over it only once checked: FILE is never half-written.
  const std::string tmp = flags.file + ".tmp";
  RemoveWithSidecars(tmp);  // left by an interrupted backup
  if (Status copied = (*store)->BackupTo(tmp); !copied.ok()) {
    RemoveWithSidecars(tmp);
    if (copied.code() == StatusCode::kFailedPrecondition) return Fail(io, copied.message());
    return Fail(io, "cannot write the backup " + tmp + ": " + copied.message());
  }
  store->reset();
  auto summary = storage::CheckSqliteBackup(tmp);
  if (!summary.ok()) {
    RemoveWithSidecars(tmp);
    return Fail(io, "the backup copy does not check out (" + summary.status().message() +
                        "); nothing was written");
  }
  std::filesystem::rename(tmp, flags.file, ec);
  if (ec) {
    RemoveWithSidecars(tmp);
    return Fail(io, "cannot move the backup into place at " + flags.file + ": " + ec.message());
  }
  io.out << "backup written to " << flags.file << " (" << summary->bytes
         << " bytes): " << Describe(*summary) << '\n';
  return kExitOk;
}

int RunRestore(const Config& config, const BackupFlags& flags, const Io& io) {
  const std::string& url = config.database_url;
  if (!IsSqlite(url)) return Fail(io, kPostgresRestoreRoute);
  const std::string db_path = url.substr(7);
  if (db_path == ":memory:") return Fail(io, "cannot restore into an in-memory database");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(flags.file, ec)) {
    return Fail(io, "there is no backup file " + flags.file);
  }
  if (SameFile(db_path, flags.file)) return Fail(io, flags.file + " is the database itself");

  if (std::filesystem::exists(db_path, ec) && !flags.force) {
    // Every change to the desk's data is audited: an empty audit log means nothing to lose.
    auto store = storage::OpenStore(url);
    if (!store.ok()) return Fail(io, "cannot open the database: " + store.status().message());
    storage::AuditQuery first;
    first.limit = 1;
    auto audit = (*store)->ListAudit(first);
    if (!audit.ok()) {
      return Fail(io, "cannot read the database " + db_path + " (" + audit.status().message() +
                          "); use --force to replace it");
    }
    if (!audit->empty()) {
      return Fail(io, "the database " + db_path +
                          " already holds data; stop the server and use --force to replace it");
    }
  } else {
    const std::filesystem::path parent = std::filesystem::path(db_path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }

  auto summary = storage::RestoreSqlite(flags.file, db_path);
  if (!summary.ok()) {
    return Fail(io, "cannot restore " + flags.file + ": " + summary.status().message() +
                        "; the database was not changed");
  }
  // An older backup is brought up to this version's schema, then checked where it now lives.
  int migrated = 0;
  auto store = OpenCliStore(url, {}, &migrated);
  if (!store.ok()) return Fail(io, "restored, but " + store.status().message());
  auto audit = (*store)->VerifyAudit();
  if (!audit.ok() || !audit->ok) {
    return Fail(io,
                "restored, but the audit chain does not verify; run 'guichet admin audit "
                "verify'");
  }
  io.out << "restored " << flags.file << " into " << db_path << ": " << Describe(*summary);
  if (migrated > 0) {
    io.out << "; applied " << migrated << (migrated == 1 ? " migration" : " migrations");
  }
  io.out << '\n';
  return kExitOk;
}

}  // namespace guichet::app
