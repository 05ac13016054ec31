// The audit log, read-only: auditors and admins see all of it, leads the entries of the
// requests of their teams.
#include "server/auth.h"
#include "server/json/dto.h"

namespace guichet::server {
namespace {

HttpResponse Page(storage::Store& store, const storage::AuditQuery& query) {
  auto entries = store.ListAudit(query);
  if (!entries.ok()) return ProblemFor(entries.status());
  json items = json::array();
  for (const auto& e : *entries) items.push_back(AuditToJson(e));
  const bool full = static_cast<int>(entries->size()) == query.limit;
  return Json(200,
              {{"items", items},
               {"next_cursor", full ? json(std::to_string(entries->back().id)) : json(nullptr)}});
}

std::optional<HttpResponse> ReadPaging(const HttpContext& ctx, storage::AuditQuery& query) {
  std::vector<core::FieldError> errors;
  for (const auto& [key, value] : ctx.query) {
    if (key != "limit" && key != "cursor") {
      errors.push_back({key, "is not a known parameter"});
      continue;
    }
    const auto n = ParsePositiveInt(value);
    if (!n) {
      errors.push_back({key, "must be a positive integer"});
    } else if (key == "limit") {
      query.limit = static_cast<int>(std::min<std::int64_t>(*n, 500));
    } else {
      query.after_id = *n;
    }
  }
  if (!errors.empty()) return QueryProblem(errors);
  return std::nullopt;
}

HttpResponse ListAudit(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin, core::Role::kAuditor})) return *denied;
  storage::AuditQuery query;
  if (auto bad = ReadPaging(ctx, query)) return *bad;
  return Page(*ctx.store, query);
}

HttpResponse RequestAudit(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin, core::Role::kAuditor, core::Role::kLead}))
    return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such request.");
  auto request = ctx.store->GetRequest(*id);
  if (!request.ok() || !CanSeeRequest(ctx.principal, *request))
    return NotFoundProblem("Request " + std::to_string(*id) +
                           " does not exist or is not yours to see.");
  storage::AuditQuery query;
  query.request_id = *id;
  if (auto bad = ReadPaging(ctx, query)) return *bad;
  return Page(*ctx.store, query);
}

}  // namespace

void AddAuditRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/audit", BodyKind::kNone, ListAudit});
  routes.push_back({"GET", "/api/v1/requests/{id}/audit", BodyKind::kNone, RequestAudit});
}

}  // namespace guichet::server
