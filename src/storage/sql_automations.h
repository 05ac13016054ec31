// Private to src/storage: the SQL AutomationStore, and the pieces of running automations that
// SqlStore calls inside its request transactions — triggers with their loop guard, the audit and
// the notes, replies and notifications of each firing — plus the one way messages are written.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "storage/automation_store.h"
#include "storage/sql_db.h"

namespace guichet::storage::internal {

// One automation that fired on a request, and what it did.
struct Firing {
  core::Id automation_id = 0;
  std::string name;
  json changes;                                  // field changes it made, as in the audit log
  std::vector<std::string> skipped;              // actions the life cycle refused
  std::vector<automation::Action> text_actions;  // notes, replies, notifications to write
};

// Inserts a message and bumps the request's updated_at (and first_reply_at on the first public
// message from staff), with its audit entry. `request` is the row as locked by the caller.
Result<core::Message> WriteMessage(SqlDb& db, SqlConnection& c, const core::Request& request,
                                   const core::NewMessage& m, bool from_staff, const Actor& actor);

class SqlAutomations final : public AutomationStore {
 public:
  explicit SqlAutomations(SqlDb& db) : db_(db) {}

  Result<std::vector<Automation>> ListAutomations() override;
  Result<Automation> GetAutomation(core::Id id) override;
  Result<Automation> CreateAutomation(const Automation& a, const Actor& actor) override;
  Result<Automation> UpdateAutomation(core::Id id, std::int64_t expected_version,
                                      const Automation& a, const Actor& actor) override;
  Status DeleteAutomation(core::Id id, const Actor& actor) override;
  Result<std::vector<Macro>> ListMacros() override;
  Result<Macro> GetMacro(core::Id id) override;
  Result<Macro> CreateMacro(const Macro& m, const Actor& actor) override;
  Result<Macro> UpdateMacro(core::Id id, std::int64_t expected_version, const Macro& m,
                            const Actor& actor) override;
  Status DeleteMacro(core::Id id, const Actor& actor) override;
  Result<std::vector<Notification>> ListNotifications(core::Id request_id) override;

  // Runs the active triggers of the event on `r` in order. Loop guard: a trigger fires at most
  // once per event, and passes repeat while some trigger fired, so chains settle (A sets urgent,
  // B routes urgent requests) and opposite rules cannot ping-pong. Field changes land in `r`.
  Result<std::vector<Firing>> RunTriggers(SqlConnection& c, bool on_create, core::Request& r,
                                          Millis now);
  // After `r` is written: audits each firing (actor "automation:<id>") and writes its notes,
  // replies and notifications.
  Status RecordFirings(SqlConnection& c, const core::Request& r,
                       const std::vector<Firing>& firings);
  // Records one firing of `rule` on `r`; used by scheduled rules.
  Firing FiringOf(const Automation& rule, const core::Request& before, const core::Request& after,
                  std::vector<std::string> skipped);
  // The values of the {{placeholders}} for `r`.
  Result<std::map<std::string, std::string>> PlaceholderValues(SqlConnection& c,
                                                               const core::Request& r,
                                                               const std::string& agent_name);
  Result<std::vector<Automation>> LoadActive(SqlConnection& c, AutomationKind kind);
  Result<Macro> LoadMacro(SqlConnection& c, core::Id id);

 private:
  Result<Automation> LoadAutomation(SqlConnection& c, core::Id id);

  SqlDb& db_;
};

}  // namespace guichet::storage::internal
