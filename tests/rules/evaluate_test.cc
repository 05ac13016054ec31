#include "rules/evaluate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace guichet::rules {
namespace {

using ::testing::HasSubstr;

constexpr const char* kScheme = R"toml([scheme]
id = "aide"
title_fr = "Aide"
title_en = "Aid"
valid_from = 2024-01-01
valid_to = 2025-12-31
automatic_approval = true
legal_text = "Règlement"

[facts.revenu]
type = "money"
question_fr = "Quel est votre revenu ?"
question_en = "What is your income?"

[facts.parts]
type = "decimal"
min = 1
question_fr = "Combien de parts ?"
question_en = "How many shares?"

[facts.naissance]
type = "date"
max_years_ago = 120
not_after_as_of = true
question_fr = "Date de naissance ?"
question_en = "Date of birth?"

[facts.etablissement]
type = "bool"
question_fr = "En établissement ?"
question_en = "In a care home?"

[derived.qf]
expr = "revenu / parts"
label_fr = "quotient familial"
label_en = "family quotient"

[derived.age]
expr = "age_at(naissance, as_of)"

[tables.bareme]
key = "money"
value = "money"
[[tables.bareme.periods]]
valid_to = 2024-12-31
rows = [{ from = 0, to = 500, value = 100 }, { from = 500, value = 50 }]
[[tables.bareme.periods]]
valid_from = 2025-01-01
rows = [{ from = 0, to = 600, value = 120 }, { from = 600, value = 60 }]

[[rules]]
id = "age"
condition = "age >= 65"
fr = "65 ans ou plus"
en = "65 or older"
legal = { article = "art. 1" }

[[rules]]
id = "plafond"
condition = "qf <= 1000 €"
fr = "Quotient sous le plafond"
en = "Quotient under the ceiling"
legal = { article = "art. 2" }

[[rules]]
id = "domicile"
condition = "not etablissement"
on_fail = "needs_review"
fr = "Vit à domicile"
en = "Lives at home"
legal = { article = "art. 3" }

[amount]
expr = "bareme(bareme, qf)"
fr = "Montant selon le quotient"
en = "Amount by quotient"
legal = { article = "art. 4" }
)toml";

class EvaluateTest : public ::testing::Test {
 protected:
  Decision Eval(const char* json, const char* date = "2025-03-01") {
    auto facts = FactsFromJsonText(scheme_, json);
    EXPECT_TRUE(facts.ok()) << facts.status().message();
    auto decision = Evaluate(scheme_, *facts, *ParseDate(date));
    EXPECT_TRUE(decision.ok()) << decision.status().message();
    return decision.ok() ? *decision : Decision{};
  }
  Status EvalError(const char* json, const char* date = "2025-03-01") {
    auto facts = FactsFromJsonText(scheme_, json);
    if (!facts.ok()) return facts.status();
    auto decision = Evaluate(scheme_, *facts, *ParseDate(date));
    EXPECT_FALSE(decision.ok());
    return decision.status();
  }
  std::vector<std::string> Missing(const Decision& d) {
    std::vector<std::string> out;
    for (int f : d.missing) out.push_back(scheme_.facts()[f].id);
    return out;
  }

  Scheme scheme_ = LoadScheme(kScheme, "aide.toml").value();
};

constexpr const char* kEligible =
    R"({"revenu": 1100, "parts": 2, "naissance": "1950-01-01", "etablissement": false})";

TEST_F(EvaluateTest, EligibleWithAmountAndTrace) {
  const Decision d = Eval(kEligible);
  EXPECT_EQ(d.outcome, Outcome::kEligible);
  EXPECT_EQ(d.amount_cents, 12000);
  EXPECT_TRUE(d.automatic_approval);
  EXPECT_TRUE(d.missing.empty());
  EXPECT_TRUE(d.counterfactuals.empty());
  ASSERT_EQ(d.trace.size(), 3u);
  EXPECT_EQ(scheme_.rules()[d.trace[1].rule].id, "plafond");
  EXPECT_EQ(d.trace[1].result, RuleResult::kPassed);
  ASSERT_EQ(d.trace[1].inputs.size(), 1u);
  EXPECT_EQ(d.trace[1].inputs[0].kind, InputKind::kDerived);
  EXPECT_EQ(InputLabel(scheme_, d.trace[1].inputs[0], Lang::kFr), "quotient familial");
  EXPECT_EQ(d.trace[1].inputs[0].value.type, Type::kMoney);
  EXPECT_EQ(d.trace[1].inputs[0].value.i, 55000);
  EXPECT_EQ(d.trace[0].inputs[0].value.i, 75);  // age
  EXPECT_EQ(scheme_.rules()[d.trace[2].rule].legal.text, "Règlement");
  // The amount: the bracket's value (a table lookup), then the quotient it was looked up with.
  ASSERT_EQ(d.amount_inputs.size(), 2u);
  EXPECT_EQ(d.amount_inputs[0].kind, InputKind::kTable);
  EXPECT_EQ(InputLabel(scheme_, d.amount_inputs[0], Lang::kEn), "bareme");
  EXPECT_EQ(d.amount_inputs[0].value.i, 12000);
  EXPECT_EQ(d.amount_inputs[1].kind, InputKind::kDerived);
}

