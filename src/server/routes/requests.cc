// Requests (citizens' cases): create, read, list with filters and cursor, update with optimistic
// concurrency, assign, change status, messages and attachments.
#include <charconv>

#include "common/crypto.h"
#include "common/text.h"
#include "server/attachment_check.h"
#include "server/auth.h"
#include "server/json/dto.h"
#include "server/triage_service.h"

namespace guichet::server {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;

HttpResponse RequestResponse(HttpContext& ctx, int status, const core::Request& r) {
  HttpResponse resp = Json(status, RequestToJson(*ctx.store, r, true, ctx.clock->Now()));
  resp.headers.emplace_back("ETag", ETag(r.version));
  return resp;
}

HttpResponse ListRequests(HttpContext& ctx) {
  if (auto denied = RequireUser(ctx)) return *denied;
  storage::RequestFilter filter;
  storage::PageSpec page;
  page.limit = kDefaultPageSize;
  std::vector<core::FieldError> errors;
  static const std::vector<std::string> kKnown = {
      "status",     "team_id", "assignee_id", "category", "priority", "channel", "created_from",
      "created_to", "q",       "limit",       "cursor",   "sla",      "triage"};
  for (const auto& [key, value] : ctx.query) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      errors.push_back({key, "is not a known filter"});
      continue;
    }
    if (!IsValidUtf8(value) || value.size() > 1000) {
      errors.push_back({key, "is not valid UTF-8 or is too long"});
      continue;
    }
    if (key == "status") {
      size_t pos = 0;
      while (pos <= value.size()) {
        size_t comma = value.find(',', pos);
        if (comma == std::string::npos) comma = value.size();
        auto s = core::ParseRequestStatus(value.substr(pos, comma - pos));
        if (!s) {
          errors.push_back({"status", "must be a comma-separated list of statuses"});
          break;
        }
        filter.statuses.push_back(*s);
        pos = comma + 1;
      }
    } else if (key == "team_id" || key == "limit" || key == "cursor") {
      auto n = ParsePositiveInt(value);
      if (!n) {
        errors.push_back({key, "must be a positive integer"});
      } else if (key == "team_id") {
        filter.team_id = *n;
      } else if (key == "limit") {
        page.limit = static_cast<int>(std::min<std::int64_t>(*n, kMaxPageSize));
      } else {
        page.after_id = *n;
      }
    } else if (key == "assignee_id") {
      if (value == "none") {
        filter.unassigned = true;
      } else if (auto n = ParsePositiveInt(value)) {
        filter.assignee_id = *n;
      } else {
        errors.push_back({key, "must be a user id or \"none\""});
      }
    } else if (key == "category") {
      auto c = ctx.store->FindCategoryBySlug(value);
      if (c.ok()) {
        filter.category_id = c->id;
      } else if (auto n = ParsePositiveInt(value)) {
        filter.category_id = *n;
      } else {
        errors.push_back({key, "is not a known category"});
      }
    } else if (key == "priority") {
      filter.priority = core::ParsePriority(value);
      if (!filter.priority) errors.push_back({key, "must be one of: low, normal, high, urgent"});
    } else if (key == "channel") {
      filter.channel = core::ParseChannel(value);
      if (!filter.channel) errors.push_back({key, "is not a known channel"});
    } else if (key == "created_from" || key == "created_to") {
      auto t = ParseIso8601(value);
      if (!t) errors.push_back({key, "must be a date (2026-03-01) or an ISO 8601 time"});
      (key == "created_from" ? filter.created_from : filter.created_to) = t;
    } else if (key == "q") {
      filter.text = value;
    } else if (key == "triage") {
      if (value == "pending") {
        filter.to_triage = true;
      } else {
        errors.push_back({key, "must be pending"});
      }
    } else if (key == "sla") {
      if (value == "at_risk") {
        filter.sla = storage::SlaFilter::kAtRisk;
      } else if (value == "breached") {
        filter.sla = storage::SlaFilter::kBreached;
      } else {
        errors.push_back({key, "must be at_risk or breached"});
      }
    }
  }
  if (!errors.empty()) return QueryProblem(errors);
  ScopeFilter(ctx.principal, filter);
  auto result = ctx.store->ListRequests(filter, page);
  if (!result.ok()) return ProblemFor(result.status());
  const json items = RequestsToJson(*ctx.store, result->items, ctx.clock->Now());
  return Json(200,
              {{"items", items},
               {"next_cursor", result->next_after_id ? json(std::to_string(*result->next_after_id))
                                                     : json(nullptr)}});
}

