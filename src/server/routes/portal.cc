// The citizen portal: server-rendered pages that work without JavaScript. Search the knowledge
// base and make a request, with files and with suggested articles while typing when scripts run
// (following it is citizen_pages.cc). Every page is public; forms carry a CSRF token.
#include <algorithm>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/log.h"
#include "common/text.h"
#include "server/attachment_check.h"
#include "server/kb_search.h"
#include "server/triage_service.h"
#include "server/web/assets.h"
#include "server/web/page.h"
#include "storage/kb_store.h"

namespace guichet::server {
namespace {

using web::DateTimeText;
using web::Page;
using web::Text;

constexpr std::size_t kMaxQueryChars = 500;
constexpr std::size_t kSuggestionCount = 5;
constexpr std::size_t kMaxRequestFiles = 5;

std::string Lang(const HttpContext& ctx) { return web::PageLanguage(ctx); }

// A search of the knowledge base for a page: the hits as template values; `unavailable` when
// the index is not ready yet or the search failed (the page says so rather than failing).
json SearchHits(const HttpContext& ctx, const std::string& text, std::size_t limit, bool snippets,
                bool& unavailable, std::string* did_you_mean = nullptr) {
  json hits = json::array();
  unavailable = false;
  if (!ctx.kb_search || !ctx.kb_search->Ready() || !ctx.kb_search->index()) {
    unavailable = true;
    return hits;
  }
  kb::SearchQuery q;
  q.text = text;
  q.limit = limit;
  q.snippets = snippets;
  auto found = ctx.kb_search->index()->Search(q);
  if (!found.ok()) {
    LogEvent(LogLevel::kWarn, "portal_search_failed",
             {{"request_id", ctx.request_id}, {"error", found.status().message()}});
    unavailable = true;
    return hits;
  }
  for (const kb::SearchHit& h : found->hits)
    hits.push_back({{"id", std::to_string(h.article_id)},
                    {"title", h.title},
                    {"snippet_html", h.snippet_html},  // escaped by the search, <mark> added
                    {"doc_type", h.doc_type}});
  if (did_you_mean) *did_you_mean = found->did_you_mean;
  return hits;
}

HttpResponse Home(HttpContext& ctx) {
  const std::string lang = Lang(ctx);
  std::string q = std::string(Trim(ctx.Query("q").value_or("")));
  if (!IsValidUtf8(q)) q.clear();
  if (Utf8Length(q) > kMaxQueryChars) q = Utf8Prefix(q, kMaxQueryChars);
  Page page{"home", q.empty() ? Text(lang, "home_title")
                              : Text(lang, "search_results_title") + " « " + q + " »"};
  page.data["q"] = q;
  if (!q.empty()) {
    bool unavailable = false;
    std::string did_you_mean;
    const json hits = SearchHits(ctx, q, 10, true, unavailable, &did_you_mean);
    page.data["searched"] = true;
    page.data["hits"] = hits;
    page.data["has_hits"] = !hits.empty();
    page.data["no_results"] = hits.empty() && !unavailable;
    page.data["unavailable"] = unavailable;
    if (!did_you_mean.empty()) {
      page.data["did_you_mean"] = did_you_mean;
      page.data["did_you_mean_query"] = web::QueryEscape(did_you_mean);
    }
  }
  return web::RenderPage(ctx, std::move(page));
}

// --- Making a request ---------------------------------------------------------------------

struct RequestFormInput {
  std::string category, subject, description, name, email, phone, deflection_session;
  bool consent = false;
};

bool IsDeflectionSession(const std::string& s) {
  return LooksLikeToken(s, storage::kMinDeflectionSession, storage::kMaxDeflectionSession);
}

// The form, empty or as posted with its errors (field → message, in the page's language).
HttpResponse RequestFormPage(HttpContext& ctx, const RequestFormInput& in,
                             const std::vector<std::pair<std::string, std::string>>& errors) {
  const std::string lang = Lang(ctx);
  Page page{"request_form", Text(lang, "request_title")};
  page.has_form = true;
  if (!errors.empty()) {
    page.status = 422;
    page.title = Text(lang, "errors_title") + " — " + page.title;
  }
  auto categories = ctx.store->ListCategories();
  if (!categories.ok()) return web::MessagePage(ctx, 503, "error_title", "error_text");
  json list = json::array();
  for (const core::Category& c : *categories)
    list.push_back({{"slug", c.slug}, {"name", c.name}, {"selected", c.slug == in.category}});
  page.data["categories"] = list;
  page.data["values"] = {{"subject", in.subject}, {"description", in.description},
                         {"name", in.name},       {"email", in.email},
                         {"phone", in.phone},     {"consent", in.consent}};
  page.data["deflection_session"] =
      IsDeflectionSession(in.deflection_session) ? in.deflection_session : RandomToken(18);
  json fields = json::object();
  json summary = json::array();
  for (const auto& [field, message] : errors) {
    fields[field] = {{"id", field}, {"error", message}};
    summary.push_back(
        {{"field", field}, {"label", Text(lang, "field_" + field)}, {"message", message}});
  }
  page.data["fields"] = fields;
  page.data["errors"] = summary;
  page.data["has_errors"] = !errors.empty();
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse RequestForm(HttpContext& ctx) { return RequestFormPage(ctx, {}, {}); }

// The citizen's own words for what core::ValidateNewRequest found.
std::string ErrorText(const std::string& lang, const std::string& message) {
  if (message.find("required") != std::string::npos) return Text(lang, "error_required");
  if (message.find("longer than") != std::string::npos) return Text(lang, "error_too_long");
  if (message.find("e-mail") != std::string::npos) return Text(lang, "error_email");
  return Text(lang, "error_generic");
}

void RecordDeflection(HttpContext& ctx, storage::DeflectionKind kind, const std::string& session,
                      int suggestions, std::optional<core::Id> request_id = std::nullopt) {
  if (!IsDeflectionSession(session)) return;
  storage::DeflectionEvent e;
  e.kind = kind;
  e.session = session;
  e.suggestions = suggestions;
  e.request_id = request_id;
  // Measuring deflection must never cost the citizen their request or their page.
  if (Status s = ctx.store->kb().RecordDeflectionEvent(e); !s.ok())
    LogEvent(LogLevel::kWarn, "deflection_event_failed",
             {{"request_id", ctx.request_id}, {"error", s.message()}});
}

// What is wrong with the files chosen, in the citizen's words; nullopt when all may be attached.
std::optional<std::string> CheckFiles(const HttpContext& ctx, const std::string& lang) {
  if (ctx.files.size() > kMaxRequestFiles) return Text(lang, "error_file_count");
  for (const web::UploadedFile& f : ctx.files) {
    if (f.field != "attachments") return Text(lang, "error_generic");
    const AttachmentCheck check =
        CheckAttachment(f.filename, f.content_type, f.content, ctx.options->max_attachment_body);
    const char* key = nullptr;
    switch (check.problem) {
      case AttachmentProblem::kNone:
        continue;
      case AttachmentProblem::kBadName:
        key = "error_file_name";
        break;
      case AttachmentProblem::kUnsupportedType:
      case AttachmentProblem::kContentMismatch:
        key = "error_file_type";
        break;
      case AttachmentProblem::kEmpty:
        key = "error_file_empty";
        break;
      case AttachmentProblem::kTooLarge:
        key = "error_file_size";
        break;
    }
    return Utf8Prefix(f.filename, 80) + " : " + Text(lang, key);
  }
  return std::nullopt;
}

HttpResponse SubmitRequest(HttpContext& ctx) {
  // As through the API: auditors read requests but do not make them.
  if (ctx.principal.Is(core::Role::kAuditor))
    return web::MessagePage(ctx, 403, "forbidden_title", "forbidden_text");
  const std::string lang = Lang(ctx);
  const web::FormFields& form = *ctx.form;
  RequestFormInput in;
  in.category = form.Value("category");
  in.subject = form.Value("subject");
  in.description = form.Value("description");
  in.name = std::string(Trim(form.Value("name")));
  in.email = std::string(Trim(form.Value("email")));
  in.phone = std::string(Trim(form.Value("phone")));
  in.consent = form.Value("consent") == "yes";
  in.deflection_session = form.Value("deflection_session");

  std::vector<std::pair<std::string, std::string>> errors;
  core::NewRequest r;
  r.subject = in.subject;
  r.description = in.description;
  r.channel = core::Channel::kWeb;
  r.language = lang;
  if (!in.category.empty()) {
    auto category = ctx.store->FindCategoryBySlug(in.category);
    if (category.ok()) {
      r.category_id = category->id;
    } else if (category.status().code() == StatusCode::kNotFound) {
      errors.emplace_back("category", Text(lang, "error_category"));
    } else {
      return web::MessagePage(ctx, 503, "error_title", "error_text");
    }
  }
  // A signed-in citizen writes as themselves; others leave a contact for the answer.
  const bool own_account = ctx.principal.Is(core::Role::kCitizen);
  if (own_account) {
    r.citizen_id = ctx.principal.user->citizen_id;
  } else if (!in.name.empty() || !in.email.empty() || !in.phone.empty()) {
    r.citizen = core::NewCitizen{in.name, in.email, in.phone, lang};
  }
  for (const core::FieldError& e : core::ValidateNewRequest(r)) {
    std::string field = e.field;
    if (field.starts_with("citizen.")) field = field.substr(8);
    if (field == "subject" || field == "description" || field == "name" || field == "email" ||
        field == "phone")
      errors.emplace_back(field, ErrorText(lang, e.reason));
  }
  if (!own_account && in.email.empty() && in.phone.empty())
    errors.emplace_back("email", Text(lang, "error_contact"));
  if (!in.consent) errors.emplace_back("consent", Text(lang, "error_consent"));
  if (auto error = CheckFiles(ctx, lang)) errors.emplace_back("attachments", *error);
  if (!errors.empty()) return RequestFormPage(ctx, in, errors);

  if (ctx.triage) ctx.triage->Suggest(r);
  const std::string secret = RandomToken(24);
  auto created = ctx.store->CreateRequest(r, Sha256Hex(secret), ctx.actor());
  if (!created.ok()) {
    LogEvent(LogLevel::kError, "portal_request_failed",
             {{"request_id", ctx.request_id}, {"error", created.status().message()}});
    return web::MessagePage(ctx, 503, "error_title", "error_text");
  }
  RecordDeflection(ctx, storage::DeflectionKind::kSubmitted, in.deflection_session, 0, created->id);
  json files = json::array();
  for (const web::UploadedFile& f : ctx.files) {
    storage::AttachmentMeta meta;
    meta.request_id = created->id;
    meta.filename = f.filename;
    meta.content_type = f.content_type;  // checked by CheckFiles
    auto added = ctx.store->AddAttachment(meta, f.content, ctx.actor());
    if (!added.ok())
      LogEvent(LogLevel::kError, "portal_attachment_failed",
               {{"request_id", ctx.request_id}, {"error", added.status().message()}});
    files.push_back({{"filename", f.filename}, {"saved", added.ok()}});
  }
  const std::string follow_url =
      "/suivi/" + created->reference + "?secret=" + web::QueryEscape(secret) + "&lang=" + lang;
  Page page{"request_sent", Text(lang, "sent_title")};
  page.status = 201;
  page.data = {{"reference", created->reference},
               {"secret", secret},
               {"follow_url", follow_url},
               {"files", files},
               {"has_files", !files.empty()}};
  return web::RenderPage(ctx, std::move(page));
}

// The suggested articles for what the citizen is writing (htmx swaps them into the form).
HttpResponse Suggestions(HttpContext& ctx) {
  std::string text =
      ctx.Query("subject").value_or("") + "\n" + ctx.Query("description").value_or("");
  if (!IsValidUtf8(text)) text.clear();
  text = Utf8Prefix(text, 2000);
  json hits = json::array();
  if (Utf8Length(Trim(text)) >= 4) {
    bool unavailable = false;
    hits = SearchHits(ctx, text, kSuggestionCount, false, unavailable);
    if (!hits.empty())
      RecordDeflection(ctx, storage::DeflectionKind::kShown,
                       ctx.Query("deflection_session").value_or(""), static_cast<int>(hits.size()));
  }
  return web::RenderFragment(ctx, "suggestions", {{"hits", hits}, {"has_hits", !hits.empty()}});
}

// --- Static files ---------------------------------------------------------------------------

HttpResponse StaticFile(HttpContext& ctx, const std::string& folder) {
  const std::string file = ctx.path_params["file"];
  const web::WebAsset* asset =
      file.find("..") == std::string::npos ? web::FindAsset(folder + file) : nullptr;
  if (!asset) return web::MessagePage(ctx, 404, "not_found_title", "not_found_text");
  HttpResponse r;
  r.content_type = file.ends_with(".css")   ? "text/css; charset=utf-8"
                   : file.ends_with(".js")  ? "text/javascript; charset=utf-8"
                   : file.ends_with(".svg") ? "image/svg+xml"
                                            : "application/octet-stream";
  r.body = std::string(asset->content);
  r.headers.emplace_back("Cache-Control", "public, max-age=3600");
  return r;
}

}  // namespace

void AddPortalRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/", BodyKind::kNone, Home});
  routes.push_back({"GET", "/demande", BodyKind::kNone, RequestForm});
  routes.push_back({"POST", "/demande", BodyKind::kFormWithFiles, SubmitRequest});
  routes.push_back({"GET", "/demande/suggestions", BodyKind::kNone, Suggestions});
  routes.push_back({"GET", "/static/{file}", BodyKind::kNone,
                    [](HttpContext& ctx) { return StaticFile(ctx, "static/"); }});
  routes.push_back({"GET", "/static/vendor/{file}", BodyKind::kNone,
                    [](HttpContext& ctx) { return StaticFile(ctx, "vendor/"); }});
}

}  // namespace guichet::server
