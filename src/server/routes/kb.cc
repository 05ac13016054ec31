// The knowledge base: articles read by everyone once published and by staff at any status,
// written by staff (agents propose drafts and edit drafts; leads and admins edit anything,
// publish, archive and unpublish), each change a version (versions are for staff); the citizen
// form's deflection events (anonymous, small) and their rate (leads, admins, auditors); and
// the public page of an article. HTML bodies are sanitised on write and again on display.
// A draft or archived article is not found for anyone outside the staff.
#include <algorithm>
#include <cctype>
#include <string>

#include "common/crypto.h"
#include "common/text.h"
#include "kb/sanitize.h"
#include "server/auth.h"
#include "server/web/page.h"

namespace guichet::server {
namespace {

using core::ArticleStatus;
using core::KbArticle;
using storage::StoredArticle;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;
// The citizen form posts these while people type: a few hundred bytes, never more than this.
constexpr std::size_t kMaxDeflectionBody = 2048;
constexpr Millis kDay = 24 * 3600 * 1000;

bool IsLeadOrAdmin(const Principal& p) {
  return p.Is(core::Role::kLead) || p.Is(core::Role::kAdmin);
}

bool CanSee(const Principal& p, const KbArticle& a) {
  return a.status == ArticleStatus::kPublished || p.staff();
}

// Agents edit drafts (their proposals); leads and admins edit anything.
bool CanEdit(const Principal& p, const KbArticle& a) {
  if (IsLeadOrAdmin(p)) return true;
  return p.Is(core::Role::kAgent) && a.status == ArticleStatus::kDraft;
}

json LinksToJson(const std::vector<core::ArticleLink>& links) {
  json out = json::array();
  for (const auto& l : links)
    out.push_back({{"id", l.id}, {"title", l.title}, {"url", l.url}, {"kind", l.kind}});
  return out;
}

json OfficesToJson(const std::vector<core::ArticleOffice>& offices) {
  json out = json::array();
  for (const auto& o : offices)
    out.push_back({{"id", o.id}, {"title", o.title}, {"local_code", o.local_code}});
  return out;
}

// The article's fields as the API shows them (without the body).
json ArticleToJson(const KbArticle& a) {
  return {{"id", a.id},
          {"external_id", a.external_id},
          {"audience", a.audience},
          {"doc_type", a.doc_type},
          {"title", a.title},
          {"summary", a.summary},
          {"format", std::string(core::ToString(a.format))},
          {"themes", a.themes},
          {"keywords", a.keywords},
          {"legal_refs", LinksToJson(a.legal_refs)},
          {"offices", OfficesToJson(a.offices)},
          {"online_services", LinksToJson(a.online_services)},
          {"related_ids", a.related_ids},
          {"language", a.language},
          {"source_url", a.source_url},
          {"status", std::string(core::ToString(a.status))},
          {"version", a.version},
          {"updated_at", FormatIso8601(a.updated_at)},
          {"page_url", "/kb/articles/" + std::to_string(a.id)}};
}

// A stored article for `p`: with its body and the body as safe HTML unless in a list; staff
// also see who changed it last and its place in the change feed.
json StoredToJson(const Principal& p, const StoredArticle& s, bool with_body) {
  json out = ArticleToJson(s.article);
  out["created_at"] = FormatIso8601(s.created_at);
  if (with_body) {
    out["body"] = s.article.body;
    out["body_html"] = kb::RenderArticleBody(s.article);
  }
  if (p.staff()) {
    out["updated_by"] = s.updated_by;
    out["change_seq"] = s.change_seq;
  }
  return out;
}

HttpResponse ArticleResponse(const HttpContext& ctx, int status, const StoredArticle& s) {
  HttpResponse r = Json(status, StoredToJson(ctx.principal, s, true));
  r.headers.emplace_back("ETag", ETag(s.article.version));
  if (status == 201)
    r.headers.emplace_back("Location", "/api/v1/kb/articles/" + std::to_string(s.article.id));
  return r;
}

std::string NotFoundText(core::Id id) {
  return "Article " + std::to_string(id) + " does not exist or is not published.";
}

// The article named in the path if the caller may see it; else the 404 to send.
std::variant<StoredArticle, HttpResponse> LoadVisible(HttpContext& ctx) {
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such article.");
  auto found = ctx.store->kb().Get(*id);
  if (!found.ok()) {
    if (found.status().code() == StatusCode::kNotFound) return NotFoundProblem(NotFoundText(*id));
    return ProblemFor(found.status());
  }
  if (!CanSee(ctx.principal, found->article)) return NotFoundProblem(NotFoundText(*id));
  return std::move(found).value();
}

// Links as [{"id", "title", "url", "kind"}], offices as [{"id", "title", "local_code"}]; every
// bad element is named ("legal_refs[2].url").
template <typename T, typename ReadOne>
std::optional<std::vector<T>> ReadObjects(FieldReader& reader, const std::string& key,
                                          std::vector<core::FieldError>& errors, ReadOne read) {
  const json* v = reader.Raw(key);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    errors.push_back({key, "must be an array of objects"});
    return std::nullopt;
  }
  if (v->size() > core::kMaxArticleLinks) {
    errors.push_back({key, "has more than " + std::to_string(core::kMaxArticleLinks) + " entries"});
    return std::nullopt;
  }
  std::vector<T> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const std::string prefix = key + "[" + std::to_string(i) + "].";
    if (!(*v)[i].is_object()) {
      errors.push_back({key + "[" + std::to_string(i) + "]", "must be an object"});
      continue;
    }
    FieldReader item((*v)[i], errors, prefix);
    out.push_back(read(item));
    item.RejectUnknown();
  }
  return out;
}

