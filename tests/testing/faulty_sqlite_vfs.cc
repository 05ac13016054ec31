#include "testing/faulty_sqlite_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <cstring>

namespace guichet::testing {
namespace {

constexpr char kVfsName[] = "guichet-faulty";

// Process-wide, because SQLite calls the file methods with no context of ours but the file.
struct State {
  std::atomic<StorageFault> fault{StorageFault::kNone};
  std::atomic<std::int64_t> remaining{0};  // operations of the armed kind still allowed
  std::atomic<std::int64_t> injected{0};
  std::atomic<std::int64_t> writes{0};
  std::atomic<std::int64_t> syncs{0};
  std::atomic<bool> installed{false};
};
State state;

sqlite3_vfs* wrapped = nullptr;  // the default VFS when the shim was first installed

// SQLITE_OK, or the error the armed fault makes this operation return. The countdown keeps
// going below zero, so a fault stays on once it fired.
int Inject(bool is_sync) {
  const StorageFault fault = state.fault.load();
  if (fault == StorageFault::kNone || (fault == StorageFault::kSyncError) != is_sync) {
    return SQLITE_OK;
  }
  if (state.remaining.fetch_sub(1) > 0) return SQLITE_OK;
  state.injected.fetch_add(1);
  switch (fault) {
    case StorageFault::kDiskFull:
      return SQLITE_FULL;
    case StorageFault::kWriteError:
      return SQLITE_IOERR_WRITE;
    case StorageFault::kSyncError:
      return SQLITE_IOERR_FSYNC;
    case StorageFault::kNone:
      break;
  }
  return SQLITE_OK;
}

// Our file: the wrapped VFS's file lives in the same allocation, right after it.
struct File {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (const int rc = Inject(false); rc != SQLITE_OK) return rc;
  state.writes.fetch_add(1);
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (const int rc = Inject(true); rc != SQLITE_OK) return rc;
  state.syncs.fetch_add(1);
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

// Our methods cut down to the real file's version (1 to 3), so SQLite never calls one the real
// file lacks (it checks iVersion before the later ones).
const sqlite3_io_methods* MethodsFor(int version) {
  static const auto kByVersion = [] {
    std::array<sqlite3_io_methods, 3> all{};
    for (int v = 1; v <= 3; ++v) {
      sqlite3_io_methods& m = all[v - 1];
      m.iVersion = v;
      m.xClose = Close;
      m.xRead = Read;
      m.xWrite = Write;
      m.xTruncate = Truncate;
      m.xSync = Sync;
      m.xFileSize = FileSize;
      m.xLock = Lock;
      m.xUnlock = Unlock;
      m.xCheckReservedLock = CheckReservedLock;
      m.xFileControl = FileControl;
      m.xSectorSize = SectorSize;
      m.xDeviceCharacteristics = DeviceCharacteristics;
      if (v >= 2) {
        m.xShmMap = ShmMap;
        m.xShmLock = ShmLock;
        m.xShmBarrier = ShmBarrier;
        m.xShmUnmap = ShmUnmap;
      }
      if (v >= 3) {
        m.xFetch = Fetch;
        m.xUnfetch = Unfetch;
      }
    }
    return all;
  }();
  return &kByVersion[std::clamp(version, 1, 3) - 1];
}

int Open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  File* file = reinterpret_cast<File*>(f);
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  const int rc = wrapped->xOpen(wrapped, name, file->real, flags, out_flags);
  // SQLite calls xClose whenever pMethods is set, even after a failed open: mirror the real file.
  const sqlite3_io_methods* real = file->real->pMethods;
  file->base.pMethods = real ? MethodsFor(real->iVersion) : nullptr;
  return rc;
}

// The wrapped VFS's own functions may read their sqlite3_vfs (pAppData, mxPathname): give them
// theirs rather than ours.
int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return wrapped->xDelete(wrapped, name, sync_dir);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return wrapped->xAccess(wrapped, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return wrapped->xFullPathname(wrapped, name, n, out);
}
int Randomness(sqlite3_vfs*, int n, char* out) { return wrapped->xRandomness(wrapped, n, out); }
int Sleep(sqlite3_vfs*, int micros) { return wrapped->xSleep(wrapped, micros); }
int CurrentTime(sqlite3_vfs*, double* out) { return wrapped->xCurrentTime(wrapped, out); }
int GetLastError(sqlite3_vfs*, int n, char* out) { return wrapped->xGetLastError(wrapped, n, out); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return wrapped->xCurrentTimeInt64(wrapped, out);
}

// Built once and never freed: connections opened through it may outlive the FaultySqliteVfs
// that installed it, and SQLite keeps a pointer to it for their whole life.
sqlite3_vfs* Shim() {
  static sqlite3_vfs* shim = [] {
    wrapped = sqlite3_vfs_find(nullptr);
    assert(wrapped != nullptr);
    static sqlite3_vfs vfs;
    std::memset(&vfs, 0, sizeof vfs);
    vfs.iVersion = 2;  // no system-call overrides: the wrapped VFS keeps its own
    vfs.szOsFile = static_cast<int>(sizeof(File)) + wrapped->szOsFile;
    vfs.mxPathname = wrapped->mxPathname;
    vfs.zName = kVfsName;
    vfs.xOpen = Open;
    vfs.xDelete = Delete;
    vfs.xAccess = Access;
    vfs.xFullPathname = FullPathname;
    // No loadable extensions in Guichet: the dl* entries stay null.
    vfs.xRandomness = Randomness;
    vfs.xSleep = Sleep;
    vfs.xCurrentTime = CurrentTime;
    vfs.xGetLastError = GetLastError;
    vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    return &vfs;
  }();
  return shim;
}

}  // namespace

const char* Name(StorageFault fault) {
  switch (fault) {
    case StorageFault::kNone:
      return "none";
    case StorageFault::kDiskFull:
      return "disk-full";
    case StorageFault::kWriteError:
      return "write-error";
    case StorageFault::kSyncError:
      return "sync-error";
  }
  return "?";
}

FaultySqliteVfs::FaultySqliteVfs() {
  const bool was_installed = state.installed.exchange(true);
  assert(!was_installed && "only one FaultySqliteVfs at a time");
  (void)was_installed;
  Disarm();
  sqlite3_vfs* shim = Shim();
  sqlite3_vfs_register(shim, /*makeDflt=*/1);
}

FaultySqliteVfs::~FaultySqliteVfs() {
  Disarm();
  sqlite3_vfs_unregister(Shim());
  sqlite3_vfs_register(wrapped, /*makeDflt=*/1);
  state.installed.store(false);
}

void FaultySqliteVfs::Arm(StorageFault fault, std::int64_t after) {
  // Off while the countdown is set, so that a writer never sees the new fault with the old
  // countdown.
  Disarm();
  state.remaining.store(after);
  state.fault.store(fault);
}

void FaultySqliteVfs::Disarm() { state.fault.store(StorageFault::kNone); }

std::int64_t FaultySqliteVfs::injected() const { return state.injected.load(); }
std::int64_t FaultySqliteVfs::writes() const { return state.writes.load(); }
std::int64_t FaultySqliteVfs::syncs() const { return state.syncs.load(); }

}  // namespace guichet::testing
