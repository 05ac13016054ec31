// Automations (admins write; staff read, so agents can see why a request changed by itself),
// macros (leads and admins write; staff read and apply them to requests they may work), and a
// request's queued notifications. Every change is audited by the store.
#include "server/auth.h"
#include "server/config_input.h"
#include "server/json/dto.h"

namespace guichet::server {

std::optional<std::int64_t> ReadAutomation(const json& body, storage::Automation& a,
                                           std::vector<core::FieldError>& errors) {
  FieldReader reader(body, errors);
  if (auto v = reader.String("name")) a.name = *v;
  if (auto v = reader.String("kind")) {
    if (auto kind = storage::ParseAutomationKind(*v)) {
      a.kind = *kind;
      if (*kind == storage::AutomationKind::kScheduled && !body.contains("on_create"))
        a.on_create = false;
    } else {
      errors.push_back({"kind", "must be trigger or scheduled"});
    }
  }
  if (auto v = reader.Bool("on_create")) a.on_create = *v;
  if (auto v = reader.Bool("on_update")) a.on_update = *v;
  if (auto v = reader.Integer("position")) a.position = *v;
  if (auto v = reader.Bool("active")) a.active = *v;
  const auto version = reader.Integer("version");
  // Lists are read by the automation vocabulary, with their own element paths.
  if (const json* v = reader.Raw("conditions"))
    a.conditions = automation::ParseConditions(*v, errors);
  if (const json* v = reader.Raw("actions")) a.actions = automation::ParseActions(*v, errors);
  reader.RejectUnknown();
  if (errors.empty()) errors = storage::ValidateAutomation(a);
  return version;
}

namespace {

using storage::Automation;
using storage::Macro;

json AutomationToJson(const Automation& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"kind", storage::ToString(a.kind)},
          {"on_create", a.on_create},
          {"on_update", a.on_update},
          {"conditions", automation::ToJson(a.conditions)},
          {"actions", automation::ToJson(a.actions)},
          {"position", a.position},
          {"active", a.active},
          {"version", a.version},
          {"created_at", FormatIso8601(a.created_at)},
          {"updated_at", FormatIso8601(a.updated_at)}};
}

json MacroToJson(const Macro& m) {
  return {{"id", m.id},
          {"name", m.name},
          {"texts", m.texts},
          {"actions", automation::ToJson(m.actions)},
          {"active", m.active},
          {"version", m.version},
          {"created_at", FormatIso8601(m.created_at)},
          {"updated_at", FormatIso8601(m.updated_at)}};
}

template <typename T>
HttpResponse Versioned(int status, const json& body, const T& item) {
  HttpResponse r = Json(status, body);
  r.headers.emplace_back("ETag", ETag(item.version));
  return r;
}

std::optional<std::int64_t> ReadMacro(const json& body, Macro& m,
                                      std::vector<core::FieldError>& errors) {
  FieldReader reader(body, errors);
  if (auto v = reader.String("name")) m.name = *v;
  if (auto v = reader.StringMap("texts")) m.texts = *v;
  if (auto v = reader.Bool("active")) m.active = *v;
  const auto version = reader.Integer("version");
  if (const json* v = reader.Raw("actions")) {
    m.actions = v->is_array() && v->empty() ? std::vector<automation::Action>{}
                                            : automation::ParseActions(*v, errors);
  }
  reader.RejectUnknown();
  // Texts are checked like rule texts: known placeholders, sizes, language tags.
  if (!m.texts.empty()) {
    automation::ParseActions(json::array({{{"type", "reply"}, {"texts", m.texts}}}), errors,
                             "texts");
    for (auto& e : errors)
      if (e.field.rfind("texts[0].texts", 0) == 0) e.field = "texts" + e.field.substr(14);
  }
  if (errors.empty()) errors = storage::ValidateMacro(m);
  return version;
}

// --- Automations ---------------------------------------------------------------------------

