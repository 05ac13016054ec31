// SqlStore: the Store implementation shared by both backends, built on internal::SqlDb: every
// public method runs in one transaction through SqlDb::Tx, which retries on lock timeouts and
// serialization failures; writes share their transaction with concurrent ones (group commit).
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/crypto.h"
#include "common/log.h"
#include "common/text.h"
#include "common/words.h"
#include "storage/migrations.h"
#include "storage/sql_ai.h"
#include "storage/sql_automations.h"
#include "storage/sql_db.h"
#include "storage/sql_jobs.h"
#include "storage/sql_kb.h"
#include "storage/sql_reports.h"
#include "storage/sql_sla.h"
#include "storage/store.h"

namespace guichet::storage {
namespace {

using internal::AsDouble;
using internal::AsInt;
using internal::AsText;
using internal::Blob;
using internal::Created;
using internal::Dialect;
using internal::Diff;
using internal::IsNull;
using internal::json;
using internal::OptId;
using internal::OptJson;
using internal::Params;
using internal::Placeholders;
using internal::Row;
using internal::SqlConnection;
using internal::SqlValue;
using internal::ToOptId;
using internal::Unit;

constexpr char kRequestColumns[] =
    "id, reference, subject, description, channel, language, category_id, team_id, assignee_id, "
    "citizen_id, created_by, priority, status, tags, location_lat, location_lon, "
    "location_address, custom_fields, created_at, updated_at, first_reply_at, resolved_at, "
    "version, sla_policy_id, first_reply_due_at, first_reply_warn_at, resolution_due_at, "
    "resolution_warn_at, sla_paused_at, sla_paused_business_ms, sla_paused_wall_ms, "
    "status_changed_at";

std::map<std::string, std::string> ParseStringMap(const std::string& text) {
  std::map<std::string, std::string> out;
  const json j = json::parse(text, nullptr, false);
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it->is_string()) out[it.key()] = it->get<std::string>();
    }
  }
  return out;
}

std::vector<std::string> ParseStringList(const std::string& text) {
  std::vector<std::string> out;
  const json j = json::parse(text, nullptr, false);
  if (j.is_array()) {
    for (const auto& v : j) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

core::Request RowToRequest(const Row& r) {
  core::Request q;
  q.id = AsInt(r[0]);
  q.reference = AsText(r[1]);
  q.subject = AsText(r[2]);
  q.description = AsText(r[3]);
  q.channel = core::ParseChannel(AsText(r[4])).value_or(core::Channel::kWeb);
  q.language = AsText(r[5]);
  q.category_id = ToOptId(r[6]);
  q.team_id = ToOptId(r[7]);
  q.assignee_id = ToOptId(r[8]);
  q.citizen_id = ToOptId(r[9]);
  q.created_by = ToOptId(r[10]);
  q.priority = core::ParsePriority(AsText(r[11])).value_or(core::Priority::kNormal);
  q.status = core::ParseRequestStatus(AsText(r[12])).value_or(core::RequestStatus::kNew);
  q.tags = ParseStringList(AsText(r[13]));
  if (!IsNull(r[14]) || !IsNull(r[16])) {
    core::Location loc;
    if (!IsNull(r[14])) loc.lat = AsDouble(r[14]);
    if (!IsNull(r[15])) loc.lon = AsDouble(r[15]);
    loc.address = AsText(r[16]);
    q.location = loc;
  }
  q.custom_fields = ParseStringMap(AsText(r[17]));
  q.created_at = AsInt(r[18]);
  q.updated_at = AsInt(r[19]);
  if (!IsNull(r[20])) q.first_reply_at = AsInt(r[20]);
  if (!IsNull(r[21])) q.resolved_at = AsInt(r[21]);
  q.version = AsInt(r[22]);
  auto opt_millis = [](const SqlValue& v) {
    return IsNull(v) ? std::nullopt : std::optional<Millis>(AsInt(v));
  };
  q.sla.policy_id = ToOptId(r[23]);
  q.sla.first_reply_due_at = opt_millis(r[24]);
  q.sla.first_reply_warn_at = opt_millis(r[25]);
  q.sla.resolution_due_at = opt_millis(r[26]);
  q.sla.resolution_warn_at = opt_millis(r[27]);
  q.sla.paused_at = opt_millis(r[28]);
  q.sla.paused_business_ms = AsInt(r[29]);
  q.sla.paused_wall_ms = AsInt(r[30]);
  q.status_changed_at = AsInt(r[31]);
  return q;
}

// The audited view of a request: every field an agent can see, as JSON.
json RequestToAuditJson(const core::Request& q) {
  json j = {{"reference", q.reference},
            {"subject", q.subject},
            {"description", q.description},
            {"channel", core::ToString(q.channel)},
            {"language", q.language},
            {"category_id", OptJson(q.category_id)},
            {"team_id", OptJson(q.team_id)},
            {"assignee_id", OptJson(q.assignee_id)},
            {"citizen_id", OptJson(q.citizen_id)},
            {"priority", core::ToString(q.priority)},
            {"status", core::ToString(q.status)},
            {"tags", q.tags},
            {"custom_fields", q.custom_fields}};
  // Deadlines are consequences of the fields above, audited so that a changed due time shows.
  if (q.sla.policy_id) {
    auto iso = [](const std::optional<Millis>& t) { return t ? json(FormatIso8601(*t)) : json(); };
    j["sla_policy_id"] = *q.sla.policy_id;
    j["first_reply_due_at"] = iso(q.sla.first_reply_due_at);
    j["resolution_due_at"] = iso(q.sla.resolution_due_at);
  }
  if (q.location) {
    j["location"] = {{"lat", q.location->lat ? json(*q.location->lat) : json(nullptr)},
                     {"lon", q.location->lon ? json(*q.location->lon) : json(nullptr)},
                     {"address", q.location->address}};
  }
  return j;
}

// FTS5 query from free text: each word quoted (so no FTS syntax leaks in) and prefix-matched.
std::string Fts5Query(std::string_view text) {
  std::string out, word;
  auto flush = [&] {
    if (!word.empty()) {
      if (!out.empty()) out += ' ';
      out += '"' + word + "\"*";
      word.clear();
    }
  };
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80 || std::isalnum(u)) {
      word += c;
    } else {
      flush();
    }
  }
  flush();
  return out;
}

// The words of a request that tell it apart, for finding similar ones: at least four letters
// or digits, not among the commonest, the longest ten; each as folded (SQLite's index folds
// accents) and as written (PostgreSQL's French configuration keeps them). Words are letters
// and digits only, so no query syntax can leak into either backend's query.
struct DistinctiveWord {
  std::string folded, written;
};
std::vector<DistinctiveWord> DistinctiveWords(std::string_view text) {
  static const std::set<std::string> kCommon = {
      "avec", "dans", "pour", "sont",    "vous",  "nous",   "leur",  "cette", "mais",
      "plus", "tout", "tres", "bonjour", "merci", "depuis", "faire", "suis",  "avoir",
      "etre", "that", "this", "with",    "from",  "have",   "please"};
  std::vector<DistinctiveWord> words;
  for (const WordSpan& w : WordSpans(text, 400)) {
    if (Utf8Length(w.folded) < 4 || kCommon.count(w.folded) > 0 ||
        std::any_of(words.begin(), words.end(),
                    [&](const DistinctiveWord& d) { return d.folded == w.folded; }))
      continue;
    words.push_back({w.folded, std::string(text.substr(w.begin, w.end - w.begin))});
  }
  std::stable_sort(words.begin(), words.end(),
                   [](const auto& a, const auto& b) { return a.folded.size() > b.folded.size(); });
  if (words.size() > 10) words.resize(10);
  return words;
}

// SQLite: the requests created in this transaction enter the full-text index, all in one
// statement just before COMMIT (see migration 0006_deferred_search_index).
Status IndexNewRequests(SqlConnection& c) {
  GUICHET_ASSIGN_OR_RETURN(auto pending,
                           c.Query("SELECT EXISTS (SELECT 1 FROM requests_fts_pending)", {}));
  if (AsInt(pending[0][0]) == 0) return Status::Ok();
  GUICHET_RETURN_IF_ERROR(
      c.Query("INSERT INTO requests_fts (rowid, subject, description) "
              "SELECT r.id, r.subject, r.description FROM requests_fts_pending p "
              "JOIN requests r ON r.id = p.id",
              {})
          .status());
  return c.Query("DELETE FROM requests_fts_pending", {}).status();
}

class SqlStore final : public Store {
 public:
  SqlStore(Dialect dialect, std::unique_ptr<internal::ConnectionPool> pool, const Clock* clock)
      : db_(dialect, std::move(pool), clock),
        sla_(db_),
        jobs_(db_),
        automations_(db_),
        ai_(db_),
        kb_(db_),
        reports_(db_) {
    if (dialect == Dialect::kSqlite) db_.SetBeforeCommit(IndexNewRequests);
  }

