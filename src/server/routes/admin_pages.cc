// The admin area's pages: the index, users, teams (with their opening hours), categories and
// the AI switches; the SLA policies and automations are in admin_rule_pages.cc. Admins change
// the desk's configuration here; auditors read what the API lets them read. Every change goes
// through the API's readers (server/config_input.h) and the same store calls, which audit it.
#include <algorithm>
#include <map>
#include <sstream>

#include "common/crypto.h"
#include "common/text.h"
#include "server/admin_pages.h"
#include "server/auth.h"
#include "server/config_input.h"
#include "storage/ai_store.h"

namespace guichet::server {
namespace admin {

using web::Page;
using web::Text;

std::optional<HttpResponse> RequireReader(const HttpContext& ctx, bool auditors_read) {
  if (ctx.principal.anonymous())
    return web::SeeOther("/agent/connexion?lang=" + web::PageLanguage(ctx));
  if (ctx.principal.Is(core::Role::kAdmin) ||
      (auditors_read && ctx.principal.Is(core::Role::kAuditor)))
    return std::nullopt;
  return web::MessagePage(ctx, 403, "forbidden_title", "admin_only");
}

std::optional<HttpResponse> RequireAdmin(const HttpContext& ctx) {
  return RequireReader(ctx, /*auditors_read=*/false);
}

bool IsAdmin(const HttpContext& ctx) { return ctx.principal.Is(core::Role::kAdmin); }

HttpResponse Done(const HttpContext& ctx, const std::string& path, const std::string& done) {
  return web::SeeOther(path + "?lang=" + web::PageLanguage(ctx) + "&done=" + done);
}

std::string DoneNotice(const HttpContext& ctx, const std::string& lang) {
  static const char* const kKnown[] = {"created", "saved", "enabled", "disabled"};
  const std::string done = ctx.Query("done").value_or("");
  for (const char* k : kKnown)
    if (done == k) return Text(lang, "admin_done_" + done);
  return "";
}

json IntegerValue(const std::string& text) {
  const std::string_view t = Trim(text);
  if (t.empty()) return nullptr;
  if (auto n = ParsePositiveInt(t)) return *n;
  if (t == "0") return 0;
  if (t.size() > 1 && t[0] == '-')
    if (auto n = ParsePositiveInt(t.substr(1))) return -*n;
  return std::string(t);
}

std::string ErrorText(const std::string& lang, const core::FieldError& error) {
  const std::string& m = error.reason;
  if (m == "is required") return Text(lang, "error_required");
  if (m.starts_with("must be an integer")) return Text(lang, "admin_error_integer");
  if (m.starts_with("must be a number")) return Text(lang, "admin_error_number");
  if (m == "is already taken" || m.starts_with("already")) return Text(lang, "admin_error_taken");
  static const std::pair<const char*, const char*> kKnown[] = {
      {"is not an e-mail address", "error_email"},
      {"must be 1 to 200 characters of valid UTF-8", "admin_error_name_length"},
      {"a policy needs a first-reply or resolution target", "admin_error_sla_target"},
      {"must be between 1 and 99", "admin_error_percent"},
      {"must be at least 10 characters", "admin_error_password_short"},
      {"must list at least one action", "admin_error_no_action"},
      {"must be a list of 1 to 20 actions", "admin_error_actions_list"},
      {"admins do not change their own role; another admin does", "admin_error_own_role"},
      {"admins do not deactivate themselves; another admin does", "admin_error_own_access"},
      {"a citizen account stays a citizen account, and staff stay staff",
       "admin_error_citizen_role"},
      {"is not valid JSON (a list such as [{\"field\": …}])", "admin_error_json"},
  };
  for (const auto& [message, key] : kKnown)
    if (m == message) return Text(lang, key);
  return m;  // the validator's own words: they name the element and the rule
}

void AddErrors(json& data, const std::string& lang, const std::vector<core::FieldError>& errors,
               const std::string& id_prefix, const std::string& label_prefix) {
  json fields = json::object();
  json summary = json::array();
  for (const core::FieldError& e : errors) {
    // "conditions[2].op" is shown next to the conditions, naming its element.
    const std::string key = e.field.substr(0, e.field.find_first_of("[."));
    std::string text = ErrorText(lang, e);
    if (key != e.field) text = e.field + " : " + text;
    json& f = fields[key];
    f["id"] = id_prefix + key;
    f["error"] = f.contains("error") ? f["error"].get<std::string>() + " " + text : text;
    // One form per row ("hours-3") shares the label of its field ("hours").
    const std::size_t dash = key.rfind('-');
    const bool per_row = dash != std::string::npos && ParsePositiveInt(key.substr(dash + 1));
    summary.push_back({{"anchor", id_prefix + key},
                       {"label", Text(lang, label_prefix + (per_row ? key.substr(0, dash) : key))},
                       {"message", text}});
  }
  data["fields"] = fields;
  data["errors"] = summary;
  data["has_errors"] = !errors.empty();
}

HttpResponse Unavailable(const HttpContext& ctx) {
  return web::MessagePage(ctx, 503, "error_title", "error_text");
}

}  // namespace admin

namespace {

using admin::AddErrors;
using web::Page;
using web::Text;

// `text` with every `from` character replaced by `to`.
std::string Replaced(std::string text, char from, char to) {
  std::replace(text.begin(), text.end(), from, to);
  return text;
}

// The store's refusal of a new item as a field error: a taken name or e-mail, a bad value.
std::optional<core::FieldError> RefusedField(const Status& s, const std::string& field) {
  if (s.code() == StatusCode::kAlreadyExists) return core::FieldError{field, "is already taken"};
  if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kFailedPrecondition ||
      s.code() == StatusCode::kNotFound)
    return core::FieldError{field, s.message()};
  return std::nullopt;
}

Page AdminPage(const HttpContext& ctx, const std::string& name, const std::string& title_key) {
  const std::string lang = web::PageLanguage(ctx);
  Page page(name, Text(lang, title_key));
  page.has_form = admin::IsAdmin(ctx);
  page.data["can_edit"] = admin::IsAdmin(ctx);
  page.data["notice"] = admin::DoneNotice(ctx, lang);
  return page;
}

// Marks a page whose form came back with errors: 422, and the title says so.
void WithErrors(Page& page, const std::string& lang, int status = 422) {
  page.status = status;
  page.title = Text(lang, "admin_errors_title") + " — " + page.title;
}

// --- Index ------------------------------------------------------------------------------------

HttpResponse Index(HttpContext& ctx) {
  if (auto denied = admin::RequireReader(ctx)) return *denied;
  const std::string lang = web::PageLanguage(ctx);
  Page page = AdminPage(ctx, "admin_index", "admin_title");
  json sections = json::array();
  for (const auto& [path, key] :
       std::vector<std::pair<std::string, std::string>>{{"/admin/utilisateurs", "users"},
                                                        {"/admin/equipes", "teams"},
                                                        {"/admin/categories", "categories"},
                                                        {"/admin/sla", "sla"},
                                                        {"/admin/automatisations", "automations"},
                                                        {"/admin/ia", "ai"}})
    sections.push_back({{"href", path + "?lang=" + lang},
                        {"label", Text(lang, "admin_" + key + "_title")},
                        {"text", Text(lang, "admin_" + key + "_intro")}});
  page.data["sections"] = sections;
  return web::RenderPage(ctx, std::move(page));
}

// --- Users ------------------------------------------------------------------------------------

// The teams as a select's choices (`selected`: the id chosen), and their names by id.
json TeamChoices(const std::vector<core::Team>& teams, const std::string& selected,
                 std::map<core::Id, std::string>& names) {
  json choices = json::array();
  for (const core::Team& t : teams) {
    names[t.id] = t.name;
    choices.push_back({{"value", std::to_string(t.id)},
                       {"label", t.name},
                       {"selected", std::to_string(t.id) == selected}});
  }
  return choices;
}

struct UserForm {
  std::string display_name, email, role = "agent", team;
};

HttpResponse UsersPage(HttpContext& ctx, const UserForm& in = {},
                       const std::vector<core::FieldError>& errors = {}) {
  if (auto denied = admin::RequireReader(ctx)) return *denied;
  const std::string lang = web::PageLanguage(ctx);
  auto users = ctx.store->ListUsers();
  auto teams = ctx.store->ListTeams();
  if (!users.ok() || !teams.ok()) return admin::Unavailable(ctx);
  std::map<core::Id, std::string> team_names;
  const json team_choices = TeamChoices(*teams, in.team, team_names);
  json rows = json::array();
  for (const core::User& u : *users) {
    std::string names;
    for (core::Id id : u.team_ids)
      names += (names.empty() ? "" : ", ") +
               (team_names.count(id) ? team_names[id] : "#" + std::to_string(id));
    rows.push_back({{"id", std::to_string(u.id)},
                    {"name", u.display_name.empty() ? u.email : u.display_name},
                    {"email", u.email},
                    {"role", Text(lang, "admin_role_" + std::string(core::ToString(u.role)))},
                    {"teams", names.empty() ? Text(lang, "agent_none") : names},
                    {"active", Text(lang, u.active ? "admin_yes" : "admin_no")}});
  }
  json roles = json::array();
  for (std::string_view r : core::RoleNames())
    roles.push_back({{"value", std::string(r)},
                     {"label", Text(lang, "admin_role_" + std::string(r))},
                     {"selected", r == in.role}});
  Page page = AdminPage(ctx, "admin_users", "admin_users_title");
  page.data["users"] = rows;
  page.data["roles"] = roles;
  page.data["teams"] = team_choices;
  page.data["values"] = {{"display_name", in.display_name}, {"email", in.email}};
  AddErrors(page.data, lang, errors, "user-", "admin_user_field_");
  if (!errors.empty()) WithErrors(page, lang);
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse ShowUsers(HttpContext& ctx) { return UsersPage(ctx); }

HttpResponse CreateUser(HttpContext& ctx) {
  if (auto denied = admin::RequireAdmin(ctx)) return *denied;
  UserForm in{std::string(Trim(ctx.form->Value("display_name"))),
              std::string(Trim(ctx.form->Value("email"))), ctx.form->Value("role"),
              ctx.form->Value("team")};
  json body = {{"email", in.email}, {"display_name", in.display_name}, {"role", in.role}};
  if (in.email.empty()) body.erase("email");
  if (!in.team.empty()) body["team_ids"] = json::array({admin::IntegerValue(in.team)});
  const std::string password = ctx.form->Value("password");
  if (!password.empty()) body["password"] = password;
  std::vector<core::FieldError> errors;
  core::NewUser u;
  const auto given = ReadNewUser(body, u, errors);
  for (auto& e : errors)
    if (e.field.starts_with("team_ids")) e.field = "team";
  if (!errors.empty()) return UsersPage(ctx, in, errors);
  if (given) {
    auto hash = HashPassword(*given, ctx.options->password_cost);
    if (!hash.ok()) return admin::Unavailable(ctx);
    u.password_hash = std::move(hash).value();
  }
  auto user = ctx.store->CreateUser(u, ctx.actor());
  if (!user.ok()) {
    if (auto e = RefusedField(user.status(), "email")) return UsersPage(ctx, in, {*e});
    return admin::Unavailable(ctx);
  }
  return admin::Done(ctx, "/admin/utilisateurs", "created");
}

// One account's page: its facts and, for admins, the form to change its role, teams and access
// (as posted, with its errors, when `posted` is set).
struct UserChangeForm {
  std::string role;
  std::vector<std::string> teams;
  bool active = true;
};

HttpResponse UserPage(HttpContext& ctx, int status = 200,
                      const std::optional<UserChangeForm>& posted = std::nullopt,
                      const std::vector<core::FieldError>& errors = {}) {
  if (auto denied = admin::RequireReader(ctx)) return *denied;
  const std::string lang = web::PageLanguage(ctx);
  auto id = PathId(ctx, "id");
  auto user = id ? ctx.store->GetUser(*id) : Result<core::User>(NotFound("no such user"));
  auto teams = ctx.store->ListTeams();
  if (!user.ok() && user.status().code() == StatusCode::kNotFound)
    return web::MessagePage(ctx, 404, "not_found_title", "not_found_text");
  if (!user.ok() || !teams.ok()) return admin::Unavailable(ctx);
  UserChangeForm form{std::string(core::ToString(user->role)), {}, user->active};
  for (core::Id t : user->team_ids) form.teams.push_back(std::to_string(t));
  if (posted) form = *posted;
  json roles = json::array();
  for (std::string_view r : core::RoleNames())
    roles.push_back({{"value", std::string(r)},
                     {"label", Text(lang, "admin_role_" + std::string(r))},
                     {"selected", r == form.role}});
  json team_choices = json::array();
  std::string team_names;
  for (const core::Team& t : *teams) {
    const std::string value = std::to_string(t.id);
    team_choices.push_back(
        {{"value", value},
         {"label", t.name},
         {"checked", std::find(form.teams.begin(), form.teams.end(), value) != form.teams.end()}});
    if (std::find(user->team_ids.begin(), user->team_ids.end(), t.id) != user->team_ids.end())
      team_names += (team_names.empty() ? "" : ", ") + t.name;
  }
  const std::string name = user->display_name.empty() ? user->email : user->display_name;
  Page page = AdminPage(ctx, "admin_user", "admin_user_title");
  page.title += " " + name;
  page.status = status;
  page.data["id"] = std::to_string(user->id);
  page.data["name"] = name;
  page.data["email"] = user->email;
  page.data["role_label"] = Text(lang, "admin_role_" + std::string(core::ToString(user->role)));
  page.data["teams_label"] = team_names.empty() ? Text(lang, "agent_none") : team_names;
  page.data["active_label"] = Text(lang, user->active ? "admin_yes" : "admin_no");
  page.data["created_at"] = FormatIso8601(user->created_at);
  page.data["created_at_text"] = web::DateTimeText(user->created_at);
  page.data["roles"] = roles;
  page.data["teams"] = team_choices;
  page.data["active"] = form.active;
  AddErrors(page.data, lang, errors, "user-", "admin_user_field_");
  if (!errors.empty()) WithErrors(page, lang, status);
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse ShowUser(HttpContext& ctx) { return UserPage(ctx); }

HttpResponse ChangeUser(HttpContext& ctx) {
  if (auto denied = admin::RequireAdmin(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  if (!id || !ctx.store->GetUser(*id).ok()) return UserPage(ctx);  // its own 404 or 503
  const UserChangeForm in{ctx.form->Value("role"), ctx.form->All("team"),
                          ctx.form->Get("active").has_value()};
  json teams = json::array();
  for (const std::string& t : in.teams) teams.push_back(admin::IntegerValue(t));
  const json body = {{"role", in.role}, {"team_ids", teams}, {"active", in.active}};
  std::vector<core::FieldError> errors;
  storage::UserChange change;
  ReadUserChange(body, *id, ctx.principal.user->id, change, errors);
  for (auto& e : errors)
    if (e.field.starts_with("team_ids")) e.field = "team";
  if (!errors.empty()) return UserPage(ctx, 422, in, errors);
  auto user = ctx.store->UpdateUser(*id, change, ctx.actor());
  if (!user.ok()) {
    const StatusCode code = user.status().code();
    if (code == StatusCode::kFailedPrecondition)
      return UserPage(ctx, 422, in, {{"role", user.status().message()}});
    if (code == StatusCode::kInvalidArgument)
      return UserPage(ctx, 422, in, {{"team", user.status().message()}});
    return admin::Unavailable(ctx);
  }
  return admin::Done(ctx, "/admin/utilisateurs/" + std::to_string(*id), "saved");
}

// --- Teams ------------------------------------------------------------------------------------

// `field_values`: what was typed, by field id ("name", "hours-3"); the errors are by field id too.
HttpResponse TeamsPage(HttpContext& ctx,
                       const std::map<std::string, std::string>& field_values = {},
                       const std::vector<core::FieldError>& errors = {}) {
  if (auto denied = admin::RequireReader(ctx)) return *denied;
  const std::string lang = web::PageLanguage(ctx);
  auto teams = ctx.store->ListTeams();
  auto calendar = ctx.store->sla().GetCalendar();
  if (!teams.ok() || !calendar.ok()) return admin::Unavailable(ctx);
  Page page = AdminPage(ctx, "admin_teams", "admin_teams_title");
  AddErrors(page.data, lang, errors, "team-", "admin_team_field_");
  json rows = json::array();
  for (const core::Team& t : *teams) {
    auto hours = ctx.store->sla().GetTeamOpeningHours(t.id);
    if (!hours.ok()) return admin::Unavailable(ctx);
    const std::string key = "hours-" + std::to_string(t.id);
    auto typed = field_values.find(key);
    json row = {{"id", std::to_string(t.id)},
                {"name", t.name},
                {"own_hours", hours->value_or("")},
                {"effective_hours", hours->value_or(calendar->opening_hours)},
                {"hours_value", typed != field_values.end() ? typed->second : hours->value_or("")}};
    if (page.data["fields"].contains(key)) row["hours_error"] = page.data["fields"][key]["error"];
    rows.push_back(row);
  }
  page.data["teams"] = rows;
  page.data["desk_hours"] = calendar->opening_hours;
  auto name = field_values.find("name");
  page.data["values"] = {{"name", name != field_values.end() ? name->second : ""}};
  if (!errors.empty()) WithErrors(page, lang);
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse ShowTeams(HttpContext& ctx) { return TeamsPage(ctx); }

HttpResponse CreateTeam(HttpContext& ctx) {
  if (auto denied = admin::RequireAdmin(ctx)) return *denied;
  const std::string name(Trim(ctx.form->Value("name")));
  json body = json::object();
  if (!name.empty()) body["name"] = name;
  std::vector<core::FieldError> errors;
  const std::string read = ReadNewTeam(body, errors);
  if (!errors.empty()) return TeamsPage(ctx, {{"name", name}}, errors);
  auto team = ctx.store->CreateTeam(read, ctx.actor());
  if (!team.ok()) {
    if (auto e = RefusedField(team.status(), "name")) return TeamsPage(ctx, {{"name", name}}, {*e});
    return admin::Unavailable(ctx);
  }
  return admin::Done(ctx, "/admin/equipes", "created");
}

// An empty field returns the team to the desk's opening hours.
HttpResponse SetTeamHours(HttpContext& ctx) {
  if (auto denied = admin::RequireAdmin(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  if (!id || !ctx.store->GetTeam(*id).ok())
    return web::MessagePage(ctx, 404, "not_found_title", "not_found_text");
  const std::string key = "hours-" + std::to_string(*id);
  const std::string hours(Trim(ctx.form->Value("opening_hours")));
  const json body = {{"opening_hours", hours.empty() ? json(nullptr) : json(hours)}};
  std::vector<core::FieldError> errors;
  const auto read = ReadTeamHours(body, errors);
  if (errors.empty()) {
    Status set = ctx.store->sla().SetTeamOpeningHours(*id, read, ctx.actor());
    if (set.ok()) return admin::Done(ctx, "/admin/equipes", "saved");
    auto e = RefusedField(set, key);
    if (!e) return admin::Unavailable(ctx);
    errors.push_back(*e);
  }
  for (auto& e : errors) e.field = key;
  return TeamsPage(ctx, {{key, hours}}, errors);
}

// --- Categories -------------------------------------------------------------------------------

struct CategoryForm {
  std::string slug, name, team;
};

HttpResponse CategoriesPage(HttpContext& ctx, const CategoryForm& in = {},
                            const std::vector<core::FieldError>& errors = {}) {
  if (auto denied = admin::RequireReader(ctx)) return *denied;
  const std::string lang = web::PageLanguage(ctx);
  auto categories = ctx.store->ListCategories();
  auto teams = ctx.store->ListTeams();
  if (!categories.ok() || !teams.ok()) return admin::Unavailable(ctx);
  std::map<core::Id, std::string> team_names;
  const json team_choices = TeamChoices(*teams, in.team, team_names);
  json rows = json::array();
  for (const core::Category& c : *categories)
    rows.push_back({{"slug", c.slug},
                    {"name", c.name},
                    {"team", c.default_team_id && team_names.count(*c.default_team_id)
                                 ? team_names[*c.default_team_id]
                                 : Text(lang, "agent_none")}});
  Page page = AdminPage(ctx, "admin_categories", "admin_categories_title");
  page.data["categories"] = rows;
  page.data["teams"] = team_choices;
  page.data["values"] = {{"slug", in.slug}, {"name", in.name}};
  AddErrors(page.data, lang, errors, "category-", "admin_category_field_");
  if (!errors.empty()) WithErrors(page, lang);
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse ShowCategories(HttpContext& ctx) { return CategoriesPage(ctx); }

HttpResponse CreateCategory(HttpContext& ctx) {
  if (auto denied = admin::RequireAdmin(ctx)) return *denied;
  CategoryForm in{std::string(Trim(ctx.form->Value("slug"))),
                  std::string(Trim(ctx.form->Value("name"))), ctx.form->Value("default_team_id")};
  json body = json::object();
  if (!in.slug.empty()) body["slug"] = in.slug;
  if (!in.name.empty()) body["name"] = in.name;
  if (!in.team.empty()) body["default_team_id"] = admin::IntegerValue(in.team);
  std::vector<core::FieldError> errors;
  const core::Category c = ReadNewCategory(body, errors);
  if (!errors.empty()) return CategoriesPage(ctx, in, errors);
  auto created = ctx.store->CreateCategory(c, ctx.actor());
  if (!created.ok()) {
    const Status& s = created.status();
    const std::string field = s.code() == StatusCode::kNotFound               ? "default_team_id"
                              : s.message().find("name") != std::string::npos ? "name"
                                                                              : "slug";
    if (auto e = RefusedField(s, field)) return CategoriesPage(ctx, in, {*e});
    return admin::Unavailable(ctx);
  }
  return admin::Done(ctx, "/admin/categories", "created");
}

// --- AI switches ------------------------------------------------------------------------------

HttpResponse AiPage(HttpContext& ctx, const std::string& failed_feature = "",
                    const std::map<std::string, std::string>& typed = {},
                    const std::vector<core::FieldError>& errors = {}, int status = 200,
                    const std::string& error_key = "") {
  if (auto denied = admin::RequireReader(ctx)) return *denied;
  const std::string lang = web::PageLanguage(ctx);
  auto settings = ctx.store->ai().ListSettings();
  if (!settings.ok()) return admin::Unavailable(ctx);
  Page page = AdminPage(ctx, "admin_ai", "admin_ai_title");
  page.status = status;
  AddErrors(page.data, lang, errors, "ai-" + failed_feature + "-", "admin_ai_field_");
  if (!errors.empty()) WithErrors(page, lang, status);
  page.data["error"] = error_key.empty() ? "" : Text(lang, error_key);
  json rows = json::array();
  for (const storage::AiSetting& s : *settings) {
    const bool failed = s.feature == failed_feature;
    const std::string mode =
        failed && typed.count("mode") ? typed.at("mode") : std::string(storage::ToString(s.mode));
    json modes = json::array();
    for (std::string_view m : {"off", "suggest", "auto"})
      modes.push_back({{"value", std::string(m)},
                       {"label", Text(lang, "admin_ai_mode_" + std::string(m))},
                       {"selected", m == mode}});
    std::ostringstream threshold;
    threshold << s.threshold;
    json row = {
        {"feature", s.feature},
        {"label", Text(lang, "ai_feature_" + s.feature)},
        {"mode_label", Text(lang, "admin_ai_mode_" + std::string(storage::ToString(s.mode)))},
        {"on", s.mode != storage::AiMode::kOff},
        {"threshold", failed && typed.count("threshold") ? typed.at("threshold") : threshold.str()},
        {"version", std::to_string(s.version)},
        {"updated_at", s.version ? FormatIso8601(s.updated_at) : ""},
        {"updated_at_text", s.version ? web::DateTimeText(s.updated_at) : ""},
        {"modes", modes},
        {"model", ""}};
    row["fields"] = failed ? page.data["fields"] : json::object();  // not the other forms'.
    // The models are the admins' to see, as in the API.
    if (admin::IsAdmin(ctx) && storage::HasModels(s.feature)) {
      auto models = ctx.store->ai().ListModels(s.feature);
      if (!models.ok()) return admin::Unavailable(ctx);
      row["model"] = Text(lang, "admin_ai_no_model");
      for (const storage::AiModelInfo& m : *models)
        if (m.active)
          row["model"] = Text(lang, "admin_ai_model_version") + " " + std::to_string(m.version) +
                         " — " + web::DateTimeText(m.created_at);
    }
    rows.push_back(row);
  }
  page.data["features"] = rows;
  page.data["show_models"] = admin::IsAdmin(ctx);
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse ShowAi(HttpContext& ctx) { return AiPage(ctx); }

HttpResponse SetAi(HttpContext& ctx) {
  if (auto denied = admin::RequireAdmin(ctx)) return *denied;
  const std::string feature = ctx.path_params["feature"];
  if (!storage::IsAiFeature(feature))
    return web::MessagePage(ctx, 404, "not_found_title", "not_found_text");
  const std::string mode = ctx.form->Value("mode");
  const std::string threshold(Trim(ctx.form->Value("threshold")));
  json body = {{"mode", mode}, {"version", admin::IntegerValue(ctx.form->Value("version"))}};
  if (!threshold.empty()) {
    // A number as typed, "0,7" as well as "0.7"; anything else is kept for the reader to refuse.
    const std::string dotted = Replaced(threshold, ',', '.');
    const json number = json::parse(dotted, nullptr, false);
    body["threshold"] = number.is_number() ? number : json(threshold);
  }
  std::vector<core::FieldError> errors;
  storage::AiSetting setting;
  setting.feature = feature;
  if (auto current = ctx.store->ai().GetSetting(feature); current.ok())
    setting.threshold = current->threshold;  // a form without a threshold keeps it
  const auto version = ReadAiSetting(body, setting, errors);
  const std::map<std::string, std::string> typed = {{"mode", mode}, {"threshold", threshold}};
  if (!errors.empty() || !version) {
    if (errors.empty()) errors.push_back({"version", "is required"});
    return AiPage(ctx, feature, typed, errors, 422);
  }
  auto saved = ctx.store->ai().SetSetting(setting, *version, ctx.actor());
  if (!saved.ok()) {
    if (saved.status().code() == StatusCode::kConflict)
      return AiPage(ctx, "", {}, {}, 409, "admin_conflict");
    return admin::Unavailable(ctx);
  }
  return admin::Done(ctx, "/admin/ia", "saved");
}

}  // namespace

void AddAdminRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/admin", BodyKind::kNone, Index});
  routes.push_back({"GET", "/admin/utilisateurs", BodyKind::kNone, ShowUsers});
  routes.push_back({"POST", "/admin/utilisateurs", BodyKind::kForm, CreateUser});
  routes.push_back({"GET", "/admin/utilisateurs/{id}", BodyKind::kNone, ShowUser});
  routes.push_back({"POST", "/admin/utilisateurs/{id}", BodyKind::kForm, ChangeUser});
  routes.push_back({"GET", "/admin/equipes", BodyKind::kNone, ShowTeams});
  routes.push_back({"POST", "/admin/equipes", BodyKind::kForm, CreateTeam});
  routes.push_back({"POST", "/admin/equipes/{id}/horaires", BodyKind::kForm, SetTeamHours});
  routes.push_back({"GET", "/admin/categories", BodyKind::kNone, ShowCategories});
  routes.push_back({"POST", "/admin/categories", BodyKind::kForm, CreateCategory});
  routes.push_back({"GET", "/admin/ia", BodyKind::kNone, ShowAi});
  routes.push_back({"POST", "/admin/ia/{feature}", BodyKind::kForm, SetAi});
  admin::AddAdminRulePageRoutes(routes);
}

}  // namespace guichet::server
