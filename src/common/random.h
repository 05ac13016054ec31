// Random: a seeded, reproducible pseudo-random generator for simulations and demo data.
// Not for secrets (see crypto.h). Not thread-safe: give each thread its own instance.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace guichet {

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  // Uniform integer in [lo, hi].
  std::int64_t Uniform(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(engine_);
  }
  // Uniform real in [0, 1).
  double Unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }
  bool Chance(double p) { return Unit() < p; }
  // Index drawn with probability proportional to weights[i].
  size_t Weighted(const std::vector<double>& weights) {
    return std::discrete_distribution<size_t>(weights.begin(), weights.end())(engine_);
  }
  template <typename Container>
  const auto& Pick(const Container& c) {
    return c[static_cast<size_t>(Uniform(0, static_cast<std::int64_t>(c.size()) - 1))];
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace guichet