  SlaStore& sla() override { return sla_; }
  AiStore& ai() override { return ai_; }
  AutomationStore& automations() override { return automations_; }
  KbStore& kb() override { return kb_; }
  ReportStore& reports() override { return reports_; }

  std::string_view backend() const override {
    return db_.dialect() == Dialect::kSqlite ? "sqlite" : "postgresql";
  }

  PoolStats pool_stats() override {
    const auto [open, idle] = db_.pool().Counts();
    return {db_.pool().size(), open, idle};
  }

  Result<int> Migrate() override {
    const auto& migrations = db_.dialect() == Dialect::kSqlite ? internal::SqliteMigrations()
                                                               : internal::PostgresMigrations();
    return db_.TxAlone<int>(true, [&](SqlConnection& c) -> Result<int> {
      if (db_.dialect() == Dialect::kPostgres) {
        // Several nodes may start at once: one migrates, the others wait and find it done.
        GUICHET_RETURN_IF_ERROR(c.ExecScript("SELECT pg_advisory_xact_lock(7170001)"));
      }
      GUICHET_RETURN_IF_ERROR(
          c.ExecScript("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                       "name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
      GUICHET_ASSIGN_OR_RETURN(
          auto rows, c.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {}));
      const std::int64_t current = AsInt(rows[0][0]);
      int applied = 0;
      for (const auto& m : migrations) {
        if (m.version <= current) continue;
        LogEvent(LogLevel::kInfo, "migration_applied", {{"name", std::string(m.name)}});
        GUICHET_RETURN_IF_ERROR(c.ExecScript(m.sql));
        GUICHET_ASSIGN_OR_RETURN(
            auto ignored,
            c.Query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    {std::int64_t{m.version}, std::string(m.name), db_.clock().Now()}));
        ++applied;
      }
      return applied;
    });
  }

  Status Ping() override {
    auto r = db_.Tx<Unit>(false, [](SqlConnection& c) -> Result<Unit> {
      GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT 1", {}));
      return Unit{};
    });
    return r.status();
  }

  // --- Directory -----------------------------------------------------------------------------

