#include "rules/test_cases.h"

#include <toml++/toml.h>

#include <cmath>
#include <cstdio>

#include "rules/evaluate.h"
#include "rules/facts.h"

namespace guichet::rules {
namespace {

std::string At(const std::string& source, const toml::source_region& region) {
  return source + ":" + std::to_string(region.begin.line) + ":" +
         std::to_string(region.begin.column);
}

// A TOML value as the JSON FactsFromJson reads (dates as "YYYY-MM-DD").
std::optional<nlohmann::json> ToJson(const toml::node& n) {
  if (const auto* s = n.as_string()) return nlohmann::json(**s);
  if (const auto* i = n.as_integer()) return nlohmann::json(**i);
  if (const auto* f = n.as_floating_point()) return nlohmann::json(**f);
  if (const auto* b = n.as_boolean()) return nlohmann::json(**b);
  if (const auto* d = n.as_date()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", (**d).year, (**d).month, (**d).day);
    return nlohmann::json(buf);
  }
  return std::nullopt;
}

std::string Amount(std::int64_t cents) { return FormatMoney(cents, Lang::kEn); }

}  // namespace

Result<std::vector<TestCase>> LoadTestCases(std::string_view text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, std::string(source));
  } catch (const toml::parse_error& e) {
    return InvalidArgument(At(source, e.source()) + ": " + std::string(e.description()));
  }
  std::vector<std::string> errors;
  for (auto&& [key, node] : root) {
    if (key.str() != "cases") {
      errors.push_back(At(source, key.source()) + ": unknown key \"" + std::string(key.str()) +
                       "\" (test files hold [[cases]])");
    }
  }
  std::vector<TestCase> out;
  const toml::array* cases = root.get("cases") ? root.get("cases")->as_array() : nullptr;
  if (cases == nullptr) {
    errors.push_back(source + ":1:1: no [[cases]]");
  } else {
    for (const toml::node& cn : *cases) {
      const toml::table* c = cn.as_table();
      if (c == nullptr) {
        errors.push_back(At(source, cn.source()) + ": a case must be a table");
        continue;
      }
      TestCase test;
      test.location = At(source, cn.source());
      bool ok = true;
      auto error = [&](const toml::node& n, const std::string& message) {
        errors.push_back(At(source, n.source()) + ": " + message);
        ok = false;
      };
      for (auto&& [key, node] : *c) {
        const std::string k(key.str());
        if (k == "name" && node.is_string()) {
          test.name = **node.as_string();
        } else if (k == "date") {
          std::optional<Date> d;
          if (const auto* td = node.as_date()) {
            d = DateFromYmd((**td).year, (**td).month, (**td).day);
          } else if (const auto* s = node.as_string()) {
            d = ParseDate(**s);
          }
          if (!d) {
            error(node, "date must be a date (YYYY-MM-DD)");
          } else {
            test.date = *d;
          }
        } else if (k == "facts") {
          const toml::table* facts = node.as_table();
          if (facts == nullptr) {
            error(node, "facts must be a table");
            continue;
          }
          for (auto&& [fk, fv] : *facts) {
            auto json = ToJson(fv);
            if (!json) {
              error(fv, "fact " + std::string(fk.str()) + ": unsupported TOML value");
            } else {
              test.facts[std::string(fk.str())] = *json;
            }
          }
        } else if (k == "outcome" && node.is_string()) {
          test.outcome = ParseOutcomeName(**node.as_string());
          if (!test.outcome) {
            error(node, "outcome must be eligible, not_eligible, needs_review or incomplete");
          }
        } else if (k == "amount") {
          if (const auto* b = node.as_boolean(); b && !**b) {
            test.no_amount = true;
            continue;
          }
          double euros = 0;
          if (const auto* i = node.as_integer()) {
            euros = static_cast<double>(**i);
          } else if (const auto* f = node.as_floating_point()) {
            euros = **f;
          } else {
            error(node, "amount must be euros (e.g. 1.10) or false");
            continue;
          }
          test.amount_cents = static_cast<std::int64_t>(std::llround(euros * 100));
        } else if (k == "missing" && node.is_array()) {
          test.missing.emplace();
          for (const toml::node& m : *node.as_array()) {
            if (!m.is_string()) {
              error(m, "missing lists fact names");
            } else {
              test.missing->push_back(**m.as_string());
            }
          }
        } else if (k == "error" && node.is_string()) {
          test.error = **node.as_string();
        } else if (k == "counterfactual" && node.is_string()) {
          test.counterfactual = **node.as_string();
        } else {
          error(node, "unknown or mistyped key \"" + k +
                          "\" in a case (name, date, facts, outcome, amount, missing, error, "
                          "counterfactual)");
        }
      }
      if (!c->get("date")) error(cn, "a case needs a date");
      if (!c->get("outcome") && !c->get("error")) error(cn, "a case needs an outcome or an error");
      if (test.name.empty()) test.name = test.location;
      if (ok) out.push_back(std::move(test));
    }
  }
  if (!errors.empty()) {
    std::string message;
    for (const std::string& e : errors) message += (message.empty() ? "" : "\n") + e;
    return InvalidArgument(message);
  }
  return out;
}

