#include "rules/registry.h"

#include <algorithm>
#include <filesystem>

#include "rules/evaluate.h"
#include "rules/scheme_data.h"

namespace guichet::rules {
namespace {

namespace fs = std::filesystem;

bool UsableId(std::string_view id) {
  if (id.empty() || id.size() > 40) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
}

nlohmann::json DateJson(std::optional<Date> date) {
  return date ? nlohmann::json(FormatDate(*date)) : nlohmann::json(nullptr);
}

nlohmann::json LegalJson(const LegalRef& legal) {
  return {{"text", legal.text}, {"article", legal.article}};
}

// A bound or a row's edge, kept as a double in the type's units (cents, days), as JSON.
nlohmann::json UnitsJson(Type type, double units) {
  Value v;
  v.type = type;
  v.known = true;
  v.i = static_cast<std::int64_t>(units);
  v.d = units;
  return ValueToJson(v);
}

nlohmann::json RuntimeJson(Type type, const internal::V& runtime) {
  Value v;
  v.type = type;
  v.known = runtime.known;
  v.i = runtime.i;
  v.d = runtime.d;
  v.text = std::string(runtime.s);
  return ValueToJson(v);
}

}  // namespace

const Scheme* SchemeRegistry::Find(std::string_view id) const {
  auto it = std::lower_bound(schemes_.begin(), schemes_.end(), id,
                             [](const Scheme& s, std::string_view key) { return s.id() < key; });
  return it != schemes_.end() && it->id() == id ? &*it : nullptr;
}

Result<SchemeRegistry> SchemeRegistry::FromSchemes(std::vector<Scheme> schemes) {
  std::stable_sort(schemes.begin(), schemes.end(),
                   [](const Scheme& a, const Scheme& b) { return a.id() < b.id(); });
  std::string problems;
  for (std::size_t i = 0; i < schemes.size(); ++i) {
    const Scheme& s = schemes[i];
    if (!UsableId(s.id())) {
      problems += s.source_name() + ":1:1: scheme id \"" + s.id() +
                  "\" must be 1 to 40 letters, digits, '-', '.' or '_' (it is part of the URL)\n";
    }
    if (i > 0 && schemes[i - 1].id() == s.id()) {
      problems += s.source_name() + ":1:1: scheme id \"" + s.id() + "\" is already used by " +
                  schemes[i - 1].source_name() + "\n";
    }
  }
  if (!problems.empty()) {
    problems.pop_back();
    return InvalidArgument(problems);
  }
  SchemeRegistry registry;
  registry.schemes_ = std::move(schemes);
  return registry;
}

Result<SchemeRegistry> LoadSchemeRegistry(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return NotFound(dir + ": not a folder");
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().filename() == "scheme.toml") files.push_back(*it);
  }
  if (ec) return NotFound(dir + ": cannot be read (" + ec.message() + ")");
  std::sort(files.begin(), files.end());
  std::vector<Scheme> schemes;
  std::string problems;
  for (const fs::path& file : files) {
    const std::string name = file.lexically_relative(dir).generic_string();
    auto scheme = LoadSchemeFile(file.string(), name);
    if (scheme.ok()) {
      schemes.push_back(std::move(*scheme));
    } else {
      problems += scheme.status().message() + "\n";
    }
  }
  if (!problems.empty()) {
    problems.pop_back();
    return InvalidArgument(problems);
  }
  return SchemeRegistry::FromSchemes(std::move(schemes));
}

nlohmann::json SchemeSummaryJson(const Scheme& scheme) {
  const internal::SchemeData& d = scheme.data();
  return {{"id", d.id},
          {"title_fr", d.title_fr},
          {"title_en", d.title_en},
          {"description_fr", d.description_fr},
          {"description_en", d.description_en},
          {"authority", d.authority},
          {"example", d.example},
          {"automatic_approval", d.automatic_approval},
          {"has_amount", d.amount.has_value()},
          {"valid_from", FormatDate(d.valid_from)},
          {"valid_to", DateJson(d.valid_to)}};
}

