// guichet rules check / test / eval, in-process: output, JSON and exit codes (0 ok, 1 a failed
// case or refused facts, 2 usage or load errors).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace guichet::app {
namespace {

using ::testing::HasSubstr;
using testing::RunGuichet;

const std::string kExamples = GUICHET_RULES_EXAMPLES;
const std::string kCanteen = kExamples + "/cantine/scheme.toml";

TEST(RulesCliTest, CheckAndTestTheExamples) {
  auto check = RunGuichet({"rules", "check", kExamples});
  EXPECT_EQ(check.code, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr("(cantine, example: 5 facts, 3 rules, 15 test cases)"));
  EXPECT_THAT(check.out, HasSubstr("4 of 4 schemes load\n"));
  auto test = RunGuichet({"rules", "test", kExamples});
  EXPECT_EQ(test.code, 0) << test.out;
  EXPECT_THAT(test.out, HasSubstr("PASS cantine: first bracket, 1 € meal\n"));
  EXPECT_THAT(test.out, HasSubstr(" passed, 0 failed\n"));
}

TEST(RulesCliTest, LoadErrorsAreListedWithPositionsAndExitTwo) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("scheme.toml"),
                     "[scheme]\nid = \"x\"\ntitle_fr = \"X\"\ntitle_en = \"X\"\n"
                     "valid_from = 2025-01-01\n[[rules]]\nid = \"r\"\ncondition = \"nope > 1\"\n"
                     "fr = \"x\"\nen = \"x\"\nlegal = { text = \"L\", article = \"1\" }\n");
  auto r = RunGuichet({"rules", "check", dir.path()});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, dir.File("scheme.toml") + ":8:14: unknown fact or derived value \"nope\"\n");
  EXPECT_THAT(r.out, HasSubstr("0 of 1 schemes load"));
  r = RunGuichet({"rules", "test", dir.path()});
  EXPECT_EQ(r.code, 2);
  r = RunGuichet({"rules", "check", dir.File("missing")});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("no such file or folder"));
}

TEST(RulesCliTest, EvalPrintsBothExplanations) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("facts.json"),
                     R"({"commune_residence": "ville", "enfant_scolarise": true,
                         "date_naissance_enfant": "2017-05-04", "ressources_mensuelles": 1125,
                         "nombre_parts": 2.5})");
  auto r = RunGuichet({"rules", "eval", "--scheme", kCanteen, "--facts", dir.File("facts.json"),
                       "--date", "2025-01-15"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Résultat : éligible.\nMontant : 1,90\u00a0€"));
  EXPECT_THAT(r.out, HasSubstr("Outcome: eligible.\nAmount: €1.90"));
  EXPECT_THAT(r.out, HasSubstr("quotient familial = 450,00\u00a0€"));
}

TEST(RulesCliTest, EvalJson) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("facts.json"),
                     R"({"commune_residence": "ville", "enfant_scolarise": true,
                         "date_naissance_enfant": "2017-05-04"})");
  auto r = RunGuichet({"rules", "eval", "--scheme", kCanteen, "--facts", dir.File("facts.json"),
                       "--date", "2025-01-15", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outcome"], "incomplete");
  EXPECT_EQ(j["example"], true);
  ASSERT_EQ(j["missing"].size(), 2u);
  EXPECT_EQ(j["missing"][0]["fact"], "ressources_mensuelles");
  EXPECT_THAT(j["missing"][0]["question_fr"].get<std::string>(), HasSubstr("ressources"));
  EXPECT_EQ(j["trace"][0]["rule"], "scolarisation");
  EXPECT_EQ(j["trace"][0]["result"], "passed");
  EXPECT_EQ(j["trace"][0]["legal"]["article"], "article 1 (bénéficiaires)");
  EXPECT_TRUE(j["amount"].is_null());
}

TEST(RulesCliTest, EvalErrors) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("bad.json"), R"({"nombre_parts": "deux"})");
  testing::WriteFile(dir.File("neg.json"), R"({"ressources_mensuelles": -5})");
  // Facts that do not fit the scheme: a load error (2), naming the fact.
  auto r = RunGuichet({"rules", "eval", "--scheme", kCanteen, "--facts", dir.File("bad.json"),
                       "--date", "2025-01-15"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("fact nombre_parts (decimal): \"deux\" is not a number"));
  // Refused by the evaluation (1): an absurd value, a date outside the scheme.
  r = RunGuichet({"rules", "eval", "--scheme", kCanteen, "--facts", dir.File("neg.json"), "--date",
                  "2025-01-15"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "guichet: error: fact ressources_mensuelles: -€5.00 is below the minimum €0.00\n");
  r = RunGuichet({"rules", "eval", "--scheme", kCanteen, "--facts", dir.File("bad.json"), "--date",
                  "2030-01-01"});
  EXPECT_EQ(r.code, 2);  // the facts are checked first
  testing::WriteFile(dir.File("none.json"), "{}");
  r = RunGuichet({"rules", "eval", "--scheme", kCanteen, "--facts", dir.File("none.json"), "--date",
                  "2030-01-01"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("2030-01-01 is outside its validity"));
  r = RunGuichet({"rules", "eval", "--scheme", kCanteen, "--facts", dir.File("none.json"), "--date",
                  "15/01/2025"});
  EXPECT_EQ(r.code, 2);
  r = RunGuichet({"rules", "eval", "--facts", dir.File("none.json")});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind("guichet: error: ", 0), 0u) << r.err;
}

}  // namespace
}  // namespace guichet::app
