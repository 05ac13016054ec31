#include "rules/scheme.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "rules/expr.h"
#include "rules/scheme_data.h"

namespace guichet::rules {
namespace {

using internal::ExprContext;
using internal::SchemeData;
using internal::TextPosition;

constexpr std::size_t kMaxSchemeBytes = 4u << 20;

// Reads the TOML document into SchemeData, collecting every problem.
class Loader {
 public:
  Loader(std::string_view text, const std::string& source_name)
      : text_(text), context_{data_, {}, {}, errors_} {
    data_.source_name = source_name;
  }

  Result<Scheme> Load();

  SchemeData& data() { return data_; }
  std::vector<std::string>& errors() { return errors_; }

 private:
  std::string At(const toml::source_region& region) const {
    return data_.source_name + ":" + std::to_string(region.begin.line) + ":" +
           std::to_string(region.begin.column);
  }
  void Error(const toml::source_region& region, const std::string& message) {
    errors_.push_back(At(region) + ": " + message);
  }

  // Reports keys of `table` not in `allowed`.
  void CheckKeys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                 const std::string& where) {
    for (auto&& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
        Error(key.source(), "unknown key \"" + std::string(key.str()) + "\" in " + where);
      }
    }
  }

  const toml::table* Table(const toml::node* node, const std::string& what) {
    if (node == nullptr) return nullptr;
    const toml::table* t = node->as_table();
    if (t == nullptr) Error(node->source(), what + " must be a table");
    return t;
  }

  std::optional<std::string> String(const toml::table& t, std::string_view key,
                                    const std::string& where, bool required,
                                    const toml::source_region& table_region) {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required) Error(table_region, where + " needs \"" + std::string(key) + "\"");
      return std::nullopt;
    }
    if (!n->is_string()) {
      Error(n->source(), std::string(key) + " must be text");
      return std::nullopt;
    }
    return **n->as_string();
  }

  std::optional<bool> Bool(const toml::table& t, std::string_view key) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_boolean()) {
      Error(n->source(), std::string(key) + " must be true or false");
      return std::nullopt;
    }
    return **n->as_boolean();
  }

  std::optional<Date> DateValue(const toml::node& n, std::string_view key) {
    if (const auto* d = n.as_date()) {
      const toml::date v = **d;
      const auto date = ParseDate(FormatYmd(v.year, v.month, v.day));
      if (date) return date;
    } else if (const auto* s = n.as_string()) {
      if (const auto date = ParseDate(**s)) return date;
      Error(n.source(), std::string(key) + ": \"" + **s + "\" is not a date (YYYY-MM-DD)");
      return std::nullopt;
    }
    Error(n.source(), std::string(key) + " must be a date (YYYY-MM-DD)");
    return std::nullopt;
  }

  static std::string FormatYmd(int y, int m, int d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return buf;
  }

  std::optional<Date> OptionalDate(const toml::table& t, std::string_view key) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    return DateValue(*n, key);
  }

  // A TOML value of `type` in the type's units (cents for money, days for dates).
  std::optional<internal::V> TypedValue(const toml::node& n, Type type, const std::string& what);

  TextPosition StringPosition(const toml::node& n) const;
  int Expression(const toml::table& t, std::string_view key, const std::string& where,
                 bool required, const toml::source_region& region);
  std::optional<LegalRef> Legal(const toml::table& t, const std::string& where, bool required,
                                const toml::source_region& region);
  // valid_from / valid_to of a rule or period, checked against each other.
  void Validity(const toml::table& t, Date& from, std::optional<Date>& to,
                const toml::source_region& region);

  void LoadHeader(const toml::table& root);
  void LoadFacts(const toml::table* facts);
  void DeclareDerived(const toml::table* derived);
  void LoadDerived(const toml::table* derived);
  void LoadTables(const toml::table* tables);
  void LoadRules(const toml::node* rules);
  void LoadAmount(const toml::table* amount);

  std::string_view text_;
  SchemeData data_;
  std::vector<std::string> errors_;
  ExprContext context_;
  std::string default_legal_text_;
};