// The input of a create, or the problem to answer with.
std::variant<core::NewRequest, HttpResponse> ReadCreate(HttpContext& ctx) {
  if (ctx.principal.Is(core::Role::kAuditor))
    return ForbiddenProblem("Auditors read requests but do not create them.");
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  const json& body = std::get<json>(parsed);
  auto read = ReadNewRequest(*ctx.store, body);
  if (auto* errors = std::get_if<std::vector<core::FieldError>>(&read))
    return ValidationProblem(*errors);
  core::NewRequest input = std::get<core::NewRequest>(std::move(read));
  if (!ctx.principal.staff() && body.contains("priority")) {
    return ValidationProblem({{"priority", "is set by the desk, not by the person asking"}});
  }
  if (ctx.principal.Is(core::Role::kCitizen)) {
    input.citizen_id = ctx.principal.user->citizen_id;  // a citizen writes as themselves
    input.citizen.reset();
  }
  return input;
}

HttpResponse CreatedResponse(const HttpContext& ctx, const Result<core::Request>& created,
                             const std::string& secret) {
  if (!created.ok()) return ProblemFor(created.status());
  json out = ctx.principal.staff() || ctx.principal.Is(core::Role::kCitizen)
                 ? RequestToJson(*ctx.store, *created, true, ctx.clock->Now())
                 : RequestToJson(*ctx.store, *created, false, ctx.clock->Now());
  // Shown once: the citizen's private follow-up link. Only its hash is stored.
  out["secret"] = secret;
  out["follow_up_url"] = "/api/v1/track/" + created->reference + "?secret=" + secret;
  HttpResponse r = Json(201, out);
  r.headers.emplace_back("Location", "/api/v1/requests/" + std::to_string(created->id));
  r.headers.emplace_back("ETag", ETag(created->version));
  return r;
}

// Asynchronous: the 201 goes out from the commit's callback, so a server thread never waits
// for the disk and one commit serves as many creates as are in flight.
void CreateRequest(std::shared_ptr<HttpContext> ctx, Respond respond) {
  auto input = ReadCreate(*ctx);
  if (auto* problem = std::get_if<HttpResponse>(&input)) return respond(std::move(*problem));
  if (ctx->triage) ctx->triage->Suggest(std::get<core::NewRequest>(input));
  const std::string secret = RandomToken(24);
  ctx->store->CreateRequestAsync(std::get<core::NewRequest>(input), Sha256Hex(secret), ctx->actor(),
                                 [ctx, secret, respond](Result<core::Request> created) {
                                   ctx->post([ctx, secret, respond, created = std::move(created)] {
                                     respond(CreatedResponse(*ctx, created, secret));
                                   });
                                 });
}