TestCaseResult RunTestCase(const Scheme& scheme, const TestCase& test) {
  TestCaseResult r;
  auto facts = FactsFromJson(scheme, test.facts);
  Result<Decision> decision =
      facts.ok() ? Evaluate(scheme, *facts, test.date) : Result<Decision>(facts.status());
  if (!decision.ok()) {
    if (test.error && decision.status().message().find(*test.error) != std::string::npos) {
      r.passed = true;
      return r;
    }
    r.message = "error: " + decision.status().message() +
                (test.error ? " (expected an error containing \"" + *test.error + "\")" : "");
    return r;
  }
  if (test.error) {
    r.message = "expected an error containing \"" + *test.error + "\", got outcome " +
                std::string(OutcomeName(decision->outcome));
    return r;
  }
  std::string problems;
  auto add = [&](const std::string& p) { problems += (problems.empty() ? "" : "; ") + p; };
  if (test.outcome && *test.outcome != decision->outcome) {
    add("outcome: expected " + std::string(OutcomeName(*test.outcome)) + ", got " +
        std::string(OutcomeName(decision->outcome)));
  }
  if (test.amount_cents && decision->amount_cents != test.amount_cents) {
    add("amount: expected " + Amount(*test.amount_cents) + ", got " +
        (decision->amount_cents ? Amount(*decision->amount_cents) : std::string("none")));
  }
  if (test.no_amount && decision->amount_cents) {
    add("amount: expected none, got " + Amount(*decision->amount_cents));
  }
  if (test.missing) {
    std::vector<std::string> got;
    for (int f : decision->missing) got.push_back(scheme.facts()[f].id);
    if (got != *test.missing) {
      auto join = [](const std::vector<std::string>& v) {
        std::string s = "[";
        for (const std::string& x : v) s += (s.size() > 1 ? ", " : "") + x;
        return s + "]";
      };
      add("missing: expected " + join(*test.missing) + ", got " + join(got));
    }
  }
  if (test.counterfactual) {
    bool found = false;
    for (const Counterfactual& c : decision->counterfactuals) {
      if (c.fr.find(*test.counterfactual) != std::string::npos ||
          c.en.find(*test.counterfactual) != std::string::npos)
        found = true;
    }
    if (!found) {
      std::string got;
      for (const Counterfactual& c : decision->counterfactuals) got += " [" + c.en + "]";
      add("no counterfactual contains \"" + *test.counterfactual + "\"; got" +
          (got.empty() ? " none" : got));
    }
  }
  r.passed = problems.empty();
  r.message = problems;
  return r;
}

}  // namespace guichet::rules
