// Explanations and the JSON form of a decision (declared in evaluate.h).
#include "rules/evaluate.h"
#include "rules/scheme_data.h"

namespace guichet::rules {
namespace {

std::string Legal(const LegalRef& legal) {
  if (legal.text.empty()) return legal.article;
  return legal.article.empty() ? legal.text : legal.text + ", " + legal.article;
}

std::string Inputs(const Scheme& scheme, const std::vector<TraceInput>& inputs, Lang lang) {
  std::string out;
  for (const TraceInput& in : inputs) {
    if (!out.empty()) out += "; ";
    out += InputLabel(scheme, in, lang) + " = " + FormatValue(in.value, lang);
  }
  return out;
}

std::string_view ResultLabel(RuleResult r, Lang lang) {
  const bool fr = lang == Lang::kFr;
  switch (r) {
    case RuleResult::kPassed:
      return fr ? "remplie" : "met";
    case RuleResult::kFailed:
      return fr ? "non remplie" : "not met";
    case RuleResult::kUnknown:
      return fr ? "indéterminée (informations manquantes)" : "undetermined (missing information)";
    case RuleResult::kNotApplicable:
      return fr ? "sans objet" : "does not apply";
  }
  return "?";
}

}  // namespace

nlohmann::json ValueToJson(const Value& v) {
  if (!v.known) return nullptr;
  switch (v.type) {
    case Type::kBool:
      return v.i != 0;
    case Type::kInteger:
      return v.i;
    case Type::kDecimal:
      return v.d;
    case Type::kMoney: {
      // Euros as a string with two decimals: exact, unlike a binary floating-point number.
      const std::int64_t abs = v.i < 0 ? -v.i : v.i;
      std::string cents = std::to_string(abs % 100);
      if (cents.size() < 2) cents = "0" + cents;
      return (v.i < 0 ? "-" : "") + std::to_string(abs / 100) + "." + cents;
    }
    case Type::kDate:
      return FormatDate(Date{static_cast<std::int32_t>(v.i)});
    case Type::kEnum:
    case Type::kText:
      return v.text;
  }
  return nullptr;
}

namespace {

nlohmann::json InputsJson(const Scheme& scheme, const std::vector<TraceInput>& inputs) {
  nlohmann::json out = nlohmann::json::array();
  const internal::SchemeData& data = scheme.data();
  for (const TraceInput& in : inputs) {
    const std::string& name = in.kind == InputKind::kFact      ? data.facts[in.index].info.id
                              : in.kind == InputKind::kDerived ? data.derived[in.index].id
                                                               : data.tables[in.index].id;
    out.push_back({{"name", name},
                   {"kind", InputKindName(in.kind)},
                   {"type", TypeName(in.value.type)},
                   {"value", ValueToJson(in.value)}});
  }
  return out;
}

}  // namespace

std::string Explain(const Scheme& scheme, const Decision& decision, Lang lang) {
  const bool fr = lang == Lang::kFr;
  const internal::SchemeData& data = scheme.data();
  Value date;
  date.type = Type::kDate;
  date.known = true;
  date.i = decision.as_of.days;
  std::string out = scheme.title(lang) + (fr ? ", au " : ", as of ") + FormatValue(date, lang) +
                    (scheme.example() ? (fr ? " (barème d'exemple)" : " (example scheme)") : "") +
                    "\n";
  out += (fr ? "Résultat : " : "Outcome: ") + std::string(OutcomeLabel(decision.outcome, lang)) +
         ".\n";
  if (decision.amount_cents) {
    out += (fr ? "Montant : " : "Amount: ") + FormatMoney(*decision.amount_cents, lang);
    if (data.amount) {
      out += " — " + (fr ? data.amount->fr : data.amount->en);
      out += " (" + Legal(data.amount->legal);
      if (!decision.amount_inputs.empty()) {
        out += "; " + Inputs(scheme, decision.amount_inputs, lang);
      }
      out += ")";
    }
    out += ".\n";
  }
  out += fr ? "Conditions :\n" : "Conditions:\n";
  for (const TraceEntry& e : decision.trace) {
    const RuleInfo& r = scheme.rules()[e.rule];
    out += "- " + std::string(ResultLabel(e.result, lang)) + (fr ? " : " : ": ") +
           (fr ? r.fr : r.en) + " (" + Legal(r.legal) + ")";
    if (!e.inputs.empty())
      out += (fr ? " — valeurs : " : " — values: ") + Inputs(scheme, e.inputs, lang);
    if (e.result == RuleResult::kFailed && r.on_fail == Outcome::kNeedsReview) {
      out += fr ? " — la demande est transmise à un agent" : " — the case goes to an agent";
    }
    out += "\n";
  }
  if (!decision.missing.empty()) {
    out +=
        fr ? "Informations à fournir, dans cet ordre :\n" : "Information needed, in this order:\n";
    for (int f : decision.missing) {
      const FactInfo& fact = scheme.facts()[f];
      out += "- " + (fr ? fact.question_fr : fact.question_en) + "\n";
    }
  }
  for (const Counterfactual& c : decision.counterfactuals) {
    out += (fr ? c.fr : c.en) + "\n";
  }
  if (decision.outcome == Outcome::kNotEligible) {
    out += fr ? "Ce résultat n'est pas une décision : un refus n'est jamais automatique, un agent "
                "examine la demande et le demandeur peut la contester.\n"
              : "This is not a decision: a refusal is never automatic; an agent reviews the "
                "application and the applicant may contest it.\n";
  } else if (decision.outcome == Outcome::kEligible && !decision.automatic_approval) {
    out += fr ? "Un agent confirme ce résultat avant toute décision.\n"
              : "An agent confirms this result before any decision.\n";
  }
  return out;
}

nlohmann::json DecisionToJson(const Scheme& scheme, const Decision& decision) {
  nlohmann::json trace = nlohmann::json::array();
  for (const TraceEntry& e : decision.trace) {
    const RuleInfo& r = scheme.rules()[e.rule];
    trace.push_back({{"rule", r.id},
                     {"result", RuleResultName(e.result)},
                     {"on_fail", OutcomeName(r.on_fail)},
                     {"fr", r.fr},
                     {"en", r.en},
                     {"legal", {{"text", r.legal.text}, {"article", r.legal.article}}},
                     {"inputs", InputsJson(scheme, e.inputs)}});
  }
  nlohmann::json missing = nlohmann::json::array();
  for (int f : decision.missing) {
    const FactInfo& fact = scheme.facts()[f];
    missing.push_back({{"fact", fact.id},
                       {"type", TypeName(fact.type)},
                       {"question_fr", fact.question_fr},
                       {"question_en", fact.question_en}});
  }
  nlohmann::json counterfactuals = nlohmann::json::array();
  for (const Counterfactual& c : decision.counterfactuals) {
    counterfactuals.push_back({{"rule", scheme.rules()[c.rule].id},
                               {"fact", scheme.facts()[c.fact].id},
                               {"bound", c.at_most ? "at_most" : "at_least"},
                               {"value", ValueToJson(c.value)},
                               {"outcome", OutcomeName(c.outcome)},
                               {"fr", c.fr},
                               {"en", c.en}});
  }
  nlohmann::json out = {
      {"scheme", scheme.id()},
      {"example", scheme.example()},
      {"as_of", FormatDate(decision.as_of)},
      {"outcome", OutcomeName(decision.outcome)},
      {"amount", nullptr},
      {"automatic_approval", decision.automatic_approval},
      {"missing", missing},
      {"trace", trace},
      {"counterfactuals", counterfactuals},
      {"explanation",
       {{"fr", Explain(scheme, decision, Lang::kFr)},
        {"en", Explain(scheme, decision, Lang::kEn)}}},
  };
  if (decision.amount_cents) {
    Value amount;
    amount.type = Type::kMoney;
    amount.known = true;
    amount.i = *decision.amount_cents;
    out["amount"] = ValueToJson(amount);
    out["amount_inputs"] = InputsJson(scheme, decision.amount_inputs);
  }
  return out;
}

}  // namespace guichet::rules
