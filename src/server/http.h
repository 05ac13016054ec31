// Private to src/server: the framework-neutral shapes route handlers work with. A handler gets
// an HttpContext (request data, the caller's principal, the store) and returns an HttpResponse;
// server.cc adapts these to RESTinio, so handlers never see the HTTP library.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "core/model.h"
#include "server/request_json.h"
#include "server/server.h"
#include "server/web/multipart.h"
#include "storage/store.h"

namespace guichet::server {

using json = nlohmann::json;

// Who is asking. Anonymous callers have no user.
struct Principal {
  std::optional<core::User> user;
  bool via_session = false;  // cookie-authenticated: unsafe methods need the CSRF token
  std::string csrf_token;
  std::string session_token_hash;

  bool anonymous() const { return !user.has_value(); }
  bool Is(core::Role r) const { return user && user->role == r; }
  bool staff() const { return user && core::IsStaff(user->role); }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpContext {
  std::string method;
  std::string route;  // the OpenAPI path pattern, e.g. /api/v1/requests/{id}
  std::string path;   // the path as requested, without the query
  std::map<std::string, std::string> path_params;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::optional<web::FormFields> form;   // the fields of a BodyKind::kForm route
  std::vector<web::UploadedFile> files;  // the files of a BodyKind::kFormWithFiles route
  std::string request_id;
  std::string remote_address;  // the peer's IP address (proxies are not trusted)
  Principal principal;
  storage::Store* store = nullptr;
  class Metrics* metrics = nullptr;
  const ServerOptions* options = nullptr;
  const Clock* clock = nullptr;
  // Runs a task on the server's threads: the continuation of an asynchronous store call, whose
  // callback comes on a storage thread.
  std::function<void(std::function<void()>)> post;
  class TriageService* triage = nullptr;  // AI suggestions for new requests
  class KbSearch* kb_search = nullptr;    // this node's knowledge-base search index

  std::string Header(const std::string& lower_name) const;
  std::optional<std::string> Query(const std::string& name) const;
  // The Actor for the audit log.
  storage::Actor actor() const;
};

using Handler = std::function<HttpResponse(HttpContext&)>;
// Sends an asynchronous handler's response; the first call counts, from any thread.
using Respond = std::function<void(HttpResponse)>;
// A handler that answers later (after a group commit, without holding a thread): it must call
// `respond` once; the context stays alive as long as the handler keeps its pointer.
using AsyncHandler = std::function<void(std::shared_ptr<HttpContext>, Respond)>;

// kForm: an HTML form post (application/x-www-form-urlencoded), parsed into HttpContext::form,
// its CSRF token checked before the handler runs. kFormWithFiles: the same, or sent as
// multipart/form-data with files (HttpContext::files), up to the attachment size limit.
enum class BodyKind { kNone, kJson, kBinary, kForm, kFormWithFiles };

struct Route {
  std::string method;
  std::string path;  // OpenAPI style: /api/v1/requests/{id}
  BodyKind body = BodyKind::kNone;
  std::variant<Handler, AsyncHandler> handler;  // AsyncHandler for routes that answer later
  // kForm: the most fields the form may have (a page of checkboxes needs more than most).
  std::size_t max_form_fields = 50;
};

// One error per query-string parameter of `ctx` that is not in `known`.
std::vector<core::FieldError> UnknownQueryParams(const HttpContext& ctx,
                                                 const std::vector<std::string>& known);

// "42" → 42; nullopt unless the whole text is a positive integer that fits in 64 bits.
std::optional<std::int64_t> ParsePositiveInt(std::string_view text);

// A numeric path parameter ("/requests/{id}"); nullopt when absent or not a positive integer.
std::optional<core::Id> PathId(const HttpContext& ctx, const std::string& name);

// --- Responses ------------------------------------------------------------------------------

HttpResponse Json(int status, const json& body);

// RFC 9457 problem details. `type_slug` becomes "urn:guichet:problem:<slug>".
HttpResponse Problem(int status, std::string_view type_slug, std::string_view title,
                     std::string detail, const std::vector<core::FieldError>& errors = {});
// Maps a Status to its problem response (not-found → 404, conflict → 409, …).
HttpResponse ProblemFor(const Status& status);
HttpResponse ValidationProblem(const std::vector<core::FieldError>& errors);  // 422
HttpResponse QueryProblem(const std::vector<core::FieldError>& errors);       // 400
HttpResponse NotFoundProblem(std::string detail);
HttpResponse ForbiddenProblem(std::string detail);
HttpResponse UnauthenticatedProblem();

// Parses a JSON object body with a nesting limit (deep nesting would exhaust the stack).
// On failure returns the problem response to send.
std::variant<json, HttpResponse> ParseJsonObject(const std::string& body);

// Reads typed fields from a JSON object, collecting errors; unknown keys are errors too.
class FieldReader {
 public:
  FieldReader(const json& object, std::vector<core::FieldError>& errors, std::string prefix = "");
  std::optional<std::string> String(const std::string& key, bool required = false);
  std::optional<std::int64_t> Integer(const std::string& key, bool required = false);
  std::optional<double> Number(const std::string& key);
  std::optional<bool> Bool(const std::string& key);
  // Present and null (to clear a field)?
  bool IsNull(const std::string& key) const;
  std::optional<std::vector<std::string>> StringList(const std::string& key);
  std::optional<std::vector<std::int64_t>> IntegerList(const std::string& key);
  std::optional<std::map<std::string, std::string>> StringMap(const std::string& key);
  // A wire name of an enum ("urgent"); an unknown name is an error listing the allowed ones.
  template <typename E>
  std::optional<E> Enum(const std::string& key, std::optional<E> (*parse)(std::string_view),
                        std::span<const std::string_view> names, bool required = false) {
    auto text = String(key, required);
    if (!text) return std::nullopt;
    auto value = parse(*text);
    if (!value) {
      std::string allowed;
      for (auto n : names) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
      errors_.push_back({prefix_ + key, "must be one of: " + allowed});
    }
    return value;
  }
  // "category" as a slug or an id, resolved to a category id; unknown ones are errors.
  std::optional<core::Id> Category(const CategoryResolver& resolve);
  // The nested object at `key` (nullptr when absent or not an object; a type error is recorded).
  const json* Object(const std::string& key);
  // The value at `key` as given, for a reader of its own (nullptr when absent or null).
  const json* Raw(const std::string& key) { return Take(key); }
  // Records an "unknown field" error for every key that was not read.
  void RejectUnknown();

