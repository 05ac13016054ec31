#include "server/metrics.h"

#include <cstdio>

namespace guichet::server {
namespace {

constexpr double kBounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

std::string Label(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::Record(const std::string& method, const std::string& route, int status,
                     double seconds) {
  // Looked up by views first: a key of strings is built only for a new route and status.
  const std::string_view m = method, r = route;
  std::lock_guard lock(mu_);
  auto count = counts_.find(std::make_tuple(m, r, status));
  if (count == counts_.end())
    count = counts_.emplace(std::make_tuple(method, route, status), 0).first;
  ++count->second;
  auto found = latency_.find(std::make_tuple(m, r));
  if (found == latency_.end())
    found = latency_.emplace(std::make_tuple(method, route), Histogram{}).first;
  Histogram& h = found->second;
  if (h.buckets.empty()) h.buckets.assign(std::size(kBounds), 0);
  for (size_t i = 0; i < std::size(kBounds); ++i) {
    if (seconds <= kBounds[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP guichet_http_requests_total HTTP requests handled, by route and status.\n";
  out += "# TYPE guichet_http_requests_total counter\n";
  for (const auto& [key, n] : counts_) {
    const auto& [method, route, status] = key;
    out += "guichet_http_requests_total{method=\"" + method + "\",route=\"" + Label(route) +
           "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP guichet_http_request_duration_seconds Time to handle a request, by route.\n";
  out += "# TYPE guichet_http_request_duration_seconds histogram\n";
  char buf[64];
  for (const auto& [key, h] : latency_) {
    const auto& [method, route] = key;
    const std::string labels = "method=\"" + method + "\",route=\"" + Label(route) + "\"";
    for (size_t i = 0; i < std::size(kBounds); ++i) {
      std::snprintf(buf, sizeof buf, "%g", kBounds[i]);
      out += "guichet_http_request_duration_seconds_bucket{" + labels + ",le=\"" + buf + "\"} " +
             std::to_string(h.buckets[i]) + "\n";
    }
    out += "guichet_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    std::snprintf(buf, sizeof buf, "%.6f", h.sum);
    out += "guichet_http_request_duration_seconds_sum{" + labels + "} " + buf + "\n";
    out += "guichet_http_request_duration_seconds_count{" + labels + "} " +
           std::to_string(h.count) + "\n";
  }
  out += "# HELP guichet_http_requests_in_flight Requests being handled now.\n";
  out += "# TYPE guichet_http_requests_in_flight gauge\n";
  out += "guichet_http_requests_in_flight " + std::to_string(in_flight.load()) + "\n";
  return out;
}

}  // namespace guichet::server
