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

// One gauge in the Prometheus text format: HELP, TYPE, then a line per labelled value
// (`labels` like `state="open"`, empty for an unlabelled gauge).
void AppendGauge(std::string& out, const std::string& name, const std::string& help,
                 const std::vector<std::pair<std::string, std::int64_t>>& values) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n";
  for (const auto& [labels, value] : values)
    out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(value) + "\n";
}

HttpResponse MetricsText(HttpContext& ctx) {
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = ctx.metrics->Render();
  const storage::PoolStats pool = ctx.store->pool_stats();
  AppendGauge(
      r.body, "guichet_db_pool_connections", "Database connections of this node's pool.",
      {{"state=\"max\"", pool.size}, {"state=\"open\"", pool.open}, {"state=\"idle\"", pool.idle}});
  // Desk-wide (read from the database), so every node reports the same values.
  if (auto sla = ctx.store->sla().CountRunningTargets(ctx.clock->Now()); sla.ok()) {
    AppendGauge(r.body, "guichet_sla_targets",
                "Running SLA targets of open requests past their warning point (at_risk) or "
                "due time (breached).",
                {{"target=\"first_reply\",state=\"at_risk\"", sla->first_reply_at_risk},
                 {"target=\"first_reply\",state=\"breached\"", sla->first_reply_breached},
                 {"target=\"resolution\",state=\"at_risk\"", sla->resolution_at_risk},
                 {"target=\"resolution\",state=\"breached\"", sla->resolution_breached}});
    AppendGauge(r.body, "guichet_sla_paused_requests",
                "Requests whose SLA clocks are stopped (waiting for the citizen).",
                {{"", sla->paused}});
  }
  // Shared by every node: the whole queue, not this node's share of it.
  if (auto jobs = ctx.store->jobs().Counts(); jobs.ok()) {
    AppendGauge(r.body, "guichet_jobs", "Background jobs in the database, by status.",
                {{"status=\"pending\"", jobs->pending},
                 {"status=\"running\"", jobs->running},
                 {"status=\"done\"", jobs->done},
                 {"status=\"failed\"", jobs->failed}});
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