TEST_F(EvaluateTest, TablePeriodInForceApplies) {
  EXPECT_EQ(Eval(kEligible, "2024-06-30").amount_cents, 5000);  // 550 € ≥ 500 € in 2024
  EXPECT_EQ(Eval(kEligible, "2025-01-01").amount_cents, 12000);
}

TEST_F(EvaluateTest, OutsideTheSchemesValidity) {
  const Status s = EvalError(kEligible, "2026-01-01");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "scheme aide is valid from 2024-01-01 to 2025-12-31; 2026-01-01 is outside its "
            "validity");
  EXPECT_EQ(EvalError(kEligible, "2023-12-31").code(), StatusCode::kFailedPrecondition);
}

TEST_F(EvaluateTest, NotEligibleWithCounterfactual) {
  const Decision d =
      Eval(R"({"revenu": 2400, "parts": 2, "naissance": "1950-01-01", "etablissement": false})");
  EXPECT_EQ(d.outcome, Outcome::kNotEligible);
  EXPECT_FALSE(d.automatic_approval);
  EXPECT_FALSE(d.amount_cents);
  ASSERT_EQ(d.counterfactuals.size(), 1u);
  const Counterfactual& c = d.counterfactuals[0];
  EXPECT_EQ(scheme_.facts()[c.fact].id, "revenu");
  EXPECT_TRUE(c.at_most);
  EXPECT_EQ(c.value.i, 200000);
  EXPECT_EQ(c.outcome, Outcome::kEligible);
  EXPECT_EQ(c.fr,
            "Si « revenu » valait au plus 2\u00a0000,00\u00a0€, le résultat serait : éligible.");
  EXPECT_EQ(c.en, "If “revenu” were at most €2,000.00, the outcome would be: eligible.");
}

TEST_F(EvaluateTest, CounterfactualSurvivesRounding) {
  // 3001 / 3 = 1000.33 €; the highest income that passes is 3000.01 € (1000.00 € once rounded).
  const Decision d =
      Eval(R"({"revenu": 3001, "parts": 3, "naissance": "1950-01-01", "etablissement": false})");
  ASSERT_EQ(d.counterfactuals.size(), 1u);
  EXPECT_EQ(d.counterfactuals[0].value.i, 300001);
}

TEST_F(EvaluateTest, MissingFactsInTheOrderToAsk) {
  const Decision d = Eval(R"({"naissance": "1950-01-01"})");
  EXPECT_EQ(d.outcome, Outcome::kIncomplete);
  EXPECT_EQ(Missing(d), (std::vector<std::string>{"revenu", "parts", "etablissement"}));
  EXPECT_EQ(d.trace[1].result, RuleResult::kUnknown);
}

TEST_F(EvaluateTest, MissingFactsThatCannotChangeTheOutcomeAreNotAsked) {
  const Decision d = Eval(R"({"naissance": "2000-01-01"})");
  EXPECT_EQ(d.outcome, Outcome::kNotEligible);
  EXPECT_TRUE(d.missing.empty());
}

TEST_F(EvaluateTest, ReviewDoesNotHideAPossibleRefusal) {
  // In a care home (review), income unknown: the income could still refuse, so it is asked.
  Decision d = Eval(R"({"naissance": "1950-01-01", "etablissement": true})");
  EXPECT_EQ(d.outcome, Outcome::kIncomplete);
  EXPECT_EQ(Missing(d), (std::vector<std::string>{"revenu", "parts"}));
  d = Eval(R"({"revenu": 1100, "parts": 2, "naissance": "1950-01-01", "etablissement": true})");
  EXPECT_EQ(d.outcome, Outcome::kNeedsReview);
  EXPECT_EQ(d.amount_cents, 12000);
  EXPECT_FALSE(d.automatic_approval);
}

TEST_F(EvaluateTest, AbsurdValuesNameTheFact) {
  Status s = EvalError(R"({"naissance": "1700-01-01"})");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "fact naissance: 1700-01-01 is more than 120 years before 2025-03-01");
  s = EvalError(R"({"revenu": -1})");
  EXPECT_EQ(s.message(), "fact revenu: -€1.00 is below the minimum €0.00");
  s = EvalError(R"({"parts": 0.5})");
  EXPECT_EQ(s.message(), "fact parts: 0.5 is below the minimum 1");
  s = EvalError(R"({"naissance": "2030-01-01"})");
  EXPECT_EQ(s.message(), "fact naissance: 2030-01-01 is after the evaluation date 2025-03-01");
}

