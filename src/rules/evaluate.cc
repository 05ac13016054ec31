#include "rules/evaluate.h"

#include <algorithm>
#include <cmath>

#include "rules/expr.h"
#include "rules/scheme_data.h"

namespace guichet::rules {
namespace {

using internal::Node;
using internal::Op;
using internal::SchemeData;
using internal::V;

bool IsNumber(Type t) { return t == Type::kInteger || t == Type::kDecimal; }

// Half away from zero, as amounts are rounded to the cent.
std::int64_t RoundToInt(double x) { return static_cast<std::int64_t>(std::llround(x)); }

Date AddMonths(Date date, std::int64_t months) {
  int y, m, d;
  DateToYmd(date, y, m, d);
  std::int64_t total = static_cast<std::int64_t>(y) * 12 + (m - 1) + months;
  const int ny = static_cast<int>(total / 12), nm = static_cast<int>(total % 12) + 1;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int last = kDays[nm - 1];
  if (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0)) last = 29;
  return DateFromYmd(ny, nm, std::min(d, last));
}

class Evaluator {
 public:
  Evaluator(const SchemeData& data, const Facts& facts, Date as_of)
      : data_(data),
        facts_(facts),
        as_of_(as_of),
        derived_(data.derived.size()),
        derived_done_(data.derived.size(), 0) {}

  const Status& error() const { return error_; }
  void set_quiet(bool quiet) { quiet_ = quiet; }

