// The citizen's private follow-up link: reference + secret, no account needed. The secret is
// compared by its hash; a wrong pair answers 404 whatever part was wrong.
#include <map>

#include "common/crypto.h"
#include "common/text.h"
#include "server/auth.h"
#include "server/follow_up.h"
#include "server/json/dto.h"

namespace guichet::server {

Result<core::Request> FindByFollowUpLink(storage::Store& store, const std::string& reference,
                                         const std::string& secret) {
  if (!core::LooksLikeReference(reference) || secret.empty() || secret.size() > 200)
    return NotFound("no request matches this reference and secret");
  return store.FindRequestByReferenceAndSecret(reference, Sha256Hex(secret));
}

Result<std::vector<CitizenMessage>> CitizenThread(storage::Store& store, core::Id request_id) {
  GUICHET_ASSIGN_OR_RETURN(const auto messages,
                           store.ListMessages(request_id, /*include_internal=*/false));
  // A message is the desk's when staff wrote it; the citizen writes through the link (no
  // author) or from their citizen account.
  std::map<core::Id, bool> staff_authors;
  std::vector<CitizenMessage> out;
  for (const auto& m : messages) {
    bool from_desk = false;
    if (m.author_user_id) {
      auto known = staff_authors.find(*m.author_user_id);
      if (known == staff_authors.end()) {
        auto author = store.GetUser(*m.author_user_id);
        if (!author.ok() && author.status().code() != StatusCode::kNotFound) return author.status();
        known =
            staff_authors.emplace(*m.author_user_id, !author.ok() || core::IsStaff(author->role))
                .first;
      }
      from_desk = known->second;
    }
    out.push_back({from_desk, m.author_name, m.body, m.created_at});
  }
  return out;
}

Result<core::Message> AddCitizenReply(storage::Store& store, const core::Request& request,
                                      const std::string& body, const core::User* author) {
  if (request.status == core::RequestStatus::kClosed)
    return FailedPrecondition("this request is closed; please make a new request");
  core::NewMessage m;
  m.body = body;
  m.channel = core::Channel::kWeb;
  if (author) m.author_name = author->display_name;
  if (auto errors = core::ValidateNewMessage(m); !errors.empty())
    return InvalidArgument(errors.front().field + " " + errors.front().reason);
  return store.AddMessage(
      request.id, m, false,
      author ? storage::Actor::User(author->id) : storage::Actor::System("citizen-link"));
}

namespace {

std::variant<core::Request, HttpResponse> LoadByLink(HttpContext& ctx) {
  std::string secret = ctx.Header("x-guichet-secret");
  if (secret.empty()) secret = ctx.Query("secret").value_or("");
  auto request = FindByFollowUpLink(*ctx.store, ctx.path_params["reference"], secret);
  if (!request.ok()) {
    if (request.status().code() == StatusCode::kNotFound)
      return NotFoundProblem("No request matches this reference and secret.");
    return ProblemFor(request.status());
  }
  return std::move(request).value();
}

HttpResponse Track(HttpContext& ctx) {
  auto loaded = LoadByLink(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  const core::Request& r = std::get<core::Request>(loaded);
  auto messages = CitizenThread(*ctx.store, r.id);
  if (!messages.ok()) return ProblemFor(messages.status());
  json out = RequestToCitizenJson(r);
  json thread = json::array();
  for (const CitizenMessage& m : *messages)
    thread.push_back({{"from", m.from_desk ? "desk" : "citizen"},
                      {"author_name", m.author_name},
                      {"body", m.body},
                      {"created_at", FormatIso8601(m.created_at)}});
  out["messages"] = thread;
  HttpResponse resp = Json(200, out);
  resp.headers.emplace_back("Cache-Control", "no-store");
  return resp;
}

HttpResponse Reply(HttpContext& ctx) {
  auto loaded = LoadByLink(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  const core::Request& r = std::get<core::Request>(loaded);
  if (r.status == core::RequestStatus::kClosed)
    return Problem(409, "invalid-state", "Request closed",
                   "This request is closed; please make a new request.");
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  FieldReader reader(std::get<json>(parsed), errors);
  core::NewMessage m;
  m.body = reader.String("body", true).value_or("");
  reader.RejectUnknown();
  if (errors.empty()) errors = core::ValidateNewMessage(m);
  if (!errors.empty()) return ValidationProblem(errors);
  auto added = AddCitizenReply(*ctx.store, r, m.body);
  if (!added.ok()) return ProblemFor(added.status());
  return Json(201, {{"from", "citizen"},
                    {"body", added->body},
                    {"created_at", FormatIso8601(added->created_at)}});
}

}  // namespace

void AddTrackRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/track/{reference}", BodyKind::kNone, Track});
  routes.push_back({"POST", "/api/v1/track/{reference}/messages", BodyKind::kJson, Reply});
}

}  // namespace guichet::server
