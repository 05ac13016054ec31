// SQL side of automations and macros: CRUD, triggers with their loop guard, firings' effects.
#include "storage/sql_automations.h"

#include <set>

#include "common/text.h"
#include "sla/calendar.h"

namespace guichet::storage::internal {
namespace {

constexpr char kAutomationColumns[] =
    "id, name, kind, on_create, on_update, conditions, actions, position, active, version, "
    "created_at, updated_at";
constexpr char kMacroColumns[] =
    "id, name, texts, actions, active, version, created_at, updated_at";

std::int64_t Flag(bool b) { return b ? 1 : 0; }

Automation RowToAutomation(const Row& r) {
  Automation a;
  a.id = AsInt(r[0]);
  a.name = AsText(r[1]);
  a.kind = ParseAutomationKind(AsText(r[2])).value_or(AutomationKind::kTrigger);
  a.on_create = AsInt(r[3]) != 0;
  a.on_update = AsInt(r[4]) != 0;
  std::vector<core::FieldError> ignored;  // stored forms were validated when written
  a.conditions = automation::ParseConditions(json::parse(AsText(r[5]), nullptr, false), ignored);
  a.actions = automation::ParseActions(json::parse(AsText(r[6]), nullptr, false), ignored);
  a.position = AsInt(r[7]);
  a.active = AsInt(r[8]) != 0;
  a.version = AsInt(r[9]);
  a.created_at = AsInt(r[10]);
  a.updated_at = AsInt(r[11]);
  return a;
}

Macro RowToMacro(const Row& r) {
  Macro m;
  m.id = AsInt(r[0]);
  m.name = AsText(r[1]);
  const json texts = json::parse(AsText(r[2]), nullptr, false);
  if (texts.is_object())
    for (auto it = texts.begin(); it != texts.end(); ++it)
      if (it->is_string()) m.texts[it.key()] = it->get<std::string>();
  const json actions = json::parse(AsText(r[3]), nullptr, false);
  if (actions.is_array() && !actions.empty()) {
    std::vector<core::FieldError> ignored;
    m.actions = automation::ParseActions(actions, ignored);
  }
  m.active = AsInt(r[4]) != 0;
  m.version = AsInt(r[5]);
  m.created_at = AsInt(r[6]);
  m.updated_at = AsInt(r[7]);
  return m;
}

json AutomationJson(const Automation& a) {
  return {{"name", a.name},
          {"kind", ToString(a.kind)},
          {"on_create", a.on_create},
          {"on_update", a.on_update},
          {"conditions", automation::ToJson(a.conditions)},
          {"actions", automation::ToJson(a.actions)},
          {"position", a.position},
          {"active", a.active}};
}

json MacroJson(const Macro& m) {
  return {{"name", m.name},
          {"texts", m.texts},
          {"actions", automation::ToJson(m.actions)},
          {"active", m.active}};
}

// The fields automations may change, as the audit log shows them.
json AutomatableJson(const core::Request& r) {
  return {{"team_id", OptJson(r.team_id)},
          {"assignee_id", OptJson(r.assignee_id)},
          {"priority", core::ToString(r.priority)},
          {"status", core::ToString(r.status)},
          {"tags", r.tags}};
}

Status FirstError(const std::vector<core::FieldError>& errors) {
  return InvalidArgument(errors[0].field + " " + errors[0].reason);
}

json Deleted(const json& before) {
  json changes = json::object();
  for (auto it = before.begin(); it != before.end(); ++it)
    changes[it.key()] = {{"before", *it}, {"after", nullptr}};
  return changes;
}

// Team and user ids named by actions must exist, else a readable kInvalidArgument.
Status CheckActionTargets(SqlConnection& c, const std::vector<automation::Action>& actions) {
  for (const auto& a : actions) {
    if (!a.id) continue;
    const bool team = a.type == automation::ActionType::kSetTeam;
    GUICHET_ASSIGN_OR_RETURN(auto rows,
                             c.Query(team ? "SELECT id FROM teams WHERE id = ?"
                                          : "SELECT id FROM users WHERE id = ? AND role IN "
                                            "('agent', 'lead', 'admin') AND active = 1",
                                     {*a.id}));
    if (rows.empty())
      return InvalidArgument(std::string(team ? "team " : "user ") + std::to_string(*a.id) +
                             (team ? " does not exist" : " cannot be assigned requests"));
  }
  return Status::Ok();
}

// Stores `a` after its checks; `id` empty for a new one. Returns the id.
Result<core::Id> WriteAutomation(SqlDb& db, SqlConnection& c, const Automation& a,
                                 std::optional<std::pair<core::Id, std::int64_t>> existing) {
  GUICHET_RETURN_IF_ERROR(CheckActionTargets(c, a.actions));
  const Millis now = db.clock().Now();
  Params params = {a.name,
                   std::string(ToString(a.kind)),
                   Flag(a.on_create),
                   Flag(a.on_update),
                   automation::ToJson(a.conditions).dump(),
                   automation::ToJson(a.actions).dump(),
                   a.position,
                   Flag(a.active),
                   now};
  std::string sql;
  if (!existing) {
    params.push_back(now);
    sql =
        "INSERT INTO automations (name, kind, on_create, on_update, conditions, actions, "
        "position, active, updated_at, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, 1) RETURNING id";
  } else {
    params.insert(params.end(), {existing->first, existing->second});
    sql =
        "UPDATE automations SET name = ?, kind = ?, on_create = ?, on_update = ?, "
        "conditions = ?, actions = ?, position = ?, active = ?, updated_at = ?, "
        "version = version + 1 WHERE id = ? AND version = ? RETURNING id";
  }
  auto rows = c.Query(sql, params);
  if (rows.status().code() == StatusCode::kAlreadyExists)
    return AlreadyExists("an automation named \"" + a.name + "\" already exists");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Conflict("the automation changed meanwhile");
  return AsInt((*rows)[0][0]);
}

std::string LocalDate(Millis t) {
  return sla::FormatDate(sla::TimeZoneRule::EuropeParis().LocalDateOf(t));
}

}  // namespace

Result<core::Message> WriteMessage(SqlDb& db, SqlConnection& c, const core::Request& request,
                                   const core::NewMessage& m, bool from_staff, const Actor& actor) {
  const Millis now = db.clock().Now();
  GUICHET_ASSIGN_OR_RETURN(
      auto rows,
      c.Query("INSERT INTO messages (request_id, visibility, author_user_id, author_name, "
              "channel, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
              {request.id, std::string(core::ToString(m.visibility)), OptId(actor.user_id),
               m.author_name, std::string(core::ToString(m.channel)), m.body, now}));
  core::Message out{AsInt(rows[0][0]), request.id, m.visibility, actor.user_id,
                    m.author_name,     m.channel,  m.body,       now};
  const bool first_reply =
      from_staff && m.visibility == core::Visibility::kPublic && !request.first_reply_at;
  GUICHET_ASSIGN_OR_RETURN(
      auto updated,
      c.Query("UPDATE requests SET updated_at = ?, first_reply_at = COALESCE(first_reply_at, ?) "
              "WHERE id = ?",
              {now, first_reply ? SqlValue(now) : SqlValue(), request.id}));
  json changes = Created({{"visibility", core::ToString(m.visibility)},
                          {"channel", core::ToString(m.channel)},
                          {"author_name", m.author_name},
                          {"body", m.body}});
  if (first_reply) changes["first_reply_at"] = {{"before", nullptr}, {"after", now}};
  GUICHET_RETURN_IF_ERROR(
      db.Audit(c, actor, "message.create", "message", out.id, request.id, changes));
  return out;
}

// --- Automations ---------------------------------------------------------------------------

Result<Automation> SqlAutomations::LoadAutomation(SqlConnection& c, core::Id id) {
  GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kAutomationColumns +
                                                  " FROM automations WHERE id = ?",
                                              {id}));
  if (rows.empty()) return NotFound("automation " + std::to_string(id) + " does not exist");
  return RowToAutomation(rows[0]);
}

