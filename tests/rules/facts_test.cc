#include "rules/facts.h"

#include <gtest/gtest.h>

namespace guichet::rules {
namespace {

constexpr const char* kScheme = R"toml([scheme]
id = "t"
title_fr = "T"
title_en = "T"
valid_from = 2024-01-01

[facts.revenu]
type = "money"
question_fr = "?"
question_en = "?"

[facts.parts]
type = "decimal"
question_fr = "?"
question_en = "?"

[facts.enfants]
type = "integer"
question_fr = "?"
question_en = "?"

[facts.naissance]
type = "date"
question_fr = "?"
question_en = "?"

[facts.zone]
type = "enum"
values = ["a", "b"]
question_fr = "?"
question_en = "?"

[facts.seul]
type = "bool"
question_fr = "?"
question_en = "?"

[[rules]]
id = "r"
condition = "true"
fr = "x"
en = "x"
legal = { text = "L", article = "1" }
)toml";

class FactsTest : public ::testing::Test {
 protected:
  Scheme scheme_ = LoadScheme(kScheme, "t.toml").value();
};

TEST_F(FactsTest, ReadsEveryType) {
  auto facts = FactsFromJsonText(scheme_, R"({"revenu": "1240,50", "parts": 2.5, "enfants": 2,
      "naissance": "1950-06-15", "zone": "b", "seul": true})");
  ASSERT_TRUE(facts.ok()) << facts.status().message();
  const auto& v = facts->values;
  EXPECT_EQ(v[scheme_.FactIndex("revenu")].i, 124050);
  EXPECT_DOUBLE_EQ(v[scheme_.FactIndex("parts")].d, 2.5);
  EXPECT_EQ(v[scheme_.FactIndex("enfants")].i, 2);
  EXPECT_EQ(v[scheme_.FactIndex("naissance")].i, ParseDate("1950-06-15")->days);
  EXPECT_EQ(v[scheme_.FactIndex("zone")].i, 1);
  EXPECT_EQ(v[scheme_.FactIndex("zone")].text, "b");
  EXPECT_EQ(v[scheme_.FactIndex("seul")].i, 1);
}

TEST_F(FactsTest, MoneyAsANumberOfEuros) {
  auto facts = FactsFromJsonText(scheme_, R"({"revenu": 1240.5})");
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->values[scheme_.FactIndex("revenu")].i, 124050);
  facts = FactsFromJsonText(scheme_, R"({"revenu": 1240})");
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->values[scheme_.FactIndex("revenu")].i, 124000);
}

TEST_F(FactsTest, NullAndAbsentAreUnknown) {
  auto facts = FactsFromJsonText(scheme_, R"({"revenu": null})");
  ASSERT_TRUE(facts.ok());
  EXPECT_FALSE(facts->values[scheme_.FactIndex("revenu")].known);
  EXPECT_FALSE(facts->values[scheme_.FactIndex("parts")].known);
}

TEST_F(FactsTest, WrongTypesNameTheFact) {
  auto message = [&](const char* json) {
    auto facts = FactsFromJsonText(scheme_, json);
    EXPECT_FALSE(facts.ok());
    return facts.ok() ? std::string() : facts.status().message();
  };
  EXPECT_EQ(message(R"({"revenu": "beaucoup"})"),
            "fact revenu (money): \"beaucoup\" is not an amount of euros with at most two "
            "decimals");
  EXPECT_EQ(message(R"({"revenu": 10.005})"),
            "fact revenu (money): 10.005 is not an amount of euros with at most two decimals");
  EXPECT_EQ(message(R"({"enfants": 2.5})"), "fact enfants (integer): 2.5 is not a whole number");
  EXPECT_EQ(message(R"({"naissance": "1950-02-30"})"),
            "fact naissance (date): \"1950-02-30\" is not a real date \"YYYY-MM-DD\"");
  EXPECT_EQ(message(R"({"zone": "c"})"), "fact zone (enum): \"c\" is not one of: a, b");
  EXPECT_EQ(message(R"({"seul": "oui"})"), "fact seul (bool): \"oui\" is not true or false");
  EXPECT_EQ(message(R"({"parts": "2"})"), "fact parts (decimal): \"2\" is not a number");
  EXPECT_EQ(message(R"({"enfants": 18446744073709551615})"),
            "fact enfants (integer): 18446744073709551615 is not a whole number in range");
  EXPECT_EQ(message(R"({"age": 3})"), "unknown fact \"age\" (scheme t does not use it)");
  EXPECT_EQ(message(R"([1, 2])"), "the facts must be a JSON object");
  EXPECT_EQ(message(R"({"revenu": )"), "the facts are not valid JSON");
}

}  // namespace
}  // namespace guichet::rules