std::optional<internal::V> Loader::TypedValue(const toml::node& n, Type type,
                                              const std::string& what) {
  internal::V v;
  v.known = true;
  switch (type) {
    case Type::kMoney: {
      double euros = 0;
      if (const auto* i = n.as_integer()) {
        v.i = **i * 100;
        return v;
      }
      if (const auto* f = n.as_floating_point()) {
        euros = **f;
      } else if (const auto* s = n.as_string()) {
        char* end = nullptr;
        euros = std::strtod((**s).c_str(), &end);
        if ((**s).empty() || *end != '\0') {
          Error(n.source(), what + ": \"" + **s + "\" is not an amount of euros");
          return std::nullopt;
        }
      } else {
        Error(n.source(), what + " must be an amount of euros (e.g. 1240.50)");
        return std::nullopt;
      }
      const double cents = std::round(euros * 100);
      if (std::fabs(cents - euros * 100) > 1e-6 || std::fabs(cents) > 9e15) {
        Error(n.source(), what + ": an amount has at most two decimals (cents)");
        return std::nullopt;
      }
      v.i = static_cast<std::int64_t>(cents);
      return v;
    }
    case Type::kInteger:
      if (const auto* i = n.as_integer()) {
        v.i = **i;
        return v;
      }
      break;
    case Type::kDecimal:
      if (const auto* i = n.as_integer()) {
        v.d = static_cast<double>(**i);
        return v;
      }
      if (const auto* f = n.as_floating_point()) {
        v.d = **f;
        return v;
      }
      break;
    case Type::kDate:
      if (auto d = DateValue(n, what)) {
        v.i = d->days;
        return v;
      }
      return std::nullopt;
    case Type::kBool:
      if (const auto* b = n.as_boolean()) {
        v.i = **b;
        return v;
      }
      break;
    case Type::kEnum:
    case Type::kText:
      break;
  }
  Error(n.source(), what + " must be a " + std::string(TypeName(type)));
  return std::nullopt;
}

TextPosition Loader::StringPosition(const toml::node& n) const {
  TextPosition at;
  at.line = static_cast<int>(n.source().begin.line);
  at.column = static_cast<int>(n.source().begin.column) + 1;
  // Find the raw quote in the source text to tell "…" from """…""" (whose first line break is
  // not part of the value).
  std::size_t offset = 0;
  for (int line = 1; line < at.line && offset != std::string_view::npos; ++line) {
    offset = text_.find('\n', offset);
    if (offset != std::string_view::npos) ++offset;
  }
  if (offset == std::string_view::npos) return at;
  offset += n.source().begin.column - 1;
  const std::string_view raw = text_.substr(std::min(offset, text_.size()));
  if (raw.substr(0, 3) == "\"\"\"" || raw.substr(0, 3) == "'''") {
    at.multiline = true;
    at.column += 2;
    if (raw.size() > 3 && (raw[3] == '\n' || raw.substr(3, 2) == "\r\n")) {
      at.line += 1;
      at.column = 1;
    }
  }
  return at;
}

int Loader::Expression(const toml::table& t, std::string_view key, const std::string& where,
                       bool required, const toml::source_region& region) {
  const toml::node* n = t.get(key);
  if (n == nullptr) {
    if (required) Error(region, where + " needs \"" + std::string(key) + "\"");
    return -1;
  }
  if (!n->is_string()) {
    Error(n->source(), std::string(key) + " must be an expression in a string");
    return -1;
  }
  return internal::ParseExpression(context_, **n->as_string(), StringPosition(*n));
}