nlohmann::json SchemeDetailJson(const Scheme& scheme) {
  const internal::SchemeData& d = scheme.data();
  nlohmann::json out = SchemeSummaryJson(scheme);
  // Facts and derived values in the file's order, the order their author would ask them in.
  std::vector<const internal::Fact*> in_order;
  for (const internal::Fact& f : d.facts) in_order.push_back(&f);
  std::stable_sort(
      in_order.begin(), in_order.end(),
      [](const internal::Fact* a, const internal::Fact* b) { return a->line < b->line; });
  nlohmann::json facts = nlohmann::json::array();
  for (const internal::Fact* fact_data : in_order) {
    const internal::Fact& f = *fact_data;
    nlohmann::json fact = {{"id", f.info.id},
                           {"type", TypeName(f.info.type)},
                           {"label_fr", f.info.label_fr},
                           {"label_en", f.info.label_en},
                           {"question_fr", f.info.question_fr},
                           {"question_en", f.info.question_en}};
    if (f.info.type == Type::kEnum) fact["values"] = f.info.values;
    if (f.min) fact["min"] = UnitsJson(f.info.type, *f.min);
    if (f.max) fact["max"] = UnitsJson(f.info.type, *f.max);
    if (f.max_years_ago >= 0) fact["max_years_ago"] = f.max_years_ago;
    if (f.not_after_as_of) fact["not_after_as_of"] = true;
    facts.push_back(std::move(fact));
  }
  out["facts"] = std::move(facts);
  std::vector<const internal::Derived*> derived_in_order;
  for (const internal::Derived& v : d.derived) derived_in_order.push_back(&v);
  std::stable_sort(
      derived_in_order.begin(), derived_in_order.end(),
      [](const internal::Derived* a, const internal::Derived* b) { return a->line < b->line; });
  nlohmann::json derived = nlohmann::json::array();
  for (const internal::Derived* derived_data : derived_in_order) {
    const internal::Derived& v = *derived_data;
    derived.push_back({{"id", v.id},
                       {"type", TypeName(v.type)},
                       {"label_fr", v.label_fr},
                       {"label_en", v.label_en}});
  }
  out["derived"] = std::move(derived);
  nlohmann::json rules = nlohmann::json::array();
  for (const RuleInfo& r : scheme.rules()) {
    rules.push_back({{"id", r.id},
                     {"fr", r.fr},
                     {"en", r.en},
                     {"legal", LegalJson(r.legal)},
                     {"on_fail", OutcomeName(r.on_fail)},
                     {"valid_from", FormatDate(r.valid_from)},
                     {"valid_to", DateJson(r.valid_to)}});
  }
  out["rules"] = std::move(rules);
  nlohmann::json tables = nlohmann::json::array();
  for (const internal::Table& t : d.tables) {
    nlohmann::json periods = nlohmann::json::array();
    for (const internal::Period& p : t.periods) {
      nlohmann::json rows = nlohmann::json::array();
      for (const internal::Row& row : p.rows) {
        rows.push_back({{"from", UnitsJson(t.key, row.from)},
                        {"to", row.to ? UnitsJson(t.key, *row.to) : nlohmann::json(nullptr)},
                        {"value", RuntimeJson(t.value, row.value)}});
      }
      periods.push_back(
          {{"valid_from", FormatDate(p.from)}, {"valid_to", DateJson(p.to)}, {"rows", rows}});
    }
    tables.push_back({{"id", t.id},
                      {"label_fr", t.label_fr},
                      {"label_en", t.label_en},
                      {"key", TypeName(t.key)},
                      {"value", TypeName(t.value)},
                      {"legal", LegalJson(t.legal)},
                      {"periods", std::move(periods)}});
  }
  out["tables"] = std::move(tables);
  out["amount"] = nullptr;
  if (d.amount) {
    out["amount"] = {
        {"fr", d.amount->fr}, {"en", d.amount->en}, {"legal", LegalJson(d.amount->legal)}};
  }
  return out;
}

}  // namespace guichet::rules
