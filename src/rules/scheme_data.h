// Private to src/rules: the compiled form of a scheme. Expressions are trees in one arena
// (`nodes`), children by index, every name already resolved to an index and every node typed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rules/scheme.h"
#include "rules/types.h"

namespace guichet::rules::internal {

enum class Op : std::uint8_t {
  kLiteral,
  kFact,
  kDerived,
  kAsOf,
  kNeg,
  kNot,
  kAnd,
  kOr,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,
  kNotIn,
  kIf,
  kMin,
  kMax,
  kRound,
  kFloor,
  kCeil,
  kAgeAt,
  kYearsBetween,
  kMonthsBetween,
  kDaysBetween,
  kBareme,
  kMoney,
  kAddDays,
  kAddMonths,
  kAddYears,
};

// The runtime form of a value; its type is the node's (static) type.
struct V {
  bool known = false;
  std::int64_t i = 0;
  double d = 0;
  std::string_view s;
};

struct Node {
  Op op = Op::kLiteral;
  Type type = Type::kBool;
  int enum_fact = -1;  // kEnum: the fact whose list of values this enum uses
  int ref = -1;        // kFact, kDerived, kBareme: the index
  std::vector<int> args;
  V literal;
  std::string literal_text;  // owns a text literal's characters
  int line = 0, column = 0;
};

struct Fact {
  FactInfo info;
  std::optional<double> min, max;  // in the value's units (cents, days)
  int max_years_ago = -1;          // dates: at most this many years before the evaluation date
  bool not_after_as_of = false;    // dates: not after the evaluation date
  std::unordered_map<std::string, int> value_index;  // enums
  int line = 0, column = 0;
};

struct Derived {
  std::string id, label_fr, label_en;
  int root = -1;
  Type type = Type::kBool;
  int line = 0, column = 0;
};

struct Row {
  double from = 0;           // inclusive, in the key's units
  std::optional<double> to;  // exclusive; none for the last, open-ended row
  V value;
};

struct Period {
  Date from;
  std::optional<Date> to;  // inclusive
  std::vector<Row> rows;
};

struct Table {
  std::string id, label_fr, label_en;
  Type key = Type::kMoney, value = Type::kMoney;
  std::vector<Period> periods;
  LegalRef legal;
};

struct Symbol {
  enum Kind : std::uint8_t { kFact, kDerived, kTable } kind = kFact;
  int index = 0;  // a fact, a derived value, or (kTable) the kBareme node
};

struct Rule {
  int when = -1;  // applicability condition, or -1
  int condition = -1;
  std::vector<Symbol> inputs;  // facts, derived values and lookups the rule reads, first first
};

struct Amount {
  int root = -1;
  std::string fr, en;
  LegalRef legal;
  std::vector<Symbol> inputs;
};

struct SchemeData {
  std::string id, title_fr, title_en, source_name;
  std::string description_fr, description_en, authority;  // documentation only
  bool example = false, automatic_approval = false;
  Date valid_from;
  std::optional<Date> valid_to;
  std::vector<Node> nodes;
  std::vector<Fact> facts;
  std::vector<FactInfo> fact_infos;  // the public view of `facts`
  std::vector<Derived> derived;
  std::vector<Table> tables;
  std::vector<RuleInfo> rule_infos;
  std::vector<Rule> rules;
  std::optional<Amount> amount;
  std::unordered_map<std::string, int> fact_index;
};

// "file:line:col" of a node.
std::string NodeLocation(const SchemeData& data, const Node& node);

}  // namespace guichet::rules::internal
