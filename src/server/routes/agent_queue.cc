// The staff's queues (their team, theirs, unassigned, to triage, due soon, overdue) with filters
// (status, priority, category, channel, words) kept in the query string, counts under those
// filters, pages of 50; and bulk actions on the requests ticked in a queue — assign to oneself,
// move to a team, set the priority or the status — each request changed through the same store
// call as its own page, on the version the queue showed, with one result line per request.
// Everything is scoped to what the reader may see: ids of other requests read as not found.
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/text.h"
#include "server/auth.h"
#include "server/routes/agent_pages.h"
#include "server/web/page.h"

namespace guichet::server::agent {
namespace {

using web::DateTimeText;
using web::Page;
using web::QueryEscape;
using web::Text;

constexpr int kQueueRows = 50;
constexpr std::size_t kMaxBulkRows = 100;
constexpr std::size_t kMaxSearchBytes = 200;

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

// The filters of the queue page, read from its query string. A value that is not one of the
// choices is left out (the select then shows "all"), as a hand-edited link should not fail.
struct Filters {
  std::string status, priority, category, channel, text;

  static Filters Read(HttpContext& ctx) {
    Filters f;
    auto pick = [&ctx](const char* name, auto parse) {
      const std::string v = ctx.Query(name).value_or("");
      return parse(v) ? v : std::string();
    };
    f.status = pick("status", [](const std::string& v) { return core::ParseRequestStatus(v); });
    f.priority = pick("priority", [](const std::string& v) { return core::ParsePriority(v); });
    f.channel = pick("channel", [](const std::string& v) { return core::ParseChannel(v); });
    f.category = pick("category", [&ctx](const std::string& v) {
      return !v.empty() && v.size() <= 200 && IsValidUtf8(v) &&
             ctx.store->FindCategoryBySlug(v).ok();
    });
    const std::string text(Trim(ctx.Query("q").value_or("")));
    if (text.size() <= kMaxSearchBytes && IsValidUtf8(text)) f.text = text;
    return f;
  }

  // Narrows a queue's filter. A status chosen replaces the queue's own (the team's queue of
  // unfinished requests, filtered on "resolved", shows the team's resolved requests).
  void Narrow(HttpContext& ctx, storage::RequestFilter& filter) const {
    if (!status.empty()) filter.statuses = {*core::ParseRequestStatus(status)};
    if (!priority.empty()) filter.priority = core::ParsePriority(priority);
    if (!channel.empty()) filter.channel = core::ParseChannel(channel);
    if (!category.empty())
      if (auto c = ctx.store->FindCategoryBySlug(category); c.ok()) filter.category_id = c->id;
    filter.text = text;
  }

  // "&status=open&q=…" for the links that keep them.
  std::string Query() const {
    std::string out;
    const std::pair<const char*, const std::string*> all[] = {{"status", &status},
                                                              {"priority", &priority},
                                                              {"category", &category},
                                                              {"channel", &channel},
                                                              {"q", &text}};
    for (const auto& [name, value] : all)
      if (!value->empty()) out += std::string("&") + name + "=" + QueryEscape(*value);
    return out;
  }