HttpResponse ListAutomations(HttpContext& ctx) {
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto all = ctx.store->automations().ListAutomations();
  if (!all.ok()) return ProblemFor(all.status());
  json items = json::array();
  for (const auto& a : *all) items.push_back(AutomationToJson(a));
  return Json(200, {{"items", items}, {"next_cursor", nullptr}});
}

HttpResponse GetAutomation(HttpContext& ctx) {
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such automation.");
  auto a = ctx.store->automations().GetAutomation(*id);
  if (!a.ok()) return ProblemFor(a.status());
  return Versioned(200, AutomationToJson(*a), *a);
}

HttpResponse CreateAutomation(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  Automation a;
  if (ReadAutomation(std::get<json>(parsed), a, errors))
    errors.push_back({"version", "is set by the server"});
  if (!errors.empty()) return ValidationProblem(errors);
  auto created = ctx.store->automations().CreateAutomation(a, ctx.actor());
  if (!created.ok()) return ProblemFor(created.status());
  HttpResponse r = Versioned(201, AutomationToJson(*created), *created);
  r.headers.emplace_back("Location", "/api/v1/automations/" + std::to_string(created->id));
  return r;
}

HttpResponse UpdateAutomation(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such automation.");
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  auto current = ctx.store->automations().GetAutomation(*id);
  if (!current.ok()) return ProblemFor(current.status());
  std::vector<core::FieldError> errors;
  Automation a = *current;
  const auto body_version = ReadAutomation(std::get<json>(parsed), a, errors);
  if (!errors.empty()) return ValidationProblem(errors);
  auto expected = ExpectedVersion(ctx, body_version);
  if (auto* problem = std::get_if<HttpResponse>(&expected)) return *problem;
  auto updated = ctx.store->automations().UpdateAutomation(*id, std::get<std::int64_t>(expected), a,
                                                           ctx.actor());
  if (!updated.ok()) return ProblemFor(updated.status());
  return Versioned(200, AutomationToJson(*updated), *updated);
}

HttpResponse DeleteAutomation(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such automation.");
  if (Status s = ctx.store->automations().DeleteAutomation(*id, ctx.actor()); !s.ok())
    return ProblemFor(s);
  HttpResponse r;
  r.status = 204;
  return r;
}

// --- Macros --------------------------------------------------------------------------------

HttpResponse ListMacros(HttpContext& ctx) {
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto all = ctx.store->automations().ListMacros();
  if (!all.ok()) return ProblemFor(all.status());
  json items = json::array();
  for (const auto& m : *all) items.push_back(MacroToJson(m));
  return Json(200, {{"items", items}, {"next_cursor", nullptr}});
}

HttpResponse GetMacro(HttpContext& ctx) {
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such macro.");
  auto m = ctx.store->automations().GetMacro(*id);
  if (!m.ok()) return ProblemFor(m.status());
  return Versioned(200, MacroToJson(*m), *m);
}

HttpResponse CreateMacro(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kLead, core::Role::kAdmin})) return *denied;
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  Macro m;
  if (ReadMacro(std::get<json>(parsed), m, errors))
    errors.push_back({"version", "is set by the server"});
  if (!errors.empty()) return ValidationProblem(errors);
  auto created = ctx.store->automations().CreateMacro(m, ctx.actor());
  if (!created.ok()) return ProblemFor(created.status());
  HttpResponse r = Versioned(201, MacroToJson(*created), *created);
  r.headers.emplace_back("Location", "/api/v1/macros/" + std::to_string(created->id));
  return r;
}

HttpResponse UpdateMacro(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kLead, core::Role::kAdmin})) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such macro.");
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  auto current = ctx.store->automations().GetMacro(*id);
  if (!current.ok()) return ProblemFor(current.status());
  std::vector<core::FieldError> errors;
  Macro m = *current;
  const auto body_version = ReadMacro(std::get<json>(parsed), m, errors);
  if (!errors.empty()) return ValidationProblem(errors);
  auto expected = ExpectedVersion(ctx, body_version);
  if (auto* problem = std::get_if<HttpResponse>(&expected)) return *problem;
  auto updated =
      ctx.store->automations().UpdateMacro(*id, std::get<std::int64_t>(expected), m, ctx.actor());
  if (!updated.ok()) return ProblemFor(updated.status());
  return Versioned(200, MacroToJson(*updated), *updated);
}

