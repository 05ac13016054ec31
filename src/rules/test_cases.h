// Test cases as data, like OpenFisca's tests: a TOML file of [[cases]] next to a scheme, each
// with a date, facts and the expected outcome, amount, missing facts, counterfactual text or
// evaluation error (format in docs/rules.md). `guichet rules test DIR` runs them.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "rules/scheme.h"
#include "rules/types.h"

namespace guichet::rules {

struct TestCase {
  std::string name;
  std::string location;  // "file:line:col" of the case
  Date date;
  nlohmann::json facts = nlohmann::json::object();  // as FactsFromJson reads them
  std::optional<Outcome> outcome;
  std::optional<std::int64_t> amount_cents;
  bool no_amount = false;  // amount = false: the decision must have no amount
  std::optional<std::vector<std::string>> missing;
  std::optional<std::string> error;           // a part of the expected error message
  std::optional<std::string> counterfactual;  // a part of a counterfactual's fr or en text
};

// Parses a test file; kInvalidArgument listing every problem as "file:line:col: message".
Result<std::vector<TestCase>> LoadTestCases(std::string_view text, const std::string& source_name);

struct TestCaseResult {
  bool passed = false;
  std::string message;  // why it failed (expected … got …)
};

TestCaseResult RunTestCase(const Scheme& scheme, const TestCase& test);

}  // namespace guichet::rules
