// A scheme — an aid, a price list, a permit — written as rules in a TOML file (format in
// docs/rules.md): typed facts with the questions that ask for them, derived values, bracket
// tables (barèmes) with validity periods, rules with legal references and validity periods, and
// optionally the amount the scheme grants or charges.
//
// LoadScheme parses and checks the whole file at once: unknown keys, unknown names in
// expressions, type errors, cycles among derived values, overlapping or gapped brackets and
// periods, bad dates. Every problem found is listed, one per line, as "file:line:col: message"
// (the column points inside the expression string when the problem is there). Expressions are
// compiled once, here; evaluation (evaluate.h) never looks a name up.
//
// Thread-safety: a Scheme is immutable once loaded; copies share the compiled program and may be
// used from any number of threads at once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "rules/types.h"

namespace guichet::rules {

namespace internal {
struct SchemeData;
}

// What an evaluation decides. A refusal is never automatic: the engine reports, an agent
// decides (see docs/rules.md).
enum class Outcome : std::uint8_t {
  kEligible,
  kNotEligible,
  kNeedsReview,  // a rule sends the case to an agent rather than refusing it
  kIncomplete,   // the answer depends on facts nobody gave yet (see Decision::missing)
};
std::string_view OutcomeName(Outcome outcome);  // "eligible", "not_eligible", …
std::optional<Outcome> ParseOutcomeName(std::string_view name);
std::string_view OutcomeLabel(Outcome outcome, Lang lang);  // "éligible", "not eligible", …

struct LegalRef {
  std::string text;     // "Délibération du conseil municipal n° 2024-057"
  std::string article;  // "article 3"
};

struct FactInfo {
  std::string id;
  Type type = Type::kBool;
  std::vector<std::string> values;  // kEnum: the allowed values, in order
  std::string label_fr, label_en;   // the fact's id when not given
  std::string question_fr, question_en;
};

struct RuleInfo {
  std::string id;
  std::string fr, en;  // what the rule requires, in plain language
  LegalRef legal;
  Outcome on_fail = Outcome::kNotEligible;  // kNotEligible or kNeedsReview
  Date valid_from;
  std::optional<Date> valid_to;  // inclusive; none = open-ended
};

class Scheme {
 public:
  // Built by LoadScheme; the data is compiled and checked.
  explicit Scheme(std::shared_ptr<const internal::SchemeData> data) : data_(std::move(data)) {}

  const std::string& id() const;
  const std::string& title(Lang lang) const;
  const std::string& source_name() const;
  bool example() const;             // shipped as an example, not a real authority's rules
  bool automatic_approval() const;  // whether an eligible outcome may be approved without an agent
  Date valid_from() const;
  std::optional<Date> valid_to() const;  // inclusive
  bool has_amount() const;
  const std::vector<FactInfo>& facts() const;
  const std::vector<RuleInfo>& rules() const;
  // Index of a fact in facts(), or -1.
  int FactIndex(std::string_view id) const;

  const internal::SchemeData& data() const { return *data_; }

 private:
  std::shared_ptr<const internal::SchemeData> data_;
};

// Parses and checks a scheme. On failure the Status (kInvalidArgument) lists every problem, one
// "source_name:line:col: message" per line.
Result<Scheme> LoadScheme(std::string_view text, const std::string& source_name);
// The text of the rule file `path` (a scheme, its test cases, facts): kNotFound when it cannot
// be read, kInvalidArgument over 4 MiB; messages name the file as `source_name` (the path when
// empty).
Result<std::string> ReadRuleFile(const std::string& path, const std::string& source_name = "");
// Reads `path` with ReadRuleFile and loads it, with `source_name` (default: the path) in messages.
Result<Scheme> LoadSchemeFile(const std::string& path, const std::string& source_name = "");

}  // namespace guichet::rules
