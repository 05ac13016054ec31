// Operations endpoints and what every response carries: /healthz, /readyz, /metrics, the
// OpenAPI document as served (it parses and matches the route table), request ids and security
// headers on success, error and unmatched routes alike.
#include <fstream>
#include <set>
#include <sstream>

#include "harness.h"
#include "server/http.h"
#include "storage/jobs.h"

namespace guichet::testing {
namespace {

using json = nlohmann::json;

class OpsTest : public ServerTest<OpsTest> {};

TEST_P(OpsTest, HealthAndReadiness) {
  const HttpResult health = env().Get("/healthz");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(health.Json(), (json{{"status", "ok"}}));
  EXPECT_EQ(health.Header("content-type"), "application/json");

  const HttpResult ready = env().Get("/readyz");
  ASSERT_EQ(ready.status, 200);
  EXPECT_EQ(ready.Json()["status"], "ready");
  EXPECT_EQ(ready.Json()["database"], env().backend());
}

TEST_P(OpsTest, MetricsAreInPrometheusFormat) {
  ASSERT_EQ(env().Get("/healthz").status, 200);
  ASSERT_EQ(env().Get("/api/v1/requests").status, 401);
  const HttpResult r = env().Get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type").rfind("text/plain", 0), 0u);
  for (const char* needle :
       {"# TYPE guichet_http_requests_total counter",
        "guichet_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}",
        "guichet_http_requests_total{method=\"GET\",route=\"/api/v1/requests\",status=\"401\"}",
        "# TYPE guichet_http_request_duration_seconds histogram",
        "guichet_http_request_duration_seconds_bucket{method=\"GET\",route=\"/"
        "healthz\",le=\"+Inf\"}",
        "guichet_http_requests_in_flight", "# TYPE guichet_db_pool_connections gauge",
        "guichet_db_pool_connections{state=\"max\"}", "guichet_db_pool_connections{state=\"open\"}",
        "guichet_db_pool_connections{state=\"idle\"}", "# TYPE guichet_jobs gauge",
        "guichet_jobs{status=\"pending\"}", "guichet_jobs{status=\"running\"}",
        "guichet_jobs{status=\"done\"}", "guichet_jobs{status=\"failed\"}"}) {
    EXPECT_NE(r.body.find(needle), std::string::npos) << needle;
  }
  // Routes, never raw paths: ids, references and secrets stay out of the labels.
  const CreatedRequest made = env().MakeRequest();
  ASSERT_EQ(
      env()
          .Get("/api/v1/track/" + made.request.reference + "?secret=" + UrlEncode(made.secret))
          .status,
      200);
  const HttpResult after = env().Get("/metrics");
  EXPECT_NE(after.body.find("route=\"/api/v1/track/{reference}\""), std::string::npos);
  EXPECT_EQ(after.body.find(made.request.reference), std::string::npos);
  EXPECT_EQ(after.body.find(made.secret), std::string::npos);
  // Every sample line is "name{labels} value" or "name value".
  std::istringstream lines(after.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_EQ(line.rfind("guichet_", 0), 0u) << line;
    const auto space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    EXPECT_NO_THROW((void)std::stod(line.substr(space + 1))) << line;
  }
}

TEST_P(OpsTest, AdminsListBackgroundJobs) {
  storage::JobQueue& queue = env().store().jobs();
  std::vector<core::Id> ids;
  for (const char* kind : {"test.a", "test.b", "test.a"}) {
    storage::NewJob job;
    job.kind = kind;
    job.payload = R"({"request_id":1})";
    auto added = queue.Enqueue(job);
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    ids.push_back(added->job.id);
  }
  auto claimed = queue.Claim("node-a:1:1", 1, 60000);
  ASSERT_TRUE(claimed.ok() && claimed->size() == 1u);

  const HttpResult all = env().Get("/api/v1/jobs", env().As(Who::kAdmin));
  ASSERT_EQ(all.status, 200) << all.body;
  const json page = all.Json();
  ASSERT_EQ(page["items"].size(), 3u);
  EXPECT_EQ(page["items"][0]["id"], ids[2]);  // newest first
  EXPECT_EQ(page["next_cursor"], nullptr);
  const json& running = page["items"][2];
  EXPECT_EQ(running["status"], "running");
  EXPECT_EQ(running["kind"], "test.a");
  EXPECT_EQ(running["payload"], (json{{"request_id", 1}}));
  EXPECT_EQ(running["attempts"], 1);
  EXPECT_EQ(running["lease_owner"], "node-a:1:1");
  EXPECT_TRUE(running["lease_until"].is_string());
  EXPECT_EQ(running["finished_at"], nullptr);

  const HttpResult pending =
      env().Get("/api/v1/jobs?status=pending&kind=test.a", env().As(Who::kAdmin));
  ASSERT_EQ(pending.status, 200) << pending.body;
  ASSERT_EQ(pending.Json()["items"].size(), 1u);
  EXPECT_EQ(pending.Json()["items"][0]["id"], ids[2]);

  const HttpResult first = env().Get("/api/v1/jobs?limit=2", env().As(Who::kAdmin));
  ASSERT_EQ(first.status, 200);
  const std::string cursor = first.Json()["next_cursor"];
  const HttpResult second =
      env().Get("/api/v1/jobs?limit=2&cursor=" + cursor, env().As(Who::kAdmin));
  ASSERT_EQ(second.status, 200);
  ASSERT_EQ(second.Json()["items"].size(), 1u);
  EXPECT_EQ(second.Json()["items"][0]["id"], ids[0]);

  const HttpResult bad = env().Get("/api/v1/jobs?status=stuck&color=red", env().As(Who::kAdmin));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json()["errors"].size(), 2u) << bad.body;
  EXPECT_EQ(env().Get("/api/v1/jobs", env().As(Who::kAuditor)).status, 403);