TEST_F(EvaluateTest, JsonAndExplanation) {
  const Decision d = Eval(kEligible);
  const nlohmann::json j = DecisionToJson(scheme_, d);
  EXPECT_EQ(j["outcome"], "eligible");
  EXPECT_EQ(j["amount"], "120.00");
  EXPECT_EQ(j["trace"][1]["rule"], "plafond");
  EXPECT_EQ(j["trace"][1]["inputs"][0]["name"], "qf");
  EXPECT_EQ(j["trace"][1]["inputs"][0]["value"], "550.00");
  EXPECT_EQ(j["trace"][1]["legal"]["article"], "art. 2");
  const std::string fr = Explain(scheme_, d, Lang::kFr);
  EXPECT_THAT(fr, HasSubstr("Résultat : éligible."));
  EXPECT_THAT(fr, HasSubstr("Montant : 120,00\u00a0€"));
  EXPECT_THAT(fr, HasSubstr("- remplie : Quotient sous le plafond (Règlement, art. 2) — valeurs : "
                            "quotient familial = 550,00\u00a0€"));
  const std::string en = Explain(scheme_, Eval(R"({"naissance": "1950-01-01"})"), Lang::kEn);
  EXPECT_THAT(en, HasSubstr("Information needed, in this order:\n- What is your income?\n"));
}

TEST_F(EvaluateTest, SameSchemeFromManyThreads) {
  auto facts = FactsFromJsonText(scheme_, kEligible).value();
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto d = Evaluate(scheme_, facts, *ParseDate("2025-03-01"));
        if (!d.ok() || d->amount_cents != 12000) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(EvaluateErrorsTest, DivisionByZeroNamesTheExpression) {
  auto scheme = LoadScheme(R"toml([scheme]
id = "d"
title_fr = "D"
title_en = "D"
valid_from = 2024-01-01
[facts.revenu]
type = "money"
question_fr = "?"
question_en = "?"
[facts.n]
type = "integer"
question_fr = "?"
question_en = "?"
[[rules]]
id = "r"
condition = "revenu / n > 1 €"
fr = "x"
en = "x"
legal = { text = "L", article = "1" }
)toml",
                           "d.toml");
  ASSERT_TRUE(scheme.ok()) << scheme.status().message();
  auto facts = FactsFromJsonText(*scheme, R"({"revenu": 10, "n": 0})");
  ASSERT_TRUE(facts.ok());
  auto d = Evaluate(*scheme, *facts, *ParseDate("2025-01-01"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), "d.toml:16:21: division by zero");
}

TEST(EvaluateErrorsTest, OverflowIsAnErrorNotAWrongAnswer) {
  auto scheme = LoadScheme(R"toml([scheme]
id = "o"
title_fr = "O"
title_en = "O"
valid_from = 2024-01-01
[facts.n]
type = "integer"
question_fr = "?"
question_en = "?"
[[rules]]
id = "r"
condition = "n * n * n > 1"
fr = "x"
en = "x"
legal = { text = "L", article = "1" }
)toml",
                           "o.toml");
  ASSERT_TRUE(scheme.ok()) << scheme.status().message();
  auto d = Evaluate(*scheme, FactsFromJsonText(*scheme, R"({"n": 4000000000})").value(),
                    *ParseDate("2025-01-01"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), "o.toml:12:16: number too large");
}

TEST(EvaluateErrorsTest, ThreeValuedLogic) {
  auto scheme = LoadScheme(R"toml([scheme]
id = "l"
title_fr = "L"
title_en = "L"
valid_from = 2024-01-01
[facts.a]
type = "bool"
question_fr = "a ?"
question_en = "a?"
[facts.b]
type = "bool"
question_fr = "b ?"
question_en = "b?"
[[rules]]
id = "r"
condition = "a or b"
fr = "x"
en = "x"
legal = { text = "L", article = "1" }
)toml",
                           "l.toml");
  ASSERT_TRUE(scheme.ok()) << scheme.status().message();
  auto eval = [&](const char* json) {
    return Evaluate(*scheme, FactsFromJsonText(*scheme, json).value(), *ParseDate("2025-01-01"))
        .value();
  };
  EXPECT_EQ(eval(R"({"b": true})").outcome, Outcome::kEligible);  // unknown or true = true
  const Decision d = eval(R"({"b": false})");
  EXPECT_EQ(d.outcome, Outcome::kIncomplete);
  ASSERT_EQ(d.missing.size(), 1u);
  EXPECT_EQ(scheme->facts()[d.missing[0]].id, "a");
  EXPECT_EQ(eval(R"({"a": false, "b": false})").outcome, Outcome::kNotEligible);
}

}  // namespace
}  // namespace guichet::rules
