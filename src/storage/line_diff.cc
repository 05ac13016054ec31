#include "storage/line_diff.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace guichet::storage::internal {
namespace {

constexpr std::size_t kMaxCells = 1'000'000;

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  if (text.empty()) return lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (text.back() == '\n') lines.pop_back();  // a final line break ends the last line
  return lines;
}

struct Op {
  char kind;           // ' ', '-' or '+'
  std::size_t before;  // index in the old lines (for ' ' and '-')
  std::size_t after;   // index in the new lines (for ' ' and '+')
};

// The edit script of a[lo_a, hi_a) into b[lo_b, hi_b): a longest common subsequence when the
// table fits, else all removed then all added.
void Middle(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b,
            std::size_t lo_a, std::size_t hi_a, std::size_t lo_b, std::size_t hi_b,
            std::vector<Op>& ops) {
  const std::size_t n = hi_a - lo_a, m = hi_b - lo_b;
  if (n == 0 || m == 0 || n * m > kMaxCells) {
    for (std::size_t i = lo_a; i < hi_a; ++i) ops.push_back({'-', i, lo_b});
    for (std::size_t j = lo_b; j < hi_b; ++j) ops.push_back({'+', hi_a, j});
    return;
  }
  // lcs[i][j]: the longest common subsequence of a's suffix from i and b's from j (both
  // counted from lo). At most a million cells, each below min(n, m) + 1 <= 1,001.
  std::vector<std::uint16_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](std::size_t i, std::size_t j) -> std::uint16_t& { return lcs[i * (m + 1) + j]; };
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      at(i, j) =
          a[lo_a + i] == b[lo_b + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    }
  }
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[lo_a + i] == b[lo_b + j]) {
      ops.push_back({' ', lo_a + i, lo_b + j});
      ++i;
      ++j;
    } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
      ops.push_back({'-', lo_a + i, lo_b + j});  // removals before additions, as diff(1) does
      ++i;
    } else {
      ops.push_back({'+', lo_a + i, lo_b + j});
      ++j;
    }
  }
}

}  // namespace

std::string LineDiff(std::string_view before, std::string_view after, int context) {
  if (before == after) return "";
  const std::vector<std::string_view> a = Lines(before), b = Lines(after);
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
    ++suffix;
  std::vector<Op> ops;
  for (std::size_t k = 0; k < prefix; ++k) ops.push_back({' ', k, k});
  Middle(a, b, prefix, a.size() - suffix, prefix, b.size() - suffix, ops);
  for (std::size_t k = suffix; k-- > 0;) ops.push_back({' ', a.size() - 1 - k, b.size() - 1 - k});
  if (std::all_of(ops.begin(), ops.end(), [](const Op& op) { return op.kind == ' '; }))
    return "";  // only a final line break differs

  const std::size_t ctx = static_cast<std::size_t>(std::max(context, 0));
  std::string out;
  std::size_t k = 0;
  while (k < ops.size()) {
    // The next change, and the hunk around it: changes closer than 2 × context join.
    while (k < ops.size() && ops[k].kind == ' ') ++k;
    if (k == ops.size()) break;
    const std::size_t start = k >= ctx ? k - ctx : 0;
    std::size_t end = k;
    for (std::size_t quiet = 0; end < ops.size(); ++end) {
      quiet = ops[end].kind == ' ' ? quiet + 1 : 0;
      if (quiet > 2 * ctx) break;
    }
    // Keep at most `context` unchanged lines after the last change.
    std::size_t last_change = end;
    while (last_change > start && ops[last_change - 1].kind == ' ') --last_change;
    end = std::min(end, last_change + ctx);
    std::size_t old_count = 0, new_count = 0;
    for (std::size_t x = start; x < end; ++x) {
      if (ops[x].kind != '+') ++old_count;
      if (ops[x].kind != '-') ++new_count;
    }
    const std::size_t old_start = ops[start].before + (old_count ? 1 : 0);
    const std::size_t new_start = ops[start].after + (new_count ? 1 : 0);
    // As diff(1) writes them: a count of 1 is left out.
    auto range = [](std::size_t first, std::size_t count) {
      return std::to_string(first) + (count == 1 ? "" : "," + std::to_string(count));
    };
    out += "@@ -" + range(old_start, old_count) + " +" + range(new_start, new_count) + " @@\n";
    for (std::size_t x = start; x < end; ++x) {
      out += ops[x].kind;
      out += ops[x].kind == '+' ? b[ops[x].after] : a[ops[x].before];
      out += '\n';
    }
    k = end;
  }
  return out;
}

}  // namespace guichet::storage::internal
