// Test helpers for anything that needs a real Store: a fresh, migrated store of a named backend
// ("sqlite" or "postgresql"), raw SQL on that store's own database (to tamper with it behind the
// Store's back), and a gtest fixture that runs a suite on every backend.
//
//   sqlite      a new database file in a new temporary directory (under GUICHET_TEST_TMPDIR,
//               else /dev/shm when writable, else the system temp dir), removed with the store;
//   postgresql  a new database guichet_test_<pid>_<n> on the server named by GUICHET_TEST_PG_URL
//               (e.g. postgresql://postgres@127.0.0.1:5432/postgres, as scripts/with-postgres
//               exports it), dropped WITH (FORCE) with the store. It is cloned from a migrated
//               template database guichet_tpl_<digest of the migrations>, built once per server
//               and left there for the next runs.
//
// Without GUICHET_TEST_PG_URL the PostgreSQL cases are skipped, unless GUICHET_REQUIRE_PG=1
// (then opening the store fails, and so does the test).
//
// Typical use:
//
//   class MyTest : public guichet::testing::StoreTest {};
//   TEST_P(MyTest, Works) { auto team = store().CreateTeam("Voirie", actor()); … }
//   GUICHET_INSTANTIATE_STORE_TEST(MyTest);
//
// Thread-safety: OpenFreshStore may be called from several threads; a TestStore is as
// thread-safe as the Store it wraps, and its Raw* helpers open their own connection per call.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "storage/jobs.h"
#include "storage/store.h"

namespace guichet::testing {

// {"sqlite", "postgresql"}: the parameter values of every storage test suite.
std::vector<std::string> BackendNames();
// The gtest name suffix of a backend parameter ("sqlite", "postgresql").
std::string BackendParamName(const ::testing::TestParamInfo<std::string>& info);

// Empty when `backend` can run here; otherwise the reason to skip it. An unknown backend name
// and a required but unconfigured PostgreSQL are not reasons to skip: OpenFreshStore reports
// them as errors.
std::string StoreFixtureUnavailable(const std::string& backend);

// One row of a raw query, as text; NULL reads as nullopt.
using RawRow = std::vector<std::optional<std::string>>;

// A Store over a database of its own, deleted when the TestStore is destroyed. Every Store
// method forwards to the real backend store.
class TestStore : public storage::Store {
 public:
  ~TestStore() override;

  // The URL the real store was opened with ("sqlite:/tmp/…/guichet.db", "postgresql://…").
  const std::string& url() const { return url_; }

  // Runs one SQL statement on the same database through a separate, new connection (sqlite3 or
  // libpq, not the Store's pool) and returns the number of rows it changed.
  Result<std::int64_t> RawExec(const std::string& sql);
  // Runs one SELECT the same way and returns its rows as text.
  Result<std::vector<RawRow>> RawQuery(const std::string& sql);

