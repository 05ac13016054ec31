// Progress: a one-line progress bar for long CLI work, redrawn in place with '\r'. It is drawn
// only when enabled (the CLI enables it when stderr is a terminal), so that logs and pipes never
// see control characters. Redraws are throttled to whole-percent changes.
// Not thread-safe: one thread reports progress.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace guichet::app {

class Progress {
 public:
  // `total` is the number of steps; `label` is shown before the bar.
  Progress(std::ostream& out, bool enabled, std::string label, std::int64_t total);
  ~Progress();  // finishes the line if Done() was not called

  void Set(std::int64_t done);
  void Step() { Set(done_ + 1); }
  // Draws 100 % (or where it stopped) and ends the line.
  void Done();

 private:
  void Draw();

  std::ostream& out_;
  bool enabled_;
  std::string label_;
  std::int64_t total_;
  std::int64_t done_ = 0;
  int last_percent_ = -1;
  bool finished_ = false;
};

}  // namespace guichet::app