// The fields of an article a client writes, onto `a` (a PUT replaces them all: absent ones
// become empty). HTML bodies are sanitised here, before they are validated and stored.
void ReadArticle(FieldReader& reader, std::vector<core::FieldError>& errors, KbArticle& a) {
  a.external_id = reader.String("external_id").value_or("");
  a.audience = reader.String("audience").value_or("");
  a.doc_type = reader.String("doc_type").value_or("");
  a.title = reader.String("title", true).value_or("");
  a.summary = reader.String("summary").value_or("");
  a.body = reader.String("body").value_or("");
  if (auto format = reader.Enum("format", core::ParseArticleFormat, core::ArticleFormatNames()))
    a.format = *format;
  a.themes = reader.StringList("themes").value_or(std::vector<std::string>{});
  a.keywords = reader.StringList("keywords").value_or(std::vector<std::string>{});
  auto read_link = [](FieldReader& item) {
    return core::ArticleLink{item.String("id").value_or(""), item.String("title").value_or(""),
                             item.String("url").value_or(""), item.String("kind").value_or("")};
  };
  a.legal_refs = ReadObjects<core::ArticleLink>(reader, "legal_refs", errors, read_link)
                     .value_or(std::vector<core::ArticleLink>{});
  a.online_services = ReadObjects<core::ArticleLink>(reader, "online_services", errors, read_link)
                          .value_or(std::vector<core::ArticleLink>{});
  a.offices = ReadObjects<core::ArticleOffice>(reader, "offices", errors, [](FieldReader& item) {
                return core::ArticleOffice{item.String("id").value_or(""),
                                           item.String("title").value_or(""),
                                           item.String("local_code").value_or("")};
              }).value_or(std::vector<core::ArticleOffice>{});
  a.related_ids = reader.StringList("related_ids").value_or(std::vector<std::string>{});
  a.language = reader.String("language").value_or("fr");
  a.source_url = reader.String("source_url").value_or("");
  if (a.format == core::ArticleFormat::kHtml && IsValidUtf8(a.body))
    a.body = kb::SanitizeHtml(a.body);
}

// "draft,published" → statuses; nullopt (and an error) for an unknown one.
std::optional<std::vector<ArticleStatus>> ParseStatuses(const std::string& value,
                                                        std::vector<core::FieldError>& errors) {
  std::vector<ArticleStatus> out;
  std::size_t pos = 0;
  while (pos <= value.size()) {
    std::size_t comma = value.find(',', pos);
    if (comma == std::string::npos) comma = value.size();
    auto s = core::ParseArticleStatus(value.substr(pos, comma - pos));
    if (!s) {
      errors.push_back({"status", "must be a comma-separated list of draft, published, archived"});
      return std::nullopt;
    }
    out.push_back(*s);
    pos = comma + 1;
  }
  return out;
}