Result<std::vector<Automation>> SqlAutomations::LoadActive(SqlConnection& c, AutomationKind kind) {
  GUICHET_ASSIGN_OR_RETURN(auto rows,
                           db_.QueryConfig(c,
                                           std::string("SELECT ") + kAutomationColumns +
                                               " FROM automations WHERE active = 1 AND kind = ? "
                                               "ORDER BY position, id",
                                           {std::string(ToString(kind))}));
  std::vector<Automation> out;
  for (const Row& r : rows) out.push_back(RowToAutomation(r));
  return out;
}

Result<std::vector<Automation>> SqlAutomations::ListAutomations() {
  return db_.Tx<std::vector<Automation>>(
      false, [&](SqlConnection& c) -> Result<std::vector<Automation>> {
        GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kAutomationColumns +
                                                        " FROM automations ORDER BY position, id",
                                                    {}));
        std::vector<Automation> out;
        for (const Row& r : rows) out.push_back(RowToAutomation(r));
        return out;
      });
}

Result<Automation> SqlAutomations::GetAutomation(core::Id id) {
  return db_.Tx<Automation>(false, [&](SqlConnection& c) { return LoadAutomation(c, id); });
}

Result<Automation> SqlAutomations::CreateAutomation(const Automation& a, const Actor& actor) {
  if (auto errors = ValidateAutomation(a); !errors.empty()) return FirstError(errors);
  return db_.Tx<Automation>(true, [&](SqlConnection& c) -> Result<Automation> {
    GUICHET_ASSIGN_OR_RETURN(const core::Id id, WriteAutomation(db_, c, a, std::nullopt));
    GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "automation.create", "automation", id, std::nullopt,
                                      Created(AutomationJson(a))));
    return LoadAutomation(c, id);
  });
}

