// Operations endpoints: liveness, readiness (the database answers), Prometheus metrics, and the
// OpenAPI document of the REST API.
#include "server/auth.h"
#include "server/metrics.h"
#include "storage/jobs.h"

namespace guichet::server {

extern const char kOpenApiDocument[];  // docs/api/openapi.json, embedded at build time

namespace {

HttpResponse Healthz(HttpContext&) { return Json(200, {{"status", "ok"}}); }

HttpResponse Readyz(HttpContext& ctx) {
  Status ping = ctx.store->Ping();
  if (!ping.ok()) return Json(503, {{"status", "unavailable"}, {"database", "unreachable"}});
  return Json(200, {{"status", "ready"}, {"database", ctx.store->backend()}});
}

HttpResponse MetricsText(HttpContext& ctx) {
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = ctx.metrics->Render();
  const storage::PoolStats pool = ctx.store->pool_stats();
  r.body += "# HELP guichet_db_pool_connections Database connections of this node's pool.\n";
  r.body += "# TYPE guichet_db_pool_connections gauge\n";
  r.body += "guichet_db_pool_connections{state=\"max\"} " + std::to_string(pool.size) + "\n";
  r.body += "guichet_db_pool_connections{state=\"open\"} " + std::to_string(pool.open) + "\n";
  r.body += "guichet_db_pool_connections{state=\"idle\"} " + std::to_string(pool.idle) + "\n";
  // Desk-wide (read from the database), so every node reports the same values.
  auto sla = ctx.store->sla().CountRunningTargets(ctx.clock->Now());
  if (sla.ok()) {
    r.body +=
        "# HELP guichet_sla_targets Running SLA targets of open requests past their warning "
        "point (at_risk) or due time (breached).\n"
        "# TYPE guichet_sla_targets gauge\n";
    auto line = [&](const char* target, const char* state, std::int64_t n) {
      r.body += std::string("guichet_sla_targets{target=\"") + target + "\",state=\"" + state +
                "\"} " + std::to_string(n) + "\n";
    };
    line("first_reply", "at_risk", sla->first_reply_at_risk);
    line("first_reply", "breached", sla->first_reply_breached);
    line("resolution", "at_risk", sla->resolution_at_risk);
    line("resolution", "breached", sla->resolution_breached);
    r.body +=
        "# HELP guichet_sla_paused_requests Requests whose SLA clocks are stopped (waiting for "
        "the citizen).\n# TYPE guichet_sla_paused_requests gauge\nguichet_sla_paused_requests " +
        std::to_string(sla->paused) + "\n";
  }
  // Shared by every node: the whole queue, not this node's share of it.
  if (auto jobs = ctx.store->jobs().Counts(); jobs.ok()) {
    r.body += "# HELP guichet_jobs Background jobs in the database, by status.\n";
    r.body += "# TYPE guichet_jobs gauge\n";
    for (const auto& [status, n] : {std::pair<const char*, std::int64_t>{"pending", jobs->pending},
                                    {"running", jobs->running},
                                    {"done", jobs->done},
                                    {"failed", jobs->failed}}) {
      r.body += std::string("guichet_jobs{status=\"") + status + "\"} " + std::to_string(n) + "\n";
    }
  }
  return r;
}

HttpResponse OpenApi(HttpContext&) {
  HttpResponse r;
  r.body = kOpenApiDocument;
  return r;
}

}  // namespace

void AddOpsRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/healthz", BodyKind::kNone, Healthz});
  routes.push_back({"GET", "/readyz", BodyKind::kNone, Readyz});
  routes.push_back({"GET", "/metrics", BodyKind::kNone, MetricsText});
  routes.push_back({"GET", "/api/v1/openapi.json", BodyKind::kNone, OpenApi});
}

}  // namespace guichet::server
