// The JSON shapes of a request shared by the REST API and the CLI (`guichet import` reads new
// requests with the same rules as POST /api/v1/requests; `guichet export` prints the staff view
// of GET /api/v1/requests/{id}). Pure functions; thread-safe if the resolver is.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "core/model.h"

namespace guichet::server {

// Deeper JSON would exhaust the parser's stack; nothing we accept needs more.
inline constexpr int kMaxJsonDepth = 32;

enum class JsonTextError { kNone, kEmpty, kInvalidUtf8, kTooDeep, kInvalidJson, kNotAnObject };

// Parses `text` as one JSON object into `out`, refusing invalid UTF-8 and nesting deeper than
// kMaxJsonDepth before the parser sees it. Never throws.
JsonTextError ParseJsonObjectText(const std::string& text, nlohmann::json& out);
// "is not valid JSON", "is nested more than 32 levels deep", …
std::string DescribeJsonTextError(JsonTextError error);

// Maps the "category" value (a slug string or an integer id) to a category id; nullopt when it
// names no category.
using CategoryResolver = std::function<std::optional<core::Id>(const nlohmann::json& value)>;

// Reads a new request (subject, description, channel, optional category, priority, language,
// tags, location, custom_fields, citizen) and validates it with core::ValidateNewRequest.
// Returns every field error at once, unknown fields included.
std::variant<core::NewRequest, std::vector<core::FieldError>> NewRequestFromJson(
    const nlohmann::json& object, const CategoryResolver& resolve_category);

// The staff view. `category_slug` may be null (no category); `citizen` adds the contact under
// "citizen" ("citizen": null otherwise). Never includes the follow-up link's secret. The "sla"
// object gives each target's due time and its state at `now` (see SlaJson).
nlohmann::json RequestJson(const core::Request& r, const std::string* category_slug,
                           const std::optional<core::Citizen>& citizen, Millis now);

// {"policy_id", "paused", "first_reply": {"due_at", "warn_at", "state"}, "resolution": {…}},
// a target null when the policy has none, the whole object null when no policy applied. States:
// ok, at_risk, breached, paused, met, missed, and closed (ended unreached with the request).
nlohmann::json SlaJson(const core::Request& r, Millis now);

}  // namespace guichet::server
