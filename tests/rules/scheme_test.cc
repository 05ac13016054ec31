// The loader's messages, with their exact file:line:col.
#include "rules/scheme.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace guichet::rules {
namespace {

using ::testing::HasSubstr;

// Lines 1-16; what a test adds starts on line 17.
constexpr const char* kHeader = R"toml([scheme]
id = "t"
title_fr = "T"
title_en = "T"
valid_from = 2024-01-01

[facts.revenu]
type = "money"
question_fr = "Revenu ?"
question_en = "Income?"

[facts.parts]
type = "decimal"
question_fr = "Parts ?"
question_en = "Shares?"
min = 1
)toml";

std::string Rule(const std::string& condition) {
  return "[[rules]]\nid = \"r\"\ncondition = \"" + condition +
         "\"\nfr = \"x\"\nen = \"x\"\nlegal = { text = \"L\", article = \"1\" }\n";
}

std::string LoadError(const std::string& extra) {
  auto scheme = LoadScheme(std::string(kHeader) + extra, "t.toml");
  EXPECT_FALSE(scheme.ok());
  return scheme.ok() ? "" : scheme.status().message();
}

TEST(LoadSchemeTest, LoadsAValidScheme) {
  auto scheme = LoadScheme(std::string(kHeader) + Rule("revenu / parts <= 800 €"), "t.toml");
  ASSERT_TRUE(scheme.ok()) << scheme.status().message();
  EXPECT_EQ(scheme->id(), "t");
  EXPECT_EQ(scheme->facts().size(), 2u);
  EXPECT_EQ(scheme->FactIndex("parts"), 0);  // facts are listed by name
  EXPECT_EQ(scheme->FactIndex("nope"), -1);
  ASSERT_EQ(scheme->rules().size(), 1u);
  EXPECT_EQ(scheme->rules()[0].legal.article, "1");
}

TEST(LoadSchemeTest, UnknownFactPointsInsideTheExpression) {
  // Line 19: condition = "revenu <= 1000 € and age > 3"; the string starts at column 14.
  EXPECT_EQ(LoadError(Rule("revenu <= 1000 € and age > 3")),
            "t.toml:19:35: unknown fact or derived value \"age\"");
}

TEST(LoadSchemeTest, TypeErrorNamesBothTypes) {
  EXPECT_EQ(LoadError(Rule("revenu <= 1000")),
            "t.toml:19:24: cannot compare money with integer (write amounts of money with €, "
            "e.g. 1240 €)");
  EXPECT_EQ(LoadError(Rule("revenu + 1")),
            "t.toml:19:21: cannot add money and integer (write amounts of money with €, e.g. "
            "100 €)");
  EXPECT_EQ(LoadError(Rule("revenu * 2 €")), "t.toml:19:21: cannot multiply money by money");
  EXPECT_EQ(LoadError(Rule("parts")),
            "t.toml:19:14: rule r: a condition must be a bool, not a decimal");
}

TEST(LoadSchemeTest, SyntaxErrorsInExpressions) {
  EXPECT_EQ(LoadError(Rule("(revenu <= 1000 €")), "t.toml:19:31: expected \")\"");
  EXPECT_EQ(LoadError(Rule("revenu <=")), "t.toml:19:23: the expression ends too early");
  EXPECT_EQ(LoadError(Rule("frobnicate(revenu)")), "t.toml:19:14: unknown function \"frobnicate\"");
  EXPECT_EQ(LoadError(Rule("max(revenu) > 1 € extra")),
            "t.toml:19:32: unexpected \"extra\" after the expression");
  EXPECT_EQ(LoadError(Rule("age_at(revenu, as_of) > 3")),
            "t.toml:19:14: this function takes two dates, not money and date");
}

TEST(LoadSchemeTest, CycleAmongDerivedValues) {
  // [derived.a] on line 17, [derived.b] on line 19.
  EXPECT_THAT(
      LoadError("[derived.a]\nexpr = \"b + 1\"\n[derived.b]\nexpr = \"a * 2\"\n" + Rule("a > 1")),
      HasSubstr("t.toml:17:10: cycle among derived values: a → b → a"));
}

TEST(LoadSchemeTest, EnumLiteralsAreChecked) {
  const std::string facts =
      "[facts.zone]\ntype = \"enum\"\nvalues = [\"a\", \"b\"]\nquestion_fr = \"?\"\n"
      "question_en = \"?\"\n";
  EXPECT_EQ(LoadError(facts + Rule("zone in ['a', 'c']")),
            "t.toml:24:28: \"c\" is not a value of zone (a, b)");
}

constexpr const char* kTable = R"toml([tables.bareme]
key = "money"
value = "money"
[[tables.bareme.periods]]
rows = [
  { from = 0, to = 400, value = 1 },
)toml";

TEST(LoadSchemeTest, OverlappingBrackets) {
  // The table starts on line 17; the overlapping row is on line 23, column 3.
  EXPECT_EQ(LoadError(std::string(kTable) + "  { from = 300, to = 800, value = 2 },\n]\n" +
                      Rule("bareme(bareme, revenu) > 1 €")),
            "t.toml:23:3: bracket of bareme overlaps the previous one (it starts before that "
            "one ends)");
}

TEST(LoadSchemeTest, GappedBrackets) {
  EXPECT_EQ(LoadError(std::string(kTable) + "  { from = 500, value = 2 },\n]\n" +
                      Rule("bareme(bareme, revenu) > 1 €")),
            "t.toml:23:3: gap in the brackets of bareme between the previous row and this one");
}