  bool any() const { return !Query().empty(); }
};

// {value, label, selected} options, the first one "all".
json Options(const std::string& lang, const std::string& prefix,
             std::span<const std::string_view> names, const std::string& chosen) {
  json out = json::array();
  for (std::string_view n : names)
    out.push_back({{"value", std::string(n)},
                   {"label", Text(lang, prefix + std::string(n))},
                   {"selected", chosen == n}});
  return out;
}

json Row(const std::string& lang, const core::Request& r) {
  const std::optional<Millis> due = r.sla.first_reply_due_at && !r.first_reply_at
                                        ? r.sla.first_reply_due_at
                                        : r.sla.resolution_due_at;
  return {{"id", std::to_string(r.id)},
          {"version", std::to_string(r.version)},
          {"reference", r.reference},
          {"subject", r.subject},
          {"status_label", Text(lang, "status_" + std::string(core::ToString(r.status)))},
          {"priority_label", Text(lang, "priority_" + std::string(core::ToString(r.priority)))},
          {"created_at", FormatIso8601(r.created_at)},
          {"created_at_text", DateTimeText(r.created_at)},
          {"due_at", due ? FormatIso8601(*due) : ""},
          {"due_at_text", due ? DateTimeText(*due) : ""}};
}

HttpResponse Queues(HttpContext& ctx) {
  if (auto denied = RequireStaffPage(ctx)) return *denied;
  const std::string lang = web::PageLanguage(ctx);
  const std::string wanted = ctx.Query("queue").value_or("team");
  const Queue* current = &kQueues[0];
  for (const Queue& q : kQueues)
    if (wanted == q.key) current = &q;
  const Filters filters = Filters::Read(ctx);
  const auto after = ParsePositiveInt(ctx.Query("after").value_or(""));
  json queues = json::array();
  json items = json::array();
  std::optional<core::Id> next;
  for (const Queue& q : kQueues) {
    storage::RequestFilter filter;
    q.narrow(ctx.principal, filter);
    filters.Narrow(ctx, filter);
    ScopeFilter(ctx.principal, filter);
    const bool shown = &q == current;
    auto page =
        ctx.store->ListRequests(filter, {kQueueRows, shown ? after : std::optional<core::Id>()});
    if (!page.ok()) return web::MessagePage(ctx, 503, "error_title", "error_text");
    if (shown) {
      next = page->next_after_id;
      for (const core::Request& r : page->items) items.push_back(Row(lang, r));
      if (after) continue;  // the count is of the first page
    }
    const std::string count = std::to_string(page->items.size()) + (page->next_after_id ? "+" : "");
    queues.push_back({{"key", q.key},
                      {"label", Text(lang, std::string("queue_") + q.key)},
                      {"count", count},
                      {"current", shown}});
  }
  if (after) {  // the current queue's count, from its first page
    storage::RequestFilter filter;
    current->narrow(ctx.principal, filter);
    filters.Narrow(ctx, filter);
    ScopeFilter(ctx.principal, filter);
    auto first = ctx.store->ListRequests(filter, {kQueueRows, std::nullopt});
    if (!first.ok()) return web::MessagePage(ctx, 503, "error_title", "error_text");
    const std::string count =
        std::to_string(first->items.size()) + (first->next_after_id ? "+" : "");
    json entry = {{"key", current->key},
                  {"label", Text(lang, std::string("queue_") + current->key)},
                  {"count", count},
                  {"current", true}};
    queues.insert(queues.begin() + (current - kQueues), entry);
  }
  json categories = json::array();
  if (auto all = ctx.store->ListCategories(); all.ok())
    for (const core::Category& c : *all)
      categories.push_back(
          {{"value", c.slug}, {"label", c.name}, {"selected", c.slug == filters.category}});
  json teams = json::array();
  if (auto all = ctx.store->ListTeams(); all.ok())
    for (const core::Team& t : *all)
      teams.push_back({{"value", std::to_string(t.id)}, {"label", t.name}});
  const std::string base = "/agent?queue=" + std::string(current->key) + "&lang=" + lang;
  const std::string done = ctx.Query("done").value_or("");
  Page page("agent_queue", Text(lang, "agent_queues_title"));
  page.has_form = true;
  page.data = {{"queues", queues},
               {"filter_query", filters.Query()},
               {"queue_key", current->key},
               {"queue_label", Text(lang, std::string("queue_") + current->key)},
               {"statuses", Options(lang, "status_", core::RequestStatusNames(), filters.status)},
               {"priorities", Options(lang, "priority_", core::PriorityNames(), filters.priority)},
               {"channels", Options(lang, "agent_channel_", core::ChannelNames(), filters.channel)},
               {"categories", categories},
               {"text", filters.text},
               {"filtered", filters.any()},
               {"bulk_statuses", Options(lang, "status_", core::RequestStatusNames(), "")},
               {"bulk_priorities", Options(lang, "priority_", core::PriorityNames(), "")},
               {"teams", teams},
               {"items", items},
               {"has_items", !items.empty()},
               {"back", base + filters.Query() + (after ? "&after=" + std::to_string(*after) : "")},
               {"next_url", next ? base + filters.Query() + "&after=" + std::to_string(*next) : ""},
               {"first_url", after ? base + filters.Query() : ""},
               {"notice", done == "moved" ? Text(lang, "agent_moved_away") : ""}};
  return web::RenderPage(ctx, std::move(page));
}

// --- Bulk actions -----------------------------------------------------------------------------

// What a bulk action does to one request: the patch, or empty when it is already so.
struct BulkAction {
  std::string name;  // assign_me, team, priority, status
  std::optional<core::Id> team_id;
  std::optional<core::Priority> priority;
  std::optional<core::RequestStatus> status;