std::optional<LegalRef> Loader::Legal(const toml::table& t, const std::string& where, bool required,
                                      const toml::source_region& region) {
  const toml::node* n = t.get("legal");
  if (n == nullptr) {
    if (required) Error(region, where + " needs a legal reference: legal = { text, article }");
    return std::nullopt;
  }
  const toml::table* legal = Table(n, "legal");
  if (legal == nullptr) return std::nullopt;
  CheckKeys(*legal, {"text", "article"}, "legal");
  LegalRef ref;
  if (auto text = String(*legal, "text", "legal", false, n->source())) {
    ref.text = *text;
  } else if (!default_legal_text_.empty()) {
    ref.text = default_legal_text_;
  } else {
    Error(n->source(), "legal needs \"text\" (or give legal_text in [scheme])");
  }
  if (auto article = String(*legal, "article", "legal", true, n->source())) ref.article = *article;
  return ref;
}

void Loader::Validity(const toml::table& t, Date& from, std::optional<Date>& to,
                      const toml::source_region& region) {
  if (auto f = OptionalDate(t, "valid_from")) from = *f;
  to = OptionalDate(t, "valid_to");
  if (to && *to < from) {
    Error(t.get("valid_to") ? t.get("valid_to")->source() : region,
          "valid_to " + FormatDate(*to) + " is before valid_from " + FormatDate(from));
  }
}

void Loader::LoadHeader(const toml::table& root) {
  const toml::table* scheme = Table(root.get("scheme"), "[scheme]");
  if (scheme == nullptr) {
    if (root.get("scheme") == nullptr)
      errors_.push_back(data_.source_name + ":1:1: missing [scheme] table");
    return;
  }
  const auto region = root.get("scheme")->source();
  CheckKeys(*scheme,
            {"id", "title_fr", "title_en", "example", "automatic_approval", "valid_from",
             "valid_to", "legal_text", "description_fr", "description_en", "authority"},
            "[scheme]");
  data_.id = String(*scheme, "id", "[scheme]", true, region).value_or("");
  data_.title_fr = String(*scheme, "title_fr", "[scheme]", true, region).value_or("");
  data_.title_en = String(*scheme, "title_en", "[scheme]", true, region).value_or("");
  default_legal_text_ = String(*scheme, "legal_text", "[scheme]", false, region).value_or("");
  data_.description_fr = String(*scheme, "description_fr", "[scheme]", false, region).value_or("");
  data_.description_en = String(*scheme, "description_en", "[scheme]", false, region).value_or("");
  data_.authority = String(*scheme, "authority", "[scheme]", false, region).value_or("");
  data_.example = Bool(*scheme, "example").value_or(false);
  data_.automatic_approval = Bool(*scheme, "automatic_approval").value_or(false);
  if (scheme->get("valid_from") == nullptr) Error(region, "[scheme] needs \"valid_from\"");
  Validity(*scheme, data_.valid_from, data_.valid_to, region);
}