TEST(LoadSchemeTest, PeriodsMustNotOverlapOrLeaveGaps) {
  const std::string table = R"toml([tables.bareme]
key = "money"
value = "money"
[[tables.bareme.periods]]
valid_to = 2024-12-31
rows = [{ from = 0, value = 1 }]
[[tables.bareme.periods]]
valid_from = 2025-02-01
rows = [{ from = 0, value = 2 }]
)toml";
  EXPECT_EQ(LoadError(table + Rule("bareme(bareme, revenu) > 1 €")),
            "t.toml:23:1: gap in the periods of bareme: nothing in force from 2025-01-01 to "
            "2025-01-31");
}

TEST(LoadSchemeTest, BadDates) {
  EXPECT_EQ(LoadError("[derived.x]\nexpr = \"revenu\"\n" + Rule("add_days(2025-02-30, 1) > as_of")),
            "t.toml:21:23: \"2025-02-30\" is not a date");
  auto scheme = LoadScheme(
      "[scheme]\nid = \"t\"\ntitle_fr = \"T\"\ntitle_en = \"T\"\nvalid_from = \"2024-02-30\"\n" +
          Rule("true"),
      "t.toml");
  ASSERT_FALSE(scheme.ok());
  EXPECT_EQ(scheme.status().message(),
            "t.toml:5:14: valid_from: \"2024-02-30\" is not a date (YYYY-MM-DD)");
  scheme = LoadScheme(
      "[scheme]\nid = \"t\"\ntitle_fr = \"T\"\ntitle_en = \"T\"\nvalid_from = 2025-01-01\n"
      "valid_to = 2024-01-01\n" +
          Rule("true"),
      "t.toml");
  ASSERT_FALSE(scheme.ok());
  EXPECT_EQ(scheme.status().message(),
            "t.toml:6:12: valid_to 2024-01-01 is before valid_from 2025-01-01");
}

TEST(LoadSchemeTest, UnknownKeysEverywhere) {
  const std::string message = LoadError(
      "[facts.age]\ntype = \"integer\"\ncolour = 1\nquestion_fr = \"?\"\n"
      "question_en = \"?\"\n" +
      Rule("age > 1") + "severity = 2\n");
  EXPECT_THAT(message, HasSubstr("t.toml:19:1: unknown key \"colour\" in fact age"));
  EXPECT_THAT(message, HasSubstr("t.toml:28:1: unknown key \"severity\" in rule r"));
}

TEST(LoadSchemeTest, ListsEveryProblem) {
  const std::string message =
      LoadError(Rule("revenu <= 1000") + Rule("nope") + "[[rules]]\nid = \"s\"\n");
  EXPECT_THAT(message, HasSubstr("t.toml:19:24: cannot compare money with integer"));
  EXPECT_THAT(message, HasSubstr("t.toml:25:14: unknown fact or derived value \"nope\""));
  EXPECT_THAT(message, HasSubstr("t.toml:29:1: rule s needs \"fr\""));
  EXPECT_THAT(message, HasSubstr("rule s needs a legal reference"));
  EXPECT_THAT(message, HasSubstr("rule s needs \"condition\""));
}

TEST(LoadSchemeTest, RuleVersionsMustNotOverlap) {
  const std::string rules =
      "[[rules]]\nid = \"r\"\nvalid_to = 2024-12-31\ncondition = \"true\"\nfr = \"x\"\nen = \"x\"\n"
      "legal = { text = \"L\", article = \"1\" }\n"
      "[[rules]]\nid = \"r\"\nvalid_from = 2024-06-01\ncondition = \"true\"\nfr = \"x\"\n"
      "en = \"x\"\nlegal = { text = \"L\", article = \"1\" }\n";
  EXPECT_THAT(LoadError(rules), HasSubstr("t.toml:24:1: rule \"r\" is defined twice for the "
                                          "same dates"));
}

TEST(LoadSchemeTest, MultiLineExpressionsKeepTheirPositions) {
  const std::string rule =
      "[[rules]]\nid = \"r\"\ncondition = \"\"\"\nrevenu <= 1000 €\n  and nope\"\"\"\nfr = \"x\"\n"
      "en = \"x\"\nlegal = { text = \"L\", article = \"1\" }\n";
  EXPECT_EQ(LoadError(rule), "t.toml:21:7: unknown fact or derived value \"nope\"");
}

TEST(LoadSchemeTest, HostileExpressionsAreBounded) {
  EXPECT_THAT(LoadError(Rule(std::string(200, '(') + "true" + std::string(200, ')'))),
              HasSubstr("t.toml:19:"));
  EXPECT_THAT(LoadError(Rule(std::string(200, '(') + "true" + std::string(200, ')'))),
              HasSubstr("expression nested too deeply"));
  std::string sum = "parts";
  for (int i = 0; i < 6000; ++i) sum += " + parts";
  EXPECT_THAT(LoadError(Rule(sum + " > 1")), HasSubstr("the scheme is too large"));
}

TEST(LoadSchemeTest, TomlSyntaxError) {
  auto scheme = LoadScheme("[scheme]\nid = \n", "t.toml");
  ASSERT_FALSE(scheme.ok());
  EXPECT_THAT(scheme.status().message(), HasSubstr("t.toml:2:"));
}

TEST(LoadSchemeTest, MissingFileIsNotFound) {
  auto scheme = LoadSchemeFile("/nonexistent/scheme.toml");
  ASSERT_FALSE(scheme.ok());
  EXPECT_EQ(scheme.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace guichet::rules