  Result<core::Team> CreateTeam(const std::string& name, const Actor& actor) override {
    if (Trim(name).empty() || !IsValidUtf8(name) || Utf8Length(name) > core::kMaxName)
      return InvalidArgument("a team name must be 1 to 200 characters of valid UTF-8");
    return db_.Tx<core::Team>(true, [&](SqlConnection& c) -> Result<core::Team> {
      GUICHET_ASSIGN_OR_RETURN(
          auto rows, c.Query("INSERT INTO teams (name, created_at) VALUES (?, ?) RETURNING id",
                             {name, db_.clock().Now()}));
      core::Team team{AsInt(rows[0][0]), name};
      GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "team.create", "team", team.id, std::nullopt,
                                        Created({{"name", name}})));
      return team;
    });
  }

  Result<std::vector<core::Team>> ListTeams() override {
    return db_.Tx<std::vector<core::Team>>(
        false, [](SqlConnection& c) -> Result<std::vector<core::Team>> {
          GUICHET_ASSIGN_OR_RETURN(auto rows,
                                   c.Query("SELECT id, name FROM teams ORDER BY id", {}));
          std::vector<core::Team> out;
          for (const Row& r : rows) out.push_back({AsInt(r[0]), AsText(r[1])});
          return out;
        });
  }

  Result<core::Team> GetTeam(Id id) override {
    return FindTeam("SELECT id, name FROM teams WHERE id = ?", id, "team " + std::to_string(id));
  }
  Result<core::Team> FindTeamByName(const std::string& name) override {
    return FindTeam("SELECT id, name FROM teams WHERE name = ?", name, "team \"" + name + "\"");
  }

  Result<core::Category> CreateCategory(const core::Category& category,
                                        const Actor& actor) override {
    if (Trim(category.slug).empty() || category.slug.size() > 64)
      return InvalidArgument("a category slug must be 1 to 64 characters");
    for (char ch : category.slug) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_')
        return InvalidArgument("a category slug may contain only letters, digits, - and _");
    }
    if (Trim(category.name).empty() || !IsValidUtf8(category.name) ||
        Utf8Length(category.name) > core::kMaxName)
      return InvalidArgument("a category name must be 1 to 200 characters of valid UTF-8");
    return db_.Tx<core::Category>(true, [&](SqlConnection& c) -> Result<core::Category> {
      if (category.default_team_id)
        GUICHET_RETURN_IF_ERROR(CheckTeam(c, *category.default_team_id));
      GUICHET_ASSIGN_OR_RETURN(
          auto rows, c.Query("INSERT INTO categories (slug, name, default_team_id, created_at) "
                             "VALUES (?, ?, ?, ?) RETURNING id",
                             {category.slug, category.name, OptId(category.default_team_id),
                              db_.clock().Now()}));
      core::Category out = category;
      out.id = AsInt(rows[0][0]);
      GUICHET_RETURN_IF_ERROR(
          db_.Audit(c, actor, "category.create", "category", out.id, std::nullopt,
                    Created({{"slug", out.slug},
                             {"name", out.name},
                             {"default_team_id", OptJson(out.default_team_id)}})));
      return out;
    });
  }

  Result<std::vector<core::Category>> ListCategories() override {
    return db_.Tx<std::vector<core::Category>>(
        false, [](SqlConnection& c) -> Result<std::vector<core::Category>> {
          GUICHET_ASSIGN_OR_RETURN(
              auto rows,
              c.Query("SELECT id, slug, name, default_team_id FROM categories ORDER BY id", {}));
          std::vector<core::Category> out;
          for (const Row& r : rows) out.push_back(RowToCategory(r));
          return out;
        });
  }

  Result<core::Category> GetCategory(Id id) override {
    return FindCategory("id = ?", id, "category " + std::to_string(id));
  }
  Result<core::Category> FindCategoryBySlug(const std::string& slug) override {
    return FindCategory("slug = ?", slug, "category \"" + slug + "\"");
  }

  Result<core::User> CreateUser(const core::NewUser& input, const Actor& actor) override {
    const std::string email = AsciiLower(Trim(input.email));
    core::NewUser normalised = input;
    normalised.email = email;
    const auto errors = core::ValidateNewUser(normalised);
    if (!errors.empty()) return InvalidArgument(errors[0].field + " " + errors[0].reason);
    return db_.Tx<core::User>(true, [&](SqlConnection& c) -> Result<core::User> {
      const Millis now = db_.clock().Now();
      std::optional<Id> citizen_id;
      if (input.role == core::Role::kCitizen) {
        GUICHET_ASSIGN_OR_RETURN(
            auto rows, c.Query("INSERT INTO citizens (name, email, created_at) VALUES (?, ?, ?) "
                               "RETURNING id",
                               {input.display_name, email, now}));
        citizen_id = AsInt(rows[0][0]);
      }
      GUICHET_ASSIGN_OR_RETURN(
          auto rows,
          c.Query("INSERT INTO users (email, display_name, role, password_hash, citizen_id, "
                  "active, created_at) VALUES (?, ?, ?, ?, ?, 1, ?) RETURNING id",
                  {email, input.display_name, std::string(core::ToString(input.role)),
                   input.password_hash, OptId(citizen_id), now}));
      const Id id = AsInt(rows[0][0]);
      for (Id team : input.team_ids) {
        GUICHET_RETURN_IF_ERROR(CheckTeam(c, team));
        GUICHET_ASSIGN_OR_RETURN(
            auto ignored,
            c.Query("INSERT INTO user_teams (user_id, team_id) VALUES (?, ?)", {id, team}));
      }
      GUICHET_RETURN_IF_ERROR(
          db_.Audit(c, actor, "user.create", "user", id, std::nullopt,
                    Created({{"email", email},
                             {"display_name", input.display_name},
                             {"role", core::ToString(input.role)},
                             {"team_ids", input.team_ids},
                             {"password", input.password_hash.empty() ? "none" : "set"}})));
      return LoadUser(c, id);
    });
  }

  Result<core::User> UpdateUser(Id id, const UserChange& change, const Actor& actor) override {
    return db_.Tx<core::User>(true, [&](SqlConnection& c) -> Result<core::User> {
      GUICHET_ASSIGN_OR_RETURN(core::User before, LoadUser(c, id));
      json changes = json::object();
      if (change.role && *change.role != before.role) {
        if (*change.role == core::Role::kCitizen || before.role == core::Role::kCitizen)
          return FailedPrecondition(
              "a citizen account stays a citizen account, and staff stay staff");
        GUICHET_ASSIGN_OR_RETURN(auto ignored,
                                 c.Query("UPDATE users SET role = ? WHERE id = ?",
                                         {std::string(core::ToString(*change.role)), id}));
        changes["role"] = {{"before", core::ToString(before.role)},
                           {"after", core::ToString(*change.role)}};
      }
      if (change.team_ids) {
        std::vector<Id> teams = *change.team_ids;
        std::sort(teams.begin(), teams.end());
        teams.erase(std::unique(teams.begin(), teams.end()), teams.end());
        if (teams != before.team_ids) {
          for (Id team : teams) GUICHET_RETURN_IF_ERROR(CheckTeam(c, team));
          GUICHET_ASSIGN_OR_RETURN(auto removed,
                                   c.Query("DELETE FROM user_teams WHERE user_id = ?", {id}));
          for (Id team : teams) {
            GUICHET_ASSIGN_OR_RETURN(
                auto added,
                c.Query("INSERT INTO user_teams (user_id, team_id) VALUES (?, ?)", {id, team}));
          }
          changes["team_ids"] = {{"before", before.team_ids}, {"after", teams}};
        }
      }
      if (change.active && *change.active != before.active) {
        GUICHET_ASSIGN_OR_RETURN(auto ignored, c.Query("UPDATE users SET active = ? WHERE id = ?",
                                                       {std::int64_t{*change.active ? 1 : 0}, id}));
        changes["active"] = {{"before", before.active}, {"after", *change.active}};
      }
      if (changes.empty()) return before;
      GUICHET_RETURN_IF_ERROR(
          db_.Audit(c, actor, "user.update", "user", id, std::nullopt, changes));
      return LoadUser(c, id);
    });
  }

  Result<core::User> GetUser(Id id) override {
    return db_.Tx<core::User>(false, [&](SqlConnection& c) { return LoadUser(c, id); });
  }

  Result<UserCredentials> FindUserByEmail(const std::string& email) override {
    const std::string key = AsciiLower(Trim(email));
    return db_.Tx<UserCredentials>(false, [&](SqlConnection& c) -> Result<UserCredentials> {
      GUICHET_ASSIGN_OR_RETURN(
          auto rows, c.Query("SELECT id, password_hash FROM users WHERE email = ?", {key}));
      if (rows.empty()) return NotFound("no user with this e-mail");
      GUICHET_ASSIGN_OR_RETURN(auto user, LoadUser(c, AsInt(rows[0][0])));
      return UserCredentials{std::move(user), AsText(rows[0][1])};
    });
  }

  Result<std::vector<core::User>> ListUsers() override {
    return db_.Tx<std::vector<core::User>>(
        false, [&](SqlConnection& c) -> Result<std::vector<core::User>> {
          GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id FROM users ORDER BY id", {}));
          std::vector<core::User> out;
          for (const Row& r : rows) {
            GUICHET_ASSIGN_OR_RETURN(auto user, LoadUser(c, AsInt(r[0])));
            out.push_back(std::move(user));
          }
          return out;
        });
  }

  Result<core::Citizen> GetCitizen(Id id) override {
    return db_.Read<core::Citizen>([&](SqlConnection& c) -> Result<core::Citizen> {
      GUICHET_ASSIGN_OR_RETURN(
          auto rows,
          c.Query("SELECT id, name, email, phone, language FROM citizens WHERE id = ?", {id}));
      if (rows.empty()) return NotFound("citizen " + std::to_string(id) + " does not exist");
      const Row& r = rows[0];
      return core::Citizen{AsInt(r[0]), AsText(r[1]), AsText(r[2]), AsText(r[3]), AsText(r[4])};
    });
  }

  Result<std::map<Id, core::Citizen>> GetCitizens(const std::vector<Id>& ids) override {
    std::vector<Id> unique = ids;
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    if (unique.empty()) return std::map<Id, core::Citizen>{};
    return db_.Read<std::map<Id, core::Citizen>>(
        [&](SqlConnection& c) -> Result<std::map<Id, core::Citizen>> {
          std::map<Id, core::Citizen> out;
          // In chunks, so that the statement text (and its cache entry) stays small and reused.
          constexpr size_t kChunk = 32;
          for (size_t at = 0; at < unique.size(); at += kChunk) {
            const size_t n = std::min(kChunk, unique.size() - at);
            Params params(unique.begin() + static_cast<std::ptrdiff_t>(at),
                          unique.begin() + static_cast<std::ptrdiff_t>(at + n));
            GUICHET_ASSIGN_OR_RETURN(
                auto rows,
                c.Query("SELECT id, name, email, phone, language FROM citizens WHERE id IN (" +
                            Placeholders(n) + ")",
                        params));
            for (const Row& r : rows) {
              out[AsInt(r[0])] = core::Citizen{AsInt(r[0]), AsText(r[1]), AsText(r[2]),
                                               AsText(r[3]), AsText(r[4])};
            }
          }
          return out;
        });
  }

  // --- Authentication ------------------------------------------------------------------------

  Status CreateSession(const Session& s) override {
    return db_
        .Tx<Unit>(
            true,
            [&](SqlConnection& c) -> Result<Unit> {
              // Expired sessions of this user are swept here rather than by a background job.
              GUICHET_ASSIGN_OR_RETURN(
                  auto swept, c.Query("DELETE FROM sessions WHERE user_id = ? AND expires_at < ?",
                                      {s.user_id, db_.clock().Now()}));
              GUICHET_ASSIGN_OR_RETURN(
                  auto rows,
                  c.Query("INSERT INTO sessions (token_hash, user_id, csrf_token, "
                          "created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                          {s.token_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at}));
              return Unit{};
            })
        .status();
  }

  Result<Session> FindSession(const std::string& token_hash) override {
    return db_.Read<Session>([&](SqlConnection& c) -> Result<Session> {
      GUICHET_ASSIGN_OR_RETURN(
          auto rows, c.Query("SELECT token_hash, user_id, csrf_token, created_at, expires_at "
                             "FROM sessions WHERE token_hash = ?",
                             {token_hash}));
      if (rows.empty()) return NotFound("no such session");
      const Row& r = rows[0];
      return Session{AsText(r[0]), AsInt(r[1]), AsText(r[2]), AsInt(r[3]), AsInt(r[4])};
    });
  }

  Status DeleteSession(const std::string& token_hash) override {
    return db_
        .Tx<Unit>(true,
                  [&](SqlConnection& c) -> Result<Unit> {
                    GUICHET_ASSIGN_OR_RETURN(
                        auto rows,
                        c.Query("DELETE FROM sessions WHERE token_hash = ?", {token_hash}));
                    return Unit{};
                  })
        .status();
  }

  Result<ApiToken> CreateApiToken(Id user_id, const std::string& name,
                                  const std::string& token_hash, const Actor& actor) override {
    if (!IsValidUtf8(name) || Utf8Length(name) > core::kMaxName)
      return InvalidArgument("a token name must be at most 200 characters of valid UTF-8");
    return db_.Tx<ApiToken>(true, [&](SqlConnection& c) -> Result<ApiToken> {
      GUICHET_ASSIGN_OR_RETURN(auto user, LoadUser(c, user_id));
      const Millis now = db_.clock().Now();
      GUICHET_ASSIGN_OR_RETURN(
          auto rows, c.Query("INSERT INTO api_tokens (user_id, name, token_hash, created_at) "
                             "VALUES (?, ?, ?, ?) RETURNING id",
                             {user.id, name, token_hash, now}));
      ApiToken token{AsInt(rows[0][0]), user.id, name, now};
      GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "api_token.create", "api_token", token.id,
                                        std::nullopt,
                                        Created({{"user_id", user.id}, {"name", name}})));
      return token;
    });
  }

  Result<LoginFailures> RecordLoginFailure(const std::string& key, Millis now,
                                           Millis window) override {
    return db_.Tx<LoginFailures>(true, [&](SqlConnection& c) -> Result<LoginFailures> {
      GUICHET_ASSIGN_OR_RETURN(
          auto rows,
          c.Query("INSERT INTO login_failures (key, failures, last_failure_at) VALUES (?, 1, ?) "
                  "ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN "
                  "login_failures.last_failure_at < ? THEN 1 ELSE login_failures.failures + 1 "
                  "END, last_failure_at = excluded.last_failure_at "
                  "RETURNING failures, last_failure_at",
                  {key, now, now - window}));
      return LoginFailures{AsInt(rows[0][0]), AsInt(rows[0][1])};
    });
  }

  Result<LoginFailures> GetLoginFailures(const std::string& key) override {
    return db_.Tx<LoginFailures>(false, [&](SqlConnection& c) -> Result<LoginFailures> {
      GUICHET_ASSIGN_OR_RETURN(
          auto rows,
          c.Query("SELECT failures, last_failure_at FROM login_failures WHERE key = ?", {key}));
      if (rows.empty()) return LoginFailures{};
      return LoginFailures{AsInt(rows[0][0]), AsInt(rows[0][1])};
    });
  }

  Status ClearLoginFailures(const std::string& key) override {
    return db_
        .Tx<Unit>(true,
                  [&](SqlConnection& c) -> Result<Unit> {
                    GUICHET_ASSIGN_OR_RETURN(
                        auto rows, c.Query("DELETE FROM login_failures WHERE key = ?", {key}));
                    return Unit{};
                  })
        .status();
  }

  Result<core::User> FindUserByTokenHash(const std::string& token_hash) override {
    return db_.Tx<core::User>(false, [&](SqlConnection& c) -> Result<core::User> {
      GUICHET_ASSIGN_OR_RETURN(auto rows,
                               c.Query("SELECT user_id FROM api_tokens WHERE token_hash = ? AND "
                                       "revoked_at IS NULL",
                                       {token_hash}));
      if (rows.empty()) return NotFound("no such token");
      return LoadUser(c, AsInt(rows[0][0]));
    });
  }

  // --- Requests ------------------------------------------------------------------------------

  Result<core::Request> CreateRequest(const core::NewRequest& in, const std::string& secret_hash,
                                      const Actor& actor) override {
    const auto errors = core::ValidateNewRequest(in);
    if (!errors.empty()) return InvalidArgument(errors[0].field + " " + errors[0].reason);
    return db_.Tx<core::Request>(
        true, [&](SqlConnection& c) { return InsertRequest(c, in, secret_hash, actor); });
  }

  void CreateRequestAsync(const core::NewRequest& in, const std::string& secret_hash,
                          const Actor& actor,
                          std::function<void(Result<core::Request>)> done) override {
    const auto errors = core::ValidateNewRequest(in);
    if (!errors.empty()) return done(InvalidArgument(errors[0].field + " " + errors[0].reason));
    db_.TxAsync<core::Request>(
        [this, in, secret_hash, actor](SqlConnection& c) {
          return InsertRequest(c, in, secret_hash, actor);
        },
        std::move(done), /*shares_config=*/true);  // a create changes no configuration
  }

  // The body of CreateRequest, inside its write transaction.
  Result<core::Request> InsertRequest(SqlConnection& c, const core::NewRequest& in,
                                      const std::string& secret_hash, const Actor& actor) {
    const Millis now = db_.clock().Now();
    std::optional<Id> team_id = in.team_id;
    if (in.category_id) {
      GUICHET_ASSIGN_OR_RETURN(auto category, LoadCategory(c, *in.category_id));
      if (!team_id) team_id = category.default_team_id;
    }
    if (team_id) GUICHET_RETURN_IF_ERROR(CheckTeam(c, *team_id));
    std::optional<Id> citizen_id = in.citizen_id;
    // On PostgreSQL a new citizen is inserted by the request's own statement (a round trip
    // fewer); the rules and SLA below do not look at the citizen.
    std::string new_citizen_cte;
    Params new_citizen;
    if (citizen_id) {
      GUICHET_ASSIGN_OR_RETURN(auto found,
                               c.Query("SELECT id FROM citizens WHERE id = ?", {*citizen_id}));
      if (found.empty())
        return InvalidArgument("citizen " + std::to_string(*citizen_id) + " does not exist");
    } else if (in.citizen && !(in.citizen->name.empty() && in.citizen->email.empty() &&
                               in.citizen->phone.empty())) {
      const std::string insert =
          "INSERT INTO citizens (name, email, phone, language, created_at) "
          "VALUES (?, ?, ?, ?, ?) RETURNING id";
      new_citizen = {in.citizen->name, AsciiLower(in.citizen->email), in.citizen->phone,
                     in.citizen->language, now};
      if (db_.dialect() == Dialect::kPostgres) {
        new_citizen_cte = "WITH new_citizen AS (" + insert + ") ";
      } else {
        GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(insert, new_citizen));
        citizen_id = AsInt(rows[0][0]);
        new_citizen.clear();
      }
    }
    const int year = YearOf(now);
    GUICHET_ASSIGN_OR_RETURN(const std::int64_t number, db_.NextReferenceNumber(c, year));
    const std::string reference = core::FormatReference(year, number);
    // The request as submitted; the create triggers may change its routing fields before
    // it is written, and its SLA follows from the result.
    core::Request draft;
    draft.reference = reference;
    draft.subject = in.subject;
    draft.description = in.description;
    draft.channel = in.channel;
    draft.language = in.language;
    draft.category_id = in.category_id;
    draft.team_id = team_id;
    draft.citizen_id = citizen_id;
    draft.priority = in.priority;
    draft.tags = in.tags;
    draft.created_at = draft.updated_at = draft.status_changed_at = now;
    const core::Request submitted = draft;
    GUICHET_ASSIGN_OR_RETURN(auto firings, automations_.RunTriggers(c, true, draft, now));
    StatusBookkeeping(submitted, draft, now);  // a trigger may have moved the status
    GUICHET_RETURN_IF_ERROR(sla_.Apply(c, nullptr, draft, now));
    const core::RequestSla& sla = draft.sla;
    const auto& loc = in.location;
    Params params = new_citizen;
    params.insert(params.end(),
                  {reference, secret_hash, in.subject, in.description,
                   std::string(core::ToString(in.channel)), in.language, OptId(in.category_id),
                   OptId(draft.team_id), OptId(draft.assignee_id)});
    if (new_citizen_cte.empty()) params.push_back(OptId(citizen_id));
    const std::string citizen_value =
        new_citizen_cte.empty() ? "?" : "(SELECT id FROM new_citizen)";
    params.insert(
        params.end(),
        {OptId(actor.user_id), std::string(core::ToString(draft.priority)),
         std::string(core::ToString(draft.status)), json(draft.tags).dump(),
         loc && loc->lat ? SqlValue(*loc->lat) : SqlValue(),
         loc && loc->lon ? SqlValue(*loc->lon) : SqlValue(),
         loc ? SqlValue(loc->address) : SqlValue(), json(in.custom_fields).dump(), now, now, now,
         OptId(draft.resolved_at), OptId(sla.policy_id), OptId(sla.first_reply_due_at),
         OptId(sla.first_reply_warn_at), OptId(sla.resolution_due_at),
         OptId(sla.resolution_warn_at), OptId(sla.paused_at)});
    GUICHET_ASSIGN_OR_RETURN(
        auto rows,
        c.Query(new_citizen_cte +
                    "INSERT INTO requests (reference, secret_hash, subject, description, "
                    "channel, language, category_id, team_id, assignee_id, citizen_id, "
                    "created_by, priority, status, tags, location_lat, location_lon, "
                    "location_address, custom_fields, created_at, updated_at, "
                    "status_changed_at, resolved_at, version, sla_policy_id, "
                    "first_reply_due_at, first_reply_warn_at, resolution_due_at, "
                    "resolution_warn_at, sla_paused_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, " +
                    citizen_value +
                    ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) RETURNING " +
                    std::string(kRequestColumns),
                params));
    // The stored row as it was inserted (RETURNING), without reading it back.
    core::Request created = RowToRequest(rows[0]);
    const Id id = created.id;
    GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "request.create", "request", id, id,
                                      Created(RequestToAuditJson(created))));
    GUICHET_RETURN_IF_ERROR(ai_.RecordSuggestions(c, id, in.ai_suggestions, actor));
    if (!firings.empty()) {
      GUICHET_RETURN_IF_ERROR(automations_.RecordFirings(c, created, firings));
      GUICHET_ASSIGN_OR_RETURN(created, LoadRequest(c, id, false));
    }
    return created;
  }

  Result<AiReviewResult> ReviewAiDecision(Id decision_id, const AiReview& review,
                                          const Actor& actor) override {
    const std::string& outcome = review.outcome;
    if (outcome != "accepted" && outcome != "corrected" && outcome != "ignored")
      return InvalidArgument("outcome must be accepted, corrected or ignored");
    return db_.Tx<AiReviewResult>(true, [&](SqlConnection& c) -> Result<AiReviewResult> {
      GUICHET_ASSIGN_OR_RETURN(const AiDecision decision, ai_.LoadDecision(c, decision_id));
      if (decision.outcome != "pending")
        return FailedPrecondition("AI decision " + std::to_string(decision_id) +
                                  " was already reviewed (" + decision.outcome + ")");
      const std::string_view field = AiCorrectionField(decision.suggestion.feature);
      const bool on_priority = field == "priority";
      const bool on_language = field == "language";
      const bool on_category = field == "category";
      const int named = review.priority.has_value() + review.language.has_value() +
                        review.category_id.has_value();
      const bool names_right = on_priority   ? review.priority.has_value()
                               : on_language ? review.language.has_value()
                                             : review.category_id.has_value();
      if (named != (outcome == "corrected" ? 1 : 0) || (named == 1 && !names_right))
        return InvalidArgument("a correction, and only a correction, names the right " +
                               std::string(field));
      if (review.language && !core::IsValidLanguageTag(*review.language))
        return InvalidArgument("language must be a tag like fr, en or pt-BR");
      if (outcome == "accepted" && !decision.suggestion.output)
        return FailedPrecondition("the model abstained: there is nothing to accept");
      GUICHET_ASSIGN_OR_RETURN(core::Request request, LoadRequest(c, decision.request_id, true));
      // What the verdict sets on the request, if anything, and the value it records.
      core::Request after = request;
      std::optional<std::string> value =
          outcome == "accepted" ? decision.suggestion.output : std::nullopt;
      const bool apply =
          outcome == "corrected" || (outcome == "accepted" && !decision.suggestion.applied);
      if (apply && on_priority) {
        const auto p = outcome == "corrected" ? review.priority : core::ParsePriority(*value);
        if (!p) return FailedPrecondition("the suggestion \"" + *value + "\" is not a priority");
        after.priority = *p;
        value = std::string(core::ToString(*p));
      } else if (apply && on_language) {
        after.language = outcome == "corrected" ? *review.language : *value;
        value = after.language;
      } else if (apply && on_category) {
        std::optional<Id> category_id = review.category_id;
        if (!category_id) {
          GUICHET_ASSIGN_OR_RETURN(auto rows,
                                   c.Query("SELECT id FROM categories WHERE slug = ?", {*value}));
          if (rows.empty())
            return FailedPrecondition("the suggestion \"" + *value + "\" is not a category");
          category_id = AsInt(rows[0][0]);
        }
        GUICHET_ASSIGN_OR_RETURN(auto category, LoadCategory(c, *category_id));
        after.category_id = category.id;
        if (category.default_team_id) after.team_id = category.default_team_id;
        value = category.slug;
      }
      if (after.category_id != request.category_id || after.team_id != request.team_id ||
          after.priority != request.priority || after.language != request.language) {
        if (!review.expected_version)
          return InvalidArgument("the request's version is needed to change it");
        if (request.version != *review.expected_version)
          return Conflict("request " + std::to_string(request.id) + " is at version " +
                          std::to_string(request.version) + ", the review was made on version " +
                          std::to_string(*review.expected_version));
        GUICHET_ASSIGN_OR_RETURN(request, WriteChange(c, request, std::move(after), actor, {}));
      }
      GUICHET_RETURN_IF_ERROR(
          ai_.WriteReview(c, decision, outcome, value, review.reviewer_id, actor));
      GUICHET_ASSIGN_OR_RETURN(AiDecision reviewed, ai_.LoadDecision(c, decision_id));
      return AiReviewResult{std::move(reviewed), std::move(request)};
    });
  }

  Result<core::Request> GetRequest(Id id) override {
    return db_.Read<core::Request>([&](SqlConnection& c) { return LoadRequest(c, id, false); });
  }

  Result<core::Request> FindRequestByReferenceAndSecret(const std::string& reference,
                                                        const std::string& secret_hash) override {
    return db_.Read<core::Request>([&](SqlConnection& c) -> Result<core::Request> {
      GUICHET_ASSIGN_OR_RETURN(auto rows,
                               c.Query(std::string("SELECT ") + kRequestColumns +
                                           ", secret_hash FROM requests WHERE reference = ?",
                                       {reference}));
      if (rows.empty() || !ConstantTimeEquals(AsText(rows[0].back()), secret_hash))
        return NotFound("no request with this reference and secret");
      return RowToRequest(rows[0]);
    });
  }

  Result<std::vector<SimilarRequest>> SimilarRequests(Id id, int limit) override {
    if (limit < 1 || limit > 50) return InvalidArgument("limit must be between 1 and 50");
    GUICHET_ASSIGN_OR_RETURN(const core::Request request, GetRequest(id));
    const std::vector<DistinctiveWord> words =
        DistinctiveWords(request.subject + "\n" + request.description);
    return db_.Read<std::vector<SimilarRequest>>(
        [&](SqlConnection& c) -> Result<std::vector<SimilarRequest>> {
          std::vector<std::pair<Id, std::string>> found;  // id, reason
          if (request.citizen_id) {
            GUICHET_ASSIGN_OR_RETURN(
                auto rows, c.Query("SELECT id FROM requests WHERE citizen_id = ? AND id <> ? "
                                   "ORDER BY id DESC LIMIT ?",
                                   {*request.citizen_id, id, std::int64_t{limit}}));
            for (const auto& r : rows) found.emplace_back(AsInt(r[0]), "same_citizen");
          }
          if (!words.empty() && static_cast<int>(found.size()) < limit) {
            std::string query, sql;
            const std::string separator = db_.dialect() == Dialect::kSqlite ? " OR " : " | ";
            for (const DistinctiveWord& w : words)
              query += (query.empty() ? "" : separator) + (db_.dialect() == Dialect::kSqlite
                                                               ? '"' + w.folded + '"'
                                                               : "'" + w.written + "'");
            if (db_.dialect() == Dialect::kSqlite) {
              sql =
                  "SELECT rowid FROM requests_fts WHERE requests_fts MATCH ? AND rowid <> ? "
                  "ORDER BY rank LIMIT ?";
            } else {
              sql =
                  "SELECT id FROM requests, to_tsquery('french', ?) q WHERE search @@ q AND "
                  "id <> ? ORDER BY ts_rank(search, q) DESC, id DESC LIMIT ?";
            }
            GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(sql, {query, id, std::int64_t{limit} * 2}));
            for (const auto& r : rows) {
              const Id other = AsInt(r[0]);
              if (std::none_of(found.begin(), found.end(),
                               [&](const auto& f) { return f.first == other; }))
                found.emplace_back(other, "similar_text");
            }
          }
          std::vector<SimilarRequest> out;
          for (const auto& [other, reason] : found) {
            if (static_cast<int>(out.size()) == limit) break;
            GUICHET_ASSIGN_OR_RETURN(core::Request r, LoadRequest(c, other, false));
            out.push_back({std::move(r), reason});
          }
          return out;
        });
  }

  Result<RequestPage> ListRequests(const RequestFilter& f, const PageSpec& page) override {
    std::string sql = std::string("SELECT ") + kRequestColumns + " FROM requests WHERE 1 = 1";
    Params params;
    if (!f.statuses.empty()) {
      sql += " AND status IN (" + Placeholders(f.statuses.size()) + ")";
      for (auto s : f.statuses) params.push_back(std::string(core::ToString(s)));
    }
    AddEquals(sql, params, "team_id", f.team_id);
    AddEquals(sql, params, "assignee_id", f.assignee_id);
    AddEquals(sql, params, "category_id", f.category_id);
    if (f.unassigned) sql += " AND assignee_id IS NULL";
    if (f.priority) {
      sql += " AND priority = ?";
      params.push_back(std::string(core::ToString(*f.priority)));
    }
    if (f.channel) {
      sql += " AND channel = ?";
      params.push_back(std::string(core::ToString(*f.channel)));
    }
    if (f.created_from) {
      sql += " AND created_at >= ?";
      params.push_back(*f.created_from);
    }
    if (f.created_to) {
      sql += " AND created_at < ?";
      params.push_back(*f.created_to);
    }
    if (!Trim(f.text).empty()) {
      if (db_.dialect() == Dialect::kSqlite) {
        const std::string query = Fts5Query(f.text);
        if (!query.empty()) {
          sql += " AND id IN (SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?)";
          params.push_back(query);
        }
      } else {
        sql += " AND search @@ plainto_tsquery('french', ?)";
        params.push_back(f.text);
      }
    }
    if (f.to_triage) sql += " AND category_id IS NULL AND status NOT IN ('resolved', 'closed')";
    if (f.sla != SlaFilter::kAny) {
      // Running targets only: not reached, request not resolved or closed, clocks not stopped.
      const std::string breached =
          "((first_reply_at IS NULL AND first_reply_due_at <= ?) OR resolution_due_at <= ?)";
      const Millis now = db_.clock().Now();
      sql += " AND resolved_at IS NULL AND sla_paused_at IS NULL AND ";
      if (f.sla == SlaFilter::kBreached) {
        sql += breached;
        params.insert(params.end(), {now, now});
      } else {
        sql +=
            "((first_reply_at IS NULL AND first_reply_warn_at <= ?) OR "
            "resolution_warn_at <= ?) AND NOT " +
            breached;
        params.insert(params.end(), {now, now, now, now});
      }
    }
    if (f.scope_team_ids) {
      if (f.scope_team_ids->empty()) {
        sql += " AND 1 = 0";
      } else {
        sql += " AND team_id IN (" + Placeholders(f.scope_team_ids->size()) + ")";
        for (Id t : *f.scope_team_ids) params.push_back(t);
      }
    }
    AddEquals(sql, params, "citizen_id", f.scope_citizen_id);
    AddEquals(sql, params, "id <", page.after_id, "");
    const int limit = std::clamp(page.limit, 1, 500);
    sql += " ORDER BY id DESC LIMIT ?";
    params.push_back(std::int64_t{limit + 1});
    return db_.Read<RequestPage>([&](SqlConnection& c) -> Result<RequestPage> {
      GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      RequestPage out;
      for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(limit); ++i)
        out.items.push_back(RowToRequest(rows[i]));
      if (rows.size() > static_cast<size_t>(limit)) out.next_after_id = out.items.back().id;
      return out;
    });
  }

  Result<core::Request> UpdateRequest(Id id, std::int64_t expected_version,
                                      const core::RequestPatch& p, const Actor& actor) override {
    const auto errors = core::ValidatePatch(p);
    if (!errors.empty()) return InvalidArgument(errors[0].field + " " + errors[0].reason);
    return db_.Tx<core::Request>(true, [&](SqlConnection& c) -> Result<core::Request> {
      GUICHET_ASSIGN_OR_RETURN(const core::Request before, LoadRequest(c, id, true));
      if (before.version != expected_version) {
        return Conflict("request " + std::to_string(id) +
                        " was changed by someone else: it is at "
                        "version " +
                        std::to_string(before.version) +
                        ", the change was made on "
                        "version " +
                        std::to_string(expected_version));
      }
      core::Request after = before;
      if (p.subject) after.subject = *p.subject;
      if (p.description) after.description = *p.description;
      if (p.language) after.language = *p.language;
      if (p.clear_category) after.category_id.reset();
      if (p.category_id) {
        GUICHET_ASSIGN_OR_RETURN(auto category, LoadCategory(c, *p.category_id));
        after.category_id = category.id;
      }
      if (p.clear_team) after.team_id.reset();
      if (p.team_id) {
        GUICHET_RETURN_IF_ERROR(CheckTeam(c, *p.team_id));
        after.team_id = p.team_id;
      }
      if (p.clear_assignee) after.assignee_id.reset();
      if (p.assignee_id) {
        GUICHET_ASSIGN_OR_RETURN(auto assignee, LoadUser(c, *p.assignee_id));
        if (!core::IsStaff(assignee.role) || assignee.role == core::Role::kAuditor ||
            !assignee.active)
          return InvalidArgument("user " + std::to_string(assignee.id) +
                                 " cannot be assigned requests");
        after.assignee_id = assignee.id;
      }
      if (p.priority) after.priority = *p.priority;
      if (p.tags) after.tags = *p.tags;
      if (p.custom_fields) after.custom_fields = *p.custom_fields;
      if (p.status && *p.status != before.status) {
        if (!core::CanTransition(before.status, *p.status)) {
          return FailedPrecondition("a request cannot move from " +
                                    std::string(core::ToString(before.status)) + " to " +
                                    std::string(core::ToString(*p.status)));
        }
        after.status = *p.status;
      }
      return WriteChange(c, before, std::move(after), actor, {});
    });
  }

  Result<core::Request> ApplyMacro(Id request_id, std::int64_t expected_version, Id macro_id,
                                   const std::string& agent_name, const Actor& actor) override {
    return db_.Tx<core::Request>(true, [&](SqlConnection& c) -> Result<core::Request> {
      GUICHET_ASSIGN_OR_RETURN(const core::Request before, LoadRequest(c, request_id, true));
      if (before.version != expected_version)
        return Conflict("request " + std::to_string(request_id) + " is at version " +
                        std::to_string(before.version) + ", the macro was applied on version " +
                        std::to_string(expected_version));
      GUICHET_ASSIGN_OR_RETURN(const Macro macro, automations_.LoadMacro(c, macro_id));
      if (!macro.active) return FailedPrecondition("macro \"" + macro.name + "\" is inactive");
      GUICHET_ASSIGN_OR_RETURN(auto values, automations_.PlaceholderValues(c, before, agent_name));
      json messages = json::array();
      core::Request current = before;
      auto write = [&](const std::map<std::string, std::string>& texts,
                       core::Visibility visibility) -> Status {
        core::NewMessage m;
        m.visibility = visibility;
        m.author_name = agent_name;
        m.body = automation::Render(automation::PickText(texts, before.language), values);
        if (const auto errors = core::ValidateNewMessage(m); !errors.empty())
          return InvalidArgument("the macro's text " + errors[0].reason);
        GUICHET_ASSIGN_OR_RETURN(auto message, WriteMessage(db_, c, current, m, true, actor));
        if (visibility == core::Visibility::kPublic && !current.first_reply_at)
          current.first_reply_at = message.created_at;
        messages.push_back(message.id);
        return Status::Ok();
      };
      if (!macro.texts.empty())
        GUICHET_RETURN_IF_ERROR(write(macro.texts, core::Visibility::kPublic));
      for (const auto& a : macro.actions)
        if (a.type == automation::ActionType::kAddNote)
          GUICHET_RETURN_IF_ERROR(write(a.texts, core::Visibility::kInternal));
      GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "macro.apply", "macro", macro.id, request_id,
                                        {{"macro", macro.name}, {"messages", messages}}));
      core::Request after = current;
      std::vector<std::string> skipped;
      automation::ApplyFieldActions(macro.actions, after, skipped);
      if (!skipped.empty()) return FailedPrecondition("the macro cannot apply: " + skipped[0]);
      // The messages already bumped updated_at; the version moves with the field changes, or
      // once for the messages alone.
      GUICHET_ASSIGN_OR_RETURN(auto changed, WriteChange(c, current, std::move(after), actor, {}));
      if (changed.version == before.version) {
        GUICHET_ASSIGN_OR_RETURN(
            auto bumped,
            c.Query("UPDATE requests SET version = version + 1 WHERE id = ?", {request_id}));
        return LoadRequest(c, request_id, false);
      }
      return changed;
    });
  }

  Result<ScheduledRun> RunScheduledAutomations(int max_requests) override {
    const Millis now = db_.clock().Now();
    GUICHET_ASSIGN_OR_RETURN(auto rules,
                             db_.Tx<std::vector<Automation>>(false, [&](SqlConnection& c) {
                               return automations_.LoadActive(c, AutomationKind::kScheduled);
                             }));
    ScheduledRun run;
    for (const Automation& rule : rules) {
      if (run.examined >= max_requests) break;
      GUICHET_ASSIGN_OR_RETURN(auto candidates,
                               ScheduledCandidates(rule, now, max_requests - run.examined));
      for (const Id id : candidates) {
        ++run.examined;
        GUICHET_ASSIGN_OR_RETURN(const bool fired, RunScheduledOn(rule, id, now));
        if (fired) ++run.fired;
      }
    }
    return run;
  }

  Result<core::Message> AddMessage(Id request_id, const core::NewMessage& m, bool from_staff,
                                   const Actor& actor) override {
    const auto errors = core::ValidateNewMessage(m);
    if (!errors.empty()) return InvalidArgument(errors[0].field + " " + errors[0].reason);
    return db_.Tx<core::Message>(true, [&](SqlConnection& c) -> Result<core::Message> {
      GUICHET_ASSIGN_OR_RETURN(const core::Request request, LoadRequest(c, request_id, true));
      return internal::WriteMessage(db_, c, request, m, from_staff, actor);
    });
  }

  Result<std::vector<core::Message>> ListMessages(Id request_id, bool include_internal) override {
    return db_.Tx<std::vector<core::Message>>(
        false, [&](SqlConnection& c) -> Result<std::vector<core::Message>> {
          GUICHET_ASSIGN_OR_RETURN(
              auto rows,
              c.Query(std::string("SELECT id, request_id, visibility, author_user_id, "
                                  "author_name, channel, body, created_at FROM messages "
                                  "WHERE request_id = ?") +
                          (include_internal ? "" : " AND visibility = 'public'") + " ORDER BY id",
                      {request_id}));
          std::vector<core::Message> out;
          for (const Row& r : rows) {
            out.push_back(
                {AsInt(r[0]), AsInt(r[1]),
                 core::ParseVisibility(AsText(r[2])).value_or(core::Visibility::kInternal),
                 ToOptId(r[3]), AsText(r[4]),
                 core::ParseChannel(AsText(r[5])).value_or(core::Channel::kWeb), AsText(r[6]),
                 AsInt(r[7])});
          }
          return out;
        });
  }

  Result<AttachmentMeta> AddAttachment(const AttachmentMeta& meta, const std::string& content,
                                       const Actor& actor) override {
    // Both go into the audit entry's JSON, which must be valid UTF-8.
    if (!IsValidUtf8(meta.filename) || !IsValidUtf8(meta.content_type))
      return InvalidArgument("an attachment's file name and content type must be valid UTF-8");
    return db_.Tx<AttachmentMeta>(true, [&](SqlConnection& c) -> Result<AttachmentMeta> {
      GUICHET_ASSIGN_OR_RETURN(auto request, LoadRequest(c, meta.request_id, false));
      AttachmentMeta out = meta;
      out.size = static_cast<std::int64_t>(content.size());
      out.sha256 = Sha256Hex(content);
      out.created_at = db_.clock().Now();
      GUICHET_ASSIGN_OR_RETURN(
          auto rows,
          c.Query("INSERT INTO attachments (request_id, message_id, filename, content_type, size, "
                  "sha256, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  {request.id, OptId(meta.message_id), out.filename, out.content_type, out.size,
                   out.sha256, Blob{content}, out.created_at}));
      out.id = AsInt(rows[0][0]);
      GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "attachment.create", "attachment", out.id,
                                        request.id,
                                        Created({{"filename", out.filename},
                                                 {"content_type", out.content_type},
                                                 {"size", out.size},
                                                 {"sha256", out.sha256}})));
      return out;
    });
  }

  Result<Attachment> GetAttachment(Id id) override {
    return db_.Tx<Attachment>(false, [&](SqlConnection& c) -> Result<Attachment> {
      GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kAttachmentColumns +
                                                      ", content FROM attachments WHERE id = ?",
                                                  {id}));
      if (rows.empty()) return NotFound("attachment " + std::to_string(id) + " does not exist");
      return Attachment{RowToAttachment(rows[0]), AsText(rows[0][8])};
    });
  }

  Result<std::vector<AttachmentMeta>> ListAttachments(Id request_id) override {
    return db_.Tx<std::vector<AttachmentMeta>>(
        false, [&](SqlConnection& c) -> Result<std::vector<AttachmentMeta>> {
          GUICHET_ASSIGN_OR_RETURN(auto rows,
                                   c.Query(std::string("SELECT ") + kAttachmentColumns +
                                               " FROM attachments WHERE request_id = ? ORDER BY id",
                                           {request_id}));
          std::vector<AttachmentMeta> out;
          for (const Row& r : rows) out.push_back(RowToAttachment(r));
          return out;
        });
  }

  // --- Audit ---------------------------------------------------------------------------------

  Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& q) override {
    std::string sql = std::string("SELECT ") + kAuditColumns + " FROM audit_log WHERE 1 = 1";
    Params params;
    AddEquals(sql, params, "request_id", q.request_id);
    AddEquals(sql, params, "id >", q.after_id, "");
    sql += " ORDER BY id LIMIT ?";
    params.push_back(std::int64_t{std::clamp(q.limit, 1, 1000)});
    return db_.Tx<std::vector<AuditEntry>>(
        false, [&](SqlConnection& c) -> Result<std::vector<AuditEntry>> {
          GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
          std::vector<AuditEntry> out;
          for (const Row& r : rows) out.push_back(RowToAudit(r));
          return out;
        });
  }

  Result<AuditVerification> VerifyAudit() override {
    return db_.Tx<AuditVerification>(false, [&](SqlConnection& c) -> Result<AuditVerification> {
      AuditVerification v;
      std::string prev;
      Id last_id = 0;
      for (;;) {
        GUICHET_ASSIGN_OR_RETURN(auto rows,
                                 c.Query(std::string("SELECT ") + kAuditColumns +
                                             " FROM audit_log WHERE id > ? ORDER BY id LIMIT 1000",
                                         {last_id}));
        if (rows.empty()) break;
        for (const Row& r : rows) {
          const AuditEntry e = RowToAudit(r);
          ++v.checked;
          if (e.prev_hash != prev) {
            return Broken(v, e.id,
                          "its link to the previous entry does not match (an entry "
                          "before it was removed or changed)");
          }
          if (internal::AuditHash(e.prev_hash, e.at, e.actor, e.action, e.entity, e.entity_id,
                                  e.request_id, e.changes_json) != e.hash) {
            return Broken(v, e.id, "its content does not match its hash (it was altered)");
          }
          prev = e.hash;
          last_id = e.id;
        }
      }
      GUICHET_ASSIGN_OR_RETURN(auto head, c.Query("SELECT last_id, last_hash FROM audit_head", {}));
      if (head.empty() || AsText(head[0][1]) != prev || AsInt(head[0][0]) != last_id) {
        return Broken(v, head.empty() ? last_id : AsInt(head[0][0]),
                      "the chain's recorded head is missing (the newest entries were removed)");
      }
      return v;
    });
  }

  // --- Operations ----------------------------------------------------------------------------

  Status BackupTo(const std::string& path) override {
    if (db_.dialect() == Dialect::kPostgres) {
      return FailedPrecondition(
          "guichet does not back up PostgreSQL itself; use its own tools with the same URL: "
          "pg_dump --format=custom --file FILE URL, and to restore "
          "pg_restore --clean --if-exists --dbname URL FILE");
    }
    // The copy holds one read snapshot on a pooled connection; writers carry on (WAL).
    GUICHET_ASSIGN_OR_RETURN(auto conn, db_.pool().Acquire());
    return conn->BackupTo(path);
  }

  // --- Background jobs -----------------------------------------------------------------------

  JobQueue& jobs() override { return jobs_; }

 private:
  static constexpr char kAttachmentColumns[] =
      "id, request_id, message_id, filename, content_type, size, sha256, created_at";
  static constexpr char kAuditColumns[] =
      "id, at, actor, action, entity, entity_id, request_id, changes, prev_hash, hash";

  static AuditVerification Broken(AuditVerification v, Id id, std::string reason) {
    v.ok = false;
    v.first_broken_id = id;
    v.reason = std::move(reason);
    return v;
  }

  static AttachmentMeta RowToAttachment(const Row& r) {
    return {AsInt(r[0]),  AsInt(r[1]), ToOptId(r[2]), AsText(r[3]),
            AsText(r[4]), AsInt(r[5]), AsText(r[6]),  AsInt(r[7])};
  }

  static AuditEntry RowToAudit(const Row& r) {
    return {AsInt(r[0]), AsInt(r[1]),   AsText(r[2]), AsText(r[3]), AsText(r[4]),
            AsInt(r[5]), ToOptId(r[6]), AsText(r[7]), AsText(r[8]), AsText(r[9])};
  }

  static core::Category RowToCategory(const Row& r) {
    return {AsInt(r[0]), AsText(r[1]), AsText(r[2]), ToOptId(r[3])};
  }

  // Appends " AND column = ?" (or another operator given in `column`) when `value` is set.
  static void AddEquals(std::string& sql, Params& params, const std::string& column,
                        const std::optional<Id>& value, const std::string& op = " =") {
    if (!value) return;
    sql += " AND " + column + op + " ?";
    params.push_back(*value);
  }

  // The status bookkeeping of a change: when the status began, and the resolution time —
  // closing ends the resolution clock too (a request closed unresolved, a duplicate or a
  // withdrawal, is done, not still running against its SLA); reopening clears it.
  static void StatusBookkeeping(const core::Request& before, core::Request& after, Millis now) {
    if (after.status == before.status) return;
    after.status_changed_at = now;
    if (after.status == core::RequestStatus::kResolved ||
        (after.status == core::RequestStatus::kClosed && !after.resolved_at))
      after.resolved_at = now;
    if (after.status == core::RequestStatus::kOpen) after.resolved_at.reset();
  }

  // Writes `after` over the locked row `before` (same version) as one change by `actor`: runs
  // the update triggers, keeps the SLA current, bumps the version, audits the change and then
  // `firings` and the triggers' firings. Returns `before` when nothing changes.
  Result<core::Request> WriteChange(SqlConnection& c, const core::Request& before,
                                    core::Request after, const Actor& actor,
                                    std::vector<internal::Firing> firings) {
    const Millis now = db_.clock().Now();
    StatusBookkeeping(before, after, now);
    if (Diff(RequestToAuditJson(before), RequestToAuditJson(after)).empty() && firings.empty())
      return before;  // nothing changes: no new version, no triggers
    GUICHET_ASSIGN_OR_RETURN(auto triggered, automations_.RunTriggers(c, false, after, now));
    StatusBookkeeping(before, after, now);
    firings.insert(firings.end(), triggered.begin(), triggered.end());
    GUICHET_RETURN_IF_ERROR(sla_.Apply(c, &before, after, now));
    const json changes = Diff(RequestToAuditJson(before), RequestToAuditJson(after));
    if (changes.empty() && firings.empty()) return before;
    GUICHET_ASSIGN_OR_RETURN(
        auto rows,
        c.Query("UPDATE requests SET subject = ?, description = ?, language = ?, "
                "category_id = ?, team_id = ?, assignee_id = ?, priority = ?, status = ?, "
                "tags = ?, custom_fields = ?, resolved_at = ?, updated_at = ?, "
                "status_changed_at = ?, sla_policy_id = ?, first_reply_due_at = ?, "
                "first_reply_warn_at = ?, resolution_due_at = ?, resolution_warn_at = ?, "
                "sla_paused_at = ?, sla_paused_business_ms = ?, sla_paused_wall_ms = ?, "
                "version = version + 1 WHERE id = ? AND version = ? RETURNING id",
                {after.subject,
                 after.description,
                 after.language,
                 OptId(after.category_id),
                 OptId(after.team_id),
                 OptId(after.assignee_id),
                 std::string(core::ToString(after.priority)),
                 std::string(core::ToString(after.status)),
                 json(after.tags).dump(),
                 json(after.custom_fields).dump(),
                 OptId(after.resolved_at),
                 now,
                 after.status_changed_at,
                 OptId(after.sla.policy_id),
                 OptId(after.sla.first_reply_due_at),
                 OptId(after.sla.first_reply_warn_at),
                 OptId(after.sla.resolution_due_at),
                 OptId(after.sla.resolution_warn_at),
                 OptId(after.sla.paused_at),
                 after.sla.paused_business_ms,
                 after.sla.paused_wall_ms,
                 before.id,
                 before.version}));
    if (rows.empty())
      return Conflict("request " + std::to_string(before.id) + " was changed meanwhile");
    if (!changes.empty())
      GUICHET_RETURN_IF_ERROR(
          db_.Audit(c, actor, "request.update", "request", before.id, before.id, changes));
    GUICHET_ASSIGN_OR_RETURN(auto written, LoadRequest(c, before.id, false));
    if (firings.empty()) return written;
    // Firings add messages, which move updated_at and maybe first_reply_at: read it again.
    GUICHET_RETURN_IF_ERROR(automations_.RecordFirings(c, written, firings));
    return LoadRequest(c, before.id, false);
  }

  // Requests a scheduled rule may fire on: in its statuses, old enough in them (or since their
  // last change), and not yet fired on in this status period. Oldest first.
  Result<std::vector<Id>> ScheduledCandidates(const Automation& rule, Millis now, int limit) {
    using automation::Field;
    using automation::Op;
    std::vector<std::string> statuses;
    std::string age_column = "status_changed_at";
    std::int64_t hours = 0;
    for (const auto& cond : rule.conditions) {
      if (cond.field == Field::kStatus && (cond.op == Op::kIs || cond.op == Op::kIn))
        statuses = cond.values;
      if ((cond.field == Field::kHoursInStatus || cond.field == Field::kHoursSinceUpdate) &&
          cond.op == Op::kAtLeast) {
        hours = cond.number;
        if (cond.field == Field::kHoursSinceUpdate) age_column = "updated_at";
      }
    }
    if (statuses.empty()) return std::vector<Id>{};
    Params params;
    for (const auto& st : statuses) params.push_back(st);
    params.insert(params.end(), {now - hours * 3600 * 1000, rule.id, std::int64_t{limit}});
    return db_.Tx<std::vector<Id>>(false, [&](SqlConnection& c) -> Result<std::vector<Id>> {
      GUICHET_ASSIGN_OR_RETURN(
          // "status_changed_at >= 0" (always true) lets the sweep use its partial index.
          auto rows, c.Query("SELECT id FROM requests r WHERE status IN (" +
                                 Placeholders(statuses.size()) + ") AND " + age_column +
                                 " <= ? AND status_changed_at >= 0 AND NOT EXISTS (SELECT 1 "
                                 "FROM automation_runs a WHERE "
                                 "a.automation_id = ? AND a.request_id = r.id AND "
                                 "a.status_changed_at = r.status_changed_at) ORDER BY id LIMIT ?",
                             params));
      std::vector<Id> ids;
      for (const Row& r : rows) ids.push_back(AsInt(r[0]));
      return ids;
    });
  }

  // Fires `rule` on request `id` if it still matches; one transaction. Whether it fired.
  Result<bool> RunScheduledOn(const Automation& rule, Id id, Millis now) {
    return db_.Tx<bool>(true, [&](SqlConnection& c) -> Result<bool> {
      GUICHET_ASSIGN_OR_RETURN(const core::Request before, LoadRequest(c, id, true));
      if (!automation::Matches(rule.conditions, before, now)) return false;
      GUICHET_ASSIGN_OR_RETURN(
          auto claimed,
          c.Query("INSERT INTO automation_runs (automation_id, request_id, status_changed_at, "
                  "at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING request_id",
                  {rule.id, id, before.status_changed_at, now}));
      if (claimed.empty()) return false;  // another node fired it first
      core::Request after = before;
      std::vector<std::string> skipped;
      automation::ApplyFieldActions(rule.actions, after, skipped);
      std::vector<internal::Firing> firings = {
          automations_.FiringOf(rule, before, after, std::move(skipped))};
      GUICHET_ASSIGN_OR_RETURN(
          auto written,
          WriteChange(c, before, std::move(after),
                      Actor::System("automation:" + std::to_string(rule.id)), std::move(firings)));
      return true;
    });
  }

  template <typename Key>
  Result<core::Team> FindTeam(const std::string& sql, const Key& key, const std::string& what) {
    return db_.Read<core::Team>([&](SqlConnection& c) -> Result<core::Team> {
      GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(sql, {key}));
      if (rows.empty()) return NotFound(what + " does not exist");
      return core::Team{AsInt(rows[0][0]), AsText(rows[0][1])};
    });
  }

  template <typename Key>
  Result<core::Category> FindCategory(const std::string& where, const Key& key,
                                      const std::string& what) {
    return db_.Read<core::Category>([&](SqlConnection& c) -> Result<core::Category> {
      GUICHET_ASSIGN_OR_RETURN(
          auto rows,
          c.Query("SELECT id, slug, name, default_team_id FROM categories WHERE " + where, {key}));
      if (rows.empty()) return NotFound(what + " does not exist");
      return RowToCategory(rows[0]);
    });
  }

  // Inside a transaction: referenced rows must exist, else a readable kInvalidArgument.
  Status CheckTeam(SqlConnection& c, Id id) {
    auto rows = c.Query("SELECT id FROM teams WHERE id = ?", {id});
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return InvalidArgument("team " + std::to_string(id) + " does not exist");
    return Status::Ok();
  }

  Result<core::Category> LoadCategory(SqlConnection& c, Id id) {
    GUICHET_ASSIGN_OR_RETURN(
        auto rows,
        c.Query("SELECT id, slug, name, default_team_id FROM categories WHERE id = ?", {id}));
    if (rows.empty()) return InvalidArgument("category " + std::to_string(id) + " does not exist");
    return RowToCategory(rows[0]);
  }

  Result<core::User> LoadUser(SqlConnection& c, Id id) {
    GUICHET_ASSIGN_OR_RETURN(
        auto rows, c.Query("SELECT id, email, display_name, role, citizen_id, active, created_at "
                           "FROM users WHERE id = ?",
                           {id}));
    if (rows.empty()) return NotFound("user " + std::to_string(id) + " does not exist");
    const Row& r = rows[0];
    core::User u;
    u.id = AsInt(r[0]);
    u.email = AsText(r[1]);
    u.display_name = AsText(r[2]);
    u.role = core::ParseRole(AsText(r[3])).value_or(core::Role::kCitizen);
    u.citizen_id = ToOptId(r[4]);
    u.active = AsInt(r[5]) != 0;
    u.created_at = AsInt(r[6]);
    GUICHET_ASSIGN_OR_RETURN(
        auto teams,
        c.Query("SELECT team_id FROM user_teams WHERE user_id = ? ORDER BY team_id", {id}));
    for (const Row& t : teams) u.team_ids.push_back(AsInt(t[0]));
    return u;
  }

  Result<core::Request> LoadRequest(SqlConnection& c, Id id, bool for_update) {
    GUICHET_ASSIGN_OR_RETURN(
        auto rows, c.Query(std::string("SELECT ") + kRequestColumns +
                               " FROM requests WHERE id = ?" + (for_update ? db_.ForUpdate() : ""),
                           {id}));
    if (rows.empty()) return NotFound("request " + std::to_string(id) + " does not exist");
    return RowToRequest(rows[0]);
  }

  internal::SqlDb db_;
  internal::SqlSla sla_;
  internal::SqlJobQueue jobs_;  // built on db_
  internal::SqlAutomations automations_;
  internal::SqlAi ai_;
  internal::SqlKb kb_;
  internal::SqlReports reports_;
};