  core::RequestPatch PatchFor(const Principal& p, const core::Request& r) const {
    core::RequestPatch patch;
    if (name == "assign_me" && r.assignee_id != p.user->id) patch.assignee_id = p.user->id;
    if (team_id && r.team_id != team_id) patch.team_id = team_id;
    if (priority && r.priority != *priority) patch.priority = priority;
    if (status && r.status != *status) patch.status = status;
    return patch;
  }
};

// The action the form asks for, or the catalogue key of why it cannot be done.
std::variant<BulkAction, std::string> ReadAction(HttpContext& ctx) {
  BulkAction a;
  a.name = ctx.form->Value("action");
  if (a.name == "assign_me") return a;
  if (a.name == "team") {
    a.team_id = ParsePositiveInt(ctx.form->Value("team"));
    if (!a.team_id) return std::string("agent_unknown_team");
    core::RequestPatch patch;
    patch.team_id = a.team_id;
    if (std::string why = CheckPatchReferences(ctx, patch); !why.empty()) return why;
    return a;
  }
  if (a.name == "priority") {
    a.priority = core::ParsePriority(ctx.form->Value("priority"));
    if (a.priority) return a;
  }
  if (a.name == "status") {
    a.status = core::ParseRequestStatus(ctx.form->Value("status"));
    if (a.status) return a;
  }
  return std::string("agent_bulk_bad_action");
}

// Back to the queue the form came from (a path of this area only), else the default queue.
std::string BackLink(const HttpContext& ctx, const std::string& lang) {
  const std::string back = ctx.form->Value("back");
  if (back.rfind("/agent?", 0) == 0 && back.size() <= 2000 && IsValidUtf8(back) &&
      back.find_first_of("\r\n\\") == std::string::npos)
    return back;
  return "/agent?lang=" + lang;
}

HttpResponse BulkPage(HttpContext& ctx, int status, const std::string& error_key, json results,
                      int changed, int refused) {
  const std::string lang = web::PageLanguage(ctx);
  Page page("agent_bulk", Text(lang, "agent_bulk_result_title"));
  page.status = status;
  page.data = {{"error", error_key.empty() ? "" : Text(lang, error_key)},
               {"results", results},
               {"has_results", !results.empty()},
               {"changed", std::to_string(changed)},
               {"refused", std::to_string(refused)},
               {"back", BackLink(ctx, lang)}};
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse Bulk(HttpContext& ctx) {
  if (auto denied = RequireStaffPage(ctx)) return *denied;
  if (ctx.principal.Is(core::Role::kAuditor))
    return web::MessagePage(ctx, 403, "forbidden_title", "agent_read_only");
  const std::string lang = web::PageLanguage(ctx);
  auto read = ReadAction(ctx);
  if (auto* why = std::get_if<std::string>(&read)) {
    if (*why == "error_text") return web::MessagePage(ctx, 503, "error_title", "error_text");
    return BulkPage(ctx, 422, *why, json::array(), 0, 0);
  }
  const BulkAction& action = std::get<BulkAction>(read);
  const std::vector<std::string> picked = ctx.form->All("id");
  if (picked.empty()) return BulkPage(ctx, 422, "agent_bulk_none", json::array(), 0, 0);
  if (picked.size() > kMaxBulkRows)
    return BulkPage(ctx, 422, "agent_bulk_too_many", json::array(), 0, 0);
  json results = json::array();
  int changed = 0, refused = 0;
  for (const std::string& value : picked) {
    // "id:version", the version the queue showed.
    const std::size_t colon = value.find(':');
    const auto id = ParsePositiveInt(value.substr(0, colon));
    const auto version = colon == std::string::npos
                             ? std::optional<std::int64_t>()
                             : ParsePositiveInt(std::string_view(value).substr(colon + 1));
    json line = {{"label", id ? "#" + std::to_string(*id) : std::string("?")}, {"url", ""}};
    auto r = id && version ? ctx.store->GetRequest(*id)
                           : Result<core::Request>(NotFound("no such request"));
    std::string outcome;
    if (!r.ok() && r.status().code() != StatusCode::kNotFound) {
      outcome = "agent_bulk_error";
    } else if (!r.ok() || !CanSeeRequest(ctx.principal, *r)) {
      outcome = "agent_bulk_not_found";  // the same for one that exists out of sight
    } else {
      line["label"] = r->reference + " — " + r->subject;
      line["url"] = "/agent/demandes/" + std::to_string(r->id) + "?lang=" + lang;
      const core::RequestPatch patch = action.PatchFor(ctx.principal, *r);
      if (!CanWorkRequest(ctx.principal, *r)) {
        outcome = "agent_bulk_read_only";
      } else if (patch.empty()) {
        outcome = "agent_bulk_unchanged";
      } else if (auto updated = ctx.store->UpdateRequest(r->id, *version, patch, ctx.actor());
                 updated.ok()) {
        outcome = "agent_bulk_changed";
        if (!CanSeeRequest(ctx.principal, *updated)) line["url"] = "";  // given to another team
      } else if (updated.status().code() == StatusCode::kConflict) {
        outcome = "agent_bulk_conflict";
      } else if (updated.status().code() == StatusCode::kFailedPrecondition ||
                 updated.status().code() == StatusCode::kInvalidArgument) {
        outcome = "agent_bulk_not_allowed";
      } else {
        outcome = "agent_bulk_error";
      }
    }
    const bool ok = outcome == "agent_bulk_changed" || outcome == "agent_bulk_unchanged";
    if (outcome == "agent_bulk_changed") ++changed;
    if (!ok) ++refused;
    line["ok"] = ok;
    line["outcome"] = Text(lang, outcome);
    results.push_back(std::move(line));
  }
  return BulkPage(ctx, 200, "", std::move(results), changed, refused);
}

}  // namespace

void AddAgentQueueRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/agent", BodyKind::kNone, Queues});
  // 50 rows of checkboxes and the action's fields: more than the usual 50 fields, within the
  // usual size limit.
  routes.push_back({"POST", "/agent/lot", BodyKind::kForm, Bulk, 120});
}

}  // namespace guichet::server::agent