 private:
  const json* Take(const std::string& key);
  void TypeError(const std::string& key, const char* expected);

  const json& object_;
  std::vector<core::FieldError>& errors_;
  std::string prefix_;
  std::vector<std::string> seen_;
};

// --- Route registration (one function per resource file in routes/) ---------------------------
void AddSessionRoutes(std::vector<Route>& routes);
void AddDirectoryRoutes(std::vector<Route>& routes);
void AddRequestRoutes(std::vector<Route>& routes);
void AddTrackRoutes(std::vector<Route>& routes);
void AddAuditRoutes(std::vector<Route>& routes);
void AddJobRoutes(std::vector<Route>& routes);
void AddOpsRoutes(std::vector<Route>& routes);
void AddSlaRoutes(std::vector<Route>& routes);
void AddAutomationRoutes(std::vector<Route>& routes);
void AddAiRoutes(std::vector<Route>& routes);
void AddKbRoutes(std::vector<Route>& routes);
void AddKbSearchRoutes(std::vector<Route>& routes);
void AddPortalRoutes(std::vector<Route>& routes);
void AddAgentRoutes(std::vector<Route>& routes);
void AddCitizenPageRoutes(std::vector<Route>& routes);
void AddDashboardRoutes(std::vector<Route>& routes);
void AddAdminRoutes(std::vector<Route>& routes);
void AddSchemeRoutes(std::vector<Route>& routes);
void AddSchemePageRoutes(std::vector<Route>& routes);

// Every route of the server, in registration order (the OpenAPI test walks it).
std::vector<Route> AllRoutes();

// The strong ETag of a version: "\"3\"".
std::string ETag(std::int64_t version);
// The version a change is made on: If-Match ("3", a strong ETag) wins over the body's "version";
// 400 for a malformed If-Match, 428 when neither is given.
std::variant<std::int64_t, HttpResponse> ExpectedVersion(const HttpContext& ctx,
                                                         std::optional<std::int64_t> body_version);

}  // namespace guichet::server
