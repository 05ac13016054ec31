// The Store when the disk fails under it: a full disk, a failed write, a failed fsync, landing
// at every point of a transaction's commit. Each failed call must return a clean, readable error
// and leave no trace (no request, no reference number used, no audit entry, a sound file), and
// the store must keep working once the disk recovers, in the same process and after a restart.
//
// SQLite only: the faults come from a VFS shim (testing/faulty_sqlite_vfs.h) under the Store's
// own connections. PostgreSQL's storage is another process, out of reach of such a shim.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/log.h"
#include "storage/store.h"
#include "testing/faulty_sqlite_vfs.h"
#include "testing/status_macros.h"
#include "testing/store_fixture.h"

namespace guichet::storage {
namespace {

using guichet::testing::FaultySqliteVfs;
using guichet::testing::StorageFault;

// What a failed call must leave unchanged.
struct Snapshot {
  std::string requests, messages, audit, last_reference, versions;
  bool operator==(const Snapshot&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Snapshot& s) {
  return out << "{requests " << s.requests << ", messages " << s.messages << ", audit " << s.audit
             << ", last reference " << s.last_reference << ", versions " << s.versions << "}";
}

// One value read from the database file through a connection of its own (not the Store's).
std::string RawValue(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out = "<error>";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(stmt, 0);
        out = text ? reinterpret_cast<const char*>(text) : "NULL";
      } else if (rc == SQLITE_DONE) {
        out = "<none>";
      }
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close_v2(db);
  return out;
}

Snapshot Take(const std::string& path) {
  return {RawValue(path, "SELECT count(*) FROM requests"),
          RawValue(path, "SELECT count(*) FROM messages"),
          RawValue(path, "SELECT count(*) FROM audit_log"),
          RawValue(path, "SELECT last_value FROM reference_counters"),
          RawValue(path,
                   "SELECT group_concat(version) FROM (SELECT version FROM requests "
                   "ORDER BY id)")};
}

// The calls a fault may hit, each one write transaction.
enum class Call { kCreate, kUpdate, kMessage };
const char* Name(Call call) {
  switch (call) {
    case Call::kCreate:
      return "CreateRequest";
    case Call::kUpdate:
      return "UpdateRequest";
    case Call::kMessage:
      return "AddMessage";
  }
  return "?";
}

class FaultyStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static const bool initialised = [] {
      InitLogging(LogLevel::kWarn);
      return InitCrypto().ok();
    }();
    ASSERT_TRUE(initialised);
    vfs_ = std::make_unique<FaultySqliteVfs>();  // before any connection opens
    // Where the store fixture puts its files too, for the same reasons (see store_fixture.h).
    const char* root = std::getenv("GUICHET_TEST_TMPDIR");
    std::filesystem::path dir = root && *root ? std::filesystem::path(root)
                                : access("/dev/shm", W_OK | X_OK) == 0
                                    ? std::filesystem::path("/dev/shm")
                                    : std::filesystem::temp_directory_path();
    std::string pattern = (dir / "guichet-faulty-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/guichet.db";
    ASSERT_NO_FATAL_FAILURE(Reopen());
    ASSERT_OK(store_->Migrate());
    for (int i = 0; i < 3; ++i) ASSERT_NO_FATAL_FAILURE(CreateOk());
    ASSERT_NO_FATAL_FAILURE(CheckSound());
  }