  // --- storage::Store, forwarded -------------------------------------------------------------
  Result<int> Migrate() override { return inner_->Migrate(); }
  Status Ping() override { return inner_->Ping(); }
  std::string_view backend() const override { return inner_->backend(); }
  storage::PoolStats pool_stats() override { return inner_->pool_stats(); }
  Result<core::Team> CreateTeam(const std::string& name, const storage::Actor& actor) override {
    return inner_->CreateTeam(name, actor);
  }
  Result<std::vector<core::Team>> ListTeams() override { return inner_->ListTeams(); }
  Result<core::Team> GetTeam(core::Id id) override { return inner_->GetTeam(id); }
  Result<core::Team> FindTeamByName(const std::string& name) override {
    return inner_->FindTeamByName(name);
  }
  Result<core::Category> CreateCategory(const core::Category& category,
                                        const storage::Actor& actor) override {
    return inner_->CreateCategory(category, actor);
  }
  Result<std::vector<core::Category>> ListCategories() override { return inner_->ListCategories(); }
  Result<core::Category> GetCategory(core::Id id) override { return inner_->GetCategory(id); }
  Result<core::Category> FindCategoryBySlug(const std::string& slug) override {
    return inner_->FindCategoryBySlug(slug);
  }
  Result<core::User> CreateUser(const core::NewUser& user, const storage::Actor& actor) override {
    return inner_->CreateUser(user, actor);
  }
  Result<core::User> GetUser(core::Id id) override { return inner_->GetUser(id); }
  Result<storage::UserCredentials> FindUserByEmail(const std::string& email) override {
    return inner_->FindUserByEmail(email);
  }
  Result<std::vector<core::User>> ListUsers() override { return inner_->ListUsers(); }
  Result<core::User> UpdateUser(core::Id id, const storage::UserChange& change,
                                const storage::Actor& actor) override {
    return inner_->UpdateUser(id, change, actor);
  }
  Result<core::Citizen> GetCitizen(core::Id id) override { return inner_->GetCitizen(id); }
  Result<std::map<core::Id, core::Citizen>> GetCitizens(const std::vector<core::Id>& ids) override {
    return inner_->GetCitizens(ids);
  }
  Status CreateSession(const storage::Session& session) override {
    return inner_->CreateSession(session);
  }
  Result<storage::Session> FindSession(const std::string& token_hash) override {
    return inner_->FindSession(token_hash);
  }
  Status DeleteSession(const std::string& token_hash) override {
    return inner_->DeleteSession(token_hash);
  }
  Result<storage::ApiToken> CreateApiToken(core::Id user_id, const std::string& name,
                                           const std::string& token_hash,
                                           const storage::Actor& actor) override {
    return inner_->CreateApiToken(user_id, name, token_hash, actor);
  }
  Result<storage::LoginFailures> RecordLoginFailure(const std::string& key, Millis now,
                                                    Millis window) override {
    return inner_->RecordLoginFailure(key, now, window);
  }
  Result<storage::LoginFailures> GetLoginFailures(const std::string& key) override {
    return inner_->GetLoginFailures(key);
  }
  Status ClearLoginFailures(const std::string& key) override {
    return inner_->ClearLoginFailures(key);
  }
  Result<core::User> FindUserByTokenHash(const std::string& token_hash) override {
    return inner_->FindUserByTokenHash(token_hash);
  }
  Result<core::Request> CreateRequest(const core::NewRequest& request,
                                      const std::string& secret_hash,
                                      const storage::Actor& actor) override {
    return inner_->CreateRequest(request, secret_hash, actor);
  }
  void CreateRequestAsync(const core::NewRequest& request, const std::string& secret_hash,
                          const storage::Actor& actor,
                          std::function<void(Result<core::Request>)> done) override {
    inner_->CreateRequestAsync(request, secret_hash, actor, std::move(done));
  }
  Result<storage::AiReviewResult> ReviewAiDecision(core::Id decision_id,
                                                   const storage::AiReview& review,
                                                   const storage::Actor& actor) override {
    return inner_->ReviewAiDecision(decision_id, review, actor);
  }
  Result<core::Request> GetRequest(core::Id id) override { return inner_->GetRequest(id); }
  Result<core::Request> FindRequestByReferenceAndSecret(const std::string& reference,
                                                        const std::string& secret_hash) override {
    return inner_->FindRequestByReferenceAndSecret(reference, secret_hash);
  }
  Result<storage::RequestPage> ListRequests(const storage::RequestFilter& filter,
                                            const storage::PageSpec& page) override {
    return inner_->ListRequests(filter, page);
  }
  Result<std::vector<storage::SimilarRequest>> SimilarRequests(core::Id id, int limit) override {
    return inner_->SimilarRequests(id, limit);
  }
  Result<core::Request> UpdateRequest(core::Id id, std::int64_t expected_version,
                                      const core::RequestPatch& patch,
                                      const storage::Actor& actor) override {
    return inner_->UpdateRequest(id, expected_version, patch, actor);
  }
  Result<core::Message> AddMessage(core::Id request_id, const core::NewMessage& message,
                                   bool from_staff, const storage::Actor& actor) override {
    return inner_->AddMessage(request_id, message, from_staff, actor);
  }
  Result<std::vector<core::Message>> ListMessages(core::Id request_id,
                                                  bool include_internal) override {
    return inner_->ListMessages(request_id, include_internal);
  }
  Result<storage::AttachmentMeta> AddAttachment(const storage::AttachmentMeta& meta,
                                                const std::string& content,
                                                const storage::Actor& actor) override {
    return inner_->AddAttachment(meta, content, actor);
  }
  Result<storage::Attachment> GetAttachment(core::Id id) override {
    return inner_->GetAttachment(id);
  }
  Result<std::vector<storage::AttachmentMeta>> ListAttachments(core::Id request_id) override {
    return inner_->ListAttachments(request_id);
  }
  Result<std::vector<storage::AuditEntry>> ListAudit(const storage::AuditQuery& query) override {
    return inner_->ListAudit(query);
  }
  Result<storage::AuditVerification> VerifyAudit() override { return inner_->VerifyAudit(); }
  Status BackupTo(const std::string& path) override { return inner_->BackupTo(path); }
  storage::SlaStore& sla() override { return inner_->sla(); }
  storage::AiStore& ai() override { return inner_->ai(); }
  storage::ReportStore& reports() override { return inner_->reports(); }
  storage::AutomationStore& automations() override { return inner_->automations(); }
  storage::KbStore& kb() override { return inner_->kb(); }
  Result<core::Request> ApplyMacro(core::Id request_id, std::int64_t expected_version,
                                   core::Id macro_id, const std::string& agent_name,
                                   const storage::Actor& actor) override {
    return inner_->ApplyMacro(request_id, expected_version, macro_id, agent_name, actor);
  }
  Result<storage::ScheduledRun> RunScheduledAutomations(int max_requests) override {
    return inner_->RunScheduledAutomations(max_requests);
  }
  storage::JobQueue& jobs() override { return inner_->jobs(); }

