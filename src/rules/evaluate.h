// Evaluation of a scheme on the facts of one case, as of a date: the outcome, the amount, the
// trace of every rule in force (its inputs, its result, its legal reference), the facts still
// missing when the answer depends on them (in the order to ask them, with their questions), and
// counterfactuals for numeric thresholds ("with a monthly income of at most 2 000,00 € the
// outcome would be: eligible").
//
// Logic: every rule in force that day must hold. A rule whose inputs are missing is "unknown"
// (three-valued and/or/not: `false and unknown` is false). A failed rule makes the outcome
// not_eligible, or needs_review when the rule says so; when the outcome does not depend on the
// unknown rules any more (a refusal is already certain), the missing facts are not asked. The
// engine only reports: a not_eligible outcome is never an automatic refusal (docs/rules.md).
//
// Thread-safety: Evaluate, Explain and DecisionToJson are pure; any number of threads may
// evaluate the same Scheme at once.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "rules/facts.h"
#include "rules/scheme.h"
#include "rules/types.h"

namespace guichet::rules {

// What a rule read, with the value it had: a fact, a derived value, or a table lookup (the
// bracket's value; the looked-up value appears as its own input).
enum class InputKind : std::uint8_t { kFact, kDerived, kTable };
std::string_view InputKindName(InputKind kind);  // "fact", "derived", "table"

struct TraceInput {
  InputKind kind = InputKind::kFact;
  int index = 0;  // into Scheme::facts(), the scheme's derived values, or its tables
  Value value;
};

enum class RuleResult : std::uint8_t { kPassed, kFailed, kUnknown, kNotApplicable };
std::string_view RuleResultName(RuleResult result);  // "passed", "failed", "unknown", …

struct TraceEntry {
  int rule = 0;  // into Scheme::rules()
  RuleResult result = RuleResult::kPassed;
  std::vector<TraceInput> inputs;
};

// A numeric fact whose value would flip a failed rule, and what the outcome would then be.
struct Counterfactual {
  int rule = 0;
  int fact = 0;
  bool at_most = true;  // the fact at most `value` (else at least `value`)
  Value value;
  Outcome outcome = Outcome::kEligible;
  std::string fr, en;  // the sentence for people
};

struct Decision {
  Outcome outcome = Outcome::kIncomplete;
  std::optional<std::int64_t> amount_cents;  // when the scheme computes one and it is known
  bool automatic_approval = false;  // eligible and the scheme allows approving without an agent
  Date as_of;
  std::vector<TraceEntry> trace;          // rules in force, in file order
  std::vector<TraceInput> amount_inputs;  // what the amount was computed from
  std::vector<int> missing;               // facts to ask, in order (indexes into facts())
  std::vector<Counterfactual> counterfactuals;
};

struct EvaluateOptions {
  bool counterfactuals = true;
};

// kFailedPrecondition when `as_of` is outside the scheme's validity; kInvalidArgument naming the
// fact when a fact is out of its declared range (negative money, a date of birth more than
// `max_years_ago` years back, …) or naming the expression when evaluation fails (division by
// zero, a value outside a table's brackets).
Result<Decision> Evaluate(const Scheme& scheme, const Facts& facts, Date as_of,
                          const EvaluateOptions& options = {});

// The name people read for a trace input: its label in `lang`.
const std::string& InputLabel(const Scheme& scheme, const TraceInput& input, Lang lang);
// A plain-language explanation from the rules' own texts and the trace: outcome, amount, each
// rule with its result, values and legal reference, missing facts with their questions, and the
// counterfactuals.
std::string Explain(const Scheme& scheme, const Decision& decision, Lang lang);
// A value as JSON: null when unknown, money as a string of euros with two decimals ("120.00"),
// dates as "YYYY-MM-DD", enums and texts as strings, numbers and booleans as themselves.
nlohmann::json ValueToJson(const Value& value);
// {"scheme", "as_of", "outcome", "amount", "automatic_approval", "missing": [{fact, question_fr,
// question_en}], "trace": [{rule, result, legal, inputs}], "counterfactuals", "explanation":
// {"fr", "en"}}.
nlohmann::json DecisionToJson(const Scheme& scheme, const Decision& decision);

}  // namespace guichet::rules