  const HttpResult metrics = env().Get("/metrics");
  EXPECT_NE(metrics.body.find("guichet_jobs{status=\"pending\"} 2"), std::string::npos);
  EXPECT_NE(metrics.body.find("guichet_jobs{status=\"running\"} 1"), std::string::npos);
}

TEST_P(OpsTest, ServedOpenApiDocumentMatchesTheRoutes) {
  const HttpResult r = env().Get("/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "application/json");
  const json doc = r.Json();
  ASSERT_FALSE(doc.is_discarded()) << "not JSON";
  EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.1", 0), 0u);
  std::set<std::pair<std::string, std::string>> documented, routes;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (m == "PARAMETERS" || m == "SUMMARY" || m == "DESCRIPTION" || m == "SERVERS") continue;
      documented.insert({m, path});
    }
  }
  for (const server::Route& route : server::AllRoutes()) routes.insert({route.method, route.path});
  EXPECT_EQ(documented, routes);
  // It is the file of the source tree.
  std::ifstream file(std::string(GUICHET_SOURCE_DIR) + "/docs/api/openapi.json", std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(r.body, text.str());
}

TEST_P(OpsTest, EveryResponseHasARequestIdAndSecurityHeaders) {
  // Env::Call checks the headers of every response; here a spread of outcomes.
  const HttpResult ok = env().Get("/api/v1/categories");
  const HttpResult unauthorized = env().Get("/api/v1/requests");
  const HttpResult not_found = env().Get("/api/v1/requests/424242", env().As(Who::kAdmin));
  const HttpResult unmatched = env().Get("/no/such/route");
  const HttpResult bad = env().Post("/api/v1/requests", "{", env().As(Who::kAgentA));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(unauthorized.status, 401);
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(unmatched.status, 404);
  EXPECT_EQ(ProblemSlug(unmatched), "no-such-route");
  EXPECT_EQ(bad.status, 400);
  // Request ids differ from call to call.
  std::set<std::string> ids;
  for (const HttpResult* r : {&ok, &unauthorized, &not_found, &unmatched, &bad})
    ids.insert(r->Header("x-request-id"));
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(ok.Header("cache-control"), "no-store");
}

TEST_P(OpsTest, ACallersRequestIdIsEchoedWhenSafe) {
  const HttpResult given = env().Get("/healthz", {{"X-Request-Id", "trace-0123_abc"}});
  EXPECT_EQ(given.Header("x-request-id"), "trace-0123_abc");
  const HttpResult unmatched = env().Get("/nowhere", {{"X-Request-Id", "trace-unmatched"}});
  EXPECT_EQ(unmatched.Header("x-request-id"), "trace-unmatched");
  // Unsafe ids (log injection, oversize) are replaced by a fresh one.
  for (const std::string& unsafe :
       {std::string("bad id\" x"), std::string(100, 'a'), std::string("a/b")}) {
    const HttpResult r = env().Get("/healthz", {{"X-Request-Id", unsafe}});
    EXPECT_NE(r.Header("x-request-id"), unsafe);
    EXPECT_FALSE(r.Header("x-request-id").empty());
  }
}

GUICHET_INSTANTIATE_ON_BACKENDS(OpsTest);

}  // namespace
}  // namespace guichet::testing
