// The desk's domain values: requests (citizens' cases) and their messages, citizens, users,
// teams and categories, and the input shapes used to create or change them. Plain structs with
// no SQL, HTTP or JSON; invariants are checked by the Validate* functions below. Thread-safe as
// values (no shared state).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/enums.h"

namespace guichet::core {

using Id = std::int64_t;

struct Location {
  std::optional<double> lat;
  std::optional<double> lon;
  std::string address;
};

struct Citizen {
  Id id = 0;
  std::string name;
  std::string email;
  std::string phone;
  std::string language;  // preferred language, e.g. "fr"
};

// Where a request stands against its SLA policy (see src/sla/policy.h): the policy chosen, the
// due and warning instants of its targets, and its pauses while waiting for the citizen. Set by
// the store on creation and kept current on every change.
struct RequestSla {
  std::optional<Id> policy_id;
  std::optional<Millis> first_reply_due_at, first_reply_warn_at;
  std::optional<Millis> resolution_due_at, resolution_warn_at;
  std::optional<Millis> paused_at;  // set while the clocks are stopped
  Millis paused_business_ms = 0;    // time spent paused so far, in business time
  Millis paused_wall_ms = 0;        // … and in calendar time
};

struct Request {
  Id id = 0;
  std::string reference;  // "GU-2026-000123": public, readable aloud
  std::string subject;
  std::string description;
  Channel channel = Channel::kWeb;
  std::string language;  // "fr", "en", … or empty when unknown
  std::optional<Id> category_id;
  std::optional<Id> team_id;
  std::optional<Id> assignee_id;
  std::optional<Id> citizen_id;
  std::optional<Id> created_by;  // the user who entered it, if any
  Priority priority = Priority::kNormal;
  RequestStatus status = RequestStatus::kNew;
  std::vector<std::string> tags;
  std::optional<Location> location;
  std::map<std::string, std::string> custom_fields;
  Millis created_at = 0;
  Millis updated_at = 0;
  Millis status_changed_at = 0;  // when the current status began
  std::optional<Millis> first_reply_at;
  std::optional<Millis> resolved_at;
  RequestSla sla;
  std::int64_t version = 1;
};

struct Message {
  Id id = 0;
  Id request_id = 0;
  Visibility visibility = Visibility::kPublic;
  std::optional<Id> author_user_id;  // empty for a citizen following their private link
  std::string author_name;
  Channel channel = Channel::kWeb;
  std::string body;
  Millis created_at = 0;
};

struct Team {
  Id id = 0;
  std::string name;
};

struct Category {
  Id id = 0;
  std::string slug;  // stable key used by the API, e.g. "etat-civil-naissance"
  std::string name;
  std::optional<Id> default_team_id;
};

struct User {
  Id id = 0;
  std::string email;
  std::string display_name;
  Role role = Role::kAgent;
  std::vector<Id> team_ids;
  std::optional<Id> citizen_id;  // the contact record of a citizen account
  bool active = true;
  Millis created_at = 0;
};

// --- Inputs -------------------------------------------------------------------------------

struct NewCitizen {
  std::string name, email, phone, language;
};

// What an AI feature suggested for a new request: recorded with it, in the same transaction,
// in the AI decision register (see storage/ai_store.h).
struct AiSuggestion {
  std::string feature;  // "triage.category"
  std::optional<Id> model_id;
  std::string mode;                   // the feature's policy then: "suggest" or "auto"
  std::optional<std::string> output;  // the suggested value; nullopt when it abstained
  double confidence = 0;
  std::string details_json = "{}";  // probabilities and reasons, as the API shows them
  bool applied = false;             // set on the request automatically (auto mode)
};

struct NewRequest {
  std::string subject;
  std::string description;
  Channel channel = Channel::kWeb;
  std::string language;
  std::optional<Id> category_id;
  std::optional<Id> team_id;  // when empty, the category's default team
  Priority priority = Priority::kNormal;
  std::vector<std::string> tags;
  std::optional<Location> location;
  std::map<std::string, std::string> custom_fields;
  std::optional<Id> citizen_id;       // an existing contact (citizen accounts)
  std::optional<NewCitizen> citizen;  // or a new contact (anonymous forms, agents)
  std::vector<AiSuggestion> ai_suggestions;
};

// A partial update: only the set fields change. `clear_*` flags empty an optional field.
struct RequestPatch {
  std::optional<std::string> subject;
  std::optional<std::string> description;
  std::optional<std::string> language;
  std::optional<Id> category_id;
  std::optional<Id> team_id;
  std::optional<Id> assignee_id;
  bool clear_category = false, clear_team = false, clear_assignee = false;
  std::optional<Priority> priority;
  std::optional<RequestStatus> status;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::map<std::string, std::string>> custom_fields;
  bool empty() const {
    return !subject && !description && !language && !category_id && !team_id && !assignee_id &&
           !clear_category && !clear_team && !clear_assignee && !priority && !status && !tags &&
           !custom_fields;
  }
};

struct NewMessage {
  Visibility visibility = Visibility::kPublic;
  Channel channel = Channel::kWeb;
  std::string body;
  std::string author_name;
};

struct NewUser {
  std::string email;
  std::string display_name;
  Role role = Role::kAgent;
  std::string password_hash;  // argon2id, encoded; empty = cannot log in with a password
  std::vector<Id> team_ids;
};

// --- Validation ---------------------------------------------------------------------------

// Size limits for user-supplied text, in Unicode code points.
inline constexpr size_t kMaxSubject = 200;
inline constexpr size_t kMaxDescription = 20000;
inline constexpr size_t kMaxMessageBody = 20000;
inline constexpr size_t kMaxTags = 20;
inline constexpr size_t kMaxTagLength = 50;
inline constexpr size_t kMaxName = 200;
inline constexpr size_t kMaxEmail = 254;
inline constexpr size_t kMaxPhone = 40;
inline constexpr size_t kMaxAddress = 500;
inline constexpr size_t kMaxCustomFields = 50;
inline constexpr size_t kMaxCustomKey = 64;
inline constexpr size_t kMaxCustomValue = 2000;

// One invalid field: a JSON-pointer-like path ("citizen.email") and a readable reason.
struct FieldError {
  std::string field;
  std::string reason;
};

std::vector<FieldError> ValidateNewRequest(const NewRequest& r);
std::vector<FieldError> ValidatePatch(const RequestPatch& p);
std::vector<FieldError> ValidateNewMessage(const NewMessage& m);
std::vector<FieldError> ValidateNewUser(const NewUser& u);
// A language tag like "fr", "en", "pt-BR" (2–3 letters, optional region); empty is allowed.
bool IsValidLanguageTag(std::string_view s);

// "GU-2026-000123" from a year and a per-year sequence number.
std::string FormatReference(int year, std::int64_t sequence);
bool LooksLikeReference(std::string_view s);

}  // namespace guichet::core