Result<Automation> SqlAutomations::UpdateAutomation(core::Id id, std::int64_t expected_version,
                                                    const Automation& a, const Actor& actor) {
  if (auto errors = ValidateAutomation(a); !errors.empty()) return FirstError(errors);
  return db_.Tx<Automation>(true, [&](SqlConnection& c) -> Result<Automation> {
    GUICHET_ASSIGN_OR_RETURN(const Automation before, LoadAutomation(c, id));
    if (before.version != expected_version)
      return Conflict("automation " + std::to_string(id) + " is at version " +
                      std::to_string(before.version) + ", the change was made on version " +
                      std::to_string(expected_version));
    GUICHET_RETURN_IF_ERROR(
        WriteAutomation(db_, c, a, std::make_pair(id, expected_version)).status());
    GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "automation.update", "automation", id, std::nullopt,
                                      Diff(AutomationJson(before), AutomationJson(a))));
    return LoadAutomation(c, id);
  });
}

Status SqlAutomations::DeleteAutomation(core::Id id, const Actor& actor) {
  return db_
      .Tx<Unit>(true,
                [&](SqlConnection& c) -> Result<Unit> {
                  GUICHET_ASSIGN_OR_RETURN(const Automation before, LoadAutomation(c, id));
                  GUICHET_ASSIGN_OR_RETURN(auto deleted,
                                           c.Query("DELETE FROM automations WHERE id = ?", {id}));
                  GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "automation.delete", "automation", id,
                                                    std::nullopt, Deleted(AutomationJson(before))));
                  return Unit{};
                })
      .status();
}

// --- Macros --------------------------------------------------------------------------------