void Loader::LoadFacts(const toml::table* facts) {
  if (facts == nullptr) return;
  for (auto&& [key, node] : *facts) {
    const std::string id(key.str());
    const std::string where = "fact " + id;
    const toml::table* t = Table(&node, where);
    if (t == nullptr) continue;
    CheckKeys(*t,
              {"type", "label_fr", "label_en", "question_fr", "question_en", "values", "min", "max",
               "max_years_ago", "not_after_as_of"},
              where);
    internal::Fact f;
    f.info.id = id;
    f.line = static_cast<int>(key.source().begin.line);
    f.column = static_cast<int>(key.source().begin.column);
    const auto type_name = String(*t, "type", where, true, node.source());
    if (type_name) {
      if (auto type = ParseTypeName(*type_name)) {
        f.info.type = *type;
      } else {
        Error(t->get("type")->source(),
              "unknown type \"" + *type_name +
                  "\" (bool, integer, decimal, money, date, enum or text)");
      }
    }
    f.info.label_fr = String(*t, "label_fr", where, false, node.source()).value_or(id);
    f.info.label_en = String(*t, "label_en", where, false, node.source()).value_or(id);
    f.info.question_fr = String(*t, "question_fr", where, true, node.source()).value_or("");
    f.info.question_en = String(*t, "question_en", where, true, node.source()).value_or("");
    if (const toml::node* values = t->get("values")) {
      const toml::array* list = values->as_array();
      if (f.info.type != Type::kEnum) {
        Error(values->source(), "only enum facts take \"values\"");
      } else if (list == nullptr || list->empty()) {
        Error(values->source(), "values must be a non-empty list of texts");
      } else {
        for (const toml::node& v : *list) {
          if (!v.is_string()) {
            Error(v.source(), "values must be texts");
            continue;
          }
          const std::string name = **v.as_string();
          if (!f.value_index.emplace(name, static_cast<int>(f.info.values.size())).second) {
            Error(v.source(), "value \"" + name + "\" is listed twice");
            continue;
          }
          f.info.values.push_back(name);
        }
      }
    } else if (f.info.type == Type::kEnum) {
      Error(node.source(), where + " is an enum and needs \"values\"");
    }
    for (std::string_view bound : {"min", "max"}) {
      const toml::node* b = t->get(bound);
      if (b == nullptr) continue;
      if (f.info.type == Type::kBool || f.info.type == Type::kEnum || f.info.type == Type::kText) {
        Error(b->source(), std::string(bound) + " does not apply to a " +
                               std::string(TypeName(f.info.type)) + " fact");
        continue;
      }
      if (auto v = TypedValue(*b, f.info.type, std::string(bound))) {
        const double x = f.info.type == Type::kDecimal ? v->d : static_cast<double>(v->i);
        (bound == "min" ? f.min : f.max) = x;
      }
    }
    // Money facts are amounts people have or pay: never negative unless the scheme says so.
    if (f.info.type == Type::kMoney && !f.min) f.min = 0;
    if (const toml::node* y = t->get("max_years_ago")) {
      if (f.info.type != Type::kDate || !y->is_integer() || **y->as_integer() < 0) {
        Error(y->source(), "max_years_ago applies to dates and is a number of years");
      } else {
        f.max_years_ago = static_cast<int>(**y->as_integer());
      }
    }
    if (auto b = Bool(*t, "not_after_as_of")) {
      if (f.info.type != Type::kDate) {
        Error(t->get("not_after_as_of")->source(), "not_after_as_of applies to dates");
      }
      f.not_after_as_of = *b;
    }
    data_.fact_index.emplace(id, static_cast<int>(data_.facts.size()));
    data_.facts.push_back(std::move(f));
  }
}

void Loader::DeclareDerived(const toml::table* derived) {
  if (derived == nullptr) return;
  for (auto&& [key, node] : *derived) {
    const std::string id(key.str());
    if (data_.fact_index.count(id)) {
      Error(key.source(), "derived value \"" + id + "\" has the name of a fact");
      continue;
    }
    internal::Derived d;
    d.id = id;
    d.line = static_cast<int>(key.source().begin.line);
    d.column = static_cast<int>(key.source().begin.column);
    context_.derived_index.emplace(id, static_cast<int>(data_.derived.size()));
    data_.derived.push_back(std::move(d));
  }
}

void Loader::LoadDerived(const toml::table* derived) {
  if (derived == nullptr) return;
  for (auto&& [key, node] : *derived) {
    const auto it = context_.derived_index.find(std::string(key.str()));
    if (it == context_.derived_index.end()) continue;
    internal::Derived& d = data_.derived[it->second];
    const std::string where = "derived value " + d.id;
    const toml::table* t = Table(&node, where);
    if (t == nullptr) continue;
    CheckKeys(*t, {"expr", "label_fr", "label_en", "type"}, where);
    d.label_fr = String(*t, "label_fr", where, false, node.source()).value_or(d.id);
    d.label_en = String(*t, "label_en", where, false, node.source()).value_or(d.id);
    const int root = Expression(*t, "expr", where, true, node.source());
    data_.derived[it->second].root = root;
  }
}

