// SLA configuration: policies (targets per category, priority and channel), the desk calendar
// and each team's opening hours. Admins change them; staff read them (agents see why a request
// is due when it is). Every change is audited by the store.
#include <algorithm>

#include "server/auth.h"
#include "server/config_input.h"
#include "server/json/dto.h"
#include "sla/policy_json.h"

namespace guichet::server {

std::optional<std::int64_t> ReadPolicy(const json& body, sla::Policy& p,
                                       std::vector<core::FieldError>& errors) {
  FieldReader reader(body, errors);
  if (auto name = reader.String("name")) p.name = *name;
  if (reader.IsNull("category_id")) p.category_id.reset();
  if (auto c = reader.Integer("category_id")) p.category_id = c;
  if (reader.IsNull("priority")) p.priority.reset();
  if (auto v = reader.Enum("priority", core::ParsePriority, core::PriorityNames())) p.priority = v;
  if (reader.IsNull("channel")) p.channel.reset();
  if (auto v = reader.Enum("channel", core::ParseChannel, core::ChannelNames())) p.channel = v;
  if (reader.IsNull("first_reply_minutes")) p.first_reply_minutes.reset();
  if (auto v = reader.Integer("first_reply_minutes")) p.first_reply_minutes = v;
  if (reader.IsNull("resolution_minutes")) p.resolution_minutes.reset();
  if (auto v = reader.Integer("resolution_minutes")) p.resolution_minutes = v;
  if (auto v = reader.Bool("business_hours")) p.business_hours = *v;
  if (auto v = reader.Integer("warning_percent")) {
    p.warning_percent = static_cast<int>(std::clamp<std::int64_t>(*v, -1, 100));
  }
  if (auto v = reader.Bool("active")) p.active = *v;
  const auto version = reader.Integer("version");
  reader.RejectUnknown();
  if (errors.empty()) errors = sla::ValidatePolicy(p);
  return version;
}

std::optional<std::string> ReadTeamHours(const json& body, std::vector<core::FieldError>& errors) {
  FieldReader reader(body, errors);
  const bool cleared = reader.IsNull("opening_hours");
  auto hours = reader.String("opening_hours", !cleared);
  reader.RejectUnknown();
  return hours;
}

namespace {

json PolicyToJson(const sla::Policy& p) {
  json out = sla::PolicyFieldsJson(p);
  out["id"] = p.id;
  out["version"] = p.version;
  out["created_at"] = FormatIso8601(p.created_at);
  out["updated_at"] = FormatIso8601(p.updated_at);
  return out;
}

HttpResponse PolicyResponse(int status, const sla::Policy& p) {
  HttpResponse r = Json(status, PolicyToJson(p));
  r.headers.emplace_back("ETag", ETag(p.version));
  return r;
}

HttpResponse ListPolicies(HttpContext& ctx) {
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto policies = ctx.store->sla().ListPolicies();
  if (!policies.ok()) return ProblemFor(policies.status());
  json items = json::array();
  for (const auto& p : *policies) items.push_back(PolicyToJson(p));
  return Json(200, {{"items", items}, {"next_cursor", nullptr}});
}

HttpResponse GetPolicy(HttpContext& ctx) {
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such SLA policy.");
  auto policy = ctx.store->sla().GetPolicy(*id);
  if (!policy.ok()) return ProblemFor(policy.status());
  return PolicyResponse(200, *policy);
}

HttpResponse CreatePolicy(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  sla::Policy p;
  if (ReadPolicy(std::get<json>(parsed), p, errors))
    errors.push_back({"version", "is set by the server"});
  if (!errors.empty()) return ValidationProblem(errors);
  auto created = ctx.store->sla().CreatePolicy(p, ctx.actor());
  if (!created.ok()) return ProblemFor(created.status());
  HttpResponse r = PolicyResponse(201, *created);
  r.headers.emplace_back("Location", "/api/v1/sla/policies/" + std::to_string(created->id));
  return r;
}

HttpResponse UpdatePolicy(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such SLA policy.");
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  auto current = ctx.store->sla().GetPolicy(*id);
  if (!current.ok()) return ProblemFor(current.status());
  std::vector<core::FieldError> errors;
  sla::Policy p = *current;
  const auto body_version = ReadPolicy(std::get<json>(parsed), p, errors);
  if (!errors.empty()) return ValidationProblem(errors);
  auto expected = ExpectedVersion(ctx, body_version);
  if (auto* problem = std::get_if<HttpResponse>(&expected)) return *problem;
  auto updated =
      ctx.store->sla().UpdatePolicy(*id, std::get<std::int64_t>(expected), p, ctx.actor());
  if (!updated.ok()) return ProblemFor(updated.status());
  return PolicyResponse(200, *updated);
}

HttpResponse DeletePolicy(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such SLA policy.");
  Status deleted = ctx.store->sla().DeletePolicy(*id, ctx.actor());
  if (!deleted.ok()) return ProblemFor(deleted);
  HttpResponse r;
  r.status = 204;
  return r;
}

HttpResponse GetCalendar(HttpContext& ctx) {
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto calendar = ctx.store->sla().GetCalendar();
  if (!calendar.ok()) return ProblemFor(calendar.status());
  return Json(200, sla::CalendarJson(*calendar));
}

// Replaces the whole calendar: every field is required, so nothing is reset by omission.
HttpResponse PutCalendar(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  FieldReader reader(std::get<json>(parsed), errors);
  sla::CalendarSettings s;
  s.time_zone = reader.String("time_zone", true).value_or("");
  s.opening_hours = reader.String("opening_hours", true).value_or("");
  const auto alsace = reader.Bool("alsace_moselle");
  const auto days = reader.StringList("extra_closed_days");
  reader.RejectUnknown();
  auto require = [&](bool present, const std::string& field, const std::string& reason) {
    const bool reported =
        std::any_of(errors.begin(), errors.end(), [&](const auto& e) { return e.field == field; });
    if (!present && !reported) errors.push_back({field, reason});
  };
  require(alsace.has_value(), "alsace_moselle", "is required (true or false)");
  require(days.has_value(), "extra_closed_days", "is required (a list of dates, maybe empty)");
  s.alsace_moselle = alsace.value_or(false);
  for (const auto& text : days.value_or(std::vector<std::string>{})) {
    auto date = sla::ParseDate(text);
    if (!date.ok()) {
      errors.push_back({"extra_closed_days", date.status().message()});
      break;
    }
    s.extra_closed_days.push_back(*date);
  }
  if (!errors.empty()) return ValidationProblem(errors);
  Status set = ctx.store->sla().SetCalendar(s, ctx.actor());
  if (!set.ok()) return ProblemFor(set);
  return GetCalendar(ctx);
}

HttpResponse TeamHoursResponse(HttpContext& ctx, core::Id team_id) {
  auto hours = ctx.store->sla().GetTeamOpeningHours(team_id);
  if (!hours.ok()) return ProblemFor(hours.status());
  auto calendar = ctx.store->sla().GetCalendar();
  if (!calendar.ok()) return ProblemFor(calendar.status());
  return Json(200, {{"team_id", team_id},
                    {"opening_hours", *hours ? json(**hours) : json(nullptr)},
                    {"effective_opening_hours", hours->value_or(calendar->opening_hours)}});
}

HttpResponse GetTeamHours(HttpContext& ctx) {
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such team.");
  return TeamHoursResponse(ctx, *id);
}

// {"opening_hours": "mon-fri 08:00-18:00"} sets the team's own hours; null returns it to the
// desk's.
HttpResponse PutTeamHours(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such team.");
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  const auto hours = ReadTeamHours(std::get<json>(parsed), errors);
  if (!errors.empty()) return ValidationProblem(errors);
  Status set = ctx.store->sla().SetTeamOpeningHours(*id, hours, ctx.actor());
  if (!set.ok()) return ProblemFor(set);
  return TeamHoursResponse(ctx, *id);
}

}  // namespace

void AddSlaRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/sla/policies", BodyKind::kNone, ListPolicies});
  routes.push_back({"POST", "/api/v1/sla/policies", BodyKind::kJson, CreatePolicy});
  routes.push_back({"GET", "/api/v1/sla/policies/{id}", BodyKind::kNone, GetPolicy});
  routes.push_back({"PATCH", "/api/v1/sla/policies/{id}", BodyKind::kJson, UpdatePolicy});
  routes.push_back({"DELETE", "/api/v1/sla/policies/{id}", BodyKind::kNone, DeletePolicy});
  routes.push_back({"GET", "/api/v1/sla/calendar", BodyKind::kNone, GetCalendar});
  routes.push_back({"PUT", "/api/v1/sla/calendar", BodyKind::kJson, PutCalendar});
  routes.push_back({"GET", "/api/v1/teams/{id}/opening-hours", BodyKind::kNone, GetTeamHours});
  routes.push_back({"PUT", "/api/v1/teams/{id}/opening-hours", BodyKind::kJson, PutTeamHours});
}

}  // namespace guichet::server