  V Eval(int index) {
    const Node& n = data_.nodes[index];
    switch (n.op) {
      case Op::kLiteral:
        return n.literal;
      case Op::kFact: {
        const Value& f = facts_.values[n.ref];
        return V{f.known, f.i, f.d, f.text};
      }
      case Op::kDerived:
        return Derived(n.ref);
      case Op::kAsOf:
        return V{true, as_of_.days, 0, {}};
      case Op::kNeg: {
        V a = Eval(n.args[0]);
        if (__builtin_sub_overflow(std::int64_t{0}, a.i, &a.i)) return Fail(n, "number too large");
        a.d = -a.d;
        return a;
      }
      case Op::kNot: {
        V a = Eval(n.args[0]);
        a.i = !a.i;
        return a;
      }
      case Op::kAnd:
      case Op::kOr: {
        // Three-valued: a false (true for or) side decides even when the other is unknown.
        const std::int64_t decisive = n.op == Op::kOr;
        const V a = Eval(n.args[0]);
        if (a.known && a.i == decisive) return Bool(decisive);
        const V b = Eval(n.args[1]);
        if (b.known && b.i == decisive) return Bool(decisive);
        if (a.known && b.known) return Bool(!decisive);
        return V{};
      }
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kDiv:
        return Arithmetic(n);
      case Op::kEq:
      case Op::kNe:
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe: {
        const V a = Eval(n.args[0]);
        const V b = Eval(n.args[1]);
        if (!a.known || !b.known) return V{};
        const int c = Compare(data_.nodes[n.args[0]], a, data_.nodes[n.args[1]], b);
        switch (n.op) {
          case Op::kEq:
            return Bool(c == 0);
          case Op::kNe:
            return Bool(c != 0);
          case Op::kLt:
            return Bool(c < 0);
          case Op::kLe:
            return Bool(c <= 0);
          case Op::kGt:
            return Bool(c > 0);
          default:
            return Bool(c >= 0);
        }
      }
      case Op::kIn:
      case Op::kNotIn: {
        const V a = Eval(n.args[0]);
        if (!a.known) return V{};
        bool unknown = false;
        for (std::size_t i = 1; i < n.args.size(); ++i) {
          const V b = Eval(n.args[i]);
          if (!b.known) {
            unknown = true;
          } else if (Compare(data_.nodes[n.args[0]], a, data_.nodes[n.args[i]], b) == 0) {
            return Bool(n.op == Op::kIn);
          }
        }
        if (unknown) return V{};
        return Bool(n.op == Op::kNotIn);
      }
      case Op::kIf: {
        const V c = Eval(n.args[0]);
        if (!c.known) return V{};
        const int branch = n.args[c.i ? 1 : 2];
        V v = Eval(branch);
        if (n.type == Type::kDecimal && data_.nodes[branch].type == Type::kInteger) {
          v.d = static_cast<double>(v.i);
        }
        return v;
      }
      case Op::kMin:
      case Op::kMax: {
        V best;
        double best_num = 0;
        for (std::size_t k = 0; k < n.args.size(); ++k) {
          const V v = Eval(n.args[k]);
          if (!v.known) return V{};
          const double x = Num(data_.nodes[n.args[k]].type, v);
          if (k == 0 || (n.op == Op::kMin ? x < best_num : x > best_num)) {
            best_num = x;
            best = v;
            if (n.type == Type::kDecimal) best.d = x;
          }
        }
        return best;
      }
      case Op::kRound:
      case Op::kFloor:
      case Op::kCeil: {
        V a = Eval(n.args[0]);
        if (!a.known) return a;
        const Type t = data_.nodes[n.args[0]].type;
        if (t == Type::kInteger) return a;
        const double x = t == Type::kMoney ? static_cast<double>(a.i) / 100 : a.d;
        const double r = n.op == Op::kRound ? std::round(x)
                                            : (n.op == Op::kFloor ? std::floor(x) : std::ceil(x));
        a.i = static_cast<std::int64_t>(r) * (t == Type::kMoney ? 100 : 1);
        return a;
      }
      case Op::kAgeAt:
      case Op::kYearsBetween:
      case Op::kMonthsBetween:
      case Op::kDaysBetween: {
        const V a = Eval(n.args[0]);
        const V b = Eval(n.args[1]);
        if (!a.known || !b.known) return V{};
        const Date from{static_cast<std::int32_t>(a.i)}, to{static_cast<std::int32_t>(b.i)};
        std::int64_t r = 0;
        if (n.op == Op::kDaysBetween) {
          r = to.days - from.days;
        } else if (n.op == Op::kMonthsBetween) {
          r = MonthsBetween(from, to);
        } else {
          r = YearsBetween(from, to);
        }
        return V{true, r, 0, {}};
      }
      case Op::kAddDays:
      case Op::kAddMonths:
      case Op::kAddYears: {
        const V a = Eval(n.args[0]);
        const V b = Eval(n.args[1]);
        if (!a.known || !b.known) return V{};
        if (std::llabs(b.i) > 3'000'000) return Fail(n, "date arithmetic out of range");
        const Date d{static_cast<std::int32_t>(a.i)};
        if (n.op == Op::kAddDays) return V{true, a.i + b.i, 0, {}};
        return V{true, AddMonths(d, n.op == Op::kAddYears ? b.i * 12 : b.i).days, 0, {}};
      }
      case Op::kBareme:
        return Bareme(n);
      case Op::kMoney: {
        const V a = Eval(n.args[0]);
        if (!a.known) return a;
        return V{true, RoundToInt(Num(data_.nodes[n.args[0]].type, a) * 100), 0, {}};
      }
    }
    return V{};
  }

  V Derived(int index) {
    if (derived_done_[index]) return derived_[index];
    const V v = Eval(data_.derived[index].root);
    derived_[index] = v;
    derived_done_[index] = 1;
    return v;
  }

  // A number in the node's units (cents for money) as a double.
  static double Num(Type type, const V& v) {
    return type == Type::kDecimal ? v.d : static_cast<double>(v.i);
  }

