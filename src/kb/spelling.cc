#include "kb/spelling.h"

#include <algorithm>
#include <set>

namespace guichet::kb {
namespace {

constexpr std::size_t kMinLength = 4;  // shorter words are abbreviations more than typos

bool HasDigit(const std::string& w) {
  return std::any_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::size_t MaxEdits(const std::string& w) { return w.size() >= 8 ? 2 : 1; }

// `w` with each of its letters deleted in turn (folded words are ASCII except other scripts,
// whose bytes are deleted one at a time: a miss there only costs a candidate).
std::set<std::string> Deletes(const std::string& w) {
  std::set<std::string> out;
  for (std::size_t i = 0; i < w.size(); ++i) out.insert(w.substr(0, i) + w.substr(i + 1));
  return out;
}

}  // namespace

std::size_t EditDistance(const std::string& a, const std::string& b, std::size_t limit) {
  const std::size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > limit) return limit + 1;
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    std::size_t row_min = limit + 1;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      row_min = std::min(row_min, d[i][j]);
    }
    if (row_min > limit) return limit + 1;
  }
  return std::min(d[n][m], limit + 1);
}

Spelling::Spelling(std::vector<std::pair<std::string, std::size_t>> vocabulary) {
  for (auto& [word, frequency] : vocabulary) {
    auto [it, added] = index_.emplace(word, static_cast<std::uint32_t>(words_.size()));
    if (!added) {
      frequency_[it->second] += frequency;
      continue;
    }
    words_.push_back(std::move(word));
    frequency_.push_back(frequency);
  }
  for (std::uint32_t i = 0; i < words_.size(); ++i) {
    const std::string& w = words_[i];
    // Words seen once are as likely typos as answers; numbers are not spelt.
    if (w.size() < kMinLength || frequency_[i] < 2 || HasDigit(w)) continue;
    for (const std::string& d : Deletes(w)) deletes_[d].push_back(i);
  }
}

std::size_t Spelling::Frequency(const std::string& word) const {
  const auto it = index_.find(word);
  return it == index_.end() ? 0 : frequency_[it->second];
}

std::string Spelling::Correct(const std::string& word) const {
  if (word.size() < kMinLength || HasDigit(word) || Frequency(word) > 0) return "";
  const std::size_t limit = MaxEdits(word);
  std::set<std::uint32_t> candidates;
  const auto add_word = [&](const std::string& w) {
    const auto it = index_.find(w);
    if (it != index_.end() && frequency_[it->second] >= 2) candidates.insert(it->second);
  };
  const auto add_deleted = [&](const std::string& d) {
    const auto it = deletes_.find(d);
    if (it != deletes_.end()) candidates.insert(it->second.begin(), it->second.end());
  };
  add_deleted(word);  // a letter too few in the query
  for (const std::string& d : Deletes(word)) {
    add_word(d);     // a letter too many
    add_deleted(d);  // a wrong or swapped letter
  }
  std::string best;
  std::size_t best_distance = limit + 1, best_frequency = 0;
  for (std::uint32_t c : candidates) {
    const std::size_t distance = EditDistance(word, words_[c], limit);
    if (distance > limit) continue;
    if (distance < best_distance || (distance == best_distance && frequency_[c] > best_frequency)) {
      best = words_[c];
      best_distance = distance;
      best_frequency = frequency_[c];
    }
  }
  return best;
}

}  // namespace guichet::kb