Result<Macro> SqlAutomations::LoadMacro(SqlConnection& c, core::Id id) {
  GUICHET_ASSIGN_OR_RETURN(
      auto rows,
      c.Query(std::string("SELECT ") + kMacroColumns + " FROM macros WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("macro " + std::to_string(id) + " does not exist");
  return RowToMacro(rows[0]);
}

Result<std::vector<Macro>> SqlAutomations::ListMacros() {
  return db_.Tx<std::vector<Macro>>(false, [&](SqlConnection& c) -> Result<std::vector<Macro>> {
    GUICHET_ASSIGN_OR_RETURN(
        auto rows,
        c.Query(std::string("SELECT ") + kMacroColumns + " FROM macros ORDER BY name, id", {}));
    std::vector<Macro> out;
    for (const Row& r : rows) out.push_back(RowToMacro(r));
    return out;
  });
}

Result<Macro> SqlAutomations::GetMacro(core::Id id) {
  return db_.Tx<Macro>(false, [&](SqlConnection& c) { return LoadMacro(c, id); });
}

Result<Macro> SqlAutomations::CreateMacro(const Macro& m, const Actor& actor) {
  if (auto errors = ValidateMacro(m); !errors.empty()) return FirstError(errors);
  return db_.Tx<Macro>(true, [&](SqlConnection& c) -> Result<Macro> {
    GUICHET_RETURN_IF_ERROR(CheckActionTargets(c, m.actions));
    const Millis now = db_.clock().Now();
    auto rows = c.Query(
        "INSERT INTO macros (name, texts, actions, active, version, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id",
        {m.name, json(m.texts).dump(), automation::ToJson(m.actions).dump(), Flag(m.active), now,
         now});
    if (rows.status().code() == StatusCode::kAlreadyExists)
      return AlreadyExists("a macro named \"" + m.name + "\" already exists");
    if (!rows.ok()) return rows.status();
    const core::Id id = AsInt((*rows)[0][0]);
    GUICHET_RETURN_IF_ERROR(
        db_.Audit(c, actor, "macro.create", "macro", id, std::nullopt, Created(MacroJson(m))));
    return LoadMacro(c, id);
  });
}

Result<Macro> SqlAutomations::UpdateMacro(core::Id id, std::int64_t expected_version,
                                          const Macro& m, const Actor& actor) {
  if (auto errors = ValidateMacro(m); !errors.empty()) return FirstError(errors);
  return db_.Tx<Macro>(true, [&](SqlConnection& c) -> Result<Macro> {
    GUICHET_ASSIGN_OR_RETURN(const Macro before, LoadMacro(c, id));
    if (before.version != expected_version)
      return Conflict("macro " + std::to_string(id) + " is at version " +
                      std::to_string(before.version) + ", the change was made on version " +
                      std::to_string(expected_version));
    GUICHET_RETURN_IF_ERROR(CheckActionTargets(c, m.actions));
    auto rows = c.Query(
        "UPDATE macros SET name = ?, texts = ?, actions = ?, active = ?, updated_at = ?, "
        "version = version + 1 WHERE id = ? AND version = ? RETURNING id",
        {m.name, json(m.texts).dump(), automation::ToJson(m.actions).dump(), Flag(m.active),
         db_.clock().Now(), id, expected_version});
    if (rows.status().code() == StatusCode::kAlreadyExists)
      return AlreadyExists("a macro named \"" + m.name + "\" already exists");
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Conflict("macro " + std::to_string(id) + " changed meanwhile");
    GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "macro.update", "macro", id, std::nullopt,
                                      Diff(MacroJson(before), MacroJson(m))));
    return LoadMacro(c, id);
  });
}

Status SqlAutomations::DeleteMacro(core::Id id, const Actor& actor) {
  return db_
      .Tx<Unit>(true,
                [&](SqlConnection& c) -> Result<Unit> {
                  GUICHET_ASSIGN_OR_RETURN(const Macro before, LoadMacro(c, id));
                  GUICHET_ASSIGN_OR_RETURN(auto deleted,
                                           c.Query("DELETE FROM macros WHERE id = ?", {id}));
                  GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "macro.delete", "macro", id,
                                                    std::nullopt, Deleted(MacroJson(before))));
                  return Unit{};
                })
      .status();
}

