// The supervisor's dashboard: requests created per day, team and channel over a period, the
// backlog now, SLA compliance and the times to first reply and to resolution, and what people
// did with the AI's suggestions — as HTML tables (the accessible truth; dashboard.js draws
// charts from them), as a CSV file per table, and as JSON for scripts (/api/v1/reports/dashboard).
//
// Who sees it: team leads (their own teams only), admins and auditors (every team, or one).
// Agents work queues and get a 403 page; citizens too; anonymous readers go to the sign-in page.
#include <algorithm>
#include <cmath>

#include "common/clock.h"
#include "server/auth.h"
#include "server/web/page.h"
#include "storage/report_store.h"

namespace guichet::server {
namespace {

using storage::kDayMillis;
using web::Page;
using web::Text;

constexpr int kDefaultDays = 30;

bool MaySeeDashboard(const Principal& p) {
  return p.Is(core::Role::kLead) || p.Is(core::Role::kAdmin) || p.Is(core::Role::kAuditor);
}

// --- The period and the scope -------------------------------------------------------------------

// "2026-11-29" → its midnight UTC; nullopt unless exactly a valid date of that shape.
std::optional<Millis> ParseDay(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto t = ParseIso8601(text);
  if (!t || FormatIso8601(*t).substr(0, 10) != text) return std::nullopt;  // no 2026-02-30
  return t;
}

std::string DayText(Millis t) { return FormatIso8601(t).substr(0, 10); }

// What the reader asked for, checked: the period (its last day included), the team, and the
// teams the reader may choose from.
struct Selection {
  Millis from = 0, to = 0;  // [from, to): `to` is the midnight after the last day
  std::optional<core::Id> team_id;
  std::vector<core::Team> teams;  // the reader's choice, by name
  bool all_teams = false;         // the reader sees every team (and requests with none)
  storage::ReportQuery query;
};

// The selection, or the status and the catalogue key of why it is refused.
struct Refusal {
  int status;
  std::string key;    // the catalogue's text (in English: the API's detail)
  std::string field;  // the query parameter at fault
};

std::variant<Selection, Refusal> Select(HttpContext& ctx) {
  Selection s;
  const Millis today = ctx.clock->Now() / kDayMillis * kDayMillis;
  const std::string from_text = ctx.Query("from").value_or("");
  const std::string to_text = ctx.Query("to").value_or("");
  const auto last = to_text.empty() ? std::optional<Millis>(today) : ParseDay(to_text);
  const auto first = from_text.empty() && last
                         ? std::optional<Millis>(*last - (kDefaultDays - 1) * kDayMillis)
                         : ParseDay(from_text);
  if (!first || !last) return Refusal{400, "dash_bad_date", last ? "from" : "to"};
  s.from = *first;
  s.to = *last + kDayMillis;
  if (s.from >= s.to || s.to - s.from > storage::kMaxReportDays * kDayMillis)
    return Refusal{400, "dash_bad_period", "from"};

  auto teams = ctx.store->ListTeams();
  if (!teams.ok()) return Refusal{503, "error_text", ""};
  const core::User& user = *ctx.principal.user;
  s.all_teams = !ctx.principal.Is(core::Role::kLead);
  for (const core::Team& t : *teams)
    if (s.all_teams ||
        std::find(user.team_ids.begin(), user.team_ids.end(), t.id) != user.team_ids.end())
      s.teams.push_back(t);
  std::sort(s.teams.begin(), s.teams.end(),
            [](const core::Team& a, const core::Team& b) { return a.name < b.name; });

  if (auto team = ctx.Query("team"); team && !team->empty()) {
    const auto id = ParsePositiveInt(*team);
    if (!id) return Refusal{400, "dash_bad_team", "team"};
    const bool exists =
        std::any_of(teams->begin(), teams->end(), [&](const core::Team& t) { return t.id == *id; });
    if (!exists) return Refusal{404, "dash_bad_team", "team"};
    const bool allowed = std::any_of(s.teams.begin(), s.teams.end(),
                                     [&](const core::Team& t) { return t.id == *id; });
    if (!allowed) return Refusal{403, "dash_not_your_team", "team"};
    s.team_id = id;
  }
  s.query.from = s.from;
  s.query.to = s.to;
  if (s.team_id) {
    s.query.scope_team_ids = std::vector<core::Id>{*s.team_id};
  } else if (!s.all_teams) {
    std::vector<core::Id> ids;
    for (const core::Team& t : s.teams) ids.push_back(t.id);
    s.query.scope_team_ids = std::move(ids);
  }
  return s;
}

// --- Tables ----------------------------------------------------------------------------------

// One cell: what the page shows, and what the CSV file holds (a plain number where there is
// one: no unit, no thousands separator, a dot for decimals).
struct Cell {
  std::string text;
  std::string value;
};

Cell Count(std::int64_t n) { return {std::to_string(n), std::to_string(n)}; }
Cell Label(std::string text) { return {text, text}; }

// A table of the dashboard: its first column heads each row.
struct Table {
  std::string slug;  // its CSV file: /agent/tableau-de-bord/<slug>.csv
  std::string caption;
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  std::string chart;  // how dashboard.js draws it: "days", "bars" or none
  int chart_column = 1;
};

// "12,5 %" / "12.5%", one decimal; "—" when there is nothing to divide.
Cell Share(const std::string& lang, std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return {"—", ""};
  const double percent = std::round(1000.0 * static_cast<double>(part) / whole) / 10.0;
  std::string number = std::to_string(percent);
  number = number.substr(0, number.find('.') + 2);
  std::string shown = number;
  if (lang == "fr") std::replace(shown.begin(), shown.end(), '.', ',');
  return {shown + (lang == "fr" ? "\u00a0%" : "%"), number};
}

// A duration for people ("3 h 05 min", "2 j 4 h"), and in hours with one decimal for the file.
Cell Duration(const std::string& lang, std::optional<Millis> ms) {
  if (!ms) return {"—", ""};
  const std::int64_t minutes = (*ms + 30'000) / 60'000;
  const std::int64_t days = minutes / (24 * 60), hours = minutes / 60 % 24, rest = minutes % 60;
  std::string text;
  if (days > 0) {
    text = std::to_string(days) + " " + Text(lang, "dash_unit_day") + " " + std::to_string(hours) +
           " h";
  } else if (hours > 0) {
    text = std::to_string(hours) + " h " + (rest < 10 ? "0" : "") + std::to_string(rest) + " min";
  } else {
    text = std::to_string(rest) + " min";
  }
  const std::int64_t tenths = (*ms + 180'000) / 360'000;  // hours, one decimal
  return {text, std::to_string(tenths / 10) + "." + std::to_string(tenths % 10)};
}

std::string TeamName(const std::string& lang, const std::vector<core::Team>& teams,
                     std::optional<core::Id> id) {
  if (!id) return Text(lang, "dash_no_team");
  for (const core::Team& t : teams)
    if (t.id == *id) return t.name;
  return "#" + std::to_string(*id);
}

constexpr core::RequestStatus kBacklogStatuses[] = {
    core::RequestStatus::kNew, core::RequestStatus::kOpen, core::RequestStatus::kPendingCitizen,
    core::RequestStatus::kPendingThirdParty};

std::vector<Table> Tables(const std::string& lang, const Selection& s,
                          const std::vector<core::Team>& all_teams,
                          const storage::DashboardReport& r) {
  std::vector<Table> out;
  const std::string created = Text(lang, "dash_col_created");

  Table days{"volumes-par-jour",
             Text(lang, "dash_table_days"),
             {Text(lang, "dash_col_day"), created},
             {},
             "days"};
  for (const auto& [day, n] : r.created_per_day)
    days.rows.push_back({Label(DayText(day)), Count(n)});
  out.push_back(std::move(days));

  // Every team in the selection, then any other that has requests (moved since, no team).
  std::vector<std::optional<core::Id>> team_rows;
  for (const core::Team& t : s.teams)
    if (!s.team_id || t.id == *s.team_id) team_rows.push_back(t.id);
  auto add_team = [&](std::optional<core::Id> id) {
    if (std::find(team_rows.begin(), team_rows.end(), id) == team_rows.end())
      team_rows.push_back(id);
  };
  for (const auto& [id, n] : r.created_per_team) add_team(id);
  for (const auto& b : r.backlog) add_team(b.team_id);

  Table teams{"volumes-par-equipe",
              Text(lang, "dash_table_teams"),
              {Text(lang, "dash_col_team"), created},
              {},
              "bars"};
  for (const auto& id : team_rows) {
    auto it = r.created_per_team.find(id);
    teams.rows.push_back({Label(TeamName(lang, all_teams, id)),
                          Count(it == r.created_per_team.end() ? 0 : it->second)});
  }
  out.push_back(std::move(teams));

  Table channels{"volumes-par-canal",
                 Text(lang, "dash_table_channels"),
                 {Text(lang, "dash_col_channel"), created},
                 {},
                 "bars"};
  for (std::string_view name : core::ChannelNames()) {
    auto it = r.created_per_channel.find(*core::ParseChannel(name));
    channels.rows.push_back({Label(Text(lang, "dash_channel_" + std::string(name))),
                             Count(it == r.created_per_channel.end() ? 0 : it->second)});
  }
  out.push_back(std::move(channels));

  Table backlog{"stock",
                Text(lang, "dash_table_backlog"),
                {Text(lang, "dash_col_team")},
                {},
                "bars",
                static_cast<int>(std::size(kBacklogStatuses)) + 1};
  for (core::RequestStatus status : kBacklogStatuses)
    backlog.columns.push_back(Text(lang, "dash_status_" + std::string(core::ToString(status))));
  backlog.columns.push_back(Text(lang, "dash_col_total"));
  for (const auto& id : team_rows) {
    std::vector<Cell> row = {Label(TeamName(lang, all_teams, id))};
    std::int64_t total = 0;
    for (core::RequestStatus status : kBacklogStatuses) {
      std::int64_t n = 0;
      for (const auto& b : r.backlog)
        if (b.team_id == id && b.status == status) n += b.count;
      total += n;
      row.push_back(Count(n));
    }
    row.push_back(Count(total));
    backlog.rows.push_back(std::move(row));
  }
  out.push_back(std::move(backlog));

  Table sla{
      "delais",
      Text(lang, "dash_table_sla"),
      {Text(lang, "dash_col_target"), Text(lang, "dash_col_reached"),
       Text(lang, "dash_col_with_target"), Text(lang, "dash_col_met"),
       Text(lang, "dash_col_compliance"), Text(lang, "dash_col_median"), Text(lang, "dash_col_p90"),
       Text(lang, "dash_col_at_risk_now"), Text(lang, "dash_col_breached_now")},
      {},
      ""};
  const auto target_row = [&](const std::string& key, const storage::TargetReport& t,
                              std::int64_t at_risk, std::int64_t breached) {
    return std::vector<Cell>{Label(Text(lang, key)),
                             Count(t.reached),
                             Count(t.with_target),
                             Count(t.met),
                             Share(lang, t.met, t.with_target),
                             Duration(lang, t.median),
                             Duration(lang, t.p90),
                             Count(at_risk),
                             Count(breached)};
  };
  sla.rows.push_back(target_row("dash_first_reply", r.first_reply, r.running.first_reply_at_risk,
                                r.running.first_reply_breached));
  sla.rows.push_back(target_row("dash_resolution", r.resolution, r.running.resolution_at_risk,
                                r.running.resolution_breached));
  out.push_back(std::move(sla));

  Table ai{"ia",
           Text(lang, "dash_table_ai"),
           {Text(lang, "dash_col_feature"), Text(lang, "dash_col_accepted"),
            Text(lang, "dash_col_corrected"), Text(lang, "dash_col_ignored"),
            Text(lang, "dash_col_total"), Text(lang, "dash_col_acceptance")},
           {},
           ""};
  for (const storage::AiOutcomeCounts& a : r.ai) {
    const std::int64_t total = a.accepted + a.corrected + a.ignored;
    ai.rows.push_back({Label(Text(lang, "ai_feature_" + a.feature)), Count(a.accepted),
                       Count(a.corrected), Count(a.ignored), Count(total),
                       Share(lang, a.accepted, total)});
  }
  out.push_back(std::move(ai));
  return out;
}

// --- CSV ---------------------------------------------------------------------------------------

// One CSV field: a text a spreadsheet would take for a formula (starting with = + - @, a tab or
// a carriage return) gets a leading apostrophe, and a field with a comma, a quote or a line
// break is quoted (RFC 4180).
std::string CsvField(std::string value) {
  if (!value.empty() && std::string_view("=+-@\t\r").find(value[0]) != std::string_view::npos)
    value.insert(0, 1, '\'');
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + CsvField(fields[i]);
  return out + "\r\n";
}

// --- Handlers ----------------------------------------------------------------------------------

struct Loaded {
  Selection selection;
  storage::DashboardReport report;
  std::vector<Table> tables;
};

// The report for the reader, or the page to answer with.
std::variant<Loaded, HttpResponse> Load(HttpContext& ctx, const std::string& lang) {
  if (ctx.principal.anonymous()) return web::SeeOther("/agent/connexion?lang=" + lang);
  if (!ctx.principal.staff())
    return web::MessagePage(ctx, 403, "forbidden_title", "agent_staff_only");
  if (!MaySeeDashboard(ctx.principal))
    return web::MessagePage(ctx, 403, "forbidden_title", "dash_forbidden");
  auto selected = Select(ctx);
  if (auto* refused = std::get_if<Refusal>(&selected))
    return web::MessagePage(ctx, refused->status,
                            refused->status == 403   ? "forbidden_title"
                            : refused->status == 404 ? "not_found_title"
                                                     : "error_title",
                            refused->key);
  Loaded out{std::move(std::get<Selection>(selected)), {}, {}};
  auto report = ctx.store->reports().Dashboard(out.selection.query);
  auto teams = ctx.store->ListTeams();
  if (!report.ok() || !teams.ok()) return web::MessagePage(ctx, 503, "error_title", "error_text");
  out.report = std::move(report).value();
  out.tables = Tables(lang, out.selection, *teams, out.report);
  return out;
}

// The query of the current selection ("from=…&to=…&team=…&lang=…") for links.
std::string SelectionQuery(const Selection& s, const std::string& lang) {
  std::string q = "from=" + DayText(s.from) + "&to=" + DayText(s.to - kDayMillis);
  if (s.team_id) q += "&team=" + std::to_string(*s.team_id);
  return q + "&lang=" + lang;
}

HttpResponse ShowDashboard(HttpContext& ctx) {
  const std::string lang = web::PageLanguage(ctx);
  auto loaded = Load(ctx, lang);
  if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
  const auto& [s, r, tables] = std::get<Loaded>(loaded);
  const std::string query = SelectionQuery(s, lang);

  json out_tables = json::array();
  for (const Table& t : tables) {
    json columns = json::array();
    for (std::size_t i = 1; i < t.columns.size(); ++i) columns.push_back(t.columns[i]);
    json rows = json::array();
    for (const auto& row : t.rows) {
      json cells = json::array();
      for (std::size_t i = 1; i < row.size(); ++i)
        cells.push_back({{"text", row[i].text}, {"value", row[i].value}});
      rows.push_back({{"head", row[0].text}, {"cells", cells}});
    }
    out_tables.push_back({{"slug", t.slug},
                          {"caption", t.caption},
                          {"first_column", t.columns[0]},
                          {"columns", columns},
                          {"rows", rows},
                          {"chart", t.chart},
                          {"chart_column", std::to_string(t.chart_column)},
                          {"csv_url", "/agent/tableau-de-bord/" + t.slug + ".csv?" + query}});
  }

  // Headline figures.
  std::int64_t reviewed = 0, accepted = 0;
  for (const storage::AiOutcomeCounts& a : r.ai) {
    reviewed += a.accepted + a.corrected + a.ignored;
    accepted += a.accepted;
  }
  const json headlines = json::array(
      {{{"label", Text(lang, "dash_head_created")}, {"value", std::to_string(r.created)}},
       {{"label", Text(lang, "dash_head_backlog")}, {"value", std::to_string(r.backlog_total)}},
       {{"label", Text(lang, "dash_head_first_reply_met")},
        {"value", Share(lang, r.first_reply.met, r.first_reply.with_target).text}},
       {{"label", Text(lang, "dash_head_resolution_met")},
        {"value", Share(lang, r.resolution.met, r.resolution.with_target).text}},
       {{"label", Text(lang, "dash_head_first_reply_median")},
        {"value", Duration(lang, r.first_reply.median).text}},
       {{"label", Text(lang, "dash_head_resolution_median")},
        {"value", Duration(lang, r.resolution.median).text}},
       {{"label", Text(lang, "dash_head_ai_acceptance")},
        {"value", Share(lang, accepted, reviewed).text}}});
  json teams = json::array();
  for (const core::Team& t : s.teams)
    teams.push_back({{"id", std::to_string(t.id)},
                     {"name", t.name},
                     {"selected", s.team_id && *s.team_id == t.id}});
  const std::string period_text = Text(lang, "dash_period_from") + " " + DayText(s.from) + " " +
                                  Text(lang, "dash_period_to") + " " + DayText(s.to - kDayMillis);
  Page page("dashboard", Text(lang, "dash_title"));
  page.data = {{"from", DayText(s.from)},
               {"to", DayText(s.to - kDayMillis)},
               {"period_text", period_text},
               {"teams", teams},
               {"all_teams", s.all_teams},
               {"team_choice", s.all_teams || s.teams.size() > 1},
               {"no_team_selected", !s.team_id},
               {"headlines", headlines},
               {"tables", out_tables}};
  return web::RenderPage(ctx, std::move(page));
}

HttpResponse DashboardCsv(HttpContext& ctx) {
  const std::string lang = web::PageLanguage(ctx);
  auto loaded = Load(ctx, lang);
  if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
  const Loaded& l = std::get<Loaded>(loaded);
  const Selection& s = l.selection;
  const std::string file = ctx.path_params["table"];
  for (const Table& t : l.tables) {
    if (file != t.slug + ".csv") continue;
    HttpResponse r;
    r.content_type = "text/csv; charset=utf-8";
    r.body = "\xEF\xBB\xBF" + CsvLine(t.columns);  // the mark tells spreadsheets it is UTF-8
    for (const auto& row : t.rows) {
      std::vector<std::string> fields;
      for (const Cell& c : row) fields.push_back(c.value);
      r.body += CsvLine(fields);
    }
    std::string name =
        "guichet-" + t.slug + "-" + DayText(s.from) + "-" + DayText(s.to - kDayMillis);
    if (s.team_id) name += "-equipe-" + std::to_string(*s.team_id);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
    return r;
  }
  return web::MessagePage(ctx, 404, "not_found_title", "not_found_text");
}

// --- The same figures as JSON ------------------------------------------------------------------

json Minutes(std::optional<Millis> ms) {
  return ms ? json(std::round(static_cast<double>(*ms) / 6000.0) / 10.0) : json(nullptr);
}

json Rate(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? json(std::round(10000.0 * static_cast<double>(part) / whole) / 10000.0)
                   : json(nullptr);
}

json TargetJson(const storage::TargetReport& t, std::int64_t at_risk, std::int64_t breached) {
  return {{"reached", t.reached},
          {"with_target", t.with_target},
          {"met", t.met},
          {"compliance", Rate(t.met, t.with_target)},
          {"median_minutes", Minutes(t.median)},
          {"p90_minutes", Minutes(t.p90)},
          {"at_risk_now", at_risk},
          {"breached_now", breached}};
}

HttpResponse DashboardJson(HttpContext& ctx) {
  if (auto denied = RequireRole(ctx, {core::Role::kLead, core::Role::kAdmin, core::Role::kAuditor}))
    return *denied;
  if (auto unknown = UnknownQueryParams(ctx, {"from", "to", "team"}); !unknown.empty())
    return QueryProblem(unknown);
  auto selected = Select(ctx);
  if (auto* refused = std::get_if<Refusal>(&selected)) {
    const std::string detail = Text("en", refused->key);
    if (refused->status == 400) return QueryProblem({{refused->field, detail}});
    if (refused->status == 403) return ForbiddenProblem(detail);
    if (refused->status == 404) return NotFoundProblem(detail);
    return ProblemFor(Unavailable("the database is unavailable"));
  }
  const Selection& s = std::get<Selection>(selected);
  auto report = ctx.store->reports().Dashboard(s.query);
  if (!report.ok()) return ProblemFor(report.status());
  const storage::DashboardReport& r = *report;
  json per_day = json::array(), per_team = json::array(), per_channel = json::array();
  for (const auto& [day, n] : r.created_per_day)
    per_day.push_back({{"day", DayText(day)}, {"count", n}});
  for (const auto& [team, n] : r.created_per_team)
    per_team.push_back({{"team_id", team ? json(*team) : json(nullptr)}, {"count", n}});
  for (const auto& [channel, n] : r.created_per_channel)
    per_channel.push_back({{"channel", std::string(core::ToString(channel))}, {"count", n}});
  json backlog = json::array();
  for (const storage::BacklogCount& b : r.backlog)
    backlog.push_back({{"team_id", b.team_id ? json(*b.team_id) : json(nullptr)},
                       {"status", std::string(core::ToString(b.status))},
                       {"count", b.count}});
  json ai = json::array();
  for (const storage::AiOutcomeCounts& a : r.ai)
    ai.push_back({{"feature", a.feature},
                  {"accepted", a.accepted},
                  {"corrected", a.corrected},
                  {"ignored", a.ignored},
                  {"acceptance", Rate(a.accepted, a.accepted + a.corrected + a.ignored)}});
  return Json(200, {{"from", DayText(s.from)},
                    {"to", DayText(s.to - kDayMillis)},
                    {"team_id", s.team_id ? json(*s.team_id) : json(nullptr)},
                    {"as_of", FormatIso8601(r.now)},
                    {"created",
                     {{"total", r.created},
                      {"per_day", per_day},
                      {"per_team", per_team},
                      {"per_channel", per_channel}}},
                    {"backlog", {{"total", r.backlog_total}, {"items", backlog}}},
                    {"first_reply", TargetJson(r.first_reply, r.running.first_reply_at_risk,
                                               r.running.first_reply_breached)},
                    {"resolution", TargetJson(r.resolution, r.running.resolution_at_risk,
                                              r.running.resolution_breached)},
                    {"ai", ai}});
}

}  // namespace

void AddDashboardRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/agent/tableau-de-bord", BodyKind::kNone, ShowDashboard});
  routes.push_back({"GET", "/agent/tableau-de-bord/{table}", BodyKind::kNone, DashboardCsv});
  routes.push_back({"GET", "/api/v1/reports/dashboard", BodyKind::kNone, DashboardJson});
}

}  // namespace guichet::server
