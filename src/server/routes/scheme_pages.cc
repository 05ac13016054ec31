// The citizen portal's "am I eligible?" pages: /aides lists the desk's schemes, /aides/{scheme}
// is a form generated from the scheme's facts (a yes/no/unknown choice for booleans, a list for
// enums, text fields for numbers and amounts, date fields), and posting it shows the engine's
// answer: the outcome, the amount, the questions still to answer, the rules with their legal
// references, and what would change the outcome. Nothing is stored; no account is needed; the
// page says that a result is never a decision. Works without JavaScript.
#include <algorithm>
#include <map>
#include <string>

#include "common/text.h"
#include "rules/evaluate.h"
#include "rules/registry.h"
#include "server/web/page.h"

namespace guichet::server {
namespace {

using web::Page;
using web::Text;

constexpr std::size_t kMaxFieldChars = 100;

const rules::SchemeRegistry& Schemes(const HttpContext& ctx) {
  static const rules::SchemeRegistry kNone;
  return ctx.options != nullptr && ctx.options->schemes ? *ctx.options->schemes : kNone;
}

rules::Lang RulesLang(const std::string& lang) {
  return lang == "en" ? rules::Lang::kEn : rules::Lang::kFr;
}

HttpResponse SchemeList(HttpContext& ctx) {
  const std::string lang = web::PageLanguage(ctx);
  Page page{"scheme_list", Text(lang, "scheme_list_title")};
  json items = json::array();
  for (const rules::Scheme& s : Schemes(ctx).schemes()) {
    const json summary = rules::SchemeSummaryJson(s);
    items.push_back({{"id", s.id()},
                     {"title", s.title(RulesLang(lang))},
                     {"description", summary[lang == "en" ? "description_en" : "description_fr"]},
                     {"example", s.example()}});
  }
  page.data["schemes"] = items;
  page.data["has_schemes"] = !items.empty();
  return web::RenderPage(ctx, std::move(page));
}

// One fact of the form as the citizen typed it, turned into the JSON the engine reads: booleans
// from "true"/"false", numbers when they are numbers (else the text, which the engine refuses
// naming the fact), amounts and dates as typed. "" is "not known".
json FormValue(const rules::FactInfo& fact, const std::string& typed) {
  switch (fact.type) {
    case rules::Type::kBool:
      if (typed == "true") return true;
      if (typed == "false") return false;
      return typed;
    case rules::Type::kInteger:
    case rules::Type::kDecimal: {
      std::string number = typed;
      for (char& c : number) {
        if (c == ',') c = '.';
      }
      const json parsed = json::parse(number, nullptr, false);
      return parsed.is_number() ? parsed : json(typed);
    }
    default:
      return typed;
  }
}

// The page of one scheme: its form with the values given, and the engine's answer when
// `decision` is set.
HttpResponse SchemePage(HttpContext& ctx, const rules::Scheme& scheme,
                        const std::map<std::string, std::string>& values,
                        const std::map<std::string, std::string>& errors,
                        const rules::Decision* decision, const std::string& date) {
  const std::string lang = web::PageLanguage(ctx);
  const rules::Lang rl = RulesLang(lang);
  Page page{"scheme_form", scheme.title(rl)};
  page.has_form = true;
  const json detail = rules::SchemeDetailJson(scheme);
  page.data["id"] = scheme.id();
  page.data["title"] = scheme.title(rl);
  page.data["example"] = scheme.example();
  page.data["description"] = detail[lang == "en" ? "description_en" : "description_fr"];
  page.data["date"] = date;
  json facts = json::array();
  for (const json& f : detail["facts"]) {
    const std::string id = f["id"];
    const std::string type = f["type"];
    const auto value = values.count(id) ? values.at(id) : std::string();
    json field = {{"id", id},
                  {"name", "fact_" + id},
                  {"label", f[lang == "en" ? "label_en" : "label_fr"]},
                  {"question", f[lang == "en" ? "question_en" : "question_fr"]},
                  {"value", value},
                  {"is_bool", type == "bool"},
                  {"is_enum", type == "enum"},
                  {"is_date", type == "date"},
                  {"is_text", type != "bool" && type != "enum" && type != "date"},
                  {"is_money", type == "money"},
                  {"yes", value == "true"},
                  {"no", value == "false"},
                  {"unknown", value != "true" && value != "false"}};
    if (type == "enum") {
      json options = json::array();
      for (const json& v : f["values"])
        options.push_back({{"value", v}, {"selected", v.get<std::string>() == value}});
      field["options"] = options;
    }
    if (errors.count(id)) field["error"] = errors.at(id);
    facts.push_back(std::move(field));
  }
  page.data["facts"] = facts;
  if (errors.count("date")) page.data["date_error"] = errors.at("date");
  if (!errors.empty()) {
    page.status = 422;
    page.title = Text(lang, "errors_title") + " — " + page.title;
    json summary = json::array();
    for (const auto& [field, message] : errors)
      summary.push_back(
          {{"field", field == "date" ? "date" : "fact_" + field}, {"message", message}});
    page.data["errors"] = summary;
    page.data["has_errors"] = true;
  }
  if (decision != nullptr) {
    json result = {{"outcome", std::string(rules::OutcomeLabel(decision->outcome, rl))},
                   {"outcome_key", std::string(rules::OutcomeName(decision->outcome))},
                   {"not_eligible", decision->outcome == rules::Outcome::kNotEligible},
                   {"automatic", decision->automatic_approval}};
    if (decision->amount_cents) result["amount"] = rules::FormatMoney(*decision->amount_cents, rl);
    json missing = json::array();
    for (int f : decision->missing) {
      const rules::FactInfo& fact = scheme.facts()[f];
      missing.push_back(
          {{"id", "fact_" + fact.id},
           {"question", rl == rules::Lang::kEn ? fact.question_en : fact.question_fr}});
    }
    result["missing"] = missing;
    result["has_missing"] = !missing.empty();
    json lines = json::array();
    const std::string text = rules::Explain(scheme, *decision, rl);
    for (std::size_t start = 0; start < text.size();) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      if (end > start) lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    result["explanation"] = lines;
    page.data["result"] = result;
  }
  return web::RenderPage(ctx, std::move(page));
}

const rules::Scheme* PathScheme(const HttpContext& ctx) {
  const auto it = ctx.path_params.find("scheme");
  return it == ctx.path_params.end() ? nullptr : Schemes(ctx).Find(it->second);
}

HttpResponse SchemeForm(HttpContext& ctx) {
  const rules::Scheme* scheme = PathScheme(ctx);
  if (scheme == nullptr) return web::MessagePage(ctx, 404, "not_found_title", "not_found_text");
  return SchemePage(ctx, *scheme, {}, {}, nullptr, "");
}

HttpResponse SimulateScheme(HttpContext& ctx) {
  const rules::Scheme* scheme = PathScheme(ctx);
  if (scheme == nullptr) return web::MessagePage(ctx, 404, "not_found_title", "not_found_text");
  const std::string lang = web::PageLanguage(ctx);
  std::map<std::string, std::string> values, errors;
  rules::Facts facts = rules::EmptyFacts(*scheme);
  for (const rules::FactInfo& f : scheme->facts()) {
    std::string typed = std::string(Trim(ctx.form->Value("fact_" + f.id)));
    if (Utf8Length(typed) > kMaxFieldChars) typed = Utf8Prefix(typed, kMaxFieldChars);
    values[f.id] = typed;
    if (typed.empty()) continue;
    if (Status set = rules::SetFact(*scheme, facts, f.id, FormValue(f, typed)); !set.ok())
      errors[f.id] = set.message();
  }
  const std::string date_text = std::string(Trim(ctx.form->Value("date")));
  const Millis now = ctx.clock != nullptr ? ctx.clock->Now() : 0;
  rules::Date as_of{static_cast<std::int32_t>(now / 86'400'000)};
  if (!date_text.empty()) {
    if (auto date = rules::ParseDate(date_text)) {
      as_of = *date;
    } else {
      errors["date"] = Text(lang, "scheme_date_invalid");
    }
  }
  if (!errors.empty()) return SchemePage(ctx, *scheme, values, errors, nullptr, date_text);
  auto decision = rules::Evaluate(*scheme, facts, as_of);
  if (!decision.ok()) {
    const std::string& message = decision.status().message();
    std::string field = "date";
    for (const rules::FactInfo& f : scheme->facts()) {
      if (message.rfind("fact " + f.id + ":", 0) == 0) field = f.id;
    }
    errors[field] = message;
    return SchemePage(ctx, *scheme, values, errors, nullptr, date_text);
  }
  return SchemePage(ctx, *scheme, values, {}, &*decision, date_text);
}

}  // namespace

void AddSchemePageRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/aides", BodyKind::kNone, SchemeList});
  routes.push_back({"GET", "/aides/{scheme}", BodyKind::kNone, SchemeForm});
  Route simulate{"POST", "/aides/{scheme}", BodyKind::kForm, SimulateScheme};
  simulate.max_form_fields = 200;
  routes.push_back(std::move(simulate));
}

}  // namespace guichet::server