Result<std::vector<Notification>> SqlAutomations::ListNotifications(core::Id request_id) {
  return db_.Tx<std::vector<Notification>>(
      false, [&](SqlConnection& c) -> Result<std::vector<Notification>> {
        GUICHET_ASSIGN_OR_RETURN(
            auto rows, c.Query("SELECT id, request_id, automation_id, recipient, language, body, "
                               "status, created_at FROM notifications WHERE request_id = ? "
                               "ORDER BY id",
                               {request_id}));
        std::vector<Notification> out;
        for (const Row& r : rows)
          out.push_back({AsInt(r[0]), AsInt(r[1]), ToOptId(r[2]), AsText(r[3]), AsText(r[4]),
                         AsText(r[5]), AsText(r[6]), AsInt(r[7])});
        return out;
      });
}

// --- Running -------------------------------------------------------------------------------

Firing SqlAutomations::FiringOf(const Automation& rule, const core::Request& before,
                                const core::Request& after, std::vector<std::string> skipped) {
  Firing f;
  f.automation_id = rule.id;
  f.name = rule.name;
  f.changes = Diff(AutomatableJson(before), AutomatableJson(after));
  f.skipped = std::move(skipped);
  for (const auto& a : rule.actions) {
    if (a.type == automation::ActionType::kAddNote || a.type == automation::ActionType::kReply ||
        a.type == automation::ActionType::kNotify)
      f.text_actions.push_back(a);
  }
  return f;
}

Result<std::vector<Firing>> SqlAutomations::RunTriggers(SqlConnection& c, bool on_create,
                                                        core::Request& r, Millis now) {
  GUICHET_ASSIGN_OR_RETURN(auto triggers, LoadActive(c, AutomationKind::kTrigger));
  std::vector<Firing> firings;
  std::set<core::Id> fired;
  for (size_t pass = 0; pass <= triggers.size(); ++pass) {
    bool any = false;
    for (const Automation& t : triggers) {
      if (fired.count(t.id) || !(on_create ? t.on_create : t.on_update)) continue;
      if (!automation::Matches(t.conditions, r, now)) continue;
      const core::Request before = r;
      std::vector<std::string> skipped;
      automation::ApplyFieldActions(t.actions, r, skipped);
      if (r.status != before.status) r.status_changed_at = now;
      firings.push_back(FiringOf(t, before, r, std::move(skipped)));
      fired.insert(t.id);
      any = true;
    }
    if (!any) break;
  }
  return firings;
}

Result<std::map<std::string, std::string>> SqlAutomations::PlaceholderValues(
    SqlConnection& c, const core::Request& r, const std::string& agent_name) {
  std::map<std::string, std::string> v = {
      {"reference", r.reference},
      {"subject", r.subject},
      {"status", std::string(core::ToString(r.status))},
      {"priority", std::string(core::ToString(r.priority))},
      {"agent_name", agent_name},
      {"created_date", LocalDate(r.created_at)},
      {"resolution_due_date", r.sla.resolution_due_at ? LocalDate(*r.sla.resolution_due_at) : ""}};
  if (r.citizen_id) {
    GUICHET_ASSIGN_OR_RETURN(auto rows,
                             c.Query("SELECT name FROM citizens WHERE id = ?", {*r.citizen_id}));
    if (!rows.empty()) v["citizen_name"] = AsText(rows[0][0]);
  }
  if (r.team_id) {
    GUICHET_ASSIGN_OR_RETURN(auto rows,
                             c.Query("SELECT name FROM teams WHERE id = ?", {*r.team_id}));
    if (!rows.empty()) v["team_name"] = AsText(rows[0][0]);
  }
  return v;
}