HttpResponse DeleteMacro(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kLead, core::Role::kAdmin})) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such macro.");
  if (Status s = ctx.store->automations().DeleteMacro(*id, ctx.actor()); !s.ok())
    return ProblemFor(s);
  HttpResponse r;
  r.status = 204;
  return r;
}

// --- On a request --------------------------------------------------------------------------

// {"macro_id": 3, "version": 4} (or If-Match): replies as the caller and applies the actions.
HttpResponse ApplyMacro(HttpContext& ctx) {
  auto loaded = LoadVisibleRequest(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  const auto& request = std::get<core::Request>(loaded);
  if (auto denied = RequireWork(ctx, request)) return *denied;
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  FieldReader reader(std::get<json>(parsed), errors);
  const auto macro_id = reader.Integer("macro_id", true);
  const auto body_version = reader.Integer("version");
  reader.RejectUnknown();
  if (!errors.empty()) return ValidationProblem(errors);
  auto expected = ExpectedVersion(ctx, body_version);
  if (auto* problem = std::get_if<HttpResponse>(&expected)) return *problem;
  auto applied = ctx.store->ApplyMacro(request.id, std::get<std::int64_t>(expected), *macro_id,
                                       ctx.principal.user->display_name, ctx.actor());
  if (!applied.ok()) {
    if (applied.status().code() == StatusCode::kNotFound)
      return ValidationProblem({{"macro_id", "is not a known macro"}});
    return ProblemFor(applied.status());
  }
  HttpResponse r = Json(200, RequestToJson(*ctx.store, *applied, true, ctx.clock->Now()));
  r.headers.emplace_back("ETag", ETag(applied->version));
  return r;
}

HttpResponse ListNotifications(HttpContext& ctx) {
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto loaded = LoadVisibleRequest(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  auto all = ctx.store->automations().ListNotifications(std::get<core::Request>(loaded).id);
  if (!all.ok()) return ProblemFor(all.status());
  json items = json::array();
  for (const auto& n : *all) {
    items.push_back({{"id", n.id},
                     {"automation_id", n.automation_id ? json(*n.automation_id) : json(nullptr)},
                     {"recipient", n.recipient},
                     {"language", n.language},
                     {"body", n.body},
                     {"status", n.status},
                     {"created_at", FormatIso8601(n.created_at)}});
  }
  return Json(200, {{"items", items}, {"next_cursor", nullptr}});
}

}  // namespace

void AddAutomationRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/automations", BodyKind::kNone, ListAutomations});
  routes.push_back({"POST", "/api/v1/automations", BodyKind::kJson, CreateAutomation});
  routes.push_back({"GET", "/api/v1/automations/{id}", BodyKind::kNone, GetAutomation});
  routes.push_back({"PATCH", "/api/v1/automations/{id}", BodyKind::kJson, UpdateAutomation});
  routes.push_back({"DELETE", "/api/v1/automations/{id}", BodyKind::kNone, DeleteAutomation});
  routes.push_back({"GET", "/api/v1/macros", BodyKind::kNone, ListMacros});
  routes.push_back({"POST", "/api/v1/macros", BodyKind::kJson, CreateMacro});
  routes.push_back({"GET", "/api/v1/macros/{id}", BodyKind::kNone, GetMacro});
  routes.push_back({"PATCH", "/api/v1/macros/{id}", BodyKind::kJson, UpdateMacro});
  routes.push_back({"DELETE", "/api/v1/macros/{id}", BodyKind::kNone, DeleteMacro});
  routes.push_back({"POST", "/api/v1/requests/{id}/apply-macro", BodyKind::kJson, ApplyMacro});
  routes.push_back(
      {"GET", "/api/v1/requests/{id}/notifications", BodyKind::kNone, ListNotifications});
}

}  // namespace guichet::server
