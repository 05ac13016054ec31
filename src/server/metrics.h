// Private to src/server: Prometheus metrics kept in memory by this node: request counts by
// route, method and status, latency histograms by route, and requests in flight. Thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace guichet::server {

class Metrics {
 public:
  void Record(const std::string& method, const std::string& route, int status, double seconds);
  // The Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

  std::atomic<int> in_flight{0};

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;  // cumulative counts per upper bound
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t, std::less<>> counts_;
  std::map<std::tuple<std::string, std::string>, Histogram, std::less<>> latency_;
};

}  // namespace guichet::server
