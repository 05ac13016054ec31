// Store: the one narrow interface to Guichet's persistent state, with two backends, SQLite
// (embedded, default) and PostgreSQL (multi-node). Both are built on the same SQL, so they give
// the same answers; the storage tests run every case on both.
//
// Contract for every method:
//   * each call is one transaction: it commits whole or changes nothing;
//   * every change appends field-level before/after entries to the hash-chained audit log in
//     that same transaction;
//   * not-found → kNotFound; a taken unique key → kAlreadyExists; a stale version → kConflict;
//     a forbidden status move → kFailedPrecondition; the database unreachable → kUnavailable;
//   * errors never carry SQL text or file paths.
// Thread-safety: a Store is safe to share between threads (it owns a connection pool).
// Permissions are the caller's job (the server); the Store only scopes lists when asked.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "core/model.h"
#include "storage/ai_store.h"
#include "storage/automation_store.h"
#include "storage/kb_store.h"
#include "storage/report_store.h"
#include "storage/sla_store.h"

namespace guichet::storage {

using core::Id;

class JobQueue;  // storage/jobs.h

// Who makes a change, as written into the audit log ("user:12", "citizen-link", "cli", "demo").
struct Actor {
  std::optional<Id> user_id;
  std::string label;
  static Actor User(Id id) { return {id, "user:" + std::to_string(id)}; }
  static Actor System(std::string label) { return {std::nullopt, std::move(label)}; }
};

// A request close to another one, and why: "same_citizen" or "similar_text".
struct SimilarRequest {
  core::Request request;
  std::string reason;
};

// Requests by the state of their running SLA targets (see src/sla/policy.h) at the store's now.
enum class SlaFilter {
  kAny,
  kAtRisk,    // a target past its warning point, none past its due time
  kBreached,  // a target past its due time
};

struct RequestFilter {
  std::vector<core::RequestStatus> statuses;  // any of these (empty = all)
  std::optional<Id> team_id;
  std::optional<Id> assignee_id;
  bool unassigned = false;  // only requests with no assignee
  std::optional<Id> category_id;
  std::optional<core::Priority> priority;
  std::optional<core::Channel> channel;
  std::optional<Millis> created_from;  // inclusive
  std::optional<Millis> created_to;    // exclusive
  std::string text;                    // full-text query on subject and description
  SlaFilter sla = SlaFilter::kAny;     // paused, resolved and closed requests never match
  // The "to triage" queue: no category yet (none given, none applied by AI) and not resolved or
  // closed — waiting for a person to sort it.
  bool to_triage = false;
  // Visibility scope set by the caller from the permissions of who asks.
  std::optional<std::vector<Id>> scope_team_ids;  // only these teams
  std::optional<Id> scope_citizen_id;             // only this citizen's requests
};

// Newest first. `after_id` is the cursor: the id of the last item of the previous page. Ids only
// grow, so inserts never shift the later pages.
struct PageSpec {
  int limit = 50;
  std::optional<Id> after_id;
};

struct RequestPage {
  std::vector<core::Request> items;
  std::optional<Id> next_after_id;  // set when more items may follow
};

// What one sweep of the scheduled automations did.
struct ScheduledRun {
  int examined = 0;  // requests looked at
  int fired = 0;     // rule firings
};

struct Session {
  std::string token_hash;  // SHA-256 of the cookie value; the value itself is never stored
  Id user_id = 0;
  std::string csrf_token;
  Millis created_at = 0;
  Millis expires_at = 0;
};

struct ApiToken {
  Id id = 0;
  Id user_id = 0;
  std::string name;
  Millis created_at = 0;
};

// Recent failed logins of one key ("account:<e-mail>" or "address:<ip>").
struct LoginFailures {
  std::int64_t failures = 0;
  Millis last_failure_at = 0;
};

// What an admin changes of an account: only the fields set.
struct UserChange {
  std::optional<core::Role> role;
  std::optional<std::vector<Id>> team_ids;  // replaces the user's teams
  std::optional<bool> active;               // false: may no longer sign in or use a token
  bool empty() const { return !role && !team_ids && !active; }
};

struct UserCredentials {
  core::User user;
  std::string password_hash;
};

struct AttachmentMeta {
  Id id = 0;
  Id request_id = 0;
  std::optional<Id> message_id;
  std::string filename;
  std::string content_type;
  std::int64_t size = 0;
  std::string sha256;
  Millis created_at = 0;
};

struct Attachment {
  AttachmentMeta meta;
  std::string content;
};

struct AuditEntry {
  Id id = 0;
  Millis at = 0;
  std::string actor;
  std::string action;  // "request.create", "request.update", "user.create", …
  std::string entity;  // "request", "user", "team", "category", "message", …
  Id entity_id = 0;
  std::optional<Id> request_id;
  std::string changes_json;  // {"field": {"before": …, "after": …}, …}
  std::string prev_hash;
  std::string hash;
};

struct AuditQuery {
  std::optional<Id> request_id;
  std::optional<Id> after_id;
  int limit = 100;
};

struct AuditVerification {
  bool ok = true;
  std::int64_t checked = 0;
  std::optional<Id> first_broken_id;  // the first entry whose link or content does not hold
  std::string reason;
};

struct PoolStats {
  int size = 0;  // the most connections the pool opens
  int open = 0;  // opened now
  int idle = 0;  // opened and free
};

struct StoreOptions {
  int pool_size = 8;
  const Clock* clock = nullptr;  // not owned; defaults to the system clock
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies the numbered migrations not yet applied; returns how many ran.
  virtual Result<int> Migrate() = 0;
  // Ok when the database answers a trivial query.
  virtual Status Ping() = 0;
  virtual std::string_view backend() const = 0;  // "sqlite" or "postgresql"
  virtual PoolStats pool_stats() = 0;

