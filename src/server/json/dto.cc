#include "server/json/dto.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/request_json.h"

namespace guichet::server {
namespace {

json OptId(const std::optional<core::Id>& v) { return v ? json(*v) : json(nullptr); }
json OptTime(const std::optional<Millis>& v) { return v ? json(FormatIso8601(*v)) : json(nullptr); }

CategoryResolver StoreCategoryResolver(storage::Store& store) {
  return [&store](const json& value) -> std::optional<core::Id> {
    auto category = value.is_number_integer() ? store.GetCategory(value.get<core::Id>())
                                              : store.FindCategoryBySlug(value.get<std::string>());
    if (!category.ok()) return std::nullopt;
    return category->id;
  };
}

}  // namespace

json RequestToJson(storage::Store& store, const core::Request& r, bool with_citizen, Millis now) {
  std::optional<std::string> slug;
  if (r.category_id) {
    auto c = store.GetCategory(*r.category_id);
    if (c.ok()) slug = c->slug;
  }
  std::optional<core::Citizen> citizen;
  if (with_citizen && r.citizen_id) {
    auto c = store.GetCitizen(*r.citizen_id);
    if (c.ok()) citizen = std::move(c).value();
  }
  json out = RequestJson(r, slug ? &*slug : nullptr, citizen, now);
  if (!with_citizen) out.erase("citizen");
  return out;
}

json RequestsToJson(storage::Store& store, const std::vector<core::Request>& requests, Millis now) {
  std::vector<core::Id> citizen_ids;
  for (const auto& r : requests) {
    if (r.citizen_id) citizen_ids.push_back(*r.citizen_id);
  }
  std::map<core::Id, core::Citizen> citizens;
  if (!citizen_ids.empty()) {
    auto found = store.GetCitizens(citizen_ids);
    if (found.ok()) citizens = std::move(found).value();
  }
  std::map<core::Id, std::optional<std::string>> slugs;
  json out = json::array();
  for (const auto& r : requests) {
    const std::string* slug = nullptr;
    if (r.category_id) {
      auto it = slugs.find(*r.category_id);
      if (it == slugs.end()) {
        auto c = store.GetCategory(*r.category_id);
        it = slugs.emplace(*r.category_id, c.ok() ? std::optional(c->slug) : std::nullopt).first;
      }
      if (it->second) slug = &*it->second;
    }
    std::optional<core::Citizen> citizen;
    if (r.citizen_id) {
      auto it = citizens.find(*r.citizen_id);
      if (it != citizens.end()) citizen = it->second;
    }
    out.push_back(RequestJson(r, slug, citizen, now));
  }
  return out;
}

json RequestToCitizenJson(const core::Request& r) {
  return {{"reference", r.reference},
          {"subject", r.subject},
          {"description", r.description},
          {"status", core::ToString(r.status)},
          {"created_at", FormatIso8601(r.created_at)},
          {"updated_at", FormatIso8601(r.updated_at)},
          {"resolved_at", OptTime(r.resolved_at)}};
}

json MessageToJson(const core::Message& m) {
  return {{"id", m.id},
          {"request_id", m.request_id},
          {"visibility", core::ToString(m.visibility)},
          {"author_user_id", OptId(m.author_user_id)},
          {"author_name", m.author_name},
          {"channel", core::ToString(m.channel)},
          {"body", m.body},
          {"created_at", FormatIso8601(m.created_at)}};
}

json UserToJson(const core::User& u) {
  return {{"id", u.id},
          {"email", u.email},
          {"display_name", u.display_name},
          {"role", core::ToString(u.role)},
          {"team_ids", u.team_ids},
          {"active", u.active},
          {"created_at", FormatIso8601(u.created_at)}};
}

json TeamToJson(const core::Team& t) { return {{"id", t.id}, {"name", t.name}}; }

json CategoryToJson(const core::Category& c) {
  return {{"id", c.id},
          {"slug", c.slug},
          {"name", c.name},
          {"default_team_id", OptId(c.default_team_id)}};
}

json AttachmentToJson(const storage::AttachmentMeta& a) {
  return {{"id", a.id},
          {"request_id", a.request_id},
          {"filename", a.filename},
          {"content_type", a.content_type},
          {"size", a.size},
          {"sha256", a.sha256},
          {"created_at", FormatIso8601(a.created_at)}};
}

json AuditToJson(const storage::AuditEntry& e) {
  json changes = json::parse(e.changes_json, nullptr, false);
  return {{"id", e.id},
          {"at", FormatIso8601(e.at)},
          {"actor", e.actor},
          {"action", e.action},
          {"entity", e.entity},
          {"entity_id", e.entity_id},
          {"request_id", OptId(e.request_id)},
          {"changes", changes.is_discarded() ? json(nullptr) : changes},
          {"hash", e.hash}};
}

std::variant<core::NewRequest, std::vector<core::FieldError>> ReadNewRequest(storage::Store& store,
                                                                             const json& body) {
  return NewRequestFromJson(body, StoreCategoryResolver(store));
}

std::variant<PatchInput, std::vector<core::FieldError>> ReadPatch(storage::Store& store,
                                                                  const json& body) {
  std::vector<core::FieldError> errors;
  FieldReader reader(body, errors);
  PatchInput in;
  core::RequestPatch& p = in.patch;
  in.version = reader.Integer("version");
  p.subject = reader.String("subject");
  p.description = reader.String("description");
  p.language = reader.String("language");
  if (reader.IsNull("category")) {
    p.clear_category = true;
    (void)reader.String("category");
  } else {
    p.category_id = reader.Category(StoreCategoryResolver(store));
  }
  p.clear_team = reader.IsNull("team_id");
  p.team_id = reader.Integer("team_id");
  p.clear_assignee = reader.IsNull("assignee_id");
  p.assignee_id = reader.Integer("assignee_id");
  p.priority = reader.Enum<core::Priority>("priority", core::ParsePriority, core::PriorityNames());
  p.status = reader.Enum<core::RequestStatus>("status", core::ParseRequestStatus,
                                              core::RequestStatusNames());
  p.tags = reader.StringList("tags");
  p.custom_fields = reader.StringMap("custom_fields");
  reader.RejectUnknown();
  if (errors.empty()) errors = core::ValidatePatch(p);
  if (!errors.empty()) return errors;
  return in;
}

}  // namespace guichet::server
