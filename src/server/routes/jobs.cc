// Background jobs, read-only and for admins: the queue's jobs, newest first, filtered by status
// and kind. Payloads hold ids only (storage/jobs.h), so they are shown.
#include "storage/jobs.h"
#include "server/auth.h"

namespace guichet::server {
namespace {

json OptTime(const std::optional<Millis>& v) { return v ? json(FormatIso8601(*v)) : json(nullptr); }
json OptText(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json JobToJson(const storage::Job& j) {
  json payload = json::parse(j.payload, nullptr, false);
  return {{"id", j.id},
          {"kind", j.kind},
          {"status", storage::ToString(j.status)},
          {"payload", payload.is_discarded() ? json(nullptr) : payload},
          {"dedupe_key", OptText(j.dedupe_key)},
          {"run_at", FormatIso8601(j.run_at)},
          {"attempts", j.attempts},
          {"max_attempts", j.max_attempts},
          {"lease_owner", OptText(j.lease_owner)},
          {"lease_until", OptTime(j.lease_until)},
          {"last_error", OptText(j.last_error)},
          {"created_at", FormatIso8601(j.created_at)},
          {"updated_at", FormatIso8601(j.updated_at)},
          {"finished_at", OptTime(j.finished_at)}};
}

HttpResponse ListJobs(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  storage::JobFilter filter;
  std::vector<core::FieldError> errors;
  for (const auto& [key, value] : ctx.query) {
    if (key == "status") {
      filter.status = storage::ParseJobStatus(value);
      if (!filter.status) errors.push_back({key, "must be one of: pending, running, done, failed"});
    } else if (key == "kind") {
      if (value.empty() || value.size() > 100) {
        errors.push_back({key, "must be 1 to 100 characters"});
      }
      filter.kind = value;
    } else if (key == "limit" || key == "cursor") {
      const auto n = ParsePositiveInt(value);
      if (!n) {
        errors.push_back({key, "must be a positive integer"});
      } else if (key == "limit") {
        filter.limit = static_cast<int>(std::min<std::int64_t>(*n, 500));
      } else {
        filter.after_id = *n;
      }
    } else {
      errors.push_back({key, "is not a known parameter"});
    }
  }
  if (!errors.empty()) return QueryProblem(errors);
  auto jobs = ctx.store->jobs().List(filter);
  if (!jobs.ok()) return ProblemFor(jobs.status());
  json items = json::array();
  for (const auto& j : *jobs) items.push_back(JobToJson(j));
  const bool full = static_cast<int>(jobs->size()) == filter.limit;
  return Json(200, {{"items", items},
                    {"next_cursor", full ? json(std::to_string(jobs->back().id)) : json(nullptr)}});
}

}  // namespace

void AddJobRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/jobs", BodyKind::kNone, ListJobs});
}

}  // namespace guichet::server
