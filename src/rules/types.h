// The values that rules work on: calendar dates (days since 1970-01-01, no time of day), the
// types of facts and expressions, typed values (money in integer cents), and their formatting
// for people in French and English ("1 240,00 €" / "€1,240.00").
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace guichet::rules {

// A calendar date as days since 1970-01-01 (proleptic Gregorian).
struct Date {
  std::int32_t days = 0;
  friend auto operator<=>(const Date&, const Date&) = default;
};

// "YYYY-MM-DD" with a real day of a real month (years 1000-9999); nullopt otherwise.
std::optional<Date> ParseDate(std::string_view text);
Date DateFromYmd(int year, int month, int day);
void DateToYmd(Date date, int& year, int& month, int& day);
std::string FormatDate(Date date);  // "2025-03-01"
// Whole years from `from` to `to` (an age on a date: 2000-03-01 → 2025-02-28 is 24); negative
// when `to` is before `from`.
int YearsBetween(Date from, Date to);
int MonthsBetween(Date from, Date to);

enum class Type : std::uint8_t { kBool, kInteger, kDecimal, kMoney, kDate, kEnum, kText };
std::string_view TypeName(Type type);  // "bool", "integer", "decimal", "money", "date", …
std::optional<Type> ParseTypeName(std::string_view name);

enum class Lang : std::uint8_t { kFr, kEn };

// A typed value, possibly unknown (a fact nobody gave). Which member holds it depends on the
// type: `i` for bool (0/1), integer, money (cents), date (days) and enum (index of the value in
// the fact's list); `d` for decimal; `text` for text and for an enum's value name.
struct Value {
  Type type = Type::kBool;
  bool known = false;
  std::int64_t i = 0;
  double d = 0;
  std::string text;
};

// "1 240,00 €" (non-breaking spaces) or "€1,240.00"; negative amounts get a leading minus.
std::string FormatMoney(std::int64_t cents, Lang lang);
// For people: money as above, dates "01/03/2025" (fr) or "2025-03-01" (en), decimals with a
// decimal comma in French, booleans "oui"/"non" or "yes"/"no", unknown as "inconnu"/"unknown".
std::string FormatValue(const Value& value, Lang lang);

}  // namespace guichet::rules
