// Request export: each request as one JSON object with the fields of the API's staff view
// (GET /api/v1/requests/{id}, see server/request_json.h), citizen contact included.
// Thread-safe if the Store is.
#pragma once

#include <functional>
#include <map>
#include <ostream>

#include "common/status.h"
#include "storage/store.h"

namespace guichet::app {

// Writes every request as JSON Lines, newest first (the API's order: pages of ListRequests, so
// requests created meanwhile are not included and the output never repeats one). Calls
// `on_progress(n)` after each line. Returns how many were written.
Result<std::int64_t> ExportRequestsJsonl(storage::Store& store, std::ostream& out,
                                         const std::function<void(std::int64_t)>& on_progress = {});

}  // namespace guichet::app
