#include "app/progress.h"

#include <algorithm>

namespace guichet::app {

Progress::Progress(std::ostream& out, bool enabled, std::string label, std::int64_t total)
    : out_(out),
      enabled_(enabled),
      label_(std::move(label)),
      total_(std::max<std::int64_t>(total, 0)) {
  if (enabled_) Draw();
}

Progress::~Progress() {
  if (enabled_ && !finished_) out_ << '\n' << std::flush;
}

void Progress::Set(std::int64_t done) {
  done_ = std::clamp<std::int64_t>(done, 0, total_);
  if (!enabled_) return;
  const int percent = total_ == 0 ? 100 : static_cast<int>(done_ * 100 / total_);
  if (percent != last_percent_) Draw();
}

void Progress::Done() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  Draw();
  out_ << '\n' << std::flush;
}

void Progress::Draw() {
  constexpr int kWidth = 30;
  const int percent = total_ == 0 ? 100 : static_cast<int>(done_ * 100 / total_);
  last_percent_ = percent;
  const int filled = percent * kWidth / 100;
  out_ << '\r' << label_ << " [" << std::string(filled, '#') << std::string(kWidth - filled, '.')
       << "] " << percent << "% (" << done_ << '/' << total_ << ')' << std::flush;
}

}  // namespace guichet::app