  static int Compare(const Node& na, const V& a, const Node& nb, const V& b) {
    if (na.type == Type::kText || na.type == Type::kEnum) {
      if (na.type == Type::kEnum) return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
      return a.s < b.s ? -1 : (a.s > b.s ? 1 : 0);
    }
    if (na.type == Type::kDecimal || nb.type == Type::kDecimal) {
      const double x = Num(na.type, a), y = Num(nb.type, b);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  }

  // The trace form of a fact or derived value.
  Value Traced(const internal::Symbol& s) {
    if (s.kind == internal::Symbol::kFact) return facts_.values[s.index];
    const bool was_quiet = quiet_;
    quiet_ = true;  // a value the rule did not need must not fail the evaluation
    const bool derived = s.kind == internal::Symbol::kDerived;
    const V v = derived ? Derived(s.index) : Eval(s.index);
    quiet_ = was_quiet;
    Value out;
    out.type = derived ? data_.derived[s.index].type : data_.nodes[s.index].type;
    out.known = v.known;
    out.i = v.i;
    out.d = v.d;
    if (out.type == Type::kText || out.type == Type::kEnum) out.text = std::string(v.s);
    return out;
  }

  // The facts whose absence makes `index` unknown, in reading order.
  void CollectMissing(int index, std::vector<int>& out) {
    const Node& n = data_.nodes[index];
    const bool was_quiet = quiet_;
    quiet_ = true;
    const V v = Eval(index);
    quiet_ = was_quiet;
    if (v.known) return;
    switch (n.op) {
      case Op::kFact:
        if (std::find(out.begin(), out.end(), n.ref) == out.end()) out.push_back(n.ref);
        return;
      case Op::kDerived:
        CollectMissing(data_.derived[n.ref].root, out);
        return;
      case Op::kIf: {
        const V c = Eval(n.args[0]);
        CollectMissing(c.known ? n.args[c.i ? 1 : 2] : n.args[0], out);
        return;
      }
      default:
        for (int a : n.args) CollectMissing(a, out);
    }
  }

  bool HasInputs(int index) const {
    const Node& n = data_.nodes[index];
    if (n.op == Op::kFact || n.op == Op::kDerived) return true;
    for (int a : n.args) {
      if (HasInputs(a)) return true;
    }
    return false;
  }

  // Solves node(x) == target for the first numeric fact x the node reads linearly, the others
  // held at their values. `target` and the result are in the units of the node and of the fact
  // (cents for money).
  std::optional<double> Invert(int index, double target, int& fact, bool& increasing) {
    const Node& n = data_.nodes[index];
    switch (n.op) {
      case Op::kFact:
        if (!IsNumber(n.type) && n.type != Type::kMoney) return std::nullopt;
        if (!facts_.values[n.ref].known) return std::nullopt;
        fact = n.ref;
        return target;
      case Op::kDerived:
        return Invert(data_.derived[n.ref].root, target, fact, increasing);
      case Op::kNeg:
        increasing = !increasing;
        return Invert(n.args[0], -target, fact, increasing);
      case Op::kMoney:
        return Invert(n.args[0], target / 100, fact, increasing);
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kDiv: {
        const bool left = HasInputs(n.args[0]);
        const int other = n.args[left ? 1 : 0];
        // Other facts on the constant side (the shares in income / shares) keep their value.
        const V k_value = Eval(other);
        if (!k_value.known) return std::nullopt;
        const double k = Num(data_.nodes[other].type, k_value);
        const int self = n.args[left ? 0 : 1];
        switch (n.op) {
          case Op::kAdd:
            return Invert(self, target - k, fact, increasing);
          case Op::kSub:
            if (left) return Invert(self, target + k, fact, increasing);
            increasing = !increasing;
            return Invert(self, k - target, fact, increasing);
          case Op::kMul:
            if (k == 0) return std::nullopt;
            if (k < 0) increasing = !increasing;
            return Invert(self, target / k, fact, increasing);
          default:
            if (!left || k == 0) return std::nullopt;  // x in the divisor: not linear
            if (k < 0) increasing = !increasing;
            return Invert(self, target * k, fact, increasing);
        }
      }
      default:
        return std::nullopt;
    }
  }

  // The failed threshold comparisons under a failed condition.
  void FailedComparisons(int index, std::vector<int>& out) {
    const Node& n = data_.nodes[index];
    if (n.op == Op::kAnd) {
      for (int a : n.args) {
        const V v = Eval(a);
        if (v.known && !v.i) FailedComparisons(a, out);
      }
      return;
    }
    if (n.op == Op::kDerived) {
      FailedComparisons(data_.derived[n.ref].root, out);
      return;
    }
    if (n.op == Op::kLt || n.op == Op::kLe || n.op == Op::kGt || n.op == Op::kGe) {
      out.push_back(index);
    }
  }

 private:
  static V Bool(bool b) { return V{true, b ? 1 : 0, 0, {}}; }

  V Fail(const Node& n, const std::string& message) {
    if (!quiet_ && error_.ok()) {
      error_ = InvalidArgument(internal::NodeLocation(data_, n) + ": " + message);
    }
    return V{};
  }

  V Arithmetic(const Node& n) {
    const V a = Eval(n.args[0]);
    if (!a.known) return V{};
    const V b = Eval(n.args[1]);
    if (!b.known) return V{};
    const Type ta = data_.nodes[n.args[0]].type, tb = data_.nodes[n.args[1]].type;
    std::int64_t r = 0;
    bool overflow = false;
    if (n.type == Type::kInteger ||
        (n.type == Type::kMoney && n.op != Op::kDiv &&
         (n.op != Op::kMul || (ta != Type::kDecimal && tb != Type::kDecimal)))) {
      switch (n.op) {
        case Op::kAdd:
          overflow = __builtin_add_overflow(a.i, b.i, &r);
          break;
        case Op::kSub:
          overflow = __builtin_sub_overflow(a.i, b.i, &r);
          break;
        default:
          overflow = __builtin_mul_overflow(a.i, b.i, &r);
      }
      if (overflow) return Fail(n, "number too large");
      return V{true, r, 0, {}};
    }
    if (n.type == Type::kMoney) {
      switch (n.op) {
        case Op::kMul: {
          const bool a_money = ta == Type::kMoney;
          const V& money = a_money ? a : b;
          const V& factor = a_money ? b : a;
          const double x = static_cast<double>(money.i) * factor.d;
          if (!(std::fabs(x) < 9e15)) return Fail(n, "number too large");
          return V{true, RoundToInt(x), 0, {}};
        }
        default: {
          const double divisor = Num(tb, b);
          if (divisor == 0) return Fail(n, "division by zero");
          const double x = static_cast<double>(a.i) / divisor;
          if (!(std::fabs(x) < 9e15)) return Fail(n, "number too large");
          return V{true, RoundToInt(x), 0, {}};
        }
      }
    }
    // Decimal results.
    const double x = Num(ta, a), y = Num(tb, b);
    double q = 0;
    switch (n.op) {
      case Op::kAdd:
        q = x + y;
        break;
      case Op::kSub:
        q = x - y;
        break;
      case Op::kMul:
        q = x * y;
        break;
      default:
        if (y == 0) return Fail(n, "division by zero");
        q = x / y;
    }
    if (!std::isfinite(q)) return Fail(n, "number too large");
    return V{true, 0, q, {}};
  }

  V Bareme(const Node& n) {
    const V key = Eval(n.args[0]);
    if (!key.known) return V{};
    const internal::Table& table = data_.tables[n.ref];
    const internal::Period* period = nullptr;
    for (const internal::Period& p : table.periods) {
      if (p.from <= as_of_ && (!p.to || as_of_ <= *p.to)) period = &p;
    }
    if (period == nullptr) {
      return Fail(n, "table " + table.id + " has no brackets in force on " + FormatDate(as_of_));
    }
    double x = Num(data_.nodes[n.args[0]].type, key);
    const auto& rows = period->rows;
    // The last row whose lower bound is at or below x.
    auto it = std::upper_bound(rows.begin(), rows.end(), x,
                               [](double value, const internal::Row& r) { return value < r.from; });
    if (it == rows.begin() || (std::prev(it)->to && x >= *std::prev(it)->to)) {
      Value shown;
      shown.type = data_.nodes[n.args[0]].type;
      shown.known = true;
      shown.i = key.i;
      shown.d = key.d;
      return Fail(n, "the value " + FormatValue(shown, Lang::kEn) +
                         " is outside the brackets of table " + table.id);
    }
    return std::prev(it)->value;
  }

  const SchemeData& data_;
  const Facts& facts_;
  Date as_of_;
  std::vector<V> derived_;
  std::vector<char> derived_done_;
  Status error_;
  bool quiet_ = false;
};

Status CheckRanges(const SchemeData& data, const Facts& facts, Date as_of) {
  for (std::size_t i = 0; i < data.facts.size(); ++i) {
    const internal::Fact& f = data.facts[i];
    const Value& v = facts.values[i];
    if (!v.known) continue;
    const double x = f.info.type == Type::kDecimal ? v.d : static_cast<double>(v.i);
    auto shown = [&](double bound) {
      Value b = v;
      b.i = static_cast<std::int64_t>(bound);
      b.d = bound;
      return FormatValue(b, Lang::kEn);
    };
    if (f.min && x < *f.min) {
      return InvalidArgument("fact " + f.info.id + ": " + FormatValue(v, Lang::kEn) +
                             " is below the minimum " + shown(*f.min));
    }
    if (f.max && x > *f.max) {
      return InvalidArgument("fact " + f.info.id + ": " + FormatValue(v, Lang::kEn) +
                             " is above the maximum " + shown(*f.max));
    }
    if (f.info.type == Type::kDate) {
      const Date d{static_cast<std::int32_t>(v.i)};
      if (f.not_after_as_of && d > as_of) {
        return InvalidArgument("fact " + f.info.id + ": " + FormatDate(d) +
                               " is after the evaluation date " + FormatDate(as_of));
      }
      if (f.max_years_ago >= 0 && YearsBetween(d, as_of) > f.max_years_ago) {
        return InvalidArgument("fact " + f.info.id + ": " + FormatDate(d) + " is more than " +
                               std::to_string(f.max_years_ago) + " years before " +
                               FormatDate(as_of));
      }
    }
  }
  return Status::Ok();
}

TraceInput ToInput(const SchemeData& data, const internal::Symbol& s, Value value) {
  switch (s.kind) {
    case internal::Symbol::kFact:
      return TraceInput{InputKind::kFact, s.index, std::move(value)};
    case internal::Symbol::kDerived:
      return TraceInput{InputKind::kDerived, s.index, std::move(value)};
    case internal::Symbol::kTable:
      break;
  }
  return TraceInput{InputKind::kTable, data.nodes[s.index].ref, std::move(value)};
}

bool InForce(const RuleInfo& r, Date as_of) {
  return r.valid_from <= as_of && (!r.valid_to || as_of <= *r.valid_to);
}

struct Core {
  Outcome outcome = Outcome::kIncomplete;
  std::vector<RuleResult> results;  // per rule of the scheme; kNotApplicable when not in force
};

RuleResult RunRule(Evaluator& ev, const internal::Rule& rule) {
  if (rule.when >= 0) {
    const V w = ev.Eval(rule.when);
    if (!w.known) return RuleResult::kUnknown;
    if (!w.i) return RuleResult::kNotApplicable;
  }
  const V c = ev.Eval(rule.condition);
  if (!c.known) return RuleResult::kUnknown;
  return c.i ? RuleResult::kPassed : RuleResult::kFailed;
}

}  // namespace

std::string_view InputKindName(InputKind kind) {
  switch (kind) {
    case InputKind::kFact:
      return "fact";
    case InputKind::kDerived:
      return "derived";
    case InputKind::kTable:
      return "table";
  }
  return "?";
}

std::string_view RuleResultName(RuleResult result) {
  switch (result) {
    case RuleResult::kPassed:
      return "passed";
    case RuleResult::kFailed:
      return "failed";
    case RuleResult::kUnknown:
      return "unknown";
    case RuleResult::kNotApplicable:
      return "not_applicable";
  }
  return "?";
}

namespace {

Result<Decision> EvaluateImpl(const Scheme& scheme, const Facts& facts, Date as_of,
                              const EvaluateOptions& options) {
  const SchemeData& data = scheme.data();
  if (as_of < data.valid_from || (data.valid_to && as_of > *data.valid_to)) {
    return FailedPrecondition("scheme " + data.id + " is valid from " +
                              FormatDate(data.valid_from) +
                              (data.valid_to ? " to " + FormatDate(*data.valid_to) : "") + "; " +
                              FormatDate(as_of) + " is outside its validity");
  }
  if (facts.values.size() != data.facts.size()) {
    return InvalidArgument("the facts were not built for scheme " + data.id);
  }
  GUICHET_RETURN_IF_ERROR(CheckRanges(data, facts, as_of));

  Evaluator ev(data, facts, as_of);
  Decision decision;
  decision.as_of = as_of;
  decision.trace.reserve(data.rules.size());
  bool refused = false, review = false, unknown_refusal = false;
  std::vector<int> unknown_rules;
  for (std::size_t i = 0; i < data.rules.size(); ++i) {
    const RuleInfo& info = data.rule_infos[i];
    if (!InForce(info, as_of)) continue;
    const internal::Rule& rule = data.rules[i];
    TraceEntry entry;
    entry.rule = static_cast<int>(i);
    entry.result = RunRule(ev, rule);
    entry.inputs.reserve(rule.inputs.size());
    for (const internal::Symbol& s : rule.inputs) {
      entry.inputs.push_back(ToInput(data, s, ev.Traced(s)));
    }
    if (entry.result == RuleResult::kFailed) {
      (info.on_fail == Outcome::kNeedsReview ? review : refused) = true;
    } else if (entry.result == RuleResult::kUnknown) {
      unknown_rules.push_back(static_cast<int>(i));
      if (info.on_fail == Outcome::kNotEligible) unknown_refusal = true;
    }
    decision.trace.push_back(std::move(entry));
  }
  if (!ev.error().ok()) return ev.error();

  auto collect = [&](const std::vector<int>& rules) {
    for (int r : rules) {
      const internal::Rule& rule = data.rules[r];
      const V w = rule.when >= 0 ? ev.Eval(rule.when) : V{true, 1, 0, {}};
      ev.CollectMissing(w.known ? rule.condition : rule.when, decision.missing);
    }
  };
  if (refused) {
    decision.outcome = Outcome::kNotEligible;
  } else if (!unknown_rules.empty()) {
    if (review && !unknown_refusal) {
      decision.outcome = Outcome::kNeedsReview;  // nothing unknown could refuse any more
    } else {
      decision.outcome = Outcome::kIncomplete;
      collect(unknown_rules);
    }
  } else {
    decision.outcome = review ? Outcome::kNeedsReview : Outcome::kEligible;
  }

  if (data.amount &&
      (decision.outcome == Outcome::kEligible || decision.outcome == Outcome::kNeedsReview ||
       decision.outcome == Outcome::kIncomplete)) {
    const V amount = ev.Eval(data.amount->root);
    if (!ev.error().ok()) return ev.error();
    if (amount.known) {
      decision.amount_cents = amount.i;
    } else if (decision.outcome != Outcome::kNeedsReview) {
      decision.outcome = Outcome::kIncomplete;
      ev.CollectMissing(data.amount->root, decision.missing);
    }
    for (const internal::Symbol& s : data.amount->inputs) {
      decision.amount_inputs.push_back(ToInput(data, s, ev.Traced(s)));
    }
  }
  decision.automatic_approval = data.automatic_approval && decision.outcome == Outcome::kEligible;

  if (options.counterfactuals &&
      (decision.outcome == Outcome::kNotEligible || decision.outcome == Outcome::kNeedsReview)) {
    for (const TraceEntry& entry : decision.trace) {
      if (entry.result != RuleResult::kFailed) continue;
      std::vector<int> comparisons;
      ev.FailedComparisons(data.rules[entry.rule].condition, comparisons);
      for (int c : comparisons) {
        const Node& cmp = data.nodes[c];
        // The side that reads facts against a constant side.
        Evaluator probe(data, facts, as_of);
        const bool left_varies = probe.HasInputs(cmp.args[0]);
        const bool right_varies = probe.HasInputs(cmp.args[1]);
        // The side reading facts is solved, the other one held at its value (it may read other
        // facts, e.g. a ceiling that depends on the household); the check below catches a side
        // that depended on the same fact.
        if (!left_varies && !right_varies) continue;
        const int varying = cmp.args[left_varies ? 0 : 1];
        const int constant = cmp.args[left_varies ? 1 : 0];
        const V k = probe.Eval(constant);
        if (!k.known) continue;
        Op op = cmp.op;
        if (!left_varies) {  // c < x is x > c
          op = op == Op::kLt   ? Op::kGt
               : op == Op::kLe ? Op::kGe
               : op == Op::kGt ? Op::kLt
                               : Op::kLe;
        }
        int fact = -1;
        bool increasing = true;
        const auto solved =
            probe.Invert(varying, Evaluator::Num(data.nodes[constant].type, k), fact, increasing);
        if (!solved || fact < 0 || data.facts[fact].info.type == Type::kDecimal) continue;
        if (!increasing) {
          op = op == Op::kLt   ? Op::kGt
               : op == Op::kLe ? Op::kGe
               : op == Op::kGt ? Op::kLt
                               : Op::kLe;
        }
        const double x = *solved;
        const bool at_most = op == Op::kLt || op == Op::kLe;
        std::int64_t bound = 0;
        if (op == Op::kLe) bound = static_cast<std::int64_t>(std::floor(x + 1e-9));
        if (op == Op::kLt) bound = static_cast<std::int64_t>(std::ceil(x - 1e-9)) - 1;
        if (op == Op::kGe) bound = static_cast<std::int64_t>(std::ceil(x - 1e-9));
        if (op == Op::kGt) bound = static_cast<std::int64_t>(std::floor(x + 1e-9)) + 1;
        // Rounding inside derived values may shift the exact boundary by a unit or two: step
        // inwards until the comparison holds, then outwards while it still holds.
        auto holds = [&](std::int64_t value) {
          Facts changed = facts;
          changed.values[fact].i = value;
          if (!CheckRanges(data, changed, as_of).ok()) return false;
          Evaluator check(data, changed, as_of);
          check.set_quiet(true);
          const V v = check.Eval(c);
          return v.known && v.i != 0;
        };
        const std::int64_t inwards = at_most ? -1 : 1;
        int attempt = 0;
        while (attempt < 3 && !holds(bound)) {
          bound += inwards;
          ++attempt;
        }
        if (attempt == 3) continue;
        for (int step = 0; step < 2 && holds(bound - inwards); ++step) bound -= inwards;
        Facts changed = facts;
        changed.values[fact].i = bound;
        EvaluateOptions no_counterfactuals;
        no_counterfactuals.counterfactuals = false;
        auto result = EvaluateImpl(scheme, changed, as_of, no_counterfactuals);
        if (!result.ok()) continue;
        Counterfactual cf;
        cf.rule = entry.rule;
        cf.fact = fact;
        cf.at_most = at_most;
        cf.value = changed.values[fact];
        cf.outcome = result->outcome;
        const FactInfo& f = data.facts[fact].info;
        cf.fr = "Si « " + f.label_fr + " » valait " + (at_most ? "au plus " : "au moins ") +
                FormatValue(cf.value, Lang::kFr) +
                ", le résultat serait : " + std::string(OutcomeLabel(cf.outcome, Lang::kFr)) + ".";
        cf.en = "If “" + f.label_en + "” were " + (at_most ? "at most " : "at least ") +
                FormatValue(cf.value, Lang::kEn) +
                ", the outcome would be: " + std::string(OutcomeLabel(cf.outcome, Lang::kEn)) + ".";
        decision.counterfactuals.push_back(std::move(cf));
      }
    }
  }
  return decision;
}

}  // namespace

Result<Decision> Evaluate(const Scheme& scheme, const Facts& facts, Date as_of,
                          const EvaluateOptions& options) {
  return EvaluateImpl(scheme, facts, as_of, options);
}

const std::string& InputLabel(const Scheme& scheme, const TraceInput& input, Lang lang) {
  const SchemeData& data = scheme.data();
  if (input.kind == InputKind::kDerived) {
    const internal::Derived& d = data.derived[input.index];
    return lang == Lang::kFr ? d.label_fr : d.label_en;
  }
  if (input.kind == InputKind::kTable) {
    const internal::Table& t = data.tables[input.index];
    return lang == Lang::kFr ? t.label_fr : t.label_en;
  }
  const FactInfo& f = data.facts[input.index].info;
  return lang == Lang::kFr ? f.label_fr : f.label_en;
}

}  // namespace guichet::rules