void Loader::LoadTables(const toml::table* tables) {
  if (tables == nullptr) return;
  for (auto&& [key, node] : *tables) {
    internal::Table table;
    table.id = std::string(key.str());
    const std::string where = "table " + table.id;
    if (data_.fact_index.count(table.id) || context_.derived_index.count(table.id)) {
      Error(key.source(), where + " has the name of a fact or derived value");
    }
    const toml::table* t = Table(&node, where);
    if (t == nullptr) continue;
    CheckKeys(*t, {"key", "value", "periods", "legal", "label_fr", "label_en"}, where);
    table.label_fr = String(*t, "label_fr", where, false, node.source()).value_or(table.id);
    table.label_en = String(*t, "label_en", where, false, node.source()).value_or(table.id);
    for (auto [name, target] : {std::pair{"key", &table.key}, std::pair{"value", &table.value}}) {
      if (auto type_name = String(*t, name, where, true, node.source())) {
        const auto type = ParseTypeName(*type_name);
        const bool key_ok =
            type && (*type == Type::kMoney || *type == Type::kInteger || *type == Type::kDecimal);
        const bool value_ok = type && *type != Type::kEnum && *type != Type::kText;
        if (std::string_view(name) == "key" ? !key_ok : !value_ok) {
          Error(t->get(name)->source(),
                where + ": " + name + " type \"" + *type_name + "\" is not allowed (" +
                    (std::string_view(name) == "key" ? "money, integer or decimal"
                                                     : "bool, integer, decimal, money or date") +
                    ")");
        } else {
          *target = *type;
        }
      }
    }
    if (auto legal = Legal(*t, where, false, node.source())) table.legal = *legal;
    const toml::node* periods_node = t->get("periods");
    const toml::array* periods = periods_node ? periods_node->as_array() : nullptr;
    if (periods == nullptr || periods->empty()) {
      Error(periods_node ? periods_node->source() : node.source(),
            where + " needs [[tables." + table.id + ".periods]] with rows");
    } else {
      std::vector<std::pair<internal::Period, toml::source_region>> read;
      for (const toml::node& pn : *periods) {
        const toml::table* p = Table(&pn, "a period of " + table.id);
        if (p == nullptr) continue;
        CheckKeys(*p, {"valid_from", "valid_to", "rows"}, "a period of " + table.id);
        internal::Period period;
        period.from = data_.valid_from;
        Validity(*p, period.from, period.to, pn.source());
        const toml::node* rows_node = p->get("rows");
        const toml::array* rows = rows_node ? rows_node->as_array() : nullptr;
        if (rows == nullptr || rows->empty()) {
          Error(rows_node ? rows_node->source() : pn.source(),
                "a period of " + table.id + " needs rows = [{ from, to, value }, …]");
          continue;
        }
        const internal::Row* previous = nullptr;
        for (std::size_t r = 0; r < rows->size(); ++r) {
          const toml::node& rn = *rows->get(r);
          const toml::table* row = Table(&rn, "a row of " + table.id);
          if (row == nullptr) continue;
          CheckKeys(*row, {"from", "to", "value"}, "a row of " + table.id);
          internal::Row out;
          bool ok = true;
          auto bound = [&](std::string_view name) -> std::optional<double> {
            const toml::node* b = row->get(name);
            if (b == nullptr) return std::nullopt;
            auto v = TypedValue(*b, table.key, std::string(name));
            if (!v) {
              ok = false;
              return std::nullopt;
            }
            return table.key == Type::kDecimal ? v->d : static_cast<double>(v->i);
          };
          const auto from = bound("from");
          out.to = bound("to");
          if (!from && ok) {
            Error(rn.source(), "a row of " + table.id + " needs \"from\"");
            ok = false;
          }
          if (const toml::node* value = row->get("value")) {
            if (auto v = TypedValue(*value, table.value, "value")) {
              out.value = *v;
            } else {
              ok = false;
            }
          } else {
            Error(rn.source(), "a row of " + table.id + " needs \"value\"");
            ok = false;
          }
          if (!ok) {
            previous = nullptr;
            continue;
          }
          out.from = *from;
          if (out.to && *out.to <= out.from) {
            Error(rn.source(), "bracket of " + table.id + ": \"to\" must be above \"from\"");
          }
          if (!out.to && r + 1 != rows->size()) {
            Error(rn.source(), "bracket of " + table.id +
                                   ": only the last row may leave \"to\" out (open-ended)");
          }
          if (previous != nullptr && previous->to) {
            if (out.from < *previous->to) {
              Error(rn.source(), "bracket of " + table.id +
                                     " overlaps the previous one (it starts before that one "
                                     "ends)");
            } else if (out.from > *previous->to) {
              Error(rn.source(), "gap in the brackets of " + table.id +
                                     " between the previous row and this one");
            }
          }
          period.rows.push_back(out);
          previous = &period.rows.back();
        }
        read.emplace_back(std::move(period), pn.source());
      }
      std::stable_sort(read.begin(), read.end(),
                       [](const auto& a, const auto& b) { return a.first.from < b.first.from; });
      for (std::size_t i = 0; i < read.size(); ++i) {
        const internal::Period& p = read[i].first;
        if (i == 0 && p.from > data_.valid_from) {
          Error(read[i].second, "table " + table.id + " has no period in force from " +
                                    FormatDate(data_.valid_from) + " (the scheme's valid_from)");
        }
        if (i > 0) {
          const internal::Period& prev = read[i - 1].first;
          if (!prev.to || p.from <= *prev.to) {
            Error(read[i].second, "periods of " + table.id + " overlap: this one starts on " +
                                      FormatDate(p.from) + ", before the previous one ends");
          } else if (p.from.days > prev.to->days + 1) {
            Error(read[i].second, "gap in the periods of " + table.id + ": nothing in force from " +
                                      FormatDate(Date{prev.to->days + 1}) + " to " +
                                      FormatDate(Date{p.from.days - 1}));
          }
        }
        if (i + 1 == read.size() && p.to && (!data_.valid_to || *p.to < *data_.valid_to)) {
          Error(read[i].second, "table " + table.id + " has no period in force after " +
                                    FormatDate(*p.to) + ", but the scheme is valid " +
                                    (data_.valid_to ? "until " + FormatDate(*data_.valid_to)
                                                    : std::string("with no end date")));
        }
        table.periods.push_back(p);
      }
    }
    context_.table_index.emplace(table.id, static_cast<int>(data_.tables.size()));
    data_.tables.push_back(std::move(table));
  }
}