HttpResponse ListArticles(HttpContext& ctx) {
  storage::KbArticleFilter filter;
  filter.limit = kDefaultPageSize;
  std::vector<core::FieldError> errors;
  static const std::vector<std::string> kKnown = {"status", "audience", "theme",
                                                  "q",      "limit",    "cursor"};
  for (const auto& [key, value] : ctx.query) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      errors.push_back({key, "is not a known filter"});
    } else if (!IsValidUtf8(value) || value.size() > 300) {
      errors.push_back({key, "is not valid UTF-8 or is too long"});
    } else if (key == "status") {
      if (auto statuses = ParseStatuses(value, errors)) filter.statuses = *statuses;
    } else if (key == "audience") {
      filter.audience = value;
    } else if (key == "theme") {
      filter.theme = value;
    } else if (key == "q") {
      filter.title_prefix = value;
    } else if (auto n = ParsePositiveInt(value); !n) {
      errors.push_back({key, "must be a positive integer"});
    } else if (key == "limit") {
      filter.limit = static_cast<int>(std::min<std::int64_t>(*n, kMaxPageSize));
    } else {
      filter.after_id = *n;
    }
  }
  if (!errors.empty()) return QueryProblem(errors);
  if (!ctx.principal.staff()) {
    // Everyone else reads what is published, and only that.
    if (std::any_of(filter.statuses.begin(), filter.statuses.end(),
                    [](ArticleStatus s) { return s != ArticleStatus::kPublished; }))
      return ForbiddenProblem("Only staff see drafts and archived articles.");
    filter.statuses = {ArticleStatus::kPublished};
  }
  auto page = ctx.store->kb().List(filter);
  if (!page.ok()) return ProblemFor(page.status());
  json items = json::array();
  for (const auto& s : page->items) items.push_back(StoredToJson(ctx.principal, s, false));
  return Json(200, {{"items", items},
                    {"next_cursor", page->next_after_id ? json(std::to_string(*page->next_after_id))
                                                        : json(nullptr)}});
}