  // --- Directory ---------------------------------------------------------------------------
  virtual Result<core::Team> CreateTeam(const std::string& name, const Actor& actor) = 0;
  virtual Result<std::vector<core::Team>> ListTeams() = 0;
  virtual Result<core::Team> GetTeam(Id id) = 0;
  virtual Result<core::Team> FindTeamByName(const std::string& name) = 0;

  virtual Result<core::Category> CreateCategory(const core::Category& category,
                                                const Actor& actor) = 0;
  virtual Result<std::vector<core::Category>> ListCategories() = 0;
  virtual Result<core::Category> GetCategory(Id id) = 0;
  virtual Result<core::Category> FindCategoryBySlug(const std::string& slug) = 0;

  // A citizen-role user also gets a citizen contact (User::citizen_id).
  virtual Result<core::User> CreateUser(const core::NewUser& user, const Actor& actor) = 0;
  virtual Result<core::User> GetUser(Id id) = 0;
  virtual Result<UserCredentials> FindUserByEmail(const std::string& email) = 0;
  virtual Result<std::vector<core::User>> ListUsers() = 0;
  // Applies `change` to user `id` and audits each field that changed ("user.update", before and
  // after); a change that changes nothing writes nothing. kNotFound for an unknown user or team;
  // kFailedPrecondition for a move to or from the citizen role (a citizen account has its
  // contact record, staff accounts have none).
  virtual Result<core::User> UpdateUser(Id id, const UserChange& change, const Actor& actor) = 0;
  virtual Result<core::Citizen> GetCitizen(Id id) = 0;
  // The citizens among `ids` that exist, by id, read in one transaction (a page of requests).
  virtual Result<std::map<Id, core::Citizen>> GetCitizens(const std::vector<Id>& ids) = 0;

  // --- Authentication ----------------------------------------------------------------------
  virtual Status CreateSession(const Session& session) = 0;
  virtual Result<Session> FindSession(const std::string& token_hash) = 0;
  virtual Status DeleteSession(const std::string& token_hash) = 0;
  virtual Result<ApiToken> CreateApiToken(Id user_id, const std::string& name,
                                          const std::string& token_hash, const Actor& actor) = 0;
  // Counts one failed login of `key` and returns the new count. A failure more than `window`
  // after the previous one starts the count again at 1.
  virtual Result<LoginFailures> RecordLoginFailure(const std::string& key, Millis now,
                                                   Millis window) = 0;
  // The failures recorded for `key` (zero when none).
  virtual Result<LoginFailures> GetLoginFailures(const std::string& key) = 0;
  virtual Status ClearLoginFailures(const std::string& key) = 0;
  // The user owning an active token; kNotFound for an unknown token.
  virtual Result<core::User> FindUserByTokenHash(const std::string& token_hash) = 0;

  // --- Requests ----------------------------------------------------------------------------
  // Gives the next reference of the year, resolves the category's default team, creates the
  // citizen contact when `citizen` is set. `secret_hash` guards the citizen's private link.
  virtual Result<core::Request> CreateRequest(const core::NewRequest& request,
                                              const std::string& secret_hash,
                                              const Actor& actor) = 0;
  // CreateRequest without waiting for the commit: returns at once, and `done` gets the outcome
  // once the request is committed (or has failed), on a storage thread — keep `done` short and
  // hand further work to a thread of your own. This default waits and calls `done` itself.
  virtual void CreateRequestAsync(const core::NewRequest& request, const std::string& secret_hash,
                                  const Actor& actor,
                                  std::function<void(Result<core::Request>)> done) {
    done(CreateRequest(request, secret_hash, actor));
  }
  virtual Result<core::Request> GetRequest(Id id) = 0;
  // kNotFound unless both the reference and the secret's hash match.
  virtual Result<core::Request> FindRequestByReferenceAndSecret(const std::string& reference,
                                                                const std::string& secret_hash) = 0;
  virtual Result<RequestPage> ListRequests(const RequestFilter& filter, const PageSpec& page) = 0;
  // Past requests close to request `id`, for the agent reading it: the same citizen's other
  // requests first (newest first), then the requests whose subject and description share the
  // most of its words (full-text rank: the same issue reported twice), at most `limit` (1–50)
  // in all, `id` itself excluded. Callers filter them by what the reader may see.
  virtual Result<std::vector<SimilarRequest>> SimilarRequests(Id id, int limit) = 0;
  // Applies `patch` if the stored version is `expected_version` (kConflict otherwise), checks
  // status transitions, bumps the version and sets resolved_at on resolution.
  virtual Result<core::Request> UpdateRequest(Id id, std::int64_t expected_version,
                                              const core::RequestPatch& patch,
                                              const Actor& actor) = 0;
  // A person's verdict on an AI decision still pending: "accepted" applies its output to the
  // request if it was not applied, "corrected" applies the review's category, priority or
  // language instead (the one its feature names, AiCorrectionField), "ignored" changes nothing
  // else. A change to the request needs `expected_version` (kConflict when stale); the
  // category's default team comes with the category. Decision and request change in one
  // transaction, audited; kFailedPrecondition when the decision was already reviewed.
  virtual Result<AiReviewResult> ReviewAiDecision(Id decision_id, const AiReview& review,
                                                  const Actor& actor) = 0;

