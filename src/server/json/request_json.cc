#include "server/request_json.h"

#include "common/text.h"
#include "server/http.h"
#include "sla/policy.h"

namespace guichet::server {
namespace {

json OptId(const std::optional<core::Id>& v) { return v ? json(*v) : json(nullptr); }
json OptTime(const std::optional<Millis>& v) { return v ? json(FormatIso8601(*v)) : json(nullptr); }
json OptNumber(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// Deepest nesting of [ and { outside strings; stops counting past `limit`.
int NestingDepth(const std::string& text, int limit) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
      if (max_depth > limit) return max_depth;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

}  // namespace

JsonTextError ParseJsonObjectText(const std::string& text, json& out) {
  if (Trim(text).empty()) return JsonTextError::kEmpty;
  if (!IsValidUtf8(text)) return JsonTextError::kInvalidUtf8;
  if (NestingDepth(text, kMaxJsonDepth) > kMaxJsonDepth) return JsonTextError::kTooDeep;
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return JsonTextError::kInvalidJson;
  if (!parsed.is_object()) return JsonTextError::kNotAnObject;
  out = std::move(parsed);
  return JsonTextError::kNone;
}

std::string DescribeJsonTextError(JsonTextError error) {
  switch (error) {
    case JsonTextError::kNone:
      return "is valid";
    case JsonTextError::kEmpty:
      return "is empty; send a JSON object";
    case JsonTextError::kInvalidUtf8:
      return "is not valid UTF-8";
    case JsonTextError::kTooDeep:
      return "is JSON nested more than " + std::to_string(kMaxJsonDepth) + " levels deep";
    case JsonTextError::kInvalidJson:
      return "is not valid JSON";
    case JsonTextError::kNotAnObject:
      return "must be a JSON object";
  }
  return "is not valid JSON";
}

std::variant<core::NewRequest, std::vector<core::FieldError>> NewRequestFromJson(
    const json& object, const CategoryResolver& resolve_category) {
  std::vector<core::FieldError> errors;
  FieldReader reader(object, errors);
  core::NewRequest r;
  r.subject = reader.String("subject", true).value_or("");
  r.description = reader.String("description", true).value_or("");
  r.channel = reader.Enum<core::Channel>("channel", core::ParseChannel, core::ChannelNames(), true)
                  .value_or(core::Channel::kWeb);
  r.priority = reader.Enum<core::Priority>("priority", core::ParsePriority, core::PriorityNames())
                   .value_or(core::Priority::kNormal);
  r.language = reader.String("language").value_or("");
  r.category_id = reader.Category(resolve_category);
  r.tags = reader.StringList("tags").value_or(std::vector<std::string>{});
  r.custom_fields =
      reader.StringMap("custom_fields").value_or(std::map<std::string, std::string>{});
  if (const json* loc = reader.Object("location")) {
    FieldReader lr(*loc, errors, "location.");
    core::Location location;
    location.lat = lr.Number("lat");
    location.lon = lr.Number("lon");
    location.address = lr.String("address").value_or("");
    lr.RejectUnknown();
    r.location = location;
  }
  if (const json* citizen = reader.Object("citizen")) {
    FieldReader cr(*citizen, errors, "citizen.");
    core::NewCitizen c;
    c.name = cr.String("name").value_or("");
    c.email = cr.String("email").value_or("");
    c.phone = cr.String("phone").value_or("");
    c.language = cr.String("language").value_or("");
    cr.RejectUnknown();
    r.citizen = c;
  }
  reader.RejectUnknown();
  if (errors.empty()) errors = core::ValidateNewRequest(r);
  if (!errors.empty()) return errors;
  return r;
}

json SlaJson(const core::Request& r, Millis now) {
  const core::RequestSla& s = r.sla;
  if (!s.first_reply_due_at && !s.resolution_due_at) return nullptr;
  auto target = [&](const std::optional<Millis>& due, const std::optional<Millis>& warn,
                    const std::optional<Millis>& done) -> json {
    if (!due) return nullptr;
    const bool closed = r.resolved_at.has_value();  // a reply target ends with the request too
    const auto state = sla::StateAt(*due, warn, done, s.paused_at.has_value() && !closed, now);
    json out = {{"due_at", FormatIso8601(*due)},
                {"warn_at", OptTime(warn)},
                {"state", sla::ToString(state)}};
    if (!done && closed) out["state"] = "closed";
    return out;
  };
  return {{"policy_id", OptId(s.policy_id)},
          {"paused", s.paused_at.has_value()},
          {"first_reply", target(s.first_reply_due_at, s.first_reply_warn_at, r.first_reply_at)},
          {"resolution", target(s.resolution_due_at, s.resolution_warn_at, r.resolved_at)}};
}

json RequestJson(const core::Request& r, const std::string* category_slug,
                 const std::optional<core::Citizen>& citizen, Millis now) {
  json location = nullptr;
  if (r.location) {
    location = {{"lat", OptNumber(r.location->lat)},
                {"lon", OptNumber(r.location->lon)},
                {"address", r.location->address}};
  }
  // Member by member rather than from an initializer list: nlohmann builds the latter as
  // temporary two-element arrays first, which made this the largest cost of a list page.
  json out = json::object();
  out["id"] = r.id;
  out["reference"] = r.reference;
  out["subject"] = r.subject;
  out["description"] = r.description;
  out["channel"] = core::ToString(r.channel);
  out["language"] = r.language;
  out["category"] = category_slug ? json(*category_slug) : json(nullptr);
  out["category_id"] = OptId(r.category_id);
  out["team_id"] = OptId(r.team_id);
  out["assignee_id"] = OptId(r.assignee_id);
  out["priority"] = core::ToString(r.priority);
  out["status"] = core::ToString(r.status);
  out["tags"] = r.tags;
  out["location"] = std::move(location);
  out["custom_fields"] = r.custom_fields;
  out["created_at"] = FormatIso8601(r.created_at);
  out["updated_at"] = FormatIso8601(r.updated_at);
  out["first_reply_at"] = OptTime(r.first_reply_at);
  out["resolved_at"] = OptTime(r.resolved_at);
  out["sla"] = SlaJson(r, now);
  out["version"] = r.version;
  json& c = out["citizen"];
  if (citizen) {
    c = json::object();
    c["id"] = citizen->id;
    c["name"] = citizen->name;
    c["email"] = citizen->email;
    c["phone"] = citizen->phone;
    c["language"] = citizen->language;
  }
  return out;
}

}  // namespace guichet::server
