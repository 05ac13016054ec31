#include "rules/types.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace guichet::rules {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days.
std::int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// "1234567" → "1 234 567" with `sep` between groups of three.
std::string Group(std::uint64_t n, std::string_view sep) {
  std::string digits = std::to_string(n);
  std::string out;
  const std::size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out += digits.substr(0, first);
  for (std::size_t at = first; at < digits.size(); at += 3) {
    out += sep;
    out += digits.substr(at, 3);
  }
  return out;
}

constexpr std::string_view kNbsp = "\u00a0";

}  // namespace

Date DateFromYmd(int year, int month, int day) {
  return Date{DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day))};
}

void DateToYmd(Date date, int& year, int& month, int& day) {
  const int z = date.days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = y + (month <= 2);
}

std::optional<Date> ParseDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
  }
  auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  const int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return std::nullopt;
  return DateFromYmd(y, m, d);
}

std::string FormatDate(Date date) {
  int y, m, d;
  DateToYmd(date, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

int MonthsBetween(Date from, Date to) {
  if (to < from) return -MonthsBetween(to, from);
  int y1, m1, d1, y2, m2, d2;
  DateToYmd(from, y1, m1, d1);
  DateToYmd(to, y2, m2, d2);
  int months = (y2 - y1) * 12 + (m2 - m1);
  // A month is complete once the day of the month is reached again; born on 29 February, one
  // turns a year older on 1 March in common years.
  if (d2 < d1) --months;
  return months;
}

int YearsBetween(Date from, Date to) { return MonthsBetween(from, to) / 12; }

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kBool:
      return "bool";
    case Type::kInteger:
      return "integer";
    case Type::kDecimal:
      return "decimal";
    case Type::kMoney:
      return "money";
    case Type::kDate:
      return "date";
    case Type::kEnum:
      return "enum";
    case Type::kText:
      return "text";
  }
  return "?";
}

std::optional<Type> ParseTypeName(std::string_view name) {
  for (Type t : {Type::kBool, Type::kInteger, Type::kDecimal, Type::kMoney, Type::kDate,
                 Type::kEnum, Type::kText}) {
    if (TypeName(t) == name) return t;
  }
  return std::nullopt;
}

std::string FormatMoney(std::int64_t cents, Lang lang) {
  const bool negative = cents < 0;
  const std::uint64_t abs =
      negative ? static_cast<std::uint64_t>(-(cents + 1)) + 1 : static_cast<std::uint64_t>(cents);
  const std::uint64_t euros = abs / 100, rest = abs % 100;
  char frac[4];
  std::snprintf(frac, sizeof frac, "%02u", static_cast<unsigned>(rest));
  std::string out = negative ? "-" : "";
  if (lang == Lang::kFr) {
    out += Group(euros, kNbsp) + "," + frac + std::string(kNbsp) + "€";
  } else {
    out += "€" + Group(euros, ",") + "." + frac;
  }
  return out;
}

std::string FormatValue(const Value& v, Lang lang) {
  const bool fr = lang == Lang::kFr;
  if (!v.known) return fr ? "inconnu" : "unknown";
  switch (v.type) {
    case Type::kBool:
      return v.i ? (fr ? "oui" : "yes") : (fr ? "non" : "no");
    case Type::kInteger:
      return std::to_string(v.i);
    case Type::kDecimal: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.6g", v.d);
      std::string s = buf;
      if (fr) {
        for (char& c : s) {
          if (c == '.') c = ',';
        }
      }
      return s;
    }
    case Type::kMoney:
      return FormatMoney(v.i, lang);
    case Type::kDate: {
      if (!fr) return FormatDate(Date{static_cast<std::int32_t>(v.i)});
      int y, m, d;
      DateToYmd(Date{static_cast<std::int32_t>(v.i)}, y, m, d);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d, m, y);
      return buf;
    }
    case Type::kEnum:
    case Type::kText:
      return v.text;
  }
  return "";
}

}  // namespace guichet::rules
