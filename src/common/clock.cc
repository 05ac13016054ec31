#include "common/clock.h"

#include <cstdio>

namespace guichet {
namespace {

// Days from civil, after Howard Hinnant's public-domain date algorithms.
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void CivilFromDays(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool ParseDigits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

unsigned DaysInMonth(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

Millis SystemClock::Now() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatIso8601(Millis t) {
  std::int64_t days = t >= 0 ? t / 86400000 : (t - 86399999) / 86400000;
  std::int64_t ms_of_day = t - days * 86400000;
  std::int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  char buf[96];  // room for any int64 year, which -Wformat-truncation checks for
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(ms_of_day / 3600000),
                static_cast<long long>(ms_of_day / 60000 % 60),
                static_cast<long long>(ms_of_day / 1000 % 60),
                static_cast<long long>(ms_of_day % 1000));
  return buf;
}

std::optional<Millis> ParseIso8601(std::string_view s) {
  int year, month, day;
  if (!ParseDigits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || s[7] != '-' ||
      !ParseDigits(s, 5, 2, month) || !ParseDigits(s, 8, 2, day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > DaysInMonth(year, month))
    return std::nullopt;
  Millis t = DaysFromCivil(year, month, day) * 86400000;
  if (s.size() == 10) return t;
  int hour, minute, second = 0, millis = 0;
  if ((s[10] != 'T' && s[10] != ' ') || !ParseDigits(s, 11, 2, hour) || s.size() < 16 ||
      s[13] != ':' || !ParseDigits(s, 14, 2, minute) || hour > 23 || minute > 59) {
    return std::nullopt;
  }
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!ParseDigits(s, pos + 1, 2, second) || second > 60) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      size_t start = ++pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      if (pos == start) return std::nullopt;
      int scale = 100;
      for (size_t i = start; i < pos && i < start + 3; ++i, scale /= 10)
        millis += (s[i] - '0') * scale;
    }
  }
  t += ((hour * 60 + minute) * 60 + second) * 1000LL + millis;
  if (pos == s.size()) return std::nullopt;  // an offset is required with a time
  if (s[pos] == 'Z' && pos + 1 == s.size()) return t;
  int oh, om;
  if ((s[pos] != '+' && s[pos] != '-') || s.size() != pos + 6 || !ParseDigits(s, pos + 1, 2, oh) ||
      s[pos + 3] != ':' || !ParseDigits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
    return std::nullopt;
  }
  const Millis offset = (oh * 60 + om) * 60000LL;
  return s[pos] == '+' ? t - offset : t + offset;
}

int YearOf(Millis t) {
  std::int64_t days = t >= 0 ? t / 86400000 : (t - 86399999) / 86400000;
  std::int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  return static_cast<int>(y);
}

}  // namespace guichet
