// Eligibility schemes (docs/rules.md), public: anyone may list them, read one (its facts and
// questions, rules and legal references, tables) and simulate "am I eligible?" on facts of their
// own. A simulation stores nothing, audits nothing and needs no account; it is the engine's
// answer (outcome, amount, missing facts with their questions, trace, explanation,
// counterfactuals), never a decision. Bad facts are 422 problems naming the fact.
#include <algorithm>
#include <string>

#include "rules/evaluate.h"
#include "rules/registry.h"
#include "server/http.h"

namespace guichet::server {
namespace {

// Facts of one case are a few hundred bytes; a simulation is open to anyone.
constexpr std::size_t kMaxEvaluateBody = 64 * 1024;
constexpr std::size_t kMaxFactErrors = 20;

const rules::SchemeRegistry& Registry(const HttpContext& ctx) {
  static const rules::SchemeRegistry kNone;
  return ctx.options != nullptr && ctx.options->schemes ? *ctx.options->schemes : kNone;
}

// The scheme of the path, or the 404 to send.
std::variant<const rules::Scheme*, HttpResponse> PathScheme(const HttpContext& ctx) {
  const auto it = ctx.path_params.find("scheme");
  const rules::Scheme* scheme =
      it == ctx.path_params.end() ? nullptr : Registry(ctx).Find(it->second);
  if (scheme == nullptr) return NotFoundProblem("There is no scheme with this id.");
  return scheme;
}

// Today in UTC, the default evaluation date.
rules::Date Today(const HttpContext& ctx) {
  constexpr Millis kDay = 86'400'000;
  const Millis now = ctx.clock != nullptr ? ctx.clock->Now() : 0;
  return rules::Date{static_cast<std::int32_t>(now >= 0 ? now / kDay : (now - kDay + 1) / kDay)};
}

// The fact a range error of Evaluate names ("fact revenu: -€100.00 is below …"), or "".
std::string FactOfError(const rules::Scheme& scheme, const std::string& message) {
  for (const rules::FactInfo& f : scheme.facts()) {
    const std::string prefix = "fact " + f.id;
    if (message.rfind(prefix, 0) == 0 && message.size() > prefix.size() &&
        (message[prefix.size()] == ':' || message[prefix.size()] == ' '))
      return f.id;
  }
  return "";
}

HttpResponse ListSchemes(HttpContext& ctx) {
  if (auto errors = UnknownQueryParams(ctx, {}); !errors.empty()) return QueryProblem(errors);
  json items = json::array();
  for (const rules::Scheme& s : Registry(ctx).schemes()) items.push_back(SchemeSummaryJson(s));
  return Json(200, {{"items", std::move(items)}});
}

HttpResponse GetScheme(HttpContext& ctx) {
  if (auto errors = UnknownQueryParams(ctx, {}); !errors.empty()) return QueryProblem(errors);
  auto found = PathScheme(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&found)) return *problem;
  return Json(200, SchemeDetailJson(*std::get<const rules::Scheme*>(found)));
}

HttpResponse EvaluateScheme(HttpContext& ctx) {
  if (ctx.body.size() > kMaxEvaluateBody)
    return Problem(
        413, "body-too-large", "Body too large",
        "A simulation's body is limited to " + std::to_string(kMaxEvaluateBody) + " bytes.");
  if (auto errors = UnknownQueryParams(ctx, {}); !errors.empty()) return QueryProblem(errors);
  auto found = PathScheme(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&found)) return *problem;
  const rules::Scheme& scheme = *std::get<const rules::Scheme*>(found);
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;

  std::vector<core::FieldError> errors;
  FieldReader reader(std::get<json>(parsed), errors);
  const json* facts_json = reader.Object("facts");
  const auto date_text = reader.String("date");
  const auto lang_text = reader.String("lang");
  reader.RejectUnknown();
  const json& body = std::get<json>(parsed);
  if (!body.contains("facts") || body["facts"].is_null())
    errors.push_back({"facts", "is required (an object of facts; {} when none is known yet)"});

  rules::Facts facts = rules::EmptyFacts(scheme);
  if (facts_json != nullptr) {
    std::size_t fact_errors = 0;
    for (const auto& [key, value] : facts_json->items()) {
      Status set = rules::SetFact(scheme, facts, key, value);
      if (set.ok()) continue;
      if (++fact_errors > kMaxFactErrors) {
        errors.push_back({"facts", "too many invalid facts; the first ones are listed"});
        break;
      }
      errors.push_back({"facts." + key, set.message()});
    }
  }
  rules::Date as_of = Today(ctx);
  if (date_text) {
    if (auto date = rules::ParseDate(*date_text)) {
      as_of = *date;
    } else {
      errors.push_back({"date", "must be a real date YYYY-MM-DD"});
    }
  }
  std::optional<rules::Lang> lang;
  if (lang_text) {
    if (*lang_text == "fr") {
      lang = rules::Lang::kFr;
    } else if (*lang_text == "en") {
      lang = rules::Lang::kEn;
    } else {
      errors.push_back({"lang", "must be one of: fr, en"});
    }
  }
  if (!errors.empty()) return ValidationProblem(errors);

  auto decision = rules::Evaluate(scheme, facts, as_of);
  if (!decision.ok()) {
    const Status& s = decision.status();
    if (s.code() == StatusCode::kFailedPrecondition)
      return Problem(422, "date-outside-validity", "Date outside the scheme's validity",
                     s.message(), {{"date", s.message()}});
    if (const std::string fact = FactOfError(scheme, s.message()); !fact.empty())
      return ValidationProblem({{"facts." + fact, s.message()}});
    // An expression that cannot be computed on these facts (a value outside a table's brackets,
    // a division by zero): the facts cannot be simulated, and the message says where.
    return Problem(422, "evaluation-failed", "The facts cannot be evaluated", s.message());
  }
  json out = rules::DecisionToJson(scheme, *decision);
  out["title_fr"] = scheme.title(rules::Lang::kFr);
  out["title_en"] = scheme.title(rules::Lang::kEn);
  if (lang) {
    const char* key = *lang == rules::Lang::kFr ? "fr" : "en";
    out["explanation"] = json{{key, out["explanation"][key]}};
  }
  return Json(200, out);
}

}  // namespace

void AddSchemeRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/schemes", BodyKind::kNone, ListSchemes});
  routes.push_back({"GET", "/api/v1/schemes/{scheme}", BodyKind::kNone, GetScheme});
  routes.push_back({"POST", "/api/v1/schemes/{scheme}/evaluate", BodyKind::kJson, EvaluateScheme});
}

}  // namespace guichet::server
