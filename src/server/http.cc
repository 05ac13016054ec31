#include "server/http.h"

#include <algorithm>
#include <charconv>

#include "common/text.h"

namespace guichet::server {
namespace {

const char* JsonTypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

}  // namespace

std::string HttpContext::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::optional<std::string> HttpContext::Query(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

storage::Actor HttpContext::actor() const {
  if (principal.user) return storage::Actor::User(principal.user->id);
  return storage::Actor::System("anonymous");
}

std::vector<core::FieldError> UnknownQueryParams(const HttpContext& ctx,
                                                 const std::vector<std::string>& known) {
  std::vector<core::FieldError> errors;
  for (const auto& [key, value] : ctx.query)
    if (std::find(known.begin(), known.end(), key) == known.end())
      errors.push_back({key, "is not a known parameter"});
  return errors;
}

std::optional<std::int64_t> ParsePositiveInt(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1) return std::nullopt;
  return v;
}

std::optional<core::Id> PathId(const HttpContext& ctx, const std::string& name) {
  auto it = ctx.path_params.find(name);
  if (it == ctx.path_params.end()) return std::nullopt;
  return ParsePositiveInt(it->second);
}

HttpResponse Json(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

HttpResponse Problem(int status, std::string_view type_slug, std::string_view title,
                     std::string detail, const std::vector<core::FieldError>& errors) {
  json body = {{"type", "urn:guichet:problem:" + std::string(type_slug)},
               {"title", title},
               {"status", status},
               {"detail", std::move(detail)}};
  if (!errors.empty()) {
    json list = json::array();
    for (const auto& e : errors) list.push_back({{"field", e.field}, {"reason", e.reason}});
    body["errors"] = list;
  }
  HttpResponse r = Json(status, body);
  r.content_type = "application/problem+json";
  return r;
}

namespace {

// "The request has 2 invalid fields: subject is required; …" (the first three).
std::string DescribeErrors(const std::vector<core::FieldError>& errors, const char* what) {
  std::string detail = "The request has " + std::to_string(errors.size()) + " invalid " + what +
                       (errors.size() == 1 ? "" : "s") + ": ";
  for (size_t i = 0; i < errors.size() && i < 3; ++i) {
    if (i) detail += "; ";
    detail += errors[i].field + " " + errors[i].reason;
  }
  if (errors.size() > 3) detail += "; …";
  return detail;
}

}  // namespace

HttpResponse ValidationProblem(const std::vector<core::FieldError>& errors) {
  return Problem(422, "validation-failed", "Invalid fields", DescribeErrors(errors, "field"),
                 errors);
}

HttpResponse QueryProblem(const std::vector<core::FieldError>& errors) {
  return Problem(400, "invalid-query", "Invalid query parameters",
                 DescribeErrors(errors, "query parameter"), errors);
}

HttpResponse NotFoundProblem(std::string detail) {
  return Problem(404, "not-found", "Not found", std::move(detail));
}

HttpResponse ForbiddenProblem(std::string detail) {
  return Problem(403, "forbidden", "Forbidden", std::move(detail));
}

HttpResponse UnauthenticatedProblem() {
  HttpResponse r = Problem(401, "unauthenticated", "Authentication required",
                           "Log in (POST /api/v1/session) or send an API token as "
                           "\"Authorization: Bearer <token>\".");
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"guichet\"");
  return r;
}

HttpResponse ProblemFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return Problem(500, "internal", "Internal error", "an OK status is not an error");
    case StatusCode::kInvalidArgument:
      return Problem(422, "validation-failed", "Invalid request", status.message());
    case StatusCode::kNotFound:
      return NotFoundProblem(status.message());
    case StatusCode::kAlreadyExists:
      return Problem(409, "already-exists", "Already exists", status.message());
    case StatusCode::kConflict:
      return Problem(409, "edit-conflict", "Edit conflict",
                     status.message() + ". Reload it and apply your change again.");
    case StatusCode::kFailedPrecondition:
      return Problem(409, "invalid-state", "Not allowed in this state", status.message());
    case StatusCode::kPermissionDenied:
      return ForbiddenProblem(status.message());
    case StatusCode::kUnauthenticated:
      return UnauthenticatedProblem();
    case StatusCode::kResourceExhausted:
      return Problem(507, "storage-full", "Insufficient storage", status.message());
    case StatusCode::kUnavailable:
      return Problem(503, "unavailable", "Service unavailable",
                     "The database is unavailable; try again shortly.");
    case StatusCode::kInternal:
      break;
  }
  return Problem(500, "internal", "Internal error",
                 "Something went wrong on our side; it has been logged.");
}

std::variant<json, HttpResponse> ParseJsonObject(const std::string& body) {
  json parsed;
  const JsonTextError error = ParseJsonObjectText(body, parsed);
  if (error == JsonTextError::kNone) return parsed;
  const bool utf8 = error == JsonTextError::kInvalidUtf8;
  return Problem(400, utf8 ? "invalid-utf8" : "invalid-json",
                 utf8 ? "Invalid UTF-8" : "Invalid JSON",
                 "The request body " + DescribeJsonTextError(error) + ".");
}