  // Sets first_reply_at on the first public message from staff (`from_staff`).
  virtual Result<core::Message> AddMessage(Id request_id, const core::NewMessage& message,
                                           bool from_staff, const Actor& actor) = 0;
  virtual Result<std::vector<core::Message>> ListMessages(Id request_id, bool include_internal) = 0;

  // Replies with the macro's text (placeholders filled, in the request's language) as
  // `agent_name`, adds its internal notes, and applies its field actions — one change, one new
  // version (kConflict on a stale one). kFailedPrecondition for an inactive macro or a status
  // move the life cycle forbids.
  virtual Result<core::Request> ApplyMacro(Id request_id, std::int64_t expected_version,
                                           Id macro_id, const std::string& agent_name,
                                           const Actor& actor) = 0;
  // Fires the active scheduled automations on the requests they match at the store's now, each
  // at most once per request and status period (safe on several nodes at once), looking at no
  // more than `max_requests` requests; one transaction per firing.
  virtual Result<ScheduledRun> RunScheduledAutomations(int max_requests) = 0;

  virtual Result<AttachmentMeta> AddAttachment(const AttachmentMeta& meta,
                                               const std::string& content, const Actor& actor) = 0;
  virtual Result<Attachment> GetAttachment(Id id) = 0;
  virtual Result<std::vector<AttachmentMeta>> ListAttachments(Id request_id) = 0;

  // --- Audit -------------------------------------------------------------------------------
  virtual Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& query) = 0;
  // Walks the whole chain; reports the first entry whose hash or link does not hold.
  virtual Result<AuditVerification> VerifyAudit() = 0;

  // --- Operations --------------------------------------------------------------------------
  // Writes a consistent copy of the whole database into the new file `path` while other
  // connections keep reading and writing (SQLite online backup API: one read snapshot, writers
  // on the WAL are not blocked). kAlreadyExists when `path` exists. On PostgreSQL
  // kFailedPrecondition, whose message gives the supported route (pg_dump / pg_restore).
  virtual Status BackupTo(const std::string& path) = 0;

  // --- Features with stores of their own (built on the same database) ------------------------
  virtual SlaStore& sla() = 0;
  // AI policies, model versions and the AI decision register (ai_store.h).
  virtual AiStore& ai() = 0;
  virtual AutomationStore& automations() = 0;
  // Knowledge-base articles, their versions, the change feed and deflection events (kb_store.h).
  virtual KbStore& kb() = 0;
  // The supervisor's figures: volumes, backlog, SLA and AI review outcomes (report_store.h).
  virtual ReportStore& reports() = 0;
  // The queue of background jobs kept in this database (storage/jobs.h).
  virtual JobQueue& jobs() = 0;
};

// Opens "sqlite:PATH" (":memory:" allowed) or "postgresql://…" / "postgres://…".
// Does not migrate. kInvalidArgument for an unknown scheme, kUnavailable when it cannot connect.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options = {});

// What a checked SQLite backup file holds.
struct BackupSummary {
  std::int64_t bytes = 0;  // size of the file
  std::int64_t requests = 0;
  std::int64_t audit_entries = 0;  // all verified
};

// Checks the SQLite file at `path` as a Guichet backup: PRAGMA integrity_check passes, it has
// Guichet's tables, and its audit chain verifies. The check opens it as a Store, which may write
// to it (journal mode): run it on a file you own. kNotFound when there is no such file;
// kInvalidArgument, with the reason, when it is not a sound Guichet database.
Result<BackupSummary> CheckSqliteBackup(const std::string& path);

// Replaces the whole content of the SQLite database at `db_path` (created when missing) with the
// backup at `backup_path`, which is left untouched: it is copied to "<db_path>.restore-tmp",
// checked there with CheckSqliteBackup, then copied into place with the online backup API in
// one write transaction, so it works on an open WAL database and readers see the old or the new
// content, never a mix. Nothing changes when the check fails. Servers should be stopped first:
// a running one keeps serving, but requests in flight straddle the switch.
Result<BackupSummary> RestoreSqlite(const std::string& backup_path, const std::string& db_path);

}  // namespace guichet::storage