Status SqlAutomations::RecordFirings(SqlConnection& c, const core::Request& r,
                                     const std::vector<Firing>& firings) {
  if (firings.empty()) return Status::Ok();
  GUICHET_ASSIGN_OR_RETURN(auto values, PlaceholderValues(c, r, ""));
  core::Request current = r;  // first_reply_at as messages are added
  for (const Firing& f : firings) {
    const Actor actor = Actor::System("automation:" + std::to_string(f.automation_id));
    json actions = json::array();
    for (const auto& a : f.text_actions) {
      const std::string body =
          automation::Render(automation::PickText(a.texts, r.language), values);
      if (a.type == automation::ActionType::kNotify) {
        GUICHET_ASSIGN_OR_RETURN(
            auto rows,
            c.Query("INSERT INTO notifications (request_id, automation_id, recipient, "
                    "language, body, status, created_at) VALUES (?, ?, ?, ?, ?, "
                    "'queued', ?) RETURNING id",
                    {r.id, f.automation_id, a.value, r.language, body, db_.clock().Now()}));
        actions.push_back({{"notify", a.value}, {"notification_id", AsInt(rows[0][0])}});
        continue;
      }
      core::NewMessage m;
      m.visibility = a.type == automation::ActionType::kReply ? core::Visibility::kPublic
                                                              : core::Visibility::kInternal;
      m.channel = core::Channel::kApi;
      m.author_name = f.name;
      m.body = body.empty() ? "…" : body;
      // An automatic acknowledgement is not a person's first reply: from_staff is false.
      GUICHET_ASSIGN_OR_RETURN(auto message, WriteMessage(db_, c, current, m, false, actor));
      actions.push_back(
          {{a.type == automation::ActionType::kReply ? "reply" : "add_note", message.id}});
    }
    json entry = {{"automation", f.name}, {"changes", f.changes}};
    if (!f.skipped.empty()) entry["skipped"] = f.skipped;
    if (!actions.empty()) entry["messages"] = actions;
    GUICHET_RETURN_IF_ERROR(
        db_.Audit(c, actor, "automation.run", "automation", f.automation_id, r.id, entry));
  }
  return Status::Ok();
}

}  // namespace guichet::storage::internal

namespace guichet::storage {

std::string_view ToString(AutomationKind kind) {
  return kind == AutomationKind::kTrigger ? "trigger" : "scheduled";
}

std::optional<AutomationKind> ParseAutomationKind(std::string_view text) {
  if (text == "trigger") return AutomationKind::kTrigger;
  if (text == "scheduled") return AutomationKind::kScheduled;
  return std::nullopt;
}

std::vector<core::FieldError> ValidateAutomation(const Automation& a) {
  std::vector<core::FieldError> errors;
  if (Trim(a.name).empty() || !IsValidUtf8(a.name) || Utf8Length(a.name) > core::kMaxName)
    errors.push_back({"name", "must be 1 to 200 characters of valid UTF-8"});
  if (a.actions.empty()) errors.push_back({"actions", "must list at least one action"});
  if (a.kind == AutomationKind::kTrigger) {
    if (!a.on_create && !a.on_update)
      errors.push_back({"on_create", "a trigger runs on create, on update, or both"});
  } else {
    using automation::Field;
    using automation::Op;
    const bool status = std::any_of(a.conditions.begin(), a.conditions.end(), [](const auto& c) {
      return c.field == Field::kStatus && (c.op == Op::kIs || c.op == Op::kIn);
    });
    const bool age = std::any_of(a.conditions.begin(), a.conditions.end(), [](const auto& c) {
      return (c.field == Field::kHoursInStatus || c.field == Field::kHoursSinceUpdate) &&
             c.op == Op::kAtLeast;
    });
    if (!status || !age)
      errors.push_back({"conditions",
                        "a scheduled rule needs a status condition (is or in) and an "
                        "hours_in_status or hours_since_update at_least condition"});
    if (a.on_create || a.on_update)
      errors.push_back({"on_create", "only triggers run on create or update"});
  }
  return errors;
}

std::vector<core::FieldError> ValidateMacro(const Macro& m) {
  std::vector<core::FieldError> errors;
  if (Trim(m.name).empty() || !IsValidUtf8(m.name) || Utf8Length(m.name) > core::kMaxName)
    errors.push_back({"name", "must be 1 to 200 characters of valid UTF-8"});
  if (m.texts.empty() && m.actions.empty())
    errors.push_back({"texts", "a macro needs a reply text or an action"});
  for (const auto& a : m.actions) {
    if (a.type == automation::ActionType::kReply || a.type == automation::ActionType::kNotify) {
      errors.push_back({"actions", "a macro's reply is its text; reply and notify are for rules"});
      break;
    }
  }
  return errors;
}

}  // namespace guichet::storage
