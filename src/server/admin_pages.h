// Private to src/server: what the admin pages (routes/admin_pages.cc, routes/admin_rule_pages.cc)
// share — who may open them, the answer after a change, and field errors as template values.
// The pages read and change the desk's configuration through the same readers
// (server/config_input.h), store calls and audit as the API; their forms are turned into the
// API's JSON objects for that. Thread-safe: pure functions of their arguments.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/http.h"
#include "server/web/page.h"

namespace guichet::server::admin {

// A page of the admin area that `ctx` may read: admins, and auditors where the API lets them
// read the resource (`auditors_read`). Anonymous callers are sent to the sign-in page, others
// get the 403 page.
std::optional<HttpResponse> RequireReader(const HttpContext& ctx, bool auditors_read = true);
// A change in the admin area: admins only (same answers for the others).
std::optional<HttpResponse> RequireAdmin(const HttpContext& ctx);
bool IsAdmin(const HttpContext& ctx);

HttpResponse SeeOther(const std::string& location);
// Back to `path` after a change (post/redirect/get), with the notice key's suffix `done`.
HttpResponse Done(const HttpContext& ctx, const std::string& path, const std::string& done);
// The notice of ?done= on a page after a change ("" when none): admin_done_<done>.
std::string DoneNotice(const HttpContext& ctx, const std::string& lang);

// A form's integer field as the API's JSON: "" → null, "42" → 42, anything else as the text
// itself, which the API's reader then refuses as not an integer.
json IntegerValue(const std::string& text);

// A field error in the reader's language: the catalogue's words for the usual ones, else the
// validator's own message (which names the element, e.g. "conditions[1].op").
std::string ErrorText(const std::string& lang, const core::FieldError& error);

// Errors as template values under data["errors"] (the summary: field, label, message, anchor)
// and data["fields"][field] = {id, error} (next to the field, its id `id_prefix` + field).
// Labels are the catalogue's `label_prefix` + field.
void AddErrors(json& data, const std::string& lang, const std::vector<core::FieldError>& errors,
               const std::string& id_prefix, const std::string& label_prefix);

// The page for a store failure that is not the caller's doing.
HttpResponse Unavailable(const HttpContext& ctx);

// Registers the SLA and automation pages (routes/admin_rule_pages.cc).
void AddAdminRulePageRoutes(std::vector<Route>& routes);

}  // namespace guichet::server::admin
