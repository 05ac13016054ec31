// Clock: the only source of "now" in Guichet, injected so that SLA, audit and tests are
// reproducible. SystemClock is thread-safe; ManualClock is thread-safe and moves only when told.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace guichet {

// Milliseconds since the Unix epoch, UTC. The unit every timestamp is stored in.
using Millis = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Millis Now() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis start) : now_(start) {}
  Millis Now() const override { return now_.load(); }
  void Set(Millis t) { now_.store(t); }
  void Advance(Millis delta) { now_.fetch_add(delta); }

 private:
  std::atomic<Millis> now_;
};

// "2026-03-01T09:30:00.000Z". Always UTC with milliseconds.
std::string FormatIso8601(Millis t);
// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)". Returns nullopt when invalid.
std::optional<Millis> ParseIso8601(std::string_view text);
// The calendar year (UTC) of a timestamp, used in public references.
int YearOf(Millis t);

}  // namespace guichet
