// Users, teams and categories. Admins configure; auditors read; staff read teams; everyone
// (citizens' forms too) reads categories.
#include "common/crypto.h"
#include "server/auth.h"
#include "server/config_input.h"
#include "server/json/dto.h"

namespace guichet::server {

std::optional<std::string> ReadNewUser(const json& body, core::NewUser& u,
                                       std::vector<core::FieldError>& errors) {
  FieldReader reader(body, errors);
  u.email = reader.String("email", true).value_or("");
  u.display_name = reader.String("display_name").value_or("");
  const auto role_name = reader.String("role", true);
  auto password = reader.String("password");
  u.team_ids = reader.IntegerList("team_ids").value_or(std::vector<core::Id>{});
  reader.RejectUnknown();
  if (role_name) {
    if (auto role = core::ParseRole(*role_name)) {
      u.role = *role;
    } else {
      errors.push_back({"role", "must be one of: citizen, agent, lead, admin, auditor"});
    }
  }
  if (password && password->size() < kMinPassword)
    errors.push_back({"password", "must be at least 10 characters"});
  if (password && password->size() > kMaxPassword) errors.push_back({"password", "is too long"});
  if (errors.empty()) errors = core::ValidateNewUser(u);
  return password;
}

void ReadUserChange(const json& body, core::Id target, core::Id me, storage::UserChange& change,
                    std::vector<core::FieldError>& errors) {
  FieldReader reader(body, errors);
  change.role = reader.Enum("role", core::ParseRole, core::RoleNames());
  change.team_ids = reader.IntegerList("team_ids");
  change.active = reader.Bool("active");
  reader.RejectUnknown();
  if (!errors.empty()) return;
  if (change.empty()) errors.push_back({"role", "give at least one of role, team_ids, active"});
  if (target == me && change.role && *change.role != core::Role::kAdmin)
    errors.push_back({"role", "admins do not change their own role; another admin does"});
  if (target == me && change.active == false)
    errors.push_back({"active", "admins do not deactivate themselves; another admin does"});
}

std::string ReadNewTeam(const json& body, std::vector<core::FieldError>& errors) {
  FieldReader reader(body, errors);
  std::string name = reader.String("name", true).value_or("");
  reader.RejectUnknown();
  return name;
}

core::Category ReadNewCategory(const json& body, std::vector<core::FieldError>& errors) {
  FieldReader reader(body, errors);
  core::Category c;
  c.slug = reader.String("slug", true).value_or("");
  c.name = reader.String("name", true).value_or("");
  c.default_team_id = reader.Integer("default_team_id");
  reader.RejectUnknown();
  return c;
}

namespace {

HttpResponse ListUsers(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin, core::Role::kAuditor})) return *denied;
  auto users = ctx.store->ListUsers();
  if (!users.ok()) return ProblemFor(users.status());
  json items = json::array();
  for (const auto& u : *users) items.push_back(UserToJson(u));
  return Json(200, {{"items", items}, {"next_cursor", nullptr}});
}

HttpResponse GetUser(HttpContext& ctx) {
  if (auto denied = RequireUser(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  const auto& me = *ctx.principal.user;
  const bool may =
      me.role == core::Role::kAdmin || me.role == core::Role::kAuditor || (id && *id == me.id);
  if (!id || !may) return NotFoundProblem("No such user.");
  auto user = ctx.store->GetUser(*id);
  if (!user.ok()) return ProblemFor(user.status());
  return Json(200, UserToJson(*user));
}

HttpResponse CreateUser(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  core::NewUser u;
  const auto password = ReadNewUser(std::get<json>(parsed), u, errors);
  if (!errors.empty()) return ValidationProblem(errors);
  if (password) {
    auto hash = HashPassword(*password, ctx.options->password_cost);
    if (!hash.ok()) return ProblemFor(hash.status());
    u.password_hash = std::move(hash).value();
  }
  auto user = ctx.store->CreateUser(u, ctx.actor());
  if (!user.ok()) return ProblemFor(user.status());
  HttpResponse r = Json(201, UserToJson(*user));
  r.headers.emplace_back("Location", "/api/v1/users/" + std::to_string(user->id));
  return r;
}

// {"role": "lead", "team_ids": [2], "active": false}: only the fields given change.
HttpResponse UpdateUser(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such user.");
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  storage::UserChange change;
  ReadUserChange(std::get<json>(parsed), *id, ctx.principal.user->id, change, errors);
  if (!errors.empty()) return ValidationProblem(errors);
  auto user = ctx.store->UpdateUser(*id, change, ctx.actor());
  if (!user.ok()) return ProblemFor(user.status());
  return Json(200, UserToJson(*user));
}

HttpResponse ListTeams(HttpContext& ctx) {
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto teams = ctx.store->ListTeams();
  if (!teams.ok()) return ProblemFor(teams.status());
  json items = json::array();
  for (const auto& t : *teams) items.push_back(TeamToJson(t));
  return Json(200, {{"items", items}, {"next_cursor", nullptr}});
}

HttpResponse CreateTeam(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  const std::string name = ReadNewTeam(std::get<json>(parsed), errors);
  if (!errors.empty()) return ValidationProblem(errors);
  auto team = ctx.store->CreateTeam(name, ctx.actor());
  if (!team.ok()) return ProblemFor(team.status());
  return Json(201, TeamToJson(*team));
}

HttpResponse ListCategories(HttpContext& ctx) {
  auto categories = ctx.store->ListCategories();
  if (!categories.ok()) return ProblemFor(categories.status());
  json items = json::array();
  for (const auto& c : *categories) {
    json item = CategoryToJson(c);
    if (!ctx.principal.staff()) item.erase("default_team_id");
    items.push_back(item);
  }
  return Json(200, {{"items", items}, {"next_cursor", nullptr}});
}

HttpResponse CreateCategory(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kAdmin})) return *denied;
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  const core::Category c = ReadNewCategory(std::get<json>(parsed), errors);
  if (!errors.empty()) return ValidationProblem(errors);
  auto created = ctx.store->CreateCategory(c, ctx.actor());
  if (!created.ok()) return ProblemFor(created.status());
  return Json(201, CategoryToJson(*created));
}

}  // namespace

void AddDirectoryRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/users", BodyKind::kNone, ListUsers});
  routes.push_back({"POST", "/api/v1/users", BodyKind::kJson, CreateUser});
  routes.push_back({"GET", "/api/v1/users/{id}", BodyKind::kNone, GetUser});
  routes.push_back({"PATCH", "/api/v1/users/{id}", BodyKind::kJson, UpdateUser});
  routes.push_back({"GET", "/api/v1/teams", BodyKind::kNone, ListTeams});
  routes.push_back({"POST", "/api/v1/teams", BodyKind::kJson, CreateTeam});
  routes.push_back({"GET", "/api/v1/categories", BodyKind::kNone, ListCategories});
  routes.push_back({"POST", "/api/v1/categories", BodyKind::kJson, CreateCategory});
}

}  // namespace guichet::server