void Loader::LoadRules(const toml::node* rules_node) {
  if (rules_node == nullptr) {
    errors_.push_back(data_.source_name + ":1:1: the scheme has no [[rules]]");
    return;
  }
  const toml::array* rules = rules_node->as_array();
  if (rules == nullptr) {
    Error(rules_node->source(), "rules must be written [[rules]]");
    return;
  }
  for (const toml::node& rn : *rules) {
    const toml::table* t = Table(&rn, "a rule");
    if (t == nullptr) continue;
    RuleInfo info;
    info.id = String(*t, "id", "a rule", true, rn.source()).value_or("");
    const std::string where = "rule " + info.id;
    CheckKeys(*t,
              {"id", "when", "condition", "on_fail", "fr", "en", "legal", "valid_from", "valid_to"},
              where);
    info.fr = String(*t, "fr", where, true, rn.source()).value_or("");
    info.en = String(*t, "en", where, true, rn.source()).value_or("");
    if (auto on_fail = String(*t, "on_fail", where, false, rn.source())) {
      const auto outcome = ParseOutcomeName(*on_fail);
      if (outcome == Outcome::kNotEligible || outcome == Outcome::kNeedsReview) {
        info.on_fail = *outcome;
      } else {
        Error(t->get("on_fail")->source(), "on_fail must be \"not_eligible\" or \"needs_review\"");
      }
    }
    if (auto legal = Legal(*t, where, true, rn.source())) info.legal = *legal;
    info.valid_from = data_.valid_from;
    Validity(*t, info.valid_from, info.valid_to, rn.source());
    for (std::size_t other = 0; other < data_.rule_infos.size(); ++other) {
      const RuleInfo& o = data_.rule_infos[other];
      if (o.id != info.id) continue;
      const bool overlap = (!o.valid_to || info.valid_from <= *o.valid_to) &&
                           (!info.valid_to || o.valid_from <= *info.valid_to);
      if (overlap) {
        Error(rn.source(), "rule \"" + info.id +
                               "\" is defined twice for the same dates (versions of a rule need "
                               "valid_from/valid_to periods that do not overlap)");
      }
    }
    internal::Rule rule;
    rule.when = Expression(*t, "when", where, false, rn.source());
    rule.condition = Expression(*t, "condition", where, true, rn.source());
    data_.rule_infos.push_back(std::move(info));
    data_.rules.push_back(std::move(rule));
  }
}