HttpResponse GetArticle(HttpContext& ctx) {
  auto loaded = LoadVisible(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  return ArticleResponse(ctx, 200, std::get<StoredArticle>(loaded));
}

HttpResponse CreateArticle(HttpContext& ctx) {
  if (auto denied = RequireUser(ctx)) return *denied;
  if (!ctx.principal.Is(core::Role::kAgent) && !IsLeadOrAdmin(ctx.principal))
    return ForbiddenProblem("Agents, leads and admins write articles; your role (" +
                            std::string(core::ToString(ctx.principal.user->role)) +
                            ") reads them.");
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  FieldReader reader(std::get<json>(parsed), errors);
  KbArticle a;
  ReadArticle(reader, errors, a);
  // An article starts as a draft or published; archiving comes later.
  const std::vector<std::string_view> creatable = {"draft", "published"};
  if (auto status = reader.Enum("status", core::ParseArticleStatus, creatable)) {
    if (*status == ArticleStatus::kArchived)
      errors.push_back({"status", "must be one of: draft, published"});
    a.status = *status;
  }
  reader.RejectUnknown();
  if (errors.empty()) errors = core::ValidateArticle(a);
  if (!errors.empty()) return ValidationProblem(errors);
  if (a.status == ArticleStatus::kPublished && !IsLeadOrAdmin(ctx.principal))
    return ForbiddenProblem(
        "Agents propose articles as drafts; a lead or an admin publishes them.");
  auto created = ctx.store->kb().Create(a, ctx.actor());
  if (!created.ok()) return ProblemFor(created.status());
  return ArticleResponse(ctx, 201, *created);
}

HttpResponse UpdateArticle(HttpContext& ctx) {
  if (auto denied = RequireUser(ctx)) return *denied;
  auto loaded = LoadVisible(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  const StoredArticle& current = std::get<StoredArticle>(loaded);
  if (!CanEdit(ctx.principal, current.article))
    return ForbiddenProblem(ctx.principal.Is(core::Role::kAgent)
                                ? "Agents edit drafts; this article is " +
                                      std::string(core::ToString(current.article.status)) +
                                      ": ask a lead or an admin."
                                : "Your role may read this article but not change it.");
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  FieldReader reader(std::get<json>(parsed), errors);
  KbArticle a;
  ReadArticle(reader, errors, a);
  const auto body_version = reader.Integer("version");
  reader.RejectUnknown();
  if (errors.empty()) errors = core::ValidateArticle(a);
  if (!errors.empty()) return ValidationProblem(errors);
  auto expected = ExpectedVersion(ctx, body_version);
  if (auto* problem = std::get_if<HttpResponse>(&expected)) return *problem;
  auto updated =
      ctx.store->kb().Update(current.article.id, std::get<std::int64_t>(expected), a, ctx.actor());
  if (!updated.ok()) return ProblemFor(updated.status());
  return ArticleResponse(ctx, 200, *updated);
}

// publish, archive, unpublish (back to draft): leads and admins, on the version in If-Match when
// one is given.
HttpResponse MoveArticle(HttpContext& ctx, ArticleStatus to) {
  if (auto denied = RequireUser(ctx)) return *denied;
  auto loaded = LoadVisible(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  if (!IsLeadOrAdmin(ctx.principal))
    return ForbiddenProblem("Leads and admins publish, archive and unpublish articles.");
  std::optional<std::int64_t> expected;
  if (!ctx.Header("if-match").empty()) {
    auto version = ExpectedVersion(ctx, std::nullopt);
    if (auto* problem = std::get_if<HttpResponse>(&version)) return *problem;
    expected = std::get<std::int64_t>(version);
  }
  auto moved = ctx.store->kb().SetStatus(std::get<StoredArticle>(loaded).article.id, to, expected,
                                         ctx.actor());
  if (!moved.ok()) return ProblemFor(moved.status());
  return ArticleResponse(ctx, 200, *moved);
}

HttpResponse PublishArticle(HttpContext& ctx) {
  return MoveArticle(ctx, ArticleStatus::kPublished);
}
HttpResponse ArchiveArticle(HttpContext& ctx) { return MoveArticle(ctx, ArticleStatus::kArchived); }
HttpResponse UnpublishArticle(HttpContext& ctx) { return MoveArticle(ctx, ArticleStatus::kDraft); }

HttpResponse ListVersions(HttpContext& ctx) {
  if (auto denied = RequireUser(ctx)) return *denied;
  auto loaded = LoadVisible(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto versions = ctx.store->kb().Versions(std::get<StoredArticle>(loaded).article.id);
  if (!versions.ok()) return ProblemFor(versions.status());
  json items = json::array();
  for (const auto& v : *versions) {
    json article = ArticleToJson(v.article);
    article["body"] = v.article.body;
    items.push_back({{"version", v.version},
                     {"author_id", v.author_id ? json(*v.author_id) : json(nullptr)},
                     {"author", v.author},
                     {"created_at", FormatIso8601(v.created_at)},
                     {"diff", v.diff},
                     {"article", article}});
  }
  return Json(200, {{"items", items}});
}

HttpResponse RecordDeflectionEvent(HttpContext& ctx) {
  if (ctx.body.size() > kMaxDeflectionBody)
    return Problem(
        413, "body-too-large", "Body too large",
        "Deflection events are limited to " + std::to_string(kMaxDeflectionBody) + " bytes.");
  auto parsed = ParseJsonObject(ctx.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return *problem;
  std::vector<core::FieldError> errors;
  FieldReader reader(std::get<json>(parsed), errors);
  storage::DeflectionEvent e;
  const std::vector<std::string_view> kinds = {"shown", "clicked", "abandoned", "submitted"};
  if (auto kind = reader.Enum("kind", storage::ParseDeflectionKind, kinds, true)) e.kind = *kind;
  e.session = reader.String("session", true).value_or("");
  e.article_id = reader.Integer("article_id");
  e.article_external_id = reader.String("article_external_id").value_or("");
  e.request_id = reader.Integer("request_id");
  const auto query_length = reader.Integer("query_length");
  const auto suggestions = reader.Integer("suggestions");
  reader.RejectUnknown();
  auto in_range = [&](const char* field, const std::optional<std::int64_t>& v, std::int64_t max,
                      int& out) {
    if (!v) return;
    if (*v < 0 || *v > max) {
      errors.push_back({field, "must be between 0 and " + std::to_string(max)});
    } else {
      out = static_cast<int>(*v);
    }
  };
  in_range("query_length", query_length, 10000, e.query_length);
  in_range("suggestions", suggestions, 100, e.suggestions);
  if (!e.session.empty() &&
      !LooksLikeToken(e.session, storage::kMinDeflectionSession, storage::kMaxDeflectionSession))
    errors.push_back({"session", "must be 16 to 128 letters, digits, '-' or '_'"});
  if (e.article_external_id.size() > core::kMaxArticleExternalId ||
      !std::all_of(e.article_external_id.begin(), e.article_external_id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
      }))
    errors.push_back({"article_external_id", "may contain only letters, digits, '.', '-' and '_'"});
  for (const auto& [field, id] :
       {std::pair{"article_id", e.article_id}, {"request_id", e.request_id}})
    if (id && *id < 1) errors.push_back({field, "must be a positive id"});
  if (!errors.empty()) return ValidationProblem(errors);
  Status recorded = ctx.store->kb().RecordDeflectionEvent(e);
  if (!recorded.ok()) return ProblemFor(recorded);
  HttpResponse r;
  r.status = 204;
  return r;
}

HttpResponse DeflectionStats(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kLead, core::Role::kAdmin, core::Role::kAuditor}))
    return *denied;
  std::vector<core::FieldError> errors;
  Millis to = ctx.clock->Now();
  std::optional<Millis> from;
  for (const auto& [key, value] : ctx.query) {
    if (key != "from" && key != "to") {
      errors.push_back({key, "is not a known parameter"});
      continue;
    }
    auto t = ParseIso8601(value);
    if (!t) {
      errors.push_back({key, "must be a date (2026-03-01) or an ISO 8601 time"});
    } else if (key == "from") {
      from = *t;
    } else {
      to = *t;
    }
  }
  if (!from) from = to - 30 * kDay;
  if (errors.empty() && *from >= to) errors.push_back({"from", "must be before to"});
  if (!errors.empty()) return QueryProblem(errors);
  auto stats = ctx.store->kb().DeflectionStats(*from, to);
  if (!stats.ok()) return ProblemFor(stats.status());
  return Json(200, {{"from", FormatIso8601(*from)},
                    {"to", FormatIso8601(to)},
                    {"shown", stats->shown},
                    {"clicked", stats->clicked},
                    {"abandoned", stats->abandoned},
                    {"submitted", stats->submitted},
                    {"sessions_shown", stats->sessions_shown},
                    {"sessions_deflected", stats->sessions_deflected},
                    {"deflection_rate", stats->deflection_rate}});
}

// --- The public page ---------------------------------------------------------------------------

// A list of links for link_list.mustache: each title linked when it has an address (articles
// hold only http(s) addresses: core::ValidateArticle refuses others).
json LinkList(const std::vector<core::ArticleLink>& links) {
  json out = json::array();
  for (const auto& l : links)
    out.push_back({{"label", l.title.empty() ? l.url : l.title}, {"url", l.url}, {"kind", l.kind}});
  return {{"links", out}};
}

HttpResponse ArticlePage(HttpContext& ctx) {
  auto loaded = LoadVisible(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) {
    // Browsers get a page; API clients the problem.
    if (ctx.Header("accept").find("text/html") == std::string::npos) return *problem;
    return web::MessagePage(ctx, problem->status, "article_not_found", "article_not_found_text");
  }
  const KbArticle& a = std::get<StoredArticle>(loaded).article;
  const std::string lang = web::PageLanguage(ctx);
  json offices = json::array();
  for (const auto& o : a.offices) offices.push_back({{"name", o.title.empty() ? o.id : o.title}});
  std::string notice;
  if (a.status != ArticleStatus::kPublished)
    notice =
        web::Text(lang, a.status == ArticleStatus::kDraft ? "article_draft" : "article_archived");
  web::Page page("article", a.title);
  page.data = {{"article_lang", a.language.empty() ? "fr" : a.language},
               {"status_notice", notice},
               {"title", a.title},
               {"summary", a.summary},
               {"body_html", kb::RenderArticleBody(a)},  // sanitised on write and here
               {"offices", offices},
               {"has_offices", !offices.empty()},
               {"online", LinkList(a.online_services)},
               {"has_online", !a.online_services.empty()},
               {"legal", LinkList(a.legal_refs)},
               {"has_legal", !a.legal_refs.empty()},
               {"updated_at", FormatIso8601(a.updated_at)},
               {"updated_date", FormatIso8601(a.updated_at).substr(0, 10)},
               {"source_url", a.source_url}};
  return web::RenderPage(ctx, std::move(page));
}

}  // namespace

void AddKbRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/kb/articles", BodyKind::kNone, ListArticles});
  routes.push_back({"POST", "/api/v1/kb/articles", BodyKind::kJson, CreateArticle});
  routes.push_back({"GET", "/api/v1/kb/articles/{id}", BodyKind::kNone, GetArticle});
  routes.push_back({"PUT", "/api/v1/kb/articles/{id}", BodyKind::kJson, UpdateArticle});
  routes.push_back({"POST", "/api/v1/kb/articles/{id}/publish", BodyKind::kNone, PublishArticle});
  routes.push_back({"POST", "/api/v1/kb/articles/{id}/archive", BodyKind::kNone, ArchiveArticle});
  routes.push_back(
      {"POST", "/api/v1/kb/articles/{id}/unpublish", BodyKind::kNone, UnpublishArticle});
  routes.push_back({"GET", "/api/v1/kb/articles/{id}/versions", BodyKind::kNone, ListVersions});
  routes.push_back(
      {"POST", "/api/v1/kb/deflection-events", BodyKind::kJson, RecordDeflectionEvent});
  routes.push_back({"GET", "/api/v1/kb/deflection-stats", BodyKind::kNone, DeflectionStats});
  routes.push_back({"GET", "/kb/articles/{id}", BodyKind::kNone, ArticlePage});
}

}  // namespace guichet::server
