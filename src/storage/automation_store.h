// AutomationStore: the stored automations (triggers and scheduled rules), agents' macros, and
// the notification outbox the rules fill. Reached through Store::automations(); the Store
// contract holds (one transaction per call, audited changes, kNotFound / kAlreadyExists /
// kConflict / kInvalidArgument). Running them is the Store's: triggers run inside
// CreateRequest/UpdateRequest, scheduled rules in Store::RunScheduledAutomations, macros in
// Store::ApplyMacro. Thread-safety: as Store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "automation/rules.h"
#include "common/clock.h"
#include "common/status.h"

namespace guichet::storage {

struct Actor;

enum class AutomationKind { kTrigger, kScheduled };
std::string_view ToString(AutomationKind kind);
std::optional<AutomationKind> ParseAutomationKind(std::string_view text);

struct Automation {
  core::Id id = 0;
  std::string name;
  AutomationKind kind = AutomationKind::kTrigger;
  bool on_create = true;   // triggers: when a request is created …
  bool on_update = false;  // … and/or changed (by anyone, automations included)
  std::vector<automation::Condition> conditions;
  std::vector<automation::Action> actions;
  std::int64_t position = 0;  // evaluation order, then id
  bool active = true;
  std::int64_t version = 1;
  Millis created_at = 0, updated_at = 0;
};

// Every invalid field: name 1–200 characters; a trigger runs on create and/or update; a scheduled
// rule needs a status condition (is/in) and an hours_in_status or hours_since_update at_least
// condition, so that the sweep reads an index and fires once per status period.
std::vector<core::FieldError> ValidateAutomation(const Automation& a);

struct Macro {
  core::Id id = 0;
  std::string name;
  std::map<std::string, std::string> texts;  // language → reply text with {{placeholders}}
  std::vector<automation::Action> actions;   // applied with the reply (set status, tags, …)
  bool active = true;
  std::int64_t version = 1;
  Millis created_at = 0, updated_at = 0;
};

// Name 1–200 characters; at least one text or action; actions limited to field changes and
// internal notes (a macro's reply is its text).
std::vector<core::FieldError> ValidateMacro(const Macro& m);

struct Notification {
  core::Id id = 0;
  core::Id request_id = 0;
  std::optional<core::Id> automation_id;
  std::string recipient;  // citizen, team, assignee
  std::string language;
  std::string body;
  std::string status;  // queued until an outbound channel delivers it
  Millis created_at = 0;
};

class AutomationStore {
 public:
  virtual ~AutomationStore() = default;

  // By position, then id.
  virtual Result<std::vector<Automation>> ListAutomations() = 0;
  virtual Result<Automation> GetAutomation(core::Id id) = 0;
  virtual Result<Automation> CreateAutomation(const Automation& a, const Actor& actor) = 0;
  virtual Result<Automation> UpdateAutomation(core::Id id, std::int64_t expected_version,
                                              const Automation& a, const Actor& actor) = 0;
  virtual Status DeleteAutomation(core::Id id, const Actor& actor) = 0;

  virtual Result<std::vector<Macro>> ListMacros() = 0;
  virtual Result<Macro> GetMacro(core::Id id) = 0;
  virtual Result<Macro> CreateMacro(const Macro& m, const Actor& actor) = 0;
  virtual Result<Macro> UpdateMacro(core::Id id, std::int64_t expected_version, const Macro& m,
                                    const Actor& actor) = 0;
  virtual Status DeleteMacro(core::Id id, const Actor& actor) = 0;

  // Oldest first.
  virtual Result<std::vector<Notification>> ListNotifications(core::Id request_id) = 0;
};

}  // namespace guichet::storage
