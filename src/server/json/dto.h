// Private to src/server: mapping between domain values and their JSON shapes in the API.
// Readers collect every field error (unknown fields included) instead of stopping at the first.
#pragma once

#include <variant>

#include "server/http.h"

namespace guichet::server {

// The staff view of a request. `citizen` is added when `with_citizen` (staff and the citizen).
json RequestToJson(storage::Store& store, const core::Request& r, bool with_citizen, Millis now);
// RequestToJson for each of a page of requests, with citizens: their citizens are read in one
// transaction and each category once, instead of one lookup per request.
json RequestsToJson(storage::Store& store, const std::vector<core::Request>& requests, Millis now);
// The citizen's view through the private link: no internal ids.
json RequestToCitizenJson(const core::Request& r);
json MessageToJson(const core::Message& m);
json UserToJson(const core::User& u);
json TeamToJson(const core::Team& t);
json CategoryToJson(const core::Category& c);
json AttachmentToJson(const storage::AttachmentMeta& a);
json AuditToJson(const storage::AuditEntry& e);

// POST /requests body → NewRequest (category given by slug or id).
std::variant<core::NewRequest, std::vector<core::FieldError>> ReadNewRequest(storage::Store& store,
                                                                             const json& body);

struct PatchInput {
  core::RequestPatch patch;
  std::optional<std::int64_t> version;  // from the body; If-Match takes precedence
};
// PATCH /requests/{id} body → RequestPatch. `null` clears category, team or assignee.
std::variant<PatchInput, std::vector<core::FieldError>> ReadPatch(storage::Store& store,
                                                                  const json& body);

}  // namespace guichet::server
