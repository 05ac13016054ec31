// Private to src/storage: whole-database copies between two SQLite connections with the online
// backup API. Not thread-safe beyond what the two connections allow.
#pragma once

#include <sqlite3.h>

#include "common/status.h"

namespace guichet::storage::internal {

// Copies all of `source`'s main database into `dest`'s in one backup step: one read snapshot
// of `source` (writers on a WAL database are not blocked) and one write transaction on `dest`
// (its busy handler waits for other writers). kInvalidArgument when `source` is not a database,
// kUnavailable when `dest` stays locked, kResourceExhausted on a full disk, else kInternal.
// Errors carry no SQLite text or path; that goes to the log.
Status CopySqliteDatabase(sqlite3* source, sqlite3* dest);

}  // namespace guichet::storage::internal
