// The admin pages of the desk's rules: SLA policies (targets by category, priority and channel)
// and automations (conditions and actions written as JSON, checked by the automation
// vocabulary). A form is turned into the API's JSON object and read by the API's reader
// (server/config_input.h); changes are made on the version the page showed, so that a change
// made meanwhile by someone else is not overwritten. The store audits every change.
#include <map>
#include <span>

#include "common/text.h"
#include "server/admin_pages.h"
#include "server/auth.h"
#include "server/config_input.h"
#include "server/request_json.h"
#include "storage/automation_store.h"
#include "storage/sla_store.h"

namespace guichet::server::admin {
namespace {

using web::Page;
using web::Text;

Page RulePage(const HttpContext& ctx, const std::string& name, const std::string& title) {
  Page page(name, title);
  page.has_form = IsAdmin(ctx);
  page.data["can_edit"] = IsAdmin(ctx);
  page.data["notice"] = DoneNotice(ctx, web::PageLanguage(ctx));
  return page;
}

void MarkErrors(Page& page, const std::string& lang, int status) {
  page.status = status;
  page.title = Text(lang, "admin_errors_title") + " — " + page.title;
}

// --- SLA policies -----------------------------------------------------------------------------

// The policy form as typed: texts, so that a page with errors shows them again as they were.
struct PolicyForm {
  std::string name, category_id, priority, channel, first_reply, resolution, warning = "80",
                                                                             version;
  bool business_hours = true, active = true;
};

PolicyForm FormOf(const sla::Policy& p) {
  PolicyForm f;
  f.name = p.name;
  f.category_id = p.category_id ? std::to_string(*p.category_id) : "";
  f.priority = p.priority ? std::string(core::ToString(*p.priority)) : "";
  f.channel = p.channel ? std::string(core::ToString(*p.channel)) : "";
  f.first_reply = p.first_reply_minutes ? std::to_string(*p.first_reply_minutes) : "";
  f.resolution = p.resolution_minutes ? std::to_string(*p.resolution_minutes) : "";
  f.warning = std::to_string(p.warning_percent);
  f.version = std::to_string(p.version);
  f.business_hours = p.business_hours;
  f.active = p.active;
  return f;
}

PolicyForm PostedPolicy(const HttpContext& ctx) {
  const web::FormFields& in = *ctx.form;
  PolicyForm f;
  f.name = std::string(Trim(in.Value("name")));
  f.category_id = in.Value("category_id");
  f.priority = in.Value("priority");
  f.channel = in.Value("channel");
  f.first_reply = std::string(Trim(in.Value("first_reply_minutes")));
  f.resolution = std::string(Trim(in.Value("resolution_minutes")));
  f.warning = std::string(Trim(in.Value("warning_percent")));
  f.version = in.Value("version");
  f.business_hours = in.Value("business_hours") != "no";
  f.active = in.Get("active").has_value();
  return f;
}

// The API's JSON object for the form: an empty criterion or target is null (none).
json PolicyBody(const PolicyForm& f) {
  auto or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json body = {{"name", f.name},
               {"category_id", IntegerValue(f.category_id)},
               {"priority", or_null(f.priority)},
               {"channel", or_null(f.channel)},
               {"first_reply_minutes", IntegerValue(f.first_reply)},
               {"resolution_minutes", IntegerValue(f.resolution)},
               {"business_hours", f.business_hours},
               {"active", f.active}};
  if (!f.warning.empty()) body["warning_percent"] = IntegerValue(f.warning);
  return body;
}

json Choices(const std::string& lang, std::span<const std::string_view> names,
             const std::string& label_prefix, const std::string& selected) {
  json out = json::array();
  for (std::string_view n : names)
    out.push_back({{"value", std::string(n)},
                   {"label", Text(lang, label_prefix + std::string(n))},
                   {"selected", n == selected}});
  return out;
}

// The values of the policy form's template.
Result<json> PolicyFormData(HttpContext& ctx, const std::string& lang, const PolicyForm& f) {
  auto categories = ctx.store->ListCategories();
  if (!categories.ok()) return categories.status();
  json cats = json::array();
  for (const core::Category& c : *categories)
    cats.push_back({{"value", std::to_string(c.id)},
                    {"label", c.name},
                    {"selected", std::to_string(c.id) == f.category_id}});
  return json{{"name", f.name},
              {"categories", cats},
              {"priorities", Choices(lang, core::PriorityNames(), "priority_", f.priority)},
              {"channels", Choices(lang, core::ChannelNames(), "admin_channel_", f.channel)},
              {"first_reply_minutes", f.first_reply},
              {"resolution_minutes", f.resolution},
              {"warning_percent", f.warning},
              {"business_hours", f.business_hours},
              {"round_the_clock", !f.business_hours},
              {"active", f.active},
              {"version", f.version}};
}

std::string Minutes(const std::string& lang, const std::optional<std::int64_t>& m) {
  return m ? std::to_string(*m) + " " + Text(lang, "admin_minutes") : Text(lang, "agent_none");
}

HttpResponse PoliciesPage(HttpContext& ctx, const PolicyForm& in = {},
                          const std::vector<core::FieldError>& errors = {}) {
  if (auto denied = RequireReader(ctx)) return *denied;
  const std::string lang = web::PageLanguage(ctx);
  auto policies = ctx.store->sla().ListPolicies();
  auto categories = ctx.store->ListCategories();
  if (!policies.ok() || !categories.ok()) return Unavailable(ctx);
  std::map<core::Id, std::string> category_names;
  for (const core::Category& c : *categories) category_names[c.id] = c.name;
  const std::string any = Text(lang, "admin_any");
  json rows = json::array();
  for (const sla::Policy& p : *policies)
    rows.push_back(
        {{"id", std::to_string(p.id)},
         {"name", p.name},
         {"category", p.category_id ? category_names[*p.category_id] : any},
         {"priority",
          p.priority ? Text(lang, "priority_" + std::string(core::ToString(*p.priority))) : any},
         {"channel",
          p.channel ? Text(lang, "admin_channel_" + std::string(core::ToString(*p.channel))) : any},
         {"first_reply", Minutes(lang, p.first_reply_minutes)},
         {"resolution", Minutes(lang, p.resolution_minutes)},
         {"hours", Text(lang, p.business_hours ? "admin_sla_business_hours" : "admin_sla_24_7")},
         {"warning", std::to_string(p.warning_percent) + " %"},
         {"active", Text(lang, p.active ? "admin_yes" : "admin_no")}});
  auto form = PolicyFormData(ctx, lang, in);
  if (!form.ok()) return Unavailable(ctx);
  Page page = RulePage(ctx, "admin_sla", Text(lang, "admin_sla_title"));
  page.data["policies"] = rows;
  page.data["form"] = *form;
  page.data["form"]["action"] = "/admin/sla";
  page.data["form"]["submit"] = Text(lang, "admin_create");
  AddErrors(page.data["form"], lang, errors, "sla-", "admin_sla_field_");
  if (!errors.empty()) MarkErrors(page, lang, 422);
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse ShowPolicies(HttpContext& ctx) { return PoliciesPage(ctx); }

// One policy's page: its form on the stored version, or as posted with its errors (`error_key`
// a message above the form, e.g. a change made meanwhile).
HttpResponse PolicyPage(HttpContext& ctx, int status = 200,
                        const std::optional<PolicyForm>& posted = std::nullopt,
                        const std::vector<core::FieldError>& errors = {},
                        const std::string& error_key = "") {
  if (auto denied = RequireReader(ctx)) return *denied;
  const std::string lang = web::PageLanguage(ctx);
  auto id = PathId(ctx, "id");
  auto policy =
      id ? ctx.store->sla().GetPolicy(*id) : Result<sla::Policy>(NotFound("no such SLA policy"));
  if (!policy.ok()) {
    if (policy.status().code() == StatusCode::kNotFound)
      return web::MessagePage(ctx, 404, "not_found_title", "not_found_text");
    return Unavailable(ctx);
  }
  auto form = PolicyFormData(ctx, lang, posted.value_or(FormOf(*policy)));
  if (!form.ok()) return Unavailable(ctx);
  Page page =
      RulePage(ctx, "admin_sla_policy", Text(lang, "admin_sla_policy_title") + " " + policy->name);
  page.status = status;
  page.data["name"] = policy->name;
  page.data["updated_at"] = FormatIso8601(policy->updated_at);
  page.data["updated_at_text"] = web::DateTimeText(policy->updated_at);
  page.data["form"] = *form;
  page.data["form"]["action"] = "/admin/sla/" + std::to_string(policy->id);
  page.data["form"]["submit"] = Text(lang, "admin_save");
  page.data["form"]["is_edit"] = true;
  page.data["error"] = error_key.empty() ? "" : Text(lang, error_key);
  AddErrors(page.data["form"], lang, errors, "sla-", "admin_sla_field_");
  if (!errors.empty()) MarkErrors(page, lang, status);
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse ShowPolicy(HttpContext& ctx) { return PolicyPage(ctx); }

// The field a store refusal names ("category 9 does not exist" → category_id), else none.
std::vector<core::FieldError> RefusedPolicy(const Status& s) {
  if (s.code() == StatusCode::kNotFound || s.code() == StatusCode::kInvalidArgument)
    return {{s.message().starts_with("category") ? "category_id" : "name", s.message()}};
  return {};
}

HttpResponse CreatePolicy(HttpContext& ctx) {
  if (auto denied = RequireAdmin(ctx)) return *denied;
  PolicyForm in = PostedPolicy(ctx);
  in.version.clear();
  std::vector<core::FieldError> errors;
  sla::Policy p;
  (void)ReadPolicy(PolicyBody(in), p, errors);
  if (!errors.empty()) return PoliciesPage(ctx, in, errors);
  auto created = ctx.store->sla().CreatePolicy(p, ctx.actor());
  if (!created.ok()) {
    auto refused = RefusedPolicy(created.status());
    if (refused.empty()) return Unavailable(ctx);
    return PoliciesPage(ctx, in, refused);
  }
  return Done(ctx, "/admin/sla", "created");
}

HttpResponse UpdatePolicy(HttpContext& ctx) {
  if (auto denied = RequireAdmin(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  auto current =
      id ? ctx.store->sla().GetPolicy(*id) : Result<sla::Policy>(NotFound("no such SLA policy"));
  if (!current.ok()) return PolicyPage(ctx);  // its own 404 or 503
  const PolicyForm in = PostedPolicy(ctx);
  std::vector<core::FieldError> errors;
  sla::Policy p = *current;
  (void)ReadPolicy(PolicyBody(in), p, errors);
  const auto version = ParsePositiveInt(in.version);
  if (!version) errors.push_back({"version", "is required"});
  if (!errors.empty()) return PolicyPage(ctx, 422, in, errors);
  auto updated = ctx.store->sla().UpdatePolicy(*id, *version, p, ctx.actor());
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kConflict)
      return PolicyPage(ctx, 409, std::nullopt, {}, "admin_conflict");
    auto refused = RefusedPolicy(updated.status());
    if (refused.empty()) return Unavailable(ctx);
    return PolicyPage(ctx, 422, in, refused);
  }
  return Done(ctx, "/admin/sla/" + std::to_string(*id), "saved");
}

// --- Automations ------------------------------------------------------------------------------

struct AutomationForm {
  std::string name, kind = "trigger", position = "0", conditions = "[]", actions = "[]", version;
  bool on_create = true, on_update = false, active = true;
};

AutomationForm FormOf(const storage::Automation& a) {
  AutomationForm f;
  f.name = a.name;
  f.kind = std::string(storage::ToString(a.kind));
  f.position = std::to_string(a.position);
  f.conditions = automation::ToJson(a.conditions).dump(2);
  f.actions = automation::ToJson(a.actions).dump(2);
  f.version = std::to_string(a.version);
  f.on_create = a.on_create;
  f.on_update = a.on_update;
  f.active = a.active;
  return f;
}

AutomationForm PostedAutomation(const HttpContext& ctx) {
  const web::FormFields& in = *ctx.form;
  AutomationForm f;
  f.name = std::string(Trim(in.Value("name")));
  f.kind = in.Value("kind");
  f.position = std::string(Trim(in.Value("position")));
  f.conditions = in.Value("conditions");
  f.actions = in.Value("actions");
  f.version = in.Value("version");
  f.on_create = in.Get("on_create").has_value();
  f.on_update = in.Get("on_update").has_value();
  f.active = in.Get("active").has_value();
  return f;
}

// The API's JSON object for the form; conditions and actions that are not JSON are errors of
// their own (the reader then sees none).
json AutomationBody(const AutomationForm& f, std::vector<core::FieldError>& errors) {
  json body = {{"name", f.name},           {"kind", f.kind},
               {"on_create", f.on_create}, {"on_update", f.on_update},
               {"active", f.active},       {"position", IntegerValue(f.position)}};
  if (f.position.empty()) body.erase("position");
  for (const auto& [key, text] :
       {std::pair<std::string, std::string>{"conditions", f.conditions}, {"actions", f.actions}}) {
    if (Trim(text).empty()) {
      body[key] = json::array();
      continue;
    }
    // Parsed as the API parses its bodies (UTF-8, depth limit), as the one value of an object:
    // text that closes it early or adds keys is not one JSON value.
    json wrapped;
    const JsonTextError error = ParseJsonObjectText("{\"v\": " + text + "\n}", wrapped);
    if (error != JsonTextError::kNone || wrapped.size() != 1 || !wrapped.contains("v"))
      errors.push_back({key, error == JsonTextError::kTooDeep
                                 ? DescribeJsonTextError(error)
                                 : "is not valid JSON (a list such as [{\"field\": …}])"});
    else
      body[key] = std::move(wrapped["v"]);
  }
  return body;
}

json AutomationFormData(const std::string& lang, const AutomationForm& f) {
  json kinds = json::array();
  for (std::string_view k : {"trigger", "scheduled"})
    kinds.push_back({{"value", std::string(k)},
                     {"label", Text(lang, "admin_automation_kind_" + std::string(k))},
                     {"selected", k == f.kind}});
  return {{"name", f.name},           {"kinds", kinds},
          {"position", f.position},   {"conditions", f.conditions},
          {"actions", f.actions},     {"on_create", f.on_create},
          {"on_update", f.on_update}, {"active", f.active},
          {"version", f.version}};
}

std::string TriggerText(const std::string& lang, const storage::Automation& a) {
  if (a.kind == storage::AutomationKind::kScheduled)
    return Text(lang, "admin_automation_kind_scheduled");
  if (a.on_create && a.on_update) return Text(lang, "admin_automation_on_both");
  return Text(lang, a.on_create ? "admin_automation_on_create" : "admin_automation_on_update");
}

HttpResponse AutomationsPage(HttpContext& ctx, const AutomationForm& in = {},
                             const std::vector<core::FieldError>& errors = {}, int status = 200,
                             const std::string& error_key = "") {
  if (auto denied = RequireReader(ctx)) return *denied;
  const std::string lang = web::PageLanguage(ctx);
  auto all = ctx.store->automations().ListAutomations();
  if (!all.ok()) return Unavailable(ctx);
  json rows = json::array();
  for (const storage::Automation& a : *all)
    rows.push_back({{"id", std::to_string(a.id)},
                    {"name", a.name},
                    {"trigger", TriggerText(lang, a)},
                    {"position", std::to_string(a.position)},
                    {"active", a.active},
                    {"active_label", Text(lang, a.active ? "admin_yes" : "admin_no")},
                    {"version", std::to_string(a.version)}});
  Page page = RulePage(ctx, "admin_automations", Text(lang, "admin_automations_title"));
  page.status = status;
  page.data["automations"] = rows;
  page.data["form"] = AutomationFormData(lang, in);
  page.data["form"]["action"] = "/admin/automatisations";
  page.data["form"]["submit"] = Text(lang, "admin_create");
  page.data["error"] = error_key.empty() ? "" : Text(lang, error_key);
  AddErrors(page.data["form"], lang, errors, "automation-", "admin_automation_field_");
  if (!errors.empty()) MarkErrors(page, lang, status);
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse ShowAutomations(HttpContext& ctx) { return AutomationsPage(ctx); }

HttpResponse AutomationPage(HttpContext& ctx, int status = 200,
                            const std::optional<AutomationForm>& posted = std::nullopt,
                            const std::vector<core::FieldError>& errors = {},
                            const std::string& error_key = "") {
  if (auto denied = RequireReader(ctx)) return *denied;
  const std::string lang = web::PageLanguage(ctx);
  auto id = PathId(ctx, "id");
  auto a = id ? ctx.store->automations().GetAutomation(*id)
              : Result<storage::Automation>(NotFound("no such automation"));
  if (!a.ok()) {
    if (a.status().code() == StatusCode::kNotFound)
      return web::MessagePage(ctx, 404, "not_found_title", "not_found_text");
    return Unavailable(ctx);
  }
  Page page =
      RulePage(ctx, "admin_automation", Text(lang, "admin_automation_title") + " " + a->name);
  page.status = status;
  page.data["name"] = a->name;
  page.data["form"] = AutomationFormData(lang, posted.value_or(FormOf(*a)));
  page.data["form"]["action"] = "/admin/automatisations/" + std::to_string(a->id);
  page.data["form"]["submit"] = Text(lang, "admin_save");
  page.data["form"]["is_edit"] = true;
  page.data["error"] = error_key.empty() ? "" : Text(lang, error_key);
  AddErrors(page.data["form"], lang, errors, "automation-", "admin_automation_field_");
  if (!errors.empty()) MarkErrors(page, lang, status);
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse ShowAutomation(HttpContext& ctx) { return AutomationPage(ctx); }

HttpResponse CreateAutomation(HttpContext& ctx) {
  if (auto denied = RequireAdmin(ctx)) return *denied;
  AutomationForm in = PostedAutomation(ctx);
  in.version.clear();
  std::vector<core::FieldError> errors;
  const json body = AutomationBody(in, errors);
  storage::Automation a;
  (void)ReadAutomation(body, a, errors);
  if (!errors.empty()) return AutomationsPage(ctx, in, errors, 422);
  auto created = ctx.store->automations().CreateAutomation(a, ctx.actor());
  if (!created.ok()) {
    if (created.status().code() == StatusCode::kInvalidArgument ||
        created.status().code() == StatusCode::kNotFound)
      return AutomationsPage(ctx, in, {{"actions", created.status().message()}}, 422);
    return Unavailable(ctx);
  }
  return Done(ctx, "/admin/automatisations", "created");
}

HttpResponse UpdateAutomation(HttpContext& ctx) {
  if (auto denied = RequireAdmin(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  auto current = id ? ctx.store->automations().GetAutomation(*id)
                    : Result<storage::Automation>(NotFound("no such automation"));
  if (!current.ok()) return AutomationPage(ctx);  // its own 404 or 503
  const AutomationForm in = PostedAutomation(ctx);
  std::vector<core::FieldError> errors;
  const json body = AutomationBody(in, errors);
  storage::Automation a = *current;
  (void)ReadAutomation(body, a, errors);
  const auto version = ParsePositiveInt(in.version);
  if (!version) errors.push_back({"version", "is required"});
  if (!errors.empty()) return AutomationPage(ctx, 422, in, errors);
  auto updated = ctx.store->automations().UpdateAutomation(*id, *version, a, ctx.actor());
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kConflict)
      return AutomationPage(ctx, 409, std::nullopt, {}, "admin_conflict");
    if (updated.status().code() == StatusCode::kInvalidArgument ||
        updated.status().code() == StatusCode::kNotFound)
      return AutomationPage(ctx, 422, in, {{"actions", updated.status().message()}});
    return Unavailable(ctx);
  }
  return Done(ctx, "/admin/automatisations/" + std::to_string(*id), "saved");
}

// Turns a rule on or off from the list, on the version the list showed.
HttpResponse SwitchAutomation(HttpContext& ctx) {
  if (auto denied = RequireAdmin(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  auto current = id ? ctx.store->automations().GetAutomation(*id)
                    : Result<storage::Automation>(NotFound("no such automation"));
  if (!current.ok()) {
    if (current.status().code() == StatusCode::kNotFound)
      return web::MessagePage(ctx, 404, "not_found_title", "not_found_text");
    return Unavailable(ctx);
  }
  const std::string wanted = ctx.form->Value("active");
  const auto version = ParsePositiveInt(ctx.form->Value("version"));
  std::vector<core::FieldError> errors;
  storage::Automation a = *current;
  (void)ReadAutomation({{"active", wanted == "true"}}, a, errors);
  if ((wanted != "true" && wanted != "false") || !version)
    return AutomationsPage(ctx, {}, {}, 422, "admin_bad_form");
  if (!errors.empty()) return AutomationsPage(ctx, {}, errors, 422);
  auto updated = ctx.store->automations().UpdateAutomation(*id, *version, a, ctx.actor());
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kConflict)
      return AutomationsPage(ctx, {}, {}, 409, "admin_conflict");
    return Unavailable(ctx);
  }
  return Done(ctx, "/admin/automatisations", a.active ? "enabled" : "disabled");
}

}  // namespace

void AddAdminRulePageRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/admin/sla", BodyKind::kNone, ShowPolicies});
  routes.push_back({"POST", "/admin/sla", BodyKind::kForm, CreatePolicy});
  routes.push_back({"GET", "/admin/sla/{id}", BodyKind::kNone, ShowPolicy});
  routes.push_back({"POST", "/admin/sla/{id}", BodyKind::kForm, UpdatePolicy});
  routes.push_back({"GET", "/admin/automatisations", BodyKind::kNone, ShowAutomations});
  routes.push_back({"POST", "/admin/automatisations", BodyKind::kForm, CreateAutomation});
  routes.push_back({"GET", "/admin/automatisations/{id}", BodyKind::kNone, ShowAutomation});
  routes.push_back({"POST", "/admin/automatisations/{id}", BodyKind::kForm, UpdateAutomation});
  routes.push_back(
      {"POST", "/admin/automatisations/{id}/activation", BodyKind::kForm, SwitchAutomation});
}

}  // namespace guichet::server::admin
