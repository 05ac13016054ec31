// The staff's pages: sign-in and sign-out, and the request queues (their team, theirs,
// unassigned, to triage, due soon, overdue) scoped to what each one may see. Staff only: others
// are sent to the sign-in page (anonymous) or told the area is not theirs (citizens).
#include "common/clock.h"
#include "common/text.h"
#include "server/auth.h"
#include "server/sign_in.h"
#include "server/web/page.h"

namespace guichet::server {
namespace {

using web::Page;
using web::Text;

constexpr int kQueueRows = 50;

HttpResponse SeeOther(const std::string& location) {
  HttpResponse r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", location);
  return r;
}

// Staff signed in through the page (a session); anything else gets its answer here.
std::optional<HttpResponse> RequireStaffPage(const HttpContext& ctx) {
  if (ctx.principal.anonymous()) return SeeOther("/agent/connexion?lang=" + web::PageLanguage(ctx));
  if (!ctx.principal.staff())
    return web::MessagePage(ctx, 403, "forbidden_title", "agent_staff_only");
  return std::nullopt;
}

HttpResponse LoginPage(const HttpContext& ctx, int status, const std::string& error_key,
                       const std::string& email) {
  const std::string lang = web::PageLanguage(ctx);
  Page page("agent_login", Text(lang, "agent_login_title"));
  page.status = status;
  page.has_form = true;
  page.data = {{"email", email}, {"error", error_key.empty() ? "" : Text(lang, error_key)}};
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse ShowLogin(HttpContext& ctx) {
  if (ctx.principal.staff()) return SeeOther("/agent?lang=" + web::PageLanguage(ctx));
  return LoginPage(ctx, 200, "", "");
}

HttpResponse Login(HttpContext& ctx) {
  const std::string email = std::string(Trim(ctx.form->Value("email")));
  auto signed_in = SignIn(ctx, email, ctx.form->Value("password"));
  if (auto* problem = std::get_if<HttpResponse>(&signed_in)) {
    if (problem->status == 429) return LoginPage(ctx, 429, "agent_login_throttled", email);
    if (problem->status == 401 || problem->status == 422)
      return LoginPage(ctx, 401, "agent_login_failed", email);
    return web::MessagePage(ctx, problem->status, "error_title", "error_text");
  }
  const SignedIn& s = std::get<SignedIn>(signed_in);
  HttpResponse r = SeeOther(core::IsStaff(s.user.role) ? "/agent?lang=" + web::PageLanguage(ctx)
                                                       : "/?lang=" + web::PageLanguage(ctx));
  r.headers.emplace_back(
      "Set-Cookie", SessionCookie(s.token, ctx.options->session_ttl, ctx.options->secure_cookies));
  return r;
}

HttpResponse Logout(HttpContext& ctx) {
  if (!ctx.principal.session_token_hash.empty())
    (void)ctx.store->DeleteSession(ctx.principal.session_token_hash);  // gone either way
  HttpResponse r = SeeOther("/?lang=" + web::PageLanguage(ctx));
  r.headers.emplace_back("Set-Cookie", SessionCookie("", 0, ctx.options->secure_cookies));
  return r;
}

struct Queue {
  const char* key;
  void (*narrow)(const Principal&, storage::RequestFilter&);
};

const std::vector<core::RequestStatus>& Unfinished() {
  static const std::vector<core::RequestStatus> statuses = {
      core::RequestStatus::kNew, core::RequestStatus::kOpen, core::RequestStatus::kPendingCitizen,
      core::RequestStatus::kPendingThirdParty};
  return statuses;
}

constexpr Queue kQueues[] = {
    {"team", [](const Principal&, storage::RequestFilter& f) { f.statuses = Unfinished(); }},
    {"mine",
     [](const Principal& p, storage::RequestFilter& f) {
       f.statuses = Unfinished();
       f.assignee_id = p.user->id;
     }},
    {"unassigned",
     [](const Principal&, storage::RequestFilter& f) {
       f.statuses = Unfinished();
       f.unassigned = true;
     }},
    {"triage", [](const Principal&, storage::RequestFilter& f) { f.to_triage = true; }},
    {"at_risk",
     [](const Principal&, storage::RequestFilter& f) { f.sla = storage::SlaFilter::kAtRisk; }},
    {"breached",
     [](const Principal&, storage::RequestFilter& f) { f.sla = storage::SlaFilter::kBreached; }},
};

std::string DateTimeText(Millis t) {
  const std::string iso = FormatIso8601(t);
  return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

HttpResponse Queues(HttpContext& ctx) {
  if (auto denied = RequireStaffPage(ctx)) return *denied;
  const std::string lang = web::PageLanguage(ctx);
  const std::string wanted = ctx.Query("queue").value_or("team");
  const Queue* current = &kQueues[0];
  for (const Queue& q : kQueues)
    if (wanted == q.key) current = &q;
  json queues = json::array();
  json items = json::array();
  bool more = false;
  for (const Queue& q : kQueues) {
    storage::RequestFilter filter;
    q.narrow(ctx.principal, filter);
    ScopeFilter(ctx.principal, filter);
    auto page = ctx.store->ListRequests(filter, {kQueueRows, std::nullopt});
    if (!page.ok()) return web::MessagePage(ctx, 503, "error_title", "error_text");
    const std::string count = std::to_string(page->items.size()) + (page->next_after_id ? "+" : "");
    queues.push_back({{"key", q.key},
                      {"label", Text(lang, std::string("queue_") + q.key)},
                      {"count", count},
                      {"current", &q == current}});
    if (&q != current) continue;
    more = page->next_after_id.has_value();
    for (const core::Request& r : page->items) {
      const std::optional<Millis> due = r.sla.first_reply_due_at && !r.first_reply_at
                                            ? r.sla.first_reply_due_at
                                            : r.sla.resolution_due_at;
      const std::string status(core::ToString(r.status));
      const std::string priority(core::ToString(r.priority));
      items.push_back({{"reference", r.reference},
                       {"subject", r.subject},
                       {"status_label", Text(lang, "status_" + status)},
                       {"priority_label", Text(lang, "priority_" + priority)},
                       {"created_at", FormatIso8601(r.created_at)},
                       {"created_at_text", DateTimeText(r.created_at)},
                       {"due_at", due ? FormatIso8601(*due) : ""},
                       {"due_at_text", due ? DateTimeText(*due) : ""}});
    }
  }
  Page page("agent_queue", Text(lang, "agent_queues_title"));
  page.data = {{"queues", queues},
               {"queue_label", Text(lang, std::string("queue_") + current->key)},
               {"items", items},
               {"has_items", !items.empty()},
               {"more", more}};
  return web::RenderPage(ctx, std::move(page));
}

}  // namespace

void AddAgentRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/agent", BodyKind::kNone, Queues});
  routes.push_back({"GET", "/agent/connexion", BodyKind::kNone, ShowLogin});
  routes.push_back({"POST", "/agent/connexion", BodyKind::kForm, Login});
  routes.push_back({"POST", "/agent/deconnexion", BodyKind::kForm, Logout});
}

}  // namespace guichet::server