FieldReader::FieldReader(const json& object, std::vector<core::FieldError>& errors,
                         std::string prefix)
    : object_(object), errors_(errors), prefix_(std::move(prefix)) {}

const json* FieldReader::Take(const std::string& key) {
  seen_.push_back(key);
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool FieldReader::IsNull(const std::string& key) const {
  auto it = object_.find(key);
  return it != object_.end() && it->is_null();
}

void FieldReader::TypeError(const std::string& key, const char* expected) {
  const json& v = object_.at(key);
  errors_.push_back(
      {prefix_ + key, std::string("must be ") + expected + ", not " + JsonTypeName(v)});
}

std::optional<std::string> FieldReader::String(const std::string& key, bool required) {
  const json* v = Take(key);
  if (!v) {
    if (required) errors_.push_back({prefix_ + key, "is required"});
    return std::nullopt;
  }
  if (!v->is_string()) {
    TypeError(key, "a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<std::int64_t> FieldReader::Integer(const std::string& key, bool required) {
  const json* v = Take(key);
  if (!v) {
    if (required) errors_.push_back({prefix_ + key, "is required"});
    return std::nullopt;
  }
  if (!v->is_number_integer()) {
    TypeError(key, "an integer");
    return std::nullopt;
  }
  return v->get<std::int64_t>();
}

std::optional<double> FieldReader::Number(const std::string& key) {
  const json* v = Take(key);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    TypeError(key, "a number");
    return std::nullopt;
  }
  return v->get<double>();
}

std::optional<bool> FieldReader::Bool(const std::string& key) {
  const json* v = Take(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    TypeError(key, "a boolean");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::vector<std::string>> FieldReader::StringList(const std::string& key) {
  const json* v = Take(key);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    TypeError(key, "an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) {
      errors_.push_back({prefix_ + key + "[" + std::to_string(i) + "]", "must be a string"});
      return std::nullopt;
    }
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

std::optional<std::vector<std::int64_t>> FieldReader::IntegerList(const std::string& key) {
  const json* v = Take(key);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    TypeError(key, "an array of integers");
    return std::nullopt;
  }
  std::vector<std::int64_t> out;
  for (size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_number_integer()) {
      errors_.push_back({prefix_ + key + "[" + std::to_string(i) + "]", "must be an integer"});
      return std::nullopt;
    }
    out.push_back((*v)[i].get<std::int64_t>());
  }
  return out;
}

std::optional<std::map<std::string, std::string>> FieldReader::StringMap(const std::string& key) {
  const json* v = Take(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    TypeError(key, "an object of strings");
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it->is_string()) {
      errors_.push_back({prefix_ + key + "." + it.key(), "must be a string"});
      return std::nullopt;
    }
    out[it.key()] = it->get<std::string>();
  }
  return out;
}

std::optional<core::Id> FieldReader::Category(const CategoryResolver& resolve) {
  const json* v = Take("category");
  if (!v) return std::nullopt;
  if (!v->is_string() && !v->is_number_integer()) {
    TypeError("category", "a category slug or id");
    return std::nullopt;
  }
  auto id = resolve(*v);
  if (!id) errors_.push_back({prefix_ + "category", "is not a known category"});
  return id;
}

const json* FieldReader::Object(const std::string& key) {
  const json* v = Take(key);
  if (!v) return nullptr;
  if (!v->is_object()) {
    TypeError(key, "an object");
    return nullptr;
  }
  return v;
}

void FieldReader::RejectUnknown() {
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (std::find(seen_.begin(), seen_.end(), it.key()) == seen_.end())
      errors_.push_back({prefix_ + it.key(), "is not a known field"});
  }
}

std::string ETag(std::int64_t version) {
  std::string tag(1, '"');
  tag += std::to_string(version);
  tag += '"';
  return tag;
}

std::variant<std::int64_t, HttpResponse> ExpectedVersion(const HttpContext& ctx,
                                                         std::optional<std::int64_t> body_version) {
  std::string tag(Trim(ctx.Header("if-match")));
  if (!tag.empty()) {
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"')
      tag = tag.substr(1, tag.size() - 2);
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(tag.data(), tag.data() + tag.size(), v);
    if (ec != std::errc() || end != tag.data() + tag.size() || v < 1)
      return Problem(400, "invalid-if-match", "Invalid If-Match",
                     "If-Match must be the ETag you read, e.g. \"3\".");
    return v;
  }
  if (body_version) return *body_version;
  return Problem(428, "version-required", "Version required",
                 "Send the version you edited, in If-Match (the ETag) or as \"version\" in the "
                 "body, so that concurrent edits are detected.");
}

}  // namespace guichet::server
