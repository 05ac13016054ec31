// A test-only SQLite VFS that can be told to fail its writes or syncs, to see how the store
// behaves when the disk fills up or the storage goes bad.
//
// It wraps the VFS that was the default when it was installed and forwards everything to it.
// While a FaultySqliteVfs lives it is registered as the default VFS, so every database opened
// from then on (the Store's own connections included) goes through it with no hook in the
// product code; databases opened before keep the VFS they had. The destructor makes the wrapped
// VFS the default again. Only one FaultySqliteVfs may live at a time.
//
//   FaultySqliteVfs vfs;                               // before opening the store
//   auto store = storage::OpenStore("sqlite:" + path);
//   vfs.Arm(StorageFault::kDiskFull, /*after=*/3);     // 3 more writes pass, then all fail
//   … the call under test fails …
//   vfs.Disarm();
//
// A fault is sticky: once it fires, every later operation of its kind fails too (as a full disk
// or a dead device would) until Disarm().
// Thread-safety: Arm, Disarm and the counters may be used from any thread while connections on
// other threads read and write.
#pragma once

#include <cstdint>

namespace guichet::testing {

enum class StorageFault {
  kNone,
  kDiskFull,    // xWrite answers SQLITE_FULL
  kWriteError,  // xWrite answers SQLITE_IOERR_WRITE
  kSyncError,   // xSync answers SQLITE_IOERR_FSYNC
};

const char* Name(StorageFault fault);

class FaultySqliteVfs {
 public:
  FaultySqliteVfs();
  ~FaultySqliteVfs();
  FaultySqliteVfs(const FaultySqliteVfs&) = delete;
  FaultySqliteVfs& operator=(const FaultySqliteVfs&) = delete;

  // From now on, `after` more operations of the fault's kind (writes for kDiskFull and
  // kWriteError, syncs for kSyncError) succeed, then every one fails.
  void Arm(StorageFault fault, std::int64_t after = 0);
  void Disarm();

  // How many operations failed because of a fault since construction.
  std::int64_t injected() const;
  // Writes and syncs that reached the wrapped VFS since construction.
  std::int64_t writes() const;
  std::int64_t syncs() const;
};

}  // namespace guichet::testing