void Loader::LoadAmount(const toml::table* amount) {
  if (amount == nullptr) return;
  CheckKeys(*amount, {"expr", "fr", "en", "legal"}, "[amount]");
  internal::Amount a;
  const auto region = amount->source();
  a.fr = String(*amount, "fr", "[amount]", true, region).value_or("");
  a.en = String(*amount, "en", "[amount]", true, region).value_or("");
  if (auto legal = Legal(*amount, "[amount]", true, region)) a.legal = *legal;
  a.root = Expression(*amount, "expr", "[amount]", true, region);
  data_.amount = std::move(a);
}

Result<Scheme> Loader::Load() {
  toml::table root;
  try {
    root = toml::parse(text_, std::string(data_.source_name));
  } catch (const toml::parse_error& e) {
    return InvalidArgument(At(e.source()) + ": " + std::string(e.description()));
  }
  CheckKeys(root, {"scheme", "facts", "derived", "tables", "rules", "amount"}, "the scheme file");
  LoadHeader(root);
  LoadFacts(Table(root.get("facts"), "[facts]"));
  const toml::table* derived = Table(root.get("derived"), "[derived]");
  DeclareDerived(derived);
  LoadTables(Table(root.get("tables"), "[tables]"));
  LoadDerived(derived);
  LoadRules(root.get("rules"));
  LoadAmount(Table(root.get("amount"), "[amount]"));

  // Types: derived values first (cycles found there), then rules and the amount.
  internal::TypeChecker checker(context_);
  for (std::size_t i = 0; i < data_.derived.size(); ++i) {
    if (data_.derived[i].root >= 0) (void)checker.CheckDerived(static_cast<int>(i));
  }
  for (std::size_t i = 0; i < data_.rules.size(); ++i) {
    internal::Rule& rule = data_.rules[i];
    for (int expr : {rule.when, rule.condition}) {
      if (expr >= 0 && checker.Check(expr) && data_.nodes[expr].type != Type::kBool) {
        errors_.push_back(internal::NodeLocation(data_, data_.nodes[expr]) + ": rule " +
                          data_.rule_infos[i].id + ": a condition must be a bool, not a " +
                          std::string(TypeName(data_.nodes[expr].type)));
      }
    }
    internal::CollectInputs(data_, rule.when, rule.inputs);
    internal::CollectInputs(data_, rule.condition, rule.inputs);
  }
  if (data_.amount && data_.amount->root >= 0) {
    const int amount_root = data_.amount->root;
    if (checker.Check(amount_root) && data_.nodes[amount_root].type != Type::kMoney) {
      errors_.push_back(internal::NodeLocation(data_, data_.nodes[amount_root]) +
                        ": the amount must be money, not a " +
                        std::string(TypeName(data_.nodes[amount_root].type)));
    }
    internal::CollectInputs(data_, amount_root, data_.amount->inputs);
  }
  if (!errors_.empty()) {
    std::string message;
    for (const std::string& e : errors_) message += (message.empty() ? "" : "\n") + e;
    return InvalidArgument(message);
  }
  for (internal::Fact& f : data_.facts) data_.fact_infos.push_back(f.info);
  // Text literals point at the node's own characters (stable now that the arena is complete).
  for (internal::Node& n : data_.nodes) {
    if (n.op == internal::Op::kLiteral && n.type == Type::kText) n.literal.s = n.literal_text;
  }
  return Scheme(std::make_shared<const SchemeData>(std::move(data_)));
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kEligible:
      return "eligible";
    case Outcome::kNotEligible:
      return "not_eligible";
    case Outcome::kNeedsReview:
      return "needs_review";
    case Outcome::kIncomplete:
      return "incomplete";
  }
  return "?";
}

