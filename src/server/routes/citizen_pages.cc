// The citizen's pages after a request is made: following it through the private link (reference
// and code, no account needed) or from their account when signed in ("mes demandes"), replying,
// and downloading the files attached to it. A wrong link and a request that is not the
// reader's answer the same not-found page, so that references reveal nothing.
#include "common/clock.h"
#include "common/text.h"
#include "server/auth.h"
#include "server/follow_up.h"
#include "server/web/page.h"

namespace guichet::server {
namespace {

using web::DateTimeText;
using web::Page;
using web::Text;

constexpr int kListRows = 50;

std::string Lang(const HttpContext& ctx) { return web::PageLanguage(ctx); }

// How the reader reached the request: its private link (the code) or their account.
struct Access {
  std::string secret;  // empty: through the account
};

std::string RequestPath(const core::Request& r, const Access& access) {
  return access.secret.empty() ? "/mes-demandes/" + std::to_string(r.id) : "/suivi/" + r.reference;
}

// `path` with the reader's code (link) and language in its query string.
std::string WithQuery(const std::string& path, const Access& access, const std::string& lang,
                      const std::string& extra = "") {
  std::string url = path + "?lang=" + lang;
  if (!access.secret.empty()) url += "&secret=" + web::QueryEscape(access.secret);
  return url + extra;
}

HttpResponse ThreadPage(HttpContext& ctx, const core::Request& request, const Access& access,
                        const std::string& reply_error = "", const std::string& reply_body = "") {
  const std::string lang = Lang(ctx);
  auto thread = CitizenThread(*ctx.store, request.id);
  auto files = ctx.store->ListAttachments(request.id);
  if (!thread.ok() || !files.ok()) return web::MessagePage(ctx, 503, "error_title", "error_text");
  json messages = json::array();
  for (const CitizenMessage& m : *thread)
    messages.push_back({{"from", m.from_desk ? "desk" : "citizen"},
                        {"from_desk", m.from_desk},
                        {"body", m.body},
                        {"created_at", FormatIso8601(m.created_at)},
                        {"created_at_text", DateTimeText(m.created_at)}});
  const std::string path = RequestPath(request, access);
  json attachments = json::array();
  for (const storage::AttachmentMeta& a : *files)
    attachments.push_back(
        {{"filename", a.filename},
         {"size_text", web::SizeText(a.size, lang)},
         {"url", WithQuery(path + "/pieces/" + std::to_string(a.id), access, lang)}});
  const std::string status(core::ToString(request.status));
  Page page{"track", Text(lang, "track_title") + " " + request.reference};
  page.has_form = true;
  if (!reply_error.empty()) page.status = 422;
  page.data = {{"reference", request.reference},
               {"secret", access.secret},
               {"account", access.secret.empty()},
               {"reply_action", path + "/messages?lang=" + lang},
               {"status", status},
               {"status_label", Text(lang, "status_" + status)},
               {"subject", request.subject},
               {"description", request.description},
               {"created_at", FormatIso8601(request.created_at)},
               {"created_at_text", DateTimeText(request.created_at)},
               {"messages", messages},
               {"attachments", attachments},
               {"has_attachments", !attachments.empty()},
               {"closed", request.status == core::RequestStatus::kClosed},
               {"reply_sent", ctx.Query("sent").value_or("") == "1"},
               {"reply_error", reply_error},
               {"reply_body", reply_body}};
  return web::RenderPage(ctx, std::move(page));
}

// The citizen's message, then back to the page (post/redirect/get: a reload does not send it
// twice); the form again with the error when it is refused.
HttpResponse PostReply(HttpContext& ctx, const core::Request& request, const Access& access,
                       const core::User* author) {
  const std::string lang = Lang(ctx);
  const std::string body = ctx.form->Value("body");
  auto added = AddCitizenReply(*ctx.store, request, body, author);
  if (!added.ok()) {
    if (added.status().code() == StatusCode::kInvalidArgument) {
      const bool blank = Trim(body).empty();
      return ThreadPage(ctx, request, access,
                        Text(lang, blank ? "error_required" : "error_too_long"), body);
    }
    if (added.status().code() == StatusCode::kFailedPrecondition)
      return ThreadPage(ctx, request, access);  // closed meanwhile: the page says so
    return web::MessagePage(ctx, 503, "error_title", "error_text");
  }
  return web::SeeOther(WithQuery(RequestPath(request, access), access, lang, "&sent=1"));
}

// A file of `request`, sent as a download (never shown inline: it came from outside).
HttpResponse Download(HttpContext& ctx, const core::Request& request) {
  auto id = PathId(ctx, "attachment");
  auto attachment = id ? ctx.store->GetAttachment(*id) : Result<storage::Attachment>(NotFound(""));
  if (!attachment.ok() && attachment.status().code() != StatusCode::kNotFound)
    return web::MessagePage(ctx, 503, "error_title", "error_text");
  if (!attachment.ok() || attachment->meta.request_id != request.id)
    return web::MessagePage(ctx, 404, "not_found_title", "not_found_text");
  HttpResponse r;
  r.content_type = attachment->meta.content_type;
  r.body = std::move(attachment->content);
  // RFC 6266: an ASCII name for old clients, the real one percent-encoded in UTF-8.
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"piece-" + std::to_string(attachment->meta.id) +
                             "\"; filename*=UTF-8''" + web::QueryEscape(attachment->meta.filename));
  r.headers.emplace_back("Cache-Control", "private, no-store");
  return r;
}

// --- Through the private link --------------------------------------------------------------

// The request of the link, or the page that says there is none (404) or that storage failed.
std::variant<core::Request, HttpResponse> LoadByLink(HttpContext& ctx, const std::string& secret) {
  const std::string reference = ctx.path_params["reference"];
  auto request = FindByFollowUpLink(*ctx.store, reference, secret);
  if (request.ok()) return std::move(request).value();
  if (request.status().code() != StatusCode::kNotFound)
    return web::MessagePage(ctx, 503, "error_title", "error_text");
  const std::string lang = Lang(ctx);
  Page page{"follow", Text(lang, "follow_title")};
  page.status = 404;
  page.data = {{"not_found", true}, {"reference", reference}};
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse Follow(HttpContext& ctx) {
  const std::string reference = std::string(Trim(ctx.Query("reference").value_or("")));
  const std::string secret = std::string(Trim(ctx.Query("secret").value_or("")));
  if (!reference.empty() || !secret.empty()) {
    ctx.path_params["reference"] = reference;
    auto loaded = LoadByLink(ctx, secret);
    if (auto* page = std::get_if<HttpResponse>(&loaded)) return *page;
    return ThreadPage(ctx, std::get<core::Request>(loaded), {secret});
  }
  const std::string lang = Lang(ctx);
  return web::RenderPage(ctx, Page{"follow", Text(lang, "follow_title")});
}

HttpResponse Track(HttpContext& ctx) {
  const std::string secret = ctx.Query("secret").value_or("");
  auto loaded = LoadByLink(ctx, secret);
  if (auto* page = std::get_if<HttpResponse>(&loaded)) return *page;
  return ThreadPage(ctx, std::get<core::Request>(loaded), {secret});
}

HttpResponse ReplyByLink(HttpContext& ctx) {
  const std::string secret = ctx.form->Value("secret");
  auto loaded = LoadByLink(ctx, secret);
  if (auto* page = std::get_if<HttpResponse>(&loaded)) return *page;
  return PostReply(ctx, std::get<core::Request>(loaded), {secret}, nullptr);
}

HttpResponse DownloadByLink(HttpContext& ctx) {
  auto loaded = LoadByLink(ctx, ctx.Query("secret").value_or(""));
  if (auto* page = std::get_if<HttpResponse>(&loaded)) return *page;
  return Download(ctx, std::get<core::Request>(loaded));
}

// --- From the citizen's account ------------------------------------------------------------

// A signed-in citizen; others get their answer: anonymous readers the sign-in page, staff
// their own area, anyone else a refusal.
std::optional<HttpResponse> RequireCitizenPage(const HttpContext& ctx) {
  const std::string lang = Lang(ctx);
  if (ctx.principal.anonymous()) return web::SeeOther("/connexion?lang=" + lang);
  if (ctx.principal.staff()) return web::SeeOther("/agent?lang=" + lang);
  if (!ctx.principal.Is(core::Role::kCitizen) || !ctx.principal.user->citizen_id)
    return web::MessagePage(ctx, 403, "forbidden_title", "forbidden_text");
  return std::nullopt;
}

HttpResponse MyRequests(HttpContext& ctx) {
  if (auto denied = RequireCitizenPage(ctx)) return *denied;
  const std::string lang = Lang(ctx);
  storage::RequestFilter filter;
  ScopeFilter(ctx.principal, filter);
  storage::PageSpec spec{kListRows, std::nullopt};
  if (auto after = ctx.Query("after")) spec.after_id = ParsePositiveInt(*after);
  auto page = ctx.store->ListRequests(filter, spec);
  if (!page.ok()) return web::MessagePage(ctx, 503, "error_title", "error_text");
  json items = json::array();
  for (const core::Request& r : page->items) {
    const std::string status(core::ToString(r.status));
    items.push_back({{"id", std::to_string(r.id)},
                     {"reference", r.reference},
                     {"subject", r.subject},
                     {"status", status},
                     {"status_label", Text(lang, "status_" + status)},
                     {"created_at", FormatIso8601(r.created_at)},
                     {"created_at_text", DateTimeText(r.created_at)},
                     {"updated_at", FormatIso8601(r.updated_at)},
                     {"updated_at_text", DateTimeText(r.updated_at)}});
  }
  Page out{"my_requests", Text(lang, "mine_title")};
  out.data = {{"items", items},
              {"has_items", !items.empty()},
              {"next_url", page->next_after_id ? "/mes-demandes?lang=" + lang + "&after=" +
                                                     std::to_string(*page->next_after_id)
                                               : ""},
              {"name", ctx.principal.user->display_name}};
  return web::RenderPage(ctx, std::move(out));
}

// The signed-in citizen's request of the path; anything else is "not found".
std::variant<core::Request, HttpResponse> LoadMine(HttpContext& ctx) {
  if (auto denied = RequireCitizenPage(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  auto request = id ? ctx.store->GetRequest(*id) : Result<core::Request>(NotFound(""));
  if (!request.ok() && request.status().code() != StatusCode::kNotFound)
    return web::MessagePage(ctx, 503, "error_title", "error_text");
  if (!request.ok() || !CanSeeRequest(ctx.principal, *request))
    return web::MessagePage(ctx, 404, "not_found_title", "not_found_text");
  return std::move(request).value();
}

HttpResponse MyRequest(HttpContext& ctx) {
  auto loaded = LoadMine(ctx);
  if (auto* page = std::get_if<HttpResponse>(&loaded)) return *page;
  return ThreadPage(ctx, std::get<core::Request>(loaded), {});
}

HttpResponse MyReply(HttpContext& ctx) {
  auto loaded = LoadMine(ctx);
  if (auto* page = std::get_if<HttpResponse>(&loaded)) return *page;
  return PostReply(ctx, std::get<core::Request>(loaded), {}, &*ctx.principal.user);
}

HttpResponse MyDownload(HttpContext& ctx) {
  auto loaded = LoadMine(ctx);
  if (auto* page = std::get_if<HttpResponse>(&loaded)) return *page;
  return Download(ctx, std::get<core::Request>(loaded));
}

}  // namespace

void AddCitizenPageRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/suivi", BodyKind::kNone, Follow});
  routes.push_back({"GET", "/suivi/{reference}", BodyKind::kNone, Track});
  routes.push_back({"POST", "/suivi/{reference}/messages", BodyKind::kForm, ReplyByLink});
  routes.push_back(
      {"GET", "/suivi/{reference}/pieces/{attachment}", BodyKind::kNone, DownloadByLink});
  routes.push_back({"GET", "/mes-demandes", BodyKind::kNone, MyRequests});
  routes.push_back({"GET", "/mes-demandes/{id}", BodyKind::kNone, MyRequest});
  routes.push_back({"POST", "/mes-demandes/{id}/messages", BodyKind::kForm, MyReply});
  routes.push_back({"GET", "/mes-demandes/{id}/pieces/{attachment}", BodyKind::kNone, MyDownload});
}

}  // namespace guichet::server