HttpResponse GetRequest(HttpContext& ctx) {
  auto loaded = LoadVisibleRequest(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  return RequestResponse(ctx, 200, std::get<core::Request>(loaded));
}

// The team and assignee a change names must exist (and the assignee be assignable): a wrong
// one is a field error (422), not the store's "user 9 does not exist", which would be a 404 that
// reads as "this request does not exist". The store checks again inside its transaction.
std::optional<HttpResponse> CheckReferences(HttpContext& ctx, const core::RequestPatch& patch) {
  std::vector<core::FieldError> errors;
  if (patch.team_id) {
    auto team = ctx.store->GetTeam(*patch.team_id);
    if (!team.ok() && team.status().code() != StatusCode::kNotFound)
      return ProblemFor(team.status());
    if (!team.ok()) errors.push_back({"team_id", "is not a known team"});
  }
  if (patch.assignee_id) {
    auto user = ctx.store->GetUser(*patch.assignee_id);
    if (!user.ok() && user.status().code() != StatusCode::kNotFound)
      return ProblemFor(user.status());
    if (!user.ok()) {
      errors.push_back({"assignee_id", "is not a known user"});
    } else if (!core::IsStaff(user->role) || user->role == core::Role::kAuditor || !user->active) {
      errors.push_back({"assignee_id", "must be an active agent, lead or admin"});
    }
  }
  if (!errors.empty()) return ValidationProblem(errors);
  return std::nullopt;
}

HttpResponse ApplyPatch(HttpContext& ctx, const core::Request& current,
                        const core::RequestPatch& patch, std::optional<std::int64_t> body_version) {
  auto version = ExpectedVersion(ctx, body_version);
  if (auto* problem = std::get_if<HttpResponse>(&version)) return *problem;
  if (patch.empty()) return ValidationProblem({{"body", "names no field to change"}});
  if (auto invalid = CheckReferences(ctx, patch)) return *invalid;
  auto updated =
      ctx.store->UpdateRequest(current.id, std::get<std::int64_t>(version), patch, ctx.actor());
  if (!updated.ok()) return ProblemFor(updated.status());
  return RequestResponse(ctx, 200, *updated);
}

// The three ways to change a request share their checks: visible, workable by the caller, a JSON
// object body. `read_patch` turns the body into a patch and the version it was made on.
using PatchReader = std::function<std::variant<PatchInput, std::vector<core::FieldError>>(
    HttpContext&, const json&)>;

HttpResponse ChangeRequest(HttpContext& ctx, const PatchReader& read_patch) {
  auto loaded = LoadVisibleRequest(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  const core::Request& current = std::get<core::Request>(loaded);
  if (auto denied = RequireWork(ctx, current)) return *denied;
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  auto read = read_patch(ctx, std::get<json>(parsed));
  if (auto* errors = std::get_if<std::vector<core::FieldError>>(&read))
    return ValidationProblem(*errors);
  const PatchInput& in = std::get<PatchInput>(read);
  return ApplyPatch(ctx, current, in.patch, in.version);
}

HttpResponse PatchRequest(HttpContext& ctx) {
  return ChangeRequest(ctx,
                       [](HttpContext& c, const json& body) { return ReadPatch(*c.store, body); });
}

HttpResponse AssignRequest(HttpContext& ctx) {
  return ChangeRequest(
      ctx,
      [](HttpContext&,
         const json& body) -> std::variant<PatchInput, std::vector<core::FieldError>> {
        std::vector<core::FieldError> errors;
        FieldReader reader(body, errors);
        PatchInput in;
        if (!body.contains("assignee_id"))
          errors.push_back({"assignee_id", "is required (null to unassign)"});
        in.patch.clear_assignee = reader.IsNull("assignee_id");
        in.patch.assignee_id = reader.Integer("assignee_id");
        in.version = reader.Integer("version");
        reader.RejectUnknown();
        if (!errors.empty()) return errors;
        return in;
      });
}

HttpResponse ChangeStatus(HttpContext& ctx) {
  return ChangeRequest(
      ctx,
      [](HttpContext&,
         const json& body) -> std::variant<PatchInput, std::vector<core::FieldError>> {
        std::vector<core::FieldError> errors;
        FieldReader reader(body, errors);
        PatchInput in;
        in.patch.status = reader.Enum<core::RequestStatus>("status", core::ParseRequestStatus,
                                                           core::RequestStatusNames(), true);
        in.version = reader.Integer("version");
        reader.RejectUnknown();
        if (!errors.empty()) return errors;
        return in;
      });
}

// For the agent reading a request: the same citizen's other requests, then those about the same
// thing (full-text), each with why it is there; only those the reader may see.
HttpResponse SimilarRequests(HttpContext& ctx) {
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto loaded = LoadVisibleRequest(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  if (auto unknown = UnknownQueryParams(ctx, {"limit"}); !unknown.empty())
    return QueryProblem(unknown);
  int limit = 10;
  if (auto text = ctx.Query("limit")) {
    const auto n = ParsePositiveInt(*text);
    if (!n || *n > 20) return QueryProblem({{"limit", "must be a whole number from 1 to 20"}});
    limit = static_cast<int>(*n);
  }
  // Asked for more than shown: some may be outside what this reader may see.
  auto similar = ctx.store->SimilarRequests(std::get<core::Request>(loaded).id, limit * 2);
  if (!similar.ok()) return ProblemFor(similar.status());
  json items = json::array();
  for (const storage::SimilarRequest& s : *similar) {
    if (!CanSeeRequest(ctx.principal, s.request)) continue;
    if (static_cast<int>(items.size()) == limit) break;
    json item = RequestToJson(*ctx.store, s.request, false, ctx.clock->Now());
    item["similar_because"] = s.reason;
    items.push_back(std::move(item));
  }
  return Json(200, {{"items", items}});
}

HttpResponse ListMessages(HttpContext& ctx) {
  auto loaded = LoadVisibleRequest(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  const core::Request& r = std::get<core::Request>(loaded);
  auto messages = ctx.store->ListMessages(r.id, ctx.principal.staff());
  if (!messages.ok()) return ProblemFor(messages.status());
  json items = json::array();
  for (const auto& m : *messages) items.push_back(MessageToJson(m));
  return Json(200, {{"items", items}, {"next_cursor", nullptr}});
}

HttpResponse AddMessage(HttpContext& ctx) {
  auto loaded = LoadVisibleRequest(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  const core::Request& r = std::get<core::Request>(loaded);
  const bool is_owner = ctx.principal.Is(core::Role::kCitizen);
  if (!is_owner) {
    if (auto denied = RequireWork(ctx, r)) return *denied;
  }
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  FieldReader reader(std::get<json>(parsed), errors);
  core::NewMessage m;
  m.body = reader.String("body", true).value_or("");
  if (auto v = reader.String("visibility")) {
    auto parsed_v = core::ParseVisibility(*v);
    if (!parsed_v)
      errors.push_back({"visibility", "must be public or internal"});
    else
      m.visibility = *parsed_v;
  }
  if (auto ch = reader.String("channel")) {
    auto parsed_ch = core::ParseChannel(*ch);
    if (!parsed_ch)
      errors.push_back({"channel", "is not a known channel"});
    else
      m.channel = *parsed_ch;
  }
  reader.RejectUnknown();
  if (is_owner && m.visibility == core::Visibility::kInternal)
    errors.push_back({"visibility", "internal notes are for staff"});
  if (errors.empty()) errors = core::ValidateNewMessage(m);
  if (!errors.empty()) return ValidationProblem(errors);
  m.author_name = ctx.principal.user->display_name;
  auto added = ctx.store->AddMessage(r.id, m, ctx.principal.staff(), ctx.actor());
  if (!added.ok()) return ProblemFor(added.status());
  return Json(201, MessageToJson(*added));
}

HttpResponse UploadAttachment(HttpContext& ctx) {
  auto loaded = LoadVisibleRequest(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  const core::Request& r = std::get<core::Request>(loaded);
  if (!ctx.principal.Is(core::Role::kCitizen)) {
    if (auto denied = RequireWork(ctx, r)) return *denied;
  }
  const std::string filename(Trim(ctx.Query("filename").value_or("")));
  std::string type = ctx.Header("content-type");
  type = AsciiLower(Trim(type.substr(0, type.find(';'))));
  const AttachmentCheck check =
      CheckAttachment(filename, type, ctx.body, ctx.options->max_attachment_body);
  switch (check.problem) {
    case AttachmentProblem::kNone:
      break;
    case AttachmentProblem::kBadName:
      return ValidationProblem({{"filename",
                                 "is required as a query parameter: a plain file name "
                                 "of at most 255 bytes, without / or \\"}});
    case AttachmentProblem::kUnsupportedType:
      return Problem(415, "unsupported-media-type", "Unsupported file type",
                     "Attachments may be PDF, PNG, JPEG or plain text.");
    case AttachmentProblem::kEmpty:
      return ValidationProblem({{"body", "the file is empty"}});
    case AttachmentProblem::kTooLarge:
      return Problem(413, "body-too-large", "File too large", "Attachments are limited to 10 MiB.");
    case AttachmentProblem::kContentMismatch:
      return Problem(415, "content-mismatch", "Content does not match its type",
                     "The file's content is not a " + type + " file.");
  }
  storage::AttachmentMeta meta;
  meta.request_id = r.id;
  meta.filename = filename;
  meta.content_type = std::string(check.type);
  auto added = ctx.store->AddAttachment(meta, ctx.body, ctx.actor());
  if (!added.ok()) return ProblemFor(added.status());
  return Json(201, AttachmentToJson(*added));
}

HttpResponse ListAttachments(HttpContext& ctx) {
  auto loaded = LoadVisibleRequest(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  auto list = ctx.store->ListAttachments(std::get<core::Request>(loaded).id);
  if (!list.ok()) return ProblemFor(list.status());
  json items = json::array();
  for (const auto& a : *list) items.push_back(AttachmentToJson(a));
  return Json(200, {{"items", items}, {"next_cursor", nullptr}});
}

HttpResponse DownloadAttachment(HttpContext& ctx) {
  if (auto denied = RequireUser(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such attachment.");
  auto attachment = ctx.store->GetAttachment(*id);
  // The same answer as for an attachment one may not see, so that ids reveal nothing.
  if (!attachment.ok() && attachment.status().code() == StatusCode::kNotFound)
    return NotFoundProblem("No such attachment.");
  if (!attachment.ok()) return ProblemFor(attachment.status());
  auto request = ctx.store->GetRequest(attachment->meta.request_id);
  if (!request.ok() || !CanSeeRequest(ctx.principal, *request))
    return NotFoundProblem("No such attachment.");
  HttpResponse r;
  r.content_type = attachment->meta.content_type;
  r.body = std::move(attachment->content);
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"attachment-" + std::to_string(*id) + "\"");
  return r;
}

}  // namespace

void AddRequestRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/requests", BodyKind::kNone, ListRequests});
  routes.push_back({"POST", "/api/v1/requests", BodyKind::kJson, CreateRequest});
  routes.push_back({"GET", "/api/v1/requests/{id}", BodyKind::kNone, GetRequest});
  routes.push_back({"PATCH", "/api/v1/requests/{id}", BodyKind::kJson, PatchRequest});
  routes.push_back({"POST", "/api/v1/requests/{id}/assign", BodyKind::kJson, AssignRequest});
  routes.push_back({"POST", "/api/v1/requests/{id}/status", BodyKind::kJson, ChangeStatus});
  routes.push_back({"GET", "/api/v1/requests/{id}/similar", BodyKind::kNone, SimilarRequests});
  routes.push_back({"GET", "/api/v1/requests/{id}/messages", BodyKind::kNone, ListMessages});
  routes.push_back({"POST", "/api/v1/requests/{id}/messages", BodyKind::kJson, AddMessage});
  routes.push_back({"GET", "/api/v1/requests/{id}/attachments", BodyKind::kNone, ListAttachments});
  routes.push_back(
      {"POST", "/api/v1/requests/{id}/attachments", BodyKind::kBinary, UploadAttachment});
  routes.push_back({"GET", "/api/v1/attachments/{id}", BodyKind::kNone, DownloadAttachment});
}

}  // namespace guichet::server