  void TearDown() override {
    store_.reset();
    vfs_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Closes the store (if open) and opens the file again, as a restarted server would.
  void Reopen() {
    store_.reset();
    StoreOptions options;
    options.clock = &clock_;
    auto opened = OpenStore("sqlite:" + path_, options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  static core::NewRequest NewRequest() {
    core::NewRequest r;
    r.subject = "Lampadaire en panne";
    r.description = "Rue des Lilas, depuis lundi.";
    r.language = "fr";
    return r;
  }

  Result<core::Request> Create() {
    return store_->CreateRequest(NewRequest(), Sha256Hex("secret"), actor_);
  }

  // Creates a request and checks that it got the reference after the last one: no gap.
  void CreateOk() {
    const std::string last = RawValue(path_, "SELECT last_value FROM reference_counters");
    const std::int64_t next = last == "<none>" ? 1 : std::stoll(last) + 1;
    auto created = Create();
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    EXPECT_EQ(created->reference, core::FormatReference(2026, next));
    first_request_ = first_request_ ? first_request_ : created->id;
  }

  Status Run(Call call) {
    switch (call) {
      case Call::kCreate:
        return Create().status();
      case Call::kUpdate: {
        auto current = store_->GetRequest(first_request_);
        if (!current.ok()) return current.status();
        core::RequestPatch patch;
        patch.subject = "Lampadaire en panne (" + std::to_string(current->version) + ")";
        return store_->UpdateRequest(first_request_, current->version, patch, actor_).status();
      }
      case Call::kMessage: {
        core::NewMessage message;
        message.body = "Une équipe passera demain.";
        message.author_name = "Accueil";
        return store_->AddMessage(first_request_, message, true, actor_).status();
      }
    }
    return Internal("unknown call");
  }

  // The file is sound: its integrity check passes through a new connection, and its audit chain
  // verifies through the store.
  void CheckSound() {
    EXPECT_EQ(RawValue(path_, "PRAGMA integrity_check"), "ok");
    auto verified = store_->VerifyAudit();
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_TRUE(verified->ok) << verified->reason;
  }

  // A failed call's status: the code of its fault, and a message fit for a user.
  void CheckCleanError(const Status& status, StorageFault fault) {
    EXPECT_EQ(StatusCodeName(status.code()),
              StatusCodeName(fault == StorageFault::kDiskFull ? StatusCode::kResourceExhausted
                                                              : StatusCode::kUnavailable))
        << status.ToString();
    EXPECT_FALSE(status.message().empty());
    for (const char* leak : {"INSERT", "UPDATE", "SELECT", "COMMIT", "sqlite", "guichet.db"}) {
      EXPECT_EQ(status.message().find(leak), std::string::npos) << status.ToString();
    }
    EXPECT_EQ(status.message().find(dir_), std::string::npos) << status.ToString();
  }

  // Arms `fault` after `after` operations and repeats `call` until it fails (the earlier ones
  // must pass: the fault had not fired yet). Checks the failure, disarms, and checks that the
  // failed call left nothing behind and that the store works again.
  void FailOnce(Call call, StorageFault fault, int after) {
    SCOPED_TRACE(std::string(Name(call)) + " with " + Name(fault) + " after " +
                 std::to_string(after));
    const std::int64_t injected = vfs_->injected();
    Snapshot before = Take(path_);
    vfs_->Arm(fault, after);
    Status status;
    for (int attempt = 0; attempt < 20; ++attempt) {
      status = Run(call);
      if (!status.ok() || vfs_->injected() > injected) break;
      before = Take(path_);  // it passed, wholly: the new baseline
    }
    vfs_->Disarm();
    ASSERT_GT(vfs_->injected(), injected) << "the fault never fired";
    ASSERT_FALSE(status.ok()) << "a call hit by the fault succeeded";
    CheckCleanError(status, fault);
    EXPECT_EQ(Take(path_), before) << "the failed call left a trace";
    ASSERT_NO_FATAL_FAILURE(CheckSound());
    ASSERT_NO_FATAL_FAILURE(CreateOk());
    ASSERT_OK(Run(call));
  }

  ManualClock clock_{guichet::testing::kTestStart};  // in 2026: references GU-2026-…
  std::unique_ptr<FaultySqliteVfs> vfs_;
  std::string dir_, path_;
  std::unique_ptr<Store> store_;
  Actor actor_ = Actor::System("test");
  core::Id first_request_ = 0;
};

// Enough "after N writes" values to land on each write of a small commit (WAL header, frame
// headers, pages) and beyond it.
constexpr int kWriteCounts[] = {0, 1, 2, 3, 4, 5, 7, 10, 15};
// Each commit syncs the WAL once: these land on the first, second and third commit.
constexpr int kSyncCounts[] = {0, 1, 2};

TEST_F(FaultyStorageTest, DiskFullFailsCleanlyAndLeavesNoTrace) {
  for (Call call : {Call::kCreate, Call::kUpdate, Call::kMessage}) {
    for (int after : kWriteCounts) FailOnce(call, StorageFault::kDiskFull, after);
  }
}

TEST_F(FaultyStorageTest, WriteErrorFailsCleanlyAndLeavesNoTrace) {
  for (Call call : {Call::kCreate, Call::kUpdate, Call::kMessage}) {
    for (int after : kWriteCounts) FailOnce(call, StorageFault::kWriteError, after);
  }
}

TEST_F(FaultyStorageTest, SyncErrorFailsCleanlyAndLeavesNoTrace) {
  for (Call call : {Call::kCreate, Call::kUpdate, Call::kMessage}) {
    for (int after : kSyncCounts) FailOnce(call, StorageFault::kSyncError, after);
  }
}

// After a failure the server restarts: the reopened file holds only what had succeeded.
TEST_F(FaultyStorageTest, RestartAfterFailureSeesOnlyWhatSucceeded) {
  for (StorageFault fault :
       {StorageFault::kDiskFull, StorageFault::kWriteError, StorageFault::kSyncError}) {
    for (int after : {0, 3}) {
      SCOPED_TRACE(std::string(Name(fault)) + " after " + std::to_string(after));
      const Snapshot before = Take(path_);
      vfs_->Arm(fault, fault == StorageFault::kSyncError ? 0 : after);
      const Status status = Run(Call::kCreate);
      vfs_->Disarm();
      ASSERT_FALSE(status.ok());
      CheckCleanError(status, fault);
      ASSERT_NO_FATAL_FAILURE(Reopen());
      EXPECT_EQ(Take(path_), before);
      ASSERT_NO_FATAL_FAILURE(CheckSound());
      ASSERT_NO_FATAL_FAILURE(CreateOk());
    }
  }
}

// The process dies right after a failed call, the disk still failing: what the files hold is
// what the next start recovers. A failed write never completes a commit, so the change is
// absent. After a failed fsync the commit may be in the WAL file whole (the OS may or may not
// get it to the disk; nothing tells): the change is then there entirely or not at all, and the
// database is sound either way.
TEST_F(FaultyStorageTest, CrashAfterFailureRecoversAllOrNothing) {
  for (StorageFault fault :
       {StorageFault::kDiskFull, StorageFault::kWriteError, StorageFault::kSyncError}) {
    SCOPED_TRACE(Name(fault));
    ASSERT_NO_FATAL_FAILURE(CreateOk());  // some WAL content to recover
    const Snapshot before = Take(path_);
    vfs_->Arm(fault, fault == StorageFault::kSyncError ? 0 : 3);
    const Status status = Run(Call::kCreate);
    ASSERT_FALSE(status.ok());
    // The files as a kill -9 would leave them; the WAL index (-shm) is rebuilt from the WAL.
    const std::string crash_dir = dir_ + "/crash-" + Name(fault);
    std::filesystem::create_directory(crash_dir);
    for (const char* suffix : {"", "-wal"}) {
      std::filesystem::copy_file(path_ + suffix, crash_dir + "/guichet.db" + suffix);
    }
    vfs_->Disarm();

    std::unique_ptr<Store> running = std::move(store_);
    const std::string running_path = path_;
    path_ = crash_dir + "/guichet.db";
    ASSERT_NO_FATAL_FAILURE(Reopen());
    const Snapshot recovered = Take(path_);
    if (fault == StorageFault::kSyncError && recovered != before) {
      const auto plus_one = [](const std::string& n) { return std::to_string(std::stoll(n) + 1); };
      EXPECT_EQ(recovered.requests, plus_one(before.requests));
      EXPECT_EQ(recovered.audit, plus_one(before.audit));
      EXPECT_EQ(recovered.last_reference, plus_one(before.last_reference));
      EXPECT_EQ(recovered.messages, before.messages);
    } else {
      EXPECT_EQ(recovered, before);
    }
    ASSERT_NO_FATAL_FAILURE(CheckSound());
    ASSERT_NO_FATAL_FAILURE(CreateOk());

    store_ = std::move(running);
    path_ = running_path;
    EXPECT_EQ(Take(path_), before);
  }
}

// Once the WAL holds 1000 pages, the commit that goes past them also copies the WAL into the
// database file (a checkpoint). The commit is durable before that starts: a checkpoint that
// fails must not turn it into a reported failure.
TEST_F(FaultyStorageTest, FailedCheckpointDoesNotFailTheCommitBeforeIt) {
  int failed = 0;
  for (int i = 0; i < 600 && failed == 0; ++i) {
    const std::string last = RawValue(path_, "SELECT last_value FROM reference_counters");
    // The commit's own WAL sync passes; the checkpoint's syncs, if one runs, fail.
    vfs_->Arm(StorageFault::kSyncError, 1);
    const std::int64_t injected = vfs_->injected();
    auto created = Create();
    vfs_->Disarm();
    if (vfs_->injected() == injected) {
      ASSERT_TRUE(created.ok()) << created.status().ToString();
      continue;
    }
    ++failed;  // the checkpoint ran, and failed
    EXPECT_TRUE(created.ok()) << "the commit was durable, yet the call reported "
                              << created.status().ToString();
    const std::string now = RawValue(path_, "SELECT last_value FROM reference_counters");
    EXPECT_EQ(std::stoll(now), std::stoll(last) + 1);
  }
  ASSERT_EQ(failed, 1) << "no checkpoint ran";
  ASSERT_NO_FATAL_FAILURE(CheckSound());
  ASSERT_NO_FATAL_FAILURE(CreateOk());
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_NO_FATAL_FAILURE(CheckSound());
  ASSERT_NO_FATAL_FAILURE(CreateOk());
}

// The disk fails while the store is closed and reopened: opening fails or works, but the file
// stays sound and the store works once the disk recovers.
TEST_F(FaultyStorageTest, ReopenWhileTheDiskFails) {
  const Snapshot before = Take(path_);
  store_.reset();  // the last connection: checkpoints and removes the WAL
  vfs_->Arm(StorageFault::kWriteError);
  auto opened = OpenStore("sqlite:" + path_);
  if (opened.ok()) {
    store_ = std::move(opened).value();
    const Status status = Run(Call::kCreate);
    ASSERT_FALSE(status.ok());
    CheckCleanError(status, StorageFault::kWriteError);
  } else {
    EXPECT_EQ(opened.status().message().find(dir_), std::string::npos);
  }
  vfs_->Disarm();
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(Take(path_), before);
  ASSERT_NO_FATAL_FAILURE(CheckSound());
  ASSERT_NO_FATAL_FAILURE(CreateOk());
}

}  // namespace
}  // namespace guichet::storage
