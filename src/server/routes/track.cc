// The citizen's private follow-up link: reference + secret, no account needed. The secret is
// compared by its hash; a wrong pair answers 404 whatever part was wrong.
#include "common/crypto.h"
#include "common/text.h"
#include "server/auth.h"
#include "server/json/dto.h"

namespace guichet::server {
namespace {

std::variant<core::Request, HttpResponse> LoadByLink(HttpContext& ctx) {
  const std::string reference = ctx.path_params["reference"];
  std::string secret = ctx.Header("x-guichet-secret");
  if (secret.empty()) secret = ctx.Query("secret").value_or("");
  const auto not_found = [] {
    return NotFoundProblem("No request matches this reference and secret.");
  };
  if (!core::LooksLikeReference(reference) || secret.empty() || secret.size() > 200)
    return not_found();
  auto request = ctx.store->FindRequestByReferenceAndSecret(reference, Sha256Hex(secret));
  if (!request.ok()) {
    if (request.status().code() == StatusCode::kNotFound) return not_found();
    return ProblemFor(request.status());
  }
  return std::move(request).value();
}

HttpResponse Track(HttpContext& ctx) {
  auto loaded = LoadByLink(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  const core::Request& r = std::get<core::Request>(loaded);
  auto messages = ctx.store->ListMessages(r.id, /*include_internal=*/false);
  if (!messages.ok()) return ProblemFor(messages.status());
  json out = RequestToCitizenJson(r);
  json thread = json::array();
  // A message is the desk's when staff wrote it; the citizen writes through this link (no
  // author) or from their citizen account.
  std::map<core::Id, bool> staff_authors;
  for (const auto& m : *messages) {
    bool from_desk = false;
    if (m.author_user_id) {
      auto known = staff_authors.find(*m.author_user_id);
      if (known == staff_authors.end()) {
        auto author = ctx.store->GetUser(*m.author_user_id);
        if (!author.ok() && author.status().code() != StatusCode::kNotFound)
          return ProblemFor(author.status());
        known =
            staff_authors.emplace(*m.author_user_id, !author.ok() || core::IsStaff(author->role))
                .first;
      }
      from_desk = known->second;
    }
    thread.push_back({{"from", from_desk ? "desk" : "citizen"},
                      {"author_name", m.author_name},
                      {"body", m.body},
                      {"created_at", FormatIso8601(m.created_at)}});
  }
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
  m.channel = core::Channel::kWeb;
  auto added = ctx.store->AddMessage(r.id, m, false, storage::Actor::System("citizen-link"));
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
