// The facts of one case, typed against a scheme: one Value per fact of Scheme::facts(), unknown
// until given. FactsFromJson reads them from a JSON object {"fact_id": value, …}: money as a
// number of euros (at most two decimals) or a string such as "1240.50", dates as "YYYY-MM-DD",
// decimals and integers as numbers, enums as one of their values, null for "not known". A name
// the scheme does not declare or a value of the wrong type is an error naming the fact; nothing
// is ever defaulted silently. Range checks (negative income, a 300-year-old applicant) need the
// evaluation date and happen in Evaluate (evaluate.h).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "rules/scheme.h"
#include "rules/types.h"

namespace guichet::rules {

struct Facts {
  std::vector<Value> values;  // indexed like Scheme::facts()
};

// All facts unknown, each with its declared type.
Facts EmptyFacts(const Scheme& scheme);

// Sets one fact from a JSON value (null makes it unknown). kInvalidArgument naming the fact when
// the scheme has no such fact or the value does not fit its type.
Status SetFact(const Scheme& scheme, Facts& facts, std::string_view id,
               const nlohmann::json& value);

// A JSON object of facts; facts it does not name stay unknown. Errors as SetFact (the first one),
// or kInvalidArgument when the text is not a JSON object.
Result<Facts> FactsFromJson(const Scheme& scheme, const nlohmann::json& object);
Result<Facts> FactsFromJsonText(const Scheme& scheme, std::string_view text);

}  // namespace guichet::rules