 private:
  friend Result<std::unique_ptr<TestStore>> OpenFreshStore(const std::string& backend,
                                                           const storage::StoreOptions& options);
  TestStore() = default;

  std::string backend_name_;
  std::string url_;
  std::string sqlite_path_;  // sqlite: the database file
  std::string temp_dir_;     // sqlite: removed on destruction
  std::string admin_url_;    // postgresql: where to DROP the database from
  std::string database_;     // postgresql: the database name
  std::unique_ptr<storage::Store> inner_;
};

// A fresh database of `backend`, opened with `options` and migrated (the store's own Migrate()
// then returns 0). kFailedPrecondition when PostgreSQL is asked for but GUICHET_TEST_PG_URL is
// unset, kInvalidArgument for an unknown backend, or the error of creating, opening or migrating
// the database.
Result<std::unique_ptr<TestStore>> OpenFreshStore(const std::string& backend,
                                                  const storage::StoreOptions& options = {});
// The same with `clock` (not owned; it must outlive the store) as the store's clock, e.g. a
// ManualClock from common/clock.h.
inline Result<std::unique_ptr<TestStore>> OpenFreshStore(const std::string& backend,
                                                         const Clock& clock) {
  storage::StoreOptions options;
  options.clock = &clock;
  return OpenFreshStore(backend, options);
}

// 2026-03-01T09:00:00.000Z, where test clocks start.
inline constexpr Millis kTestStart = 1772355600000;

// A value-parameterised fixture (parameter: backend name) giving each test a fresh store whose
// clock is a ManualClock starting at kTestStart. Skips when the backend cannot run here; fails
// when the store cannot be made. Derived fixtures that override SetUp call StoreTest::SetUp()
// first and return if IsSkipped() or HasFatalFailure().
class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override { store_.reset(); }

  TestStore& store() { return *store_; }
  ManualClock& clock() { return clock_; }
  const storage::Actor& actor() const { return actor_; }

 private:
  ManualClock clock_{kTestStart};
  storage::Actor actor_ = storage::Actor::System("test");
  std::unique_ptr<TestStore> store_;
};

}  // namespace guichet::testing

// Instantiates a StoreTest-derived suite on every backend, named Suite/Backends.Case/sqlite.
#define GUICHET_INSTANTIATE_STORE_TEST(Suite)                                       \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                         \
                           ::testing::ValuesIn(::guichet::testing::BackendNames()), \
                           ::guichet::testing::BackendParamName)
