#include "rules/types.h"

#include <gtest/gtest.h>

namespace guichet::rules {
namespace {

TEST(DateTest, ParsesRealDatesOnly) {
  ASSERT_TRUE(ParseDate("2024-02-29"));
  EXPECT_EQ(FormatDate(*ParseDate("2024-02-29")), "2024-02-29");
  EXPECT_EQ(ParseDate("1970-01-01")->days, 0);
  EXPECT_FALSE(ParseDate("2023-02-29"));
  EXPECT_FALSE(ParseDate("2024-13-01"));
  EXPECT_FALSE(ParseDate("2024-1-01"));
  EXPECT_FALSE(ParseDate("24-01-01"));
  EXPECT_FALSE(ParseDate(""));
}

TEST(DateTest, YearsBetweenCountsWholeYears) {
  EXPECT_EQ(YearsBetween(*ParseDate("2000-03-01"), *ParseDate("2025-02-28")), 24);
  EXPECT_EQ(YearsBetween(*ParseDate("2000-03-01"), *ParseDate("2025-03-01")), 25);
  // Born on 29 February: a year older on 1 March in common years.
  EXPECT_EQ(YearsBetween(*ParseDate("2004-02-29"), *ParseDate("2025-02-28")), 20);
  EXPECT_EQ(YearsBetween(*ParseDate("2004-02-29"), *ParseDate("2025-03-01")), 21);
  EXPECT_EQ(YearsBetween(*ParseDate("2025-03-01"), *ParseDate("2000-03-01")), -25);
  EXPECT_EQ(MonthsBetween(*ParseDate("2025-01-31"), *ParseDate("2025-02-28")), 0);
  EXPECT_EQ(MonthsBetween(*ParseDate("2025-01-15"), *ParseDate("2025-03-15")), 2);
}

TEST(FormatTest, MoneyInBothLanguages) {
  EXPECT_EQ(FormatMoney(124000, Lang::kFr), "1\u00a0240,00\u00a0€");
  EXPECT_EQ(FormatMoney(124000, Lang::kEn), "€1,240.00");
  EXPECT_EQ(FormatMoney(5, Lang::kFr), "0,05\u00a0€");
  EXPECT_EQ(FormatMoney(-10050, Lang::kEn), "-€100.50");
  EXPECT_EQ(FormatMoney(123456789, Lang::kFr), "1\u00a0234\u00a0567,89\u00a0€");
}

TEST(FormatTest, Values) {
  Value v;
  v.type = Type::kDate;
  v.known = true;
  v.i = ParseDate("2025-03-01")->days;
  EXPECT_EQ(FormatValue(v, Lang::kFr), "01/03/2025");
  EXPECT_EQ(FormatValue(v, Lang::kEn), "2025-03-01");
  v.type = Type::kDecimal;
  v.d = 2.5;
  EXPECT_EQ(FormatValue(v, Lang::kFr), "2,5");
  v.known = false;
  EXPECT_EQ(FormatValue(v, Lang::kFr), "inconnu");
}

}  // namespace
}  // namespace guichet::rules
