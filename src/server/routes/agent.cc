// The staff's pages: sign-in and sign-out, and the request page — its facts and thread, AI
// suggestions to accept or correct, suggested articles and similar requests, and (for those who
// may work on it) reply, note, status, priority, team, assignee and macros. The queues and bulk
// actions are in agent_queue.cc. Staff only: others are sent to the sign-in page (anonymous) or
// told the area is not theirs (citizens).
#include <algorithm>
#include <cmath>
#include <map>

#include "common/clock.h"
#include "common/text.h"
#include "server/auth.h"
#include "server/kb_search.h"
#include "server/routes/agent_pages.h"
#include "server/sign_in.h"
#include "server/web/page.h"
#include "storage/ai_store.h"
#include "storage/automation_store.h"
#include "triage/langid.h"

namespace guichet::server {

namespace agent {

std::optional<HttpResponse> RequireStaffPage(const HttpContext& ctx) {
  if (ctx.principal.anonymous())
    return web::SeeOther("/agent/connexion?lang=" + web::PageLanguage(ctx));
  if (!ctx.principal.staff())
    return web::MessagePage(ctx, 403, "forbidden_title", "agent_staff_only");
  return std::nullopt;
}

bool Assignable(const core::User& u) {
  return u.active && core::IsStaff(u.role) && u.role != core::Role::kAuditor;
}

std::string CheckPatchReferences(HttpContext& ctx, const core::RequestPatch& patch) {
  if (patch.team_id) {
    auto team = ctx.store->GetTeam(*patch.team_id);
    if (!team.ok())
      return team.status().code() == StatusCode::kNotFound ? "agent_unknown_team" : "error_text";
  }
  if (patch.assignee_id) {
    auto user = ctx.store->GetUser(*patch.assignee_id);
    if (!user.ok() && user.status().code() != StatusCode::kNotFound) return "error_text";
    if (!user.ok() || !Assignable(*user)) return "agent_unknown_assignee";
  }
  return "";
}

}  // namespace agent

namespace {

using agent::RequireStaffPage;
using web::DateTimeText;
using web::Page;
using web::SeeOther;
using web::Text;

HttpResponse LoginPage(const HttpContext& ctx, int status, const std::string& error_key,
                       const std::string& email) {
  const std::string lang = web::PageLanguage(ctx);
  // The portal's /connexion is the same form for everyone, under a heading for everyone.
  const std::string heading =
      Text(lang, ctx.path == "/connexion" ? "sign_in_title" : "agent_login_title");
  Page page("agent_login", heading);
  page.status = status;
  page.has_form = true;
  page.data = {{"email", email},
               {"error", error_key.empty() ? "" : Text(lang, error_key)},
               {"heading", heading},
               {"action", ctx.path}};
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse ShowLogin(HttpContext& ctx) {
  if (ctx.principal.staff()) return SeeOther("/agent?lang=" + web::PageLanguage(ctx));
  if (ctx.principal.Is(core::Role::kCitizen))
    return SeeOther("/mes-demandes?lang=" + web::PageLanguage(ctx));
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
  HttpResponse r = SeeOther((core::IsStaff(s.user.role) ? "/agent?lang=" : "/mes-demandes?lang=") +
                            web::PageLanguage(ctx));
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

// --- One request ------------------------------------------------------------------------------

// The reasons an AI suggestion gave, as short texts: the words that weighed for it (the
// classifier's, under "model" for the priority), or the language guess's reason.
json Reasons(const std::string& details_json) {
  const json details = json::parse(details_json, nullptr, false);
  json out = json::array();
  if (!details.is_object()) return out;
  for (const json* from : {&details, details.contains("model") ? &details["model"] : nullptr}) {
    if (!from || !from->is_object() || !from->contains("reasons_for")) continue;
    for (const json& r : (*from)["reasons_for"])
      if (r.is_object() && r.value("text", "") != "" && out.size() < 6) out.push_back(r["text"]);
  }
  if (details.value("reason", "") != "") out.push_back(details["reason"]);
  return out;
}

// A language's name in itself (the same in every page language), for the languages the
// language identification knows; the code for any other.
std::string LanguageName(const std::string& code) {
  static const std::map<std::string, std::string> kNames = {
      {"fr", "français"},  {"en", "English"},  {"ar", "العربية"}, {"es", "español"},
      {"pt", "português"}, {"it", "italiano"}, {"de", "Deutsch"}, {"tr", "Türkçe"},
      {"ro", "română"},    {"ru", "русский"},  {"zh", "中文"}};
  const auto found = kNames.find(code);
  return found == kNames.end() ? code : found->second;
}

// The values a person may correct a suggestion of `feature` to.
json CorrectionChoices(HttpContext& ctx, const std::string& lang, const std::string& feature) {
  json out = json::array();
  const std::string_view field = storage::AiCorrectionField(feature);
  if (field == "category") {
    if (auto categories = ctx.store->ListCategories(); categories.ok())
      for (const core::Category& c : *categories)
        out.push_back({{"value", c.slug}, {"label", c.name}});
  } else if (field == "priority") {
    for (std::string_view p : core::PriorityNames())
      out.push_back(
          {{"value", std::string(p)}, {"label", Text(lang, "priority_" + std::string(p))}});
  } else if (field == "language") {
    for (const std::string& code : triage::SupportedLanguages())
      out.push_back({{"value", code}, {"label", LanguageName(code)}, {"option_lang", code}});
  }
  return out;
}

// The knowledge-base articles closest to the request's subject and description (as
// /api/v1/requests/{id}/suggested-articles finds them); empty while the index is being built.
json SuggestedArticles(const HttpContext& ctx, const core::Request& r) {
  json out = json::array();
  if (ctx.kb_search == nullptr || !ctx.kb_search->Ready() || ctx.kb_search->index() == nullptr)
    return out;
  kb::SearchQuery q;
  q.text = r.subject + "\n" + r.description;
  q.limit = 5;
  q.snippets = false;
  auto found = ctx.kb_search->index()->Search(q);
  if (!found.ok()) return out;
  for (const kb::SearchHit& h : found->hits)
    out.push_back({{"id", std::to_string(h.article_id)},
                   {"title", h.title},
                   {"url", "/kb/articles/" + std::to_string(h.article_id)}});
  return out;
}

// The same citizen's other requests, then those about the same thing, that the reader may see
// (as /api/v1/requests/{id}/similar lists them).
json Similar(HttpContext& ctx, const std::string& lang, const core::Request& r) {
  constexpr int kShown = 5;
  json out = json::array();
  auto similar = ctx.store->SimilarRequests(r.id, kShown * 2);
  if (!similar.ok()) return out;
  for (const storage::SimilarRequest& s : *similar) {
    if (!CanSeeRequest(ctx.principal, s.request)) continue;
    if (static_cast<int>(out.size()) == kShown) break;
    out.push_back(
        {{"id", std::to_string(s.request.id)},
         {"reference", s.request.reference},
         {"subject", s.request.subject},
         {"status_label", Text(lang, "status_" + std::string(core::ToString(s.request.status)))},
         {"reason", Text(lang, "agent_similar_" + s.reason)}});
  }
  return out;
}

// The choices of the assignment form: every team, and the people who may work on the request
// (its team's members and admins, active), the current ones selected.
void AssignmentChoices(HttpContext& ctx, const core::Request& r, json& teams, json& people) {
  teams = json::array();
  people = json::array();
  if (auto all = ctx.store->ListTeams(); all.ok())
    for (const core::Team& t : *all)
      teams.push_back(
          {{"value", std::to_string(t.id)}, {"label", t.name}, {"selected", r.team_id == t.id}});
  if (auto all = ctx.store->ListUsers(); all.ok())
    for (const core::User& u : *all) {
      Principal as;
      as.user = u;
      if (!agent::Assignable(u) || (!CanWorkRequest(as, r) && r.assignee_id != u.id)) continue;
      people.push_back({{"value", std::to_string(u.id)},
                        {"label", u.display_name.empty() ? u.email : u.display_name},
                        {"selected", r.assignee_id == u.id}});
    }
}

// The active macros, by name.
json MacroChoices(HttpContext& ctx) {
  json out = json::array();
  auto all = ctx.store->automations().ListMacros();
  if (!all.ok()) return out;
  std::vector<const storage::Macro*> active;
  for (const storage::Macro& m : *all)
    if (m.active) active.push_back(&m);
  std::sort(active.begin(), active.end(),
            [](const storage::Macro* a, const storage::Macro* b) { return a->name < b->name; });
  for (const storage::Macro* m : active)
    out.push_back({{"value", std::to_string(m->id)}, {"label", m->name}});
  return out;
}

// The request's page for staff: facts, AI suggestions, the whole thread with internal notes, and
// (for those who may work on it) the reply and change forms. `notice` and `error` are catalogue
// keys; `status` the HTTP status to answer with.
HttpResponse RequestPage(HttpContext& ctx, int status = 200, const std::string& notice = "",
                         const std::string& error = "") {
  if (auto denied = RequireStaffPage(ctx)) return *denied;
  const std::string lang = web::PageLanguage(ctx);
  auto loaded = LoadVisibleRequest(ctx);
  if (std::holds_alternative<HttpResponse>(loaded)) {
    const int code = std::get<HttpResponse>(loaded).status;
    return code == 404 ? web::MessagePage(ctx, 404, "not_found_title", "not_found_text")
                       : web::MessagePage(ctx, code, "error_title", "error_text");
  }
  const core::Request& r = std::get<core::Request>(loaded);
  auto messages = ctx.store->ListMessages(r.id, /*include_internal=*/true);
  auto decisions = ctx.store->ai().ListDecisions(r.id);
  auto files = ctx.store->ListAttachments(r.id);
  if (!messages.ok() || !decisions.ok() || !files.ok())
    return web::MessagePage(ctx, 503, "error_title", "error_text");
  json attachments = json::array();
  for (const storage::AttachmentMeta& a : *files)  // the API's download: staff are signed in
    attachments.push_back({{"filename", a.filename},
                           {"size_text", web::SizeText(a.size, lang)},
                           {"url", "/api/v1/attachments/" + std::to_string(a.id)}});
  std::string team = Text(lang, "agent_none"), category = Text(lang, "agent_none"),
              assignee = Text(lang, "agent_nobody");
  if (r.team_id)
    if (auto t = ctx.store->GetTeam(*r.team_id); t.ok()) team = t->name;
  if (r.assignee_id)
    if (auto u = ctx.store->GetUser(*r.assignee_id); u.ok()) assignee = u->display_name;
  if (r.category_id)
    if (auto c = ctx.store->GetCategory(*r.category_id); c.ok()) category = c->name;
  json thread = json::array();
  for (const core::Message& m : *messages)
    thread.push_back(
        {{"from", m.author_user_id ? "desk" : "citizen"},
         {"internal", m.visibility == core::Visibility::kInternal},
         {"author", m.author_name.empty() ? Text(lang, "agent_citizen") : m.author_name},
         {"body", m.body},
         {"created_at", FormatIso8601(m.created_at)},
         {"created_at_text", DateTimeText(m.created_at)}});
  const bool can_work = !RequireWork(ctx, r).has_value();
  json ai = json::array();
  for (const storage::AiDecision& d : *decisions) {
    const json choices = CorrectionChoices(ctx, lang, d.suggestion.feature);
    const json reasons = Reasons(d.suggestion.details_json);
    ai.push_back({{"id", std::to_string(d.id)},
                  {"request_id", std::to_string(r.id)},
                  {"feature_label", Text(lang, "ai_feature_" + d.suggestion.feature)},
                  {"output", d.suggestion.output.value_or(Text(lang, "agent_ai_abstained"))},
                  {"has_output", d.suggestion.output.has_value()},
                  {"confidence", std::to_string(std::lround(d.suggestion.confidence * 100))},
                  {"outcome_label", Text(lang, "ai_outcome_" + d.outcome)},
                  {"applied", d.suggestion.applied},
                  {"reasons", reasons},
                  {"has_reasons", !reasons.empty()},
                  {"reviewable", can_work && d.outcome == "pending"},
                  {"choices", choices},
                  {"has_choices", !choices.empty()}});
  }
  json statuses = json::array(), priorities = json::array();
  for (std::string_view s : core::RequestStatusNames()) {
    const auto value = core::ParseRequestStatus(s);
    if (*value != r.status && !core::CanTransition(r.status, *value)) continue;
    statuses.push_back({{"value", std::string(s)},
                        {"label", Text(lang, "status_" + std::string(s))},
                        {"selected", *value == r.status}});
  }
  for (std::string_view p : core::PriorityNames())
    priorities.push_back({{"value", std::string(p)},
                          {"label", Text(lang, "priority_" + std::string(p))},
                          {"selected", p == core::ToString(r.priority)}});
  const std::optional<Millis> due = r.sla.first_reply_due_at && !r.first_reply_at
                                        ? r.sla.first_reply_due_at
                                        : r.sla.resolution_due_at;
  json teams, people;
  if (can_work) AssignmentChoices(ctx, r, teams, people);
  const json macros = can_work ? MacroChoices(ctx) : json::array();
  const json articles = SuggestedArticles(ctx, r);
  const json similar = Similar(ctx, lang, r);
  Page page("agent_request", Text(lang, "track_title") + " " + r.reference + " — " + r.subject);
  page.status = status;
  page.has_form = can_work;
  page.data = {
      {"id", std::to_string(r.id)},
      {"reference", r.reference},
      {"subject", r.subject},
      {"description", r.description},
      {"status_label", Text(lang, "status_" + std::string(core::ToString(r.status)))},
      {"priority_label", Text(lang, "priority_" + std::string(core::ToString(r.priority)))},
      {"team", team},
      {"assignee", assignee},
      {"category", category},
      {"language", r.language.empty() ? "" : LanguageName(r.language)},
      {"language_code", r.language},
      {"teams", teams},
      {"people", people},
      {"unassigned", !r.assignee_id.has_value()},
      {"macros", macros},
      {"has_macros", !macros.empty()},
      {"articles", articles},
      {"has_articles", !articles.empty()},
      {"similar", similar},
      {"has_similar", !similar.empty()},
      {"created_at", FormatIso8601(r.created_at)},
      {"created_at_text", DateTimeText(r.created_at)},
      {"due_at", due ? FormatIso8601(*due) : ""},
      {"due_at_text", due ? DateTimeText(*due) : ""},
      {"messages", thread},
      {"attachments", attachments},
      {"has_attachments", !attachments.empty()},
      {"ai", ai},
      {"has_ai", !ai.empty()},
      {"can_work", can_work},
      {"version", std::to_string(r.version)},
      {"statuses", statuses},
      {"priorities", priorities},
      {"notice",
       notice.empty() ? (can_work ? "" : Text(lang, "agent_read_only")) : Text(lang, notice)},
      {"error", error.empty() ? "" : Text(lang, error)}};
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse ShowRequest(HttpContext& ctx) {
  const std::string done = ctx.Query("done").value_or("");
  return RequestPage(ctx, 200,
                     done == "message" ? "agent_message_added"
                     : done == "saved" ? "agent_saved"
                     : done == "ai"    ? "agent_ai_reviewed"
                     : done == "macro" ? "agent_macro_applied"
                                       : "");
}

// Back to the request's page after a change (post/redirect/get), with what was done.
HttpResponse BackToRequest(const HttpContext& ctx, core::Id id, const std::string& done) {
  return SeeOther("/agent/demandes/" + std::to_string(id) + "?lang=" + web::PageLanguage(ctx) +
                  "&done=" + done);
}

// The request to change, or the page to answer with (not visible, not theirs to change).
std::variant<core::Request, HttpResponse> WorkableRequest(HttpContext& ctx) {
  if (auto denied = RequireStaffPage(ctx)) return *denied;
  auto loaded = LoadVisibleRequest(ctx);
  if (std::holds_alternative<HttpResponse>(loaded)) return RequestPage(ctx);  // its own 404
  if (auto denied = RequireWork(ctx, std::get<core::Request>(loaded)))
    return web::MessagePage(ctx, 403, "forbidden_title", "agent_read_only");
  return loaded;
}

// The page for a change the store refused: the request as it is now, with why — someone
// else's change came first (409), or the change is not allowed (422, `invalid_key`).
HttpResponse RefusedChange(HttpContext& ctx, const Status& refused,
                           const std::string& invalid_key) {
  if (refused.code() == StatusCode::kConflict) return RequestPage(ctx, 409, "", "agent_conflict");
  if (refused.code() == StatusCode::kFailedPrecondition ||
      refused.code() == StatusCode::kInvalidArgument)
    return RequestPage(ctx, 422, "", invalid_key);
  return web::MessagePage(ctx, 503, "error_title", "error_text");
}

HttpResponse AddMessage(HttpContext& ctx) {
  auto loaded = WorkableRequest(ctx);
  if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
  const core::Request& r = std::get<core::Request>(loaded);
  core::NewMessage m;
  m.body = ctx.form->Value("body");
  m.visibility = ctx.form->Value("visibility") == "internal" ? core::Visibility::kInternal
                                                             : core::Visibility::kPublic;
  m.author_name = ctx.principal.user->display_name;
  if (!core::ValidateNewMessage(m).empty())
    return RequestPage(ctx, 422, "", Trim(m.body).empty() ? "error_required" : "error_too_long");
  auto added = ctx.store->AddMessage(r.id, m, /*from_staff=*/true, ctx.actor());
  if (!added.ok()) return web::MessagePage(ctx, 503, "error_title", "error_text");
  return BackToRequest(ctx, r.id, "message");
}

HttpResponse ChangeRequest(HttpContext& ctx) {
  auto loaded = WorkableRequest(ctx);
  if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
  const core::Request& r = std::get<core::Request>(loaded);
  const auto version = ParsePositiveInt(ctx.form->Value("version"));
  const auto status = core::ParseRequestStatus(ctx.form->Value("status"));
  const auto priority = core::ParsePriority(ctx.form->Value("priority"));
  if (!version || !status || !priority) return RequestPage(ctx, 422, "", "error_generic");
  core::RequestPatch patch;
  if (*status != r.status) patch.status = status;
  if (*priority != r.priority) patch.priority = priority;
  if (patch.empty()) return RequestPage(ctx, 200, "agent_nothing_changed");
  auto updated = ctx.store->UpdateRequest(r.id, *version, patch, ctx.actor());
  if (!updated.ok()) return RefusedChange(ctx, updated.status(), "agent_bad_transition");
  return BackToRequest(ctx, r.id, "saved");
}

// A new team and/or assignee ("none" to leave it unassigned), on the version the page showed:
// the API's PATCH and /assign rules. Moved to a team the reader is not in, the request is no
// longer theirs to see: back to the queues, with what happened.
HttpResponse ChangeAssignment(HttpContext& ctx) {
  auto loaded = WorkableRequest(ctx);
  if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
  const core::Request& r = std::get<core::Request>(loaded);
  const auto version = ParsePositiveInt(ctx.form->Value("version"));
  const auto team = ParsePositiveInt(ctx.form->Value("team"));
  const std::string assignee_text = ctx.form->Value("assignee");
  const auto assignee = assignee_text == "me" ? std::optional<std::int64_t>(ctx.principal.user->id)
                                              : ParsePositiveInt(assignee_text);
  if (!version || (ctx.form->Get("team") && !team) || (assignee_text != "none" && !assignee))
    return RequestPage(ctx, 422, "", "error_generic");
  core::RequestPatch patch;
  if (team && team != r.team_id) patch.team_id = team;
  if (assignee && assignee != r.assignee_id) patch.assignee_id = assignee;
  if (assignee_text == "none" && r.assignee_id) patch.clear_assignee = true;
  if (patch.empty()) return RequestPage(ctx, 200, "agent_nothing_changed");
  if (const std::string why = agent::CheckPatchReferences(ctx, patch); !why.empty())
    return why == "error_text" ? web::MessagePage(ctx, 503, "error_title", "error_text")
                               : RequestPage(ctx, 422, "", why);
  auto updated = ctx.store->UpdateRequest(r.id, *version, patch, ctx.actor());
  if (!updated.ok()) return RefusedChange(ctx, updated.status(), "error_generic");
  if (!CanSeeRequest(ctx.principal, *updated))
    return SeeOther("/agent?lang=" + web::PageLanguage(ctx) + "&done=moved");
  return BackToRequest(ctx, r.id, "saved");
}

// A macro's reply and actions, on the version the page showed (as /apply-macro does).
HttpResponse ApplyMacro(HttpContext& ctx) {
  auto loaded = WorkableRequest(ctx);
  if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
  const core::Request& r = std::get<core::Request>(loaded);
  const auto version = ParsePositiveInt(ctx.form->Value("version"));
  const auto macro_id = ParsePositiveInt(ctx.form->Value("macro_id"));
  if (!version || !macro_id) return RequestPage(ctx, 422, "", "agent_unknown_macro");
  auto applied = ctx.store->ApplyMacro(r.id, *version, *macro_id, ctx.principal.user->display_name,
                                       ctx.actor());
  if (!applied.ok()) {
    if (applied.status().code() == StatusCode::kNotFound)
      return RequestPage(ctx, 422, "", "agent_unknown_macro");
    return RefusedChange(ctx, applied.status(), "agent_macro_refused");
  }
  if (!CanSeeRequest(ctx.principal, *applied))
    return SeeOther("/agent?lang=" + web::PageLanguage(ctx) + "&done=moved");
  return BackToRequest(ctx, r.id, "macro");
}

// A person's verdict on an AI suggestion of the request: accepted, ignored, or corrected to
// the value chosen; one that changes the request is made on the version the page showed.
HttpResponse ReviewSuggestion(HttpContext& ctx) {
  auto loaded = WorkableRequest(ctx);
  if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
  const core::Request& r = std::get<core::Request>(loaded);
  const auto decision_id = ParsePositiveInt(ctx.form->Value("decision_id"));
  auto decision = decision_id ? ctx.store->ai().GetDecision(*decision_id)
                              : Result<storage::AiDecision>(NotFound("no decision"));
  if (!decision.ok() || decision->request_id != r.id)
    return RequestPage(ctx, 422, "", "error_generic");
  storage::AiReview review;
  review.reviewer_id = ctx.principal.user->id;
  review.outcome = ctx.form->Value("outcome");
  const std::string value = ctx.form->Value("value");
  const std::string_view field = storage::AiCorrectionField(decision->suggestion.feature);
  if (review.outcome == "corrected") {
    if (field == "category") {
      auto category = ctx.store->FindCategoryBySlug(value);
      if (category.ok()) review.category_id = category->id;
    } else if (field == "priority") {
      review.priority = core::ParsePriority(value);
    } else if (field == "language" && core::IsValidLanguageTag(value) && !value.empty()) {
      review.language = value;
    }
    if (!review.category_id && !review.priority && !review.language)
      return RequestPage(ctx, 422, "", "error_generic");
  } else if (review.outcome != "accepted" && review.outcome != "ignored") {
    return RequestPage(ctx, 422, "", "error_generic");
  }
  if (review.outcome == "corrected" ||
      (review.outcome == "accepted" && !decision->suggestion.applied))
    review.expected_version = ParsePositiveInt(ctx.form->Value("version"));
  auto reviewed = ctx.store->ReviewAiDecision(decision->id, review, ctx.actor());
  if (!reviewed.ok()) return RefusedChange(ctx, reviewed.status(), "error_generic");
  return BackToRequest(ctx, r.id, "ai");
}

}  // namespace

void AddAgentRoutes(std::vector<Route>& routes) {
  routes.push_back({"POST", "/agent/demandes/{id}/ia", BodyKind::kForm, ReviewSuggestion});
  routes.push_back({"POST", "/agent/demandes/{id}/affectation", BodyKind::kForm, ChangeAssignment});
  routes.push_back({"POST", "/agent/demandes/{id}/macro", BodyKind::kForm, ApplyMacro});
  routes.push_back({"GET", "/agent/demandes/{id}", BodyKind::kNone, ShowRequest});
  routes.push_back({"POST", "/agent/demandes/{id}/messages", BodyKind::kForm, AddMessage});
  routes.push_back({"POST", "/agent/demandes/{id}/statut", BodyKind::kForm, ChangeRequest});
  routes.push_back({"GET", "/agent/connexion", BodyKind::kNone, ShowLogin});
  routes.push_back({"POST", "/agent/connexion", BodyKind::kForm, Login});
  routes.push_back({"GET", "/connexion", BodyKind::kNone, ShowLogin});
  routes.push_back({"POST", "/connexion", BodyKind::kForm, Login});
  routes.push_back({"POST", "/agent/deconnexion", BodyKind::kForm, Logout});
  agent::AddAgentQueueRoutes(routes);
}

}  // namespace guichet::server