const SystemClock kSystemClock;

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options) {
  const Clock* clock = options.clock ? options.clock : &kSystemClock;
  const std::string u(url);
  if (u.rfind("sqlite:", 0) == 0) {
    std::string path = u.substr(7);
    if (path.empty())
      return InvalidArgument("sqlite: URL needs a file path, e.g. sqlite:guichet.db");
    // Each connection to ":memory:" would be a separate database: keep one.
    const int size = path == ":memory:" ? 1 : std::max(1, options.pool_size);
    auto pool = std::make_unique<internal::ConnectionPool>(
        [path] { return internal::OpenSqliteConnection(path); }, size);
    { GUICHET_ASSIGN_OR_RETURN(auto probe, pool->Acquire()); }
    return std::unique_ptr<Store>(new SqlStore(Dialect::kSqlite, std::move(pool), clock));
  }
  if (u.rfind("postgresql://", 0) == 0 || u.rfind("postgres://", 0) == 0) {
    auto pool = std::make_unique<internal::ConnectionPool>(
        [u] { return internal::OpenPostgresConnection(u); }, std::max(1, options.pool_size));
    { GUICHET_ASSIGN_OR_RETURN(auto probe, pool->Acquire()); }
    return std::unique_ptr<Store>(new SqlStore(Dialect::kPostgres, std::move(pool), clock));
  }
  return InvalidArgument("unknown database URL; use sqlite:PATH or postgresql://…");
}

}  // namespace guichet::storage
