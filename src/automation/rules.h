// Automations: rules that act on requests by themselves, and the vocabulary they share with
// agents' macros. A rule has conditions (all must hold) on a request's fields, text and age, and
// actions (set team/priority/status/assignee, add or remove tags, add an internal note, reply to
// the citizen, queue a notification). Triggers run when a request is created or changed;
// scheduled rules run on requests that have been in a status for some time (see
// src/storage/automation_store.h for where they are stored and run).
//
// This header is the pure part: the JSON form of conditions and actions (also their stored form),
// their validation with readable field errors, condition matching, the field changes actions
// make, and placeholder rendering for texts in several languages. Nothing here reads a clock or
// a database. Thread-safety: plain values and pure functions.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "core/model.h"

namespace guichet::automation {

using json = nlohmann::json;

enum class Field {
  kStatus,
  kPriority,
  kChannel,
  kCategoryId,
  kTeamId,
  kAssigneeId,
  kLanguage,
  kTags,
  kSubject,
  kDescription,
  kText,  // text = subject and description
  kHoursInStatus,
  kHoursSinceUpdate,
};

enum class Op {
  kIs,
  kIsNot,
  kIn,  // one value / any of several values
  kContains,
  kNotContains,
  kContainsAny,  // words in text, case and accents folded; tags
  kAtLeast,
  kBelow,  // numbers (hours)
  kIsSet,
  kIsNotSet,  // optional fields (category, team, assignee)
};

struct Condition {
  Field field = Field::kStatus;
  Op op = Op::kIs;
  std::vector<std::string> values;  // as text: "urgent", "12", "nid-de-poule"
  std::int64_t number = 0;          // for kAtLeast / kBelow
};

enum class ActionType {
  kSetTeam,
  kSetPriority,
  kSetStatus,
  kAssign,
  kAddTags,
  kRemoveTags,
  kAddNote,  // an internal note on the thread
  kReply,    // a public message to the citizen
  kNotify,   // a notification queued for delivery (to the citizen, the team or the assignee)
};

struct Action {
  ActionType type = ActionType::kAddNote;
  std::optional<core::Id> id;  // team or user
  std::string value;           // priority, status, or notify's recipient
  std::vector<std::string> tags;
  std::map<std::string, std::string> texts;  // language → text with {{placeholders}}
};

// The placeholders texts may use; anything else between {{ }} is refused when a rule is saved.
//   reference, subject, status, priority, citizen_name, team_name, agent_name, created_date,
//   resolution_due_date
const std::vector<std::string>& PlaceholderNames();

// Parse and validate the JSON forms:
//   conditions: [{"field": "priority", "op": "is", "value": "urgent"},
//                {"field": "text", "op": "contains_any", "value": ["gaz", "fuite"]},
//                {"field": "hours_in_status", "op": "at_least", "value": 168}]
//   actions:    [{"type": "set_priority", "value": "urgent"}, {"type": "set_team", "id": 3},
//                {"type": "add_tags", "tags": ["danger"]},
//                {"type": "reply", "texts": {"fr": "Bonjour {{citizen_name}}, …", "en": "…"}},
//                {"type": "notify", "value": "team", "texts": {"fr": "…"}}]
// Errors name the element: "conditions[2].op". `max` bounds the list length.
std::vector<Condition> ParseConditions(const json& j, std::vector<core::FieldError>& errors,
                                       const std::string& path = "conditions");
std::vector<Action> ParseActions(const json& j, std::vector<core::FieldError>& errors,
                                 const std::string& path = "actions");
json ToJson(const std::vector<Condition>& conditions);
json ToJson(const std::vector<Action>& actions);

// Whether every condition holds for `r` at `now`; `status_changed_at` dates the current status.
bool Matches(const std::vector<Condition>& conditions, const core::Request& r, Millis now);

// Applies the field-changing actions (team, priority, status, assignee, tags) to `r` and returns
// whether anything changed. Status moves that the life cycle forbids are skipped (and reported in
// `skipped`, for the audit); the others — notes, replies, notifications — are the caller's.
bool ApplyFieldActions(const std::vector<Action>& actions, core::Request& r,
                       std::vector<std::string>& skipped);

// The text for `language` (its primary subtag), else French, else the first one.
std::string PickText(const std::map<std::string, std::string>& texts, std::string_view language);
// Replaces each {{name}} (spaces allowed inside the braces) by `values[name]`, empty when
// missing.
std::string Render(std::string_view text, const std::map<std::string, std::string>& values);

}  // namespace guichet::automation
