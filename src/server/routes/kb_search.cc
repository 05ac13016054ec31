// Knowledge-base search for everyone (published articles only: the index holds nothing else),
// autocomplete, the suggestions the citizen form shows while a request is typed (the form
// reports what it showed and what followed through /api/v1/kb/deflection-events), and the
// articles suggested to an agent for a request they may see. Answers come from this node's
// index (server/kb_search.h); until its first catch-up is done they are 503 with Retry-After.
#include <algorithm>
#include <string>

#include "common/text.h"
#include "server/auth.h"
#include "server/kb_search.h"

namespace guichet::server {
namespace {

constexpr int kMaxLimit = 50;

// The index to search, or the 503 to send while it is being built.
std::variant<const kb::SearchIndex*, HttpResponse> ReadyIndex(const HttpContext& ctx) {
  if (ctx.kb_search == nullptr || !ctx.kb_search->Ready() || ctx.kb_search->index() == nullptr) {
    HttpResponse r = Problem(503, "search-not-ready", "Search is not ready",
                             "The search index is being built; try again in a few seconds.");
    r.headers.emplace_back("Retry-After", "5");
    return r;
  }
  return ctx.kb_search->index();
}

// limit (1–50, default `fallback`) and offset (≤ 1,000) from the query string.
void ReadPaging(const HttpContext& ctx, int fallback, kb::SearchQuery& q,
                std::vector<core::FieldError>& errors) {
  q.limit = static_cast<std::size_t>(fallback);
  if (auto limit = ctx.Query("limit")) {
    const auto n = ParsePositiveInt(*limit);
    if (!n || *n > kMaxLimit) {
      errors.push_back({"limit", "must be a whole number from 1 to " + std::to_string(kMaxLimit)});
    } else {
      q.limit = static_cast<std::size_t>(*n);
    }
  }
  if (auto offset = ctx.Query("offset")) {
    const auto n = *offset == "0" ? std::optional<std::int64_t>(0) : ParsePositiveInt(*offset);
    if (!n || *n > 1000) {
      errors.push_back({"offset", "must be a whole number from 0 to 1000"});
    } else {
      q.offset = static_cast<std::size_t>(*n);
    }
  }
}

// Text parameters: at most a few thousand bytes of valid UTF-8 (longer text is cut by the
// index itself; this only keeps junk out).
std::optional<std::string> TextParam(const HttpContext& ctx, const std::string& name,
                                     std::size_t max_bytes, std::vector<core::FieldError>& errors) {
  auto value = ctx.Query(name);
  if (!value) return std::nullopt;
  if (value->size() > max_bytes) {
    errors.push_back({name, "is longer than " + std::to_string(max_bytes) + " bytes"});
    return std::nullopt;
  }
  if (!IsValidUtf8(*value)) {
    errors.push_back({name, "is not valid UTF-8"});
    return std::nullopt;
  }
  return value;
}

json HitJson(const kb::SearchHit& h) {
  return {{"id", h.article_id},
          {"external_id", h.external_id},
          {"title", h.title},
          {"summary", h.summary},
          {"snippet_html", h.snippet_html},
          {"doc_type", h.doc_type},
          {"audience", h.audience},
          {"score", h.score},
          {"url", "/kb/articles/" + std::to_string(h.article_id)}};
}

HttpResponse Results(const kb::SearchIndex& index, const kb::SearchQuery& q) {
  auto results = index.Search(q);
  if (!results.ok()) return ProblemFor(results.status());
  json items = json::array();
  for (const kb::SearchHit& h : results->hits) items.push_back(HitJson(h));
  json body = {{"items", items}, {"estimated_total", results->estimated_total}};
  body["did_you_mean"] =
      results->did_you_mean.empty() ? json(nullptr) : json(results->did_you_mean);
  return Json(200, body);
}

HttpResponse Search(HttpContext& ctx) {
  auto ready = ReadyIndex(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&ready)) return *problem;
  std::vector<core::FieldError> errors =
      UnknownQueryParams(ctx, {"q", "audience", "theme", "limit", "offset"});
  kb::SearchQuery q;
  q.text = TextParam(ctx, "q", 10000, errors).value_or("");
  q.audience = TextParam(ctx, "audience", 100, errors).value_or("");
  q.theme = TextParam(ctx, "theme", 200, errors).value_or("");
  ReadPaging(ctx, 10, q, errors);
  if (!errors.empty()) return QueryProblem(errors);
  return Results(*std::get<const kb::SearchIndex*>(ready), q);
}

HttpResponse Complete(HttpContext& ctx) {
  auto ready = ReadyIndex(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&ready)) return *problem;
  std::vector<core::FieldError> errors = UnknownQueryParams(ctx, {"q", "audience", "limit"});
  const std::string typed = TextParam(ctx, "q", 1000, errors).value_or("");
  const std::string audience = TextParam(ctx, "audience", 100, errors).value_or("");
  kb::SearchQuery paging;
  ReadPaging(ctx, 8, paging, errors);
  if (!errors.empty()) return QueryProblem(errors);
  auto done = std::get<const kb::SearchIndex*>(ready)->Complete(typed, audience, paging.limit);
  if (!done.ok()) return ProblemFor(done.status());
  json items = json::array();
  for (const kb::Completion& c : *done)
    items.push_back({{"title", c.title},
                     {"id", c.article_id},
                     {"external_id", c.external_id},
                     {"url", "/kb/articles/" + std::to_string(c.article_id)}});
  return Json(200, {{"items", items}});
}

// What the citizen form shows under "make a request" while the subject and description are
// typed: a few articles, short, no snippets.
HttpResponse Suggestions(HttpContext& ctx) {
  auto ready = ReadyIndex(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&ready)) return *problem;
  std::vector<core::FieldError> errors = UnknownQueryParams(ctx, {"text", "audience", "limit"});
  kb::SearchQuery q;
  q.text = TextParam(ctx, "text", 10000, errors).value_or("");
  q.audience = TextParam(ctx, "audience", 100, errors).value_or("");
  q.snippets = false;
  ReadPaging(ctx, 5, q, errors);
  if (!errors.empty()) return QueryProblem(errors);
  return Results(*std::get<const kb::SearchIndex*>(ready), q);
}

// For an agent reading a request: the articles closest to its subject and description.
HttpResponse SuggestedArticles(HttpContext& ctx) {
  if (auto denied = RequireStaffReader(ctx)) return *denied;
  auto loaded = LoadVisibleRequest(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&loaded)) return *problem;
  auto ready = ReadyIndex(ctx);
  if (auto* problem = std::get_if<HttpResponse>(&ready)) return *problem;
  std::vector<core::FieldError> errors = UnknownQueryParams(ctx, {"limit"});
  const core::Request& request = std::get<core::Request>(loaded);
  kb::SearchQuery q;
  q.text = request.subject + "\n" + request.description;
  ReadPaging(ctx, 5, q, errors);
  if (!errors.empty()) return QueryProblem(errors);
  return Results(*std::get<const kb::SearchIndex*>(ready), q);
}

}  // namespace

void AddKbSearchRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/kb/search", BodyKind::kNone, Search});
  routes.push_back({"GET", "/api/v1/kb/complete", BodyKind::kNone, Complete});
  routes.push_back({"GET", "/api/v1/kb/suggestions", BodyKind::kNone, Suggestions});
  routes.push_back(
      {"GET", "/api/v1/requests/{id}/suggested-articles", BodyKind::kNone, SuggestedArticles});
}

}  // namespace guichet::server
