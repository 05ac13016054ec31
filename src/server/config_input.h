// Private to src/server: the readers of the desk's configuration as the API takes it (a JSON
// object of fields), shared by the JSON API and the admin pages, which turn their forms into
// the same objects. One reader per resource, so that a field means the same and is checked the
// same way whichever door it comes through. Each reader collects every error it finds, naming
// the field ("conditions[2].op"), and reports unknown fields. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/http.h"
#include "sla/policy.h"
#include "storage/ai_store.h"
#include "storage/automation_store.h"
#include "storage/store.h"

namespace guichet::server {

inline constexpr size_t kMinPassword = 10;
inline constexpr size_t kMaxPassword = 1024;

// A new user: email (required), display_name, role (required), password, team_ids; read into
// `u`, with core::ValidateNewUser's checks. Returns the password to hash, when one is given.
std::optional<std::string> ReadNewUser(const json& body, core::NewUser& u,
                                       std::vector<core::FieldError>& errors);

// A change of an account by an admin (`me`): role, team_ids, active — only those given, at
// least one. Admins do not change their own role or deactivate themselves: another admin does,
// so that the desk always keeps an admin who can sign in.
void ReadUserChange(const json& body, core::Id target, core::Id me, storage::UserChange& change,
                    std::vector<core::FieldError>& errors);

// A new team: its name (required).
std::string ReadNewTeam(const json& body, std::vector<core::FieldError>& errors);

// A new category: slug and name (required), default_team_id.
core::Category ReadNewCategory(const json& body, std::vector<core::FieldError>& errors);

// A team's opening hours: {"opening_hours": "mon-fri 08:00-18:00"} sets them, null clears them
// (the team follows the desk's calendar); nullopt for null.
std::optional<std::string> ReadTeamHours(const json& body, std::vector<core::FieldError>& errors);

// An SLA policy: the fields present are read over `p` (null clears a criterion or a target),
// then sla::ValidatePolicy runs. Returns the body's "version", if any.
std::optional<std::int64_t> ReadPolicy(const json& body, sla::Policy& p,
                                       std::vector<core::FieldError>& errors);

// An automation: the fields present are read over `a`, conditions and actions by the automation
// vocabulary (src/automation/rules.h), then storage::ValidateAutomation runs. Returns the body's
// "version", if any.
std::optional<std::int64_t> ReadAutomation(const json& body, storage::Automation& a,
                                           std::vector<core::FieldError>& errors);

// An AI feature's policy: mode (required: off, suggest, auto) and threshold (0–1) over
// `setting`. Returns the body's "version", if any.
std::optional<std::int64_t> ReadAiSetting(const json& body, storage::AiSetting& setting,
                                          std::vector<core::FieldError>& errors);

}  // namespace guichet::server