std::optional<Outcome> ParseOutcomeName(std::string_view name) {
  for (Outcome o :
       {Outcome::kEligible, Outcome::kNotEligible, Outcome::kNeedsReview, Outcome::kIncomplete}) {
    if (OutcomeName(o) == name) return o;
  }
  return std::nullopt;
}

std::string_view OutcomeLabel(Outcome outcome, Lang lang) {
  const bool fr = lang == Lang::kFr;
  switch (outcome) {
    case Outcome::kEligible:
      return fr ? "éligible" : "eligible";
    case Outcome::kNotEligible:
      return fr ? "non éligible" : "not eligible";
    case Outcome::kNeedsReview:
      return fr ? "à examiner par un agent" : "to be reviewed by an agent";
    case Outcome::kIncomplete:
      return fr ? "incomplet (informations manquantes)" : "incomplete (missing information)";
  }
  return "?";
}

const std::string& Scheme::id() const { return data_->id; }
const std::string& Scheme::title(Lang lang) const {
  return lang == Lang::kFr ? data_->title_fr : data_->title_en;
}
const std::string& Scheme::source_name() const { return data_->source_name; }
bool Scheme::example() const { return data_->example; }
bool Scheme::automatic_approval() const { return data_->automatic_approval; }
Date Scheme::valid_from() const { return data_->valid_from; }
std::optional<Date> Scheme::valid_to() const { return data_->valid_to; }
bool Scheme::has_amount() const { return data_->amount.has_value(); }
const std::vector<FactInfo>& Scheme::facts() const { return data_->fact_infos; }
const std::vector<RuleInfo>& Scheme::rules() const { return data_->rule_infos; }
int Scheme::FactIndex(std::string_view id) const {
  const auto it = data_->fact_index.find(std::string(id));
  return it == data_->fact_index.end() ? -1 : it->second;
}

Result<Scheme> LoadScheme(std::string_view text, const std::string& source_name) {
  Loader loader(text, source_name);
  return loader.Load();
}

Result<std::string> ReadRuleFile(const std::string& path, const std::string& source_name) {
  const std::string& name = source_name.empty() ? path : source_name;
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(name + ": cannot be read");
  std::string text;
  text.resize(kMaxSchemeBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxSchemeBytes) return InvalidArgument(name + ": larger than 4 MiB");
  return text;
}

Result<Scheme> LoadSchemeFile(const std::string& path, const std::string& source_name) {
  GUICHET_ASSIGN_OR_RETURN(const std::string text, ReadRuleFile(path, source_name));
  return LoadScheme(text, source_name.empty() ? path : source_name);
}

}  // namespace guichet::rules
