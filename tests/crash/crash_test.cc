// Crash safety of `guichet serve`: client threads create requests concurrently over HTTP, the
// server (a real child process) is killed with SIGKILL mid-load and restarted on the same
// database, a few times over, on every backend. Afterwards:
//   * every request acknowledged with a 201 is there, with the same id, reference, subject,
//     description and citizen contact, and the restarted server serves it;
//   * references are unique and, per year, gap-free (1..N): a killed transaction left no number
//     behind and no half-written request;
//   * every stored request has exactly one request.create audit entry and every such entry names
//     a stored request (the request and its audit entry commit together or not at all);
//   * the audit hash chain verifies.
// A request that got no answer (its connection died with the server) may or may not exist.
//
// The kill delays come from a seeded Random (GUICHET_CRASH_SEED overrides the seed; the seed in
// use is printed on failure), so a failing schedule can be replayed, as far as thread timing
// allows.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "common/random.h"
#include "integration/http_client.h"
#include "testing/status_macros.h"
#include "testing/store_fixture.h"

extern char** environ;

namespace guichet::testing {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr int kCycles = 3;         // kill/restart cycles per backend
constexpr int kClientThreads = 8;  // concurrent HTTP clients
constexpr int kServerThreads = 4;  // `guichet serve --threads`
constexpr int kMinKillDelayMs = 300;
constexpr int kMaxKillDelayMs = 800;
constexpr std::uint64_t kDefaultSeed = 20260301;
const storage::Actor kSeedActor = storage::Actor::System("crash-test");

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::uint64_t Seed() {
  const char* text = std::getenv("GUICHET_CRASH_SEED");
  return text && *text ? std::strtoull(text, nullptr, 10) : kDefaultSeed;
}

// A new empty directory for the servers' logs, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::getenv("GUICHET_TEST_TMPDIR");
    std::string pattern =
        (base && *base ? std::string(base) : std::filesystem::temp_directory_path().string()) +
        "/guichet-crash.XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  bool ok() const { return !path_.empty(); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// `guichet serve` as a child process. The destructor kills and reaps it if it still runs, so no
// server outlives a failed assertion.
class ServerProcess {
 public:
  // Starts `guichet serve --db URL --listen 127.0.0.1:0`, stderr (its JSON log) into `log`.
  ServerProcess(const std::string& db_url, std::string log) : log_(std::move(log)) {
    std::vector<std::string> args = {
        GUICHET_BINARY, "serve",       "--db",      db_url,
        "--listen",     "127.0.0.1:0", "--threads", std::to_string(kServerThreads)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, GUICHET_BINARY, &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ServerProcess() {
    if (pid_ > 0) Kill();
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool started() const { return pid_ > 0; }
  std::string Log() const { return ReadWholeFile(log_); }

  // The port of its "listening on http://127.0.0.1:PORT" log line, or -1 when it died or did
  // not say within `timeout`.
  int WaitForPort(milliseconds timeout) {
    static const std::regex kListening(R"(listening on http://127\.0\.0\.1:(\d+))");
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline && pid_ > 0) {
      std::smatch m;
      const std::string log = Log();
      if (std::regex_search(log, m, kListening)) return std::stoi(m[1]);
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;  // it died; reaped
        return -1;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    return -1;
  }

  // SIGKILL, then reaps it; its wait status (or -1 when it was not running).
  int Kill() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  std::string log_;
};

// What a 201 answered: the values the server says it stored.
struct Acked {
  core::Id id = 0;
  std::string reference;
  std::string subject;
  std::string description;
  std::string citizen_name;
};

// kClientThreads threads POSTing new requests as fast as they can until stopped. Each keeps
// what the 201s said; unexpected answers (anything but a 201 while the server is meant to be
// up) are collected as failures. The destructor stops and joins them.
class Load {
 public:
  Load(std::uint16_t port, const std::string& token, int cycle) {
    for (int t = 0; t < kClientThreads; ++t) {
      threads_.emplace_back([this, port, token, cycle, t] { Run(port, token, cycle, t); });
    }
  }
  ~Load() { Stop(); }
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;

  // From now on connection errors are expected (the server is being killed).
  void ServerKilled() { killed_ = true; }
  // Asks the threads to stop after their current call and waits for them.
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  std::size_t acked_count() {
    std::lock_guard lock(mu_);
    return acked_.size();
  }
  // After Stop().
  const std::vector<Acked>& acked() const { return acked_; }
  const std::vector<std::string>& failures() const { return failures_; }
  int calls() const { return calls_; }

 private:
  void Run(std::uint16_t port, const std::string& token, int cycle, int thread) {
    HttpClient client(port);
    const Headers auth = {{"Authorization", "Bearer " + token}};
    for (int n = 0; !stop_; ++n) {
      const std::string tag =
          "c" + std::to_string(cycle) + "-t" + std::to_string(thread) + "-n" + std::to_string(n);
      const json body = {
          {"subject", "Panne " + tag},
          {"description", "Lampadaire éteint rue des Lilas (" + tag + "), signalé par un agent."},
          {"channel", "phone"},
          {"category", "voirie"},
          {"citizen", {{"name", "Habitant " + tag}, {"email", tag + "@example.org"}}}};
      const bool killed_before = killed_;
      const HttpResult r = client.Post("/api/v1/requests", body.dump(), auth);
      ++calls_;
      if (r.status == 201) {
        const json j = r.Json();
        Acked a;
        if (!j.is_object() || !j.contains("id") || !j.contains("reference")) {
          Fail("a 201 without id or reference: " + r.body.substr(0, 300));
          continue;
        }
        a.id = j["id"].get<core::Id>();
        a.reference = j["reference"].get<std::string>();
        a.subject = j.value("subject", "");
        a.description = j.value("description", "");
        if (j.contains("citizen") && j["citizen"].is_object())
          a.citizen_name = j["citizen"].value("name", "");
        if (a.subject != body["subject"] || a.description != body["description"] ||
            a.citizen_name != body["citizen"]["name"]) {
          Fail("a 201 that does not echo what was sent: " + r.body.substr(0, 300));
        }
        std::lock_guard lock(mu_);
        acked_.push_back(std::move(a));
      } else if (killed_before || killed_) {
        // The server is going or gone: the answer (if any) is lost; that call may or may not
        // have committed. Nothing more to send.
        return;
      } else {
        Fail("status " + std::to_string(r.status) + " before the kill: " + r.error + " " +
             r.body.substr(0, 300));
        if (r.status == 0) return;  // no server to talk to
      }
    }
  }

  void Fail(std::string what) {
    std::lock_guard lock(mu_);
    if (failures_.size() < 20) failures_.push_back(std::move(what));
  }

  std::atomic<bool> stop_{false};
  std::atomic<bool> killed_{false};
  std::atomic<int> calls_{0};
  std::mutex mu_;
  std::vector<Acked> acked_;
  std::vector<std::string> failures_;
  std::vector<std::thread> threads_;
};

// Every request of the store, by id (newest-first pages, all of them).
std::map<core::Id, core::Request> AllRequests(storage::Store& store) {
  std::map<core::Id, core::Request> out;
  storage::PageSpec page;
  page.limit = 500;
  for (;;) {
    auto got = store.ListRequests({}, page);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok()) return out;
    for (auto& r : got->items) {
      const core::Id id = r.id;
      EXPECT_TRUE(out.emplace(id, std::move(r)).second) << "request " << id << " listed twice";
    }
    if (!got->next_after_id) return out;
    page.after_id = got->next_after_id;
  }
}

// Every audit entry, in chain order.
std::vector<storage::AuditEntry> AllAudit(storage::Store& store) {
  std::vector<storage::AuditEntry> out;
  storage::AuditQuery q;
  q.limit = 1000;
  for (;;) {
    auto got = store.ListAudit(q);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || got->empty()) return out;
    q.after_id = got->back().id;
    out.insert(out.end(), got->begin(), got->end());
  }
}

// Checks the database against everything acknowledged so far (see the file comment); sets
// `stored` to the number of requests there.
void CheckDatabase(TestStore& store, const std::vector<Acked>& acked, std::size_t& stored) {
  const auto requests = AllRequests(store);
  stored = requests.size();
  for (const Acked& a : acked) {
    const auto it = requests.find(a.id);
    if (it == requests.end()) {
      ADD_FAILURE() << "acknowledged request " << a.id << " (" << a.reference << ", \"" << a.subject
                    << "\") is missing";
      continue;
    }
    const core::Request& r = it->second;
    EXPECT_EQ(r.reference, a.reference) << "request " << a.id;
    EXPECT_EQ(r.subject, a.subject) << "request " << a.id;
    EXPECT_EQ(r.description, a.description) << "request " << a.id;
    EXPECT_EQ(r.version, 1) << "request " << a.id;
    ASSERT_TRUE(r.citizen_id) << "request " << a.id << " lost its citizen";
    auto citizen = store.GetCitizen(*r.citizen_id);
    ASSERT_TRUE(citizen.ok()) << "request " << a.id << ": " << citizen.status().ToString();
    EXPECT_EQ(citizen->name, a.citizen_name) << "request " << a.id;
  }

  // References: unique, well-formed, and per year exactly 1..N (the counter and the request
  // commit together; a killed transaction leaves neither).
  std::map<std::string, std::set<std::int64_t>> numbers_by_year;
  std::set<std::string> references;
  static const std::regex kReference(R"(GU-(\d{4})-(\d{6,}))");
  for (const auto& [id, r] : requests) {
    EXPECT_TRUE(references.insert(r.reference).second) << "reference " << r.reference << " twice";
    std::smatch m;
    if (!std::regex_match(r.reference, m, kReference)) {
      ADD_FAILURE() << "request " << id << " has a malformed reference " << r.reference;
      continue;
    }
    numbers_by_year[m[1]].insert(std::stoll(m[2]));
  }
  for (const auto& [year, numbers] : numbers_by_year) {
    EXPECT_EQ(*numbers.begin(), 1) << year;
    EXPECT_EQ(*numbers.rbegin(), static_cast<std::int64_t>(numbers.size()))
        << "the references of " << year << " have gaps";
  }

  // Exactly one request.create entry per stored request, none for a request that is not there.
  std::map<core::Id, int> creates;
  for (const auto& e : AllAudit(store)) {
    if (e.action == "request.create") ++creates[e.entity_id];
  }
  for (const auto& [id, r] : requests) {
    EXPECT_EQ(creates[id], 1) << "request.create entries of request " << id << " (" << r.reference
                              << ")";
  }
  for (const auto& [id, count] : creates) {
    EXPECT_TRUE(requests.count(id))
        << "request.create entry for request " << id << ", which is not stored";
  }

  auto verified = store.VerifyAudit();
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(verified->ok) << "audit chain broken at entry "
                            << verified->first_broken_id.value_or(0) << ": " << verified->reason;
  EXPECT_GT(verified->checked, static_cast<std::int64_t>(acked.size()));
}

// The restarted server answers with what the store holds: the acknowledged requests, through
// GET /api/v1/requests/{id}.
void CheckThroughApi(std::uint16_t port, const std::string& token,
                     const std::vector<Acked>& acked) {
  HttpClient client(port);
  const Headers auth = {{"Authorization", "Bearer " + token}};
  for (const Acked& a : acked) {
    const HttpResult r = client.Get("/api/v1/requests/" + std::to_string(a.id), auth);
    ASSERT_EQ(r.status, 200) << "request " << a.id << ": " << r.error << r.body;
    const json j = r.Json();
    EXPECT_EQ(j.value("reference", ""), a.reference);
    EXPECT_EQ(j.value("subject", ""), a.subject);
    EXPECT_EQ(j.value("description", ""), a.description);
  }
}

class CrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashTest, AcknowledgedRequestsSurviveSigkill) {
  const std::string backend = GetParam();
  const std::string why = StoreFixtureUnavailable(backend);
  if (!why.empty()) GTEST_SKIP() << why;
  ASSERT_OK(InitCrypto());
  const std::uint64_t seed = Seed() + (backend == "sqlite" ? 0 : 1);
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GUICHET_CRASH_SEED=" + std::to_string(Seed()) +
               " replays it)");
  Random random(seed);

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestStore> store, OpenFreshStore(backend));
  ScratchDir dir;
  ASSERT_TRUE(dir.ok());

  // An admin with an API token, and a category whose team each request is routed to.
  ASSERT_OK_AND_ASSIGN(core::Team team, store->CreateTeam("Voirie", kSeedActor));
  ASSERT_OK(store->CreateCategory({0, "voirie", "Voirie", team.id}, kSeedActor));
  core::NewUser admin;
  admin.email = "admin@mairie.example";
  admin.display_name = "Admin";
  admin.role = core::Role::kAdmin;
  ASSERT_OK_AND_ASSIGN(admin.password_hash,
                       HashPassword("pw-admin-0123456789", PasswordCost::kFast));
  ASSERT_OK_AND_ASSIGN(core::User user, store->CreateUser(admin, kSeedActor));
  const std::string token = "gu_" + RandomToken(32);
  ASSERT_OK(store->CreateApiToken(user.id, "crash", Sha256Hex(token), kSeedActor));

  std::vector<Acked> acked;  // over every cycle
  for (int cycle = 1; cycle <= kCycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle));
    const auto started = Clock::now();
    ServerProcess server(store->url(), dir.File("serve-" + std::to_string(cycle) + ".log"));
    ASSERT_TRUE(server.started());
    const int port = server.WaitForPort(std::chrono::seconds(20));
    ASSERT_GT(port, 0) << "no listening line; log:\n" << server.Log();

    // The server restarted over what the previous cycles left: all of it is served.
    if (cycle > 1) {
      CheckThroughApi(static_cast<std::uint16_t>(port), token, acked);
      if (HasFatalFailure()) return;
    }

    const int delay_ms = static_cast<int>(random.Uniform(kMinKillDelayMs, kMaxKillDelayMs));
    Load load(static_cast<std::uint16_t>(port), token, cycle);
    std::this_thread::sleep_for(milliseconds(delay_ms));
    // Mid-load means after some answers: on a machine slowed down by other work, wait for them.
    const auto patience = Clock::now() + std::chrono::seconds(10);
    while (load.acked_count() == 0 && Clock::now() < patience) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    load.ServerKilled();
    const std::size_t acked_at_kill = load.acked_count();
    const int status = server.Kill();
    load.Stop();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the server was not killed by SIGKILL (wait status " << status << "); log:\n"
        << server.Log();
    for (const auto& f : load.failures()) ADD_FAILURE() << f;
    // Without answers before the kill, this cycle tested nothing.
    EXPECT_GT(acked_at_kill, 0u) << "no 201 in " << delay_ms << " ms + 10 s; log:\n"
                                 << server.Log();
    acked.insert(acked.end(), load.acked().begin(), load.acked().end());
    const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started).count();

    std::size_t stored = 0;
    CheckDatabase(*store, acked, stored);
    // stored - acknowledged: committed, but the answer died with the server.
    std::cout << "[ crash    ] " << backend << " cycle " << cycle << ": killed after " << delay_ms
              << " ms, " << load.acked().size() << " acknowledged of " << load.calls() << " calls; "
              << acked.size() << " acknowledged and " << stored << " stored in all; cycle took "
              << took << " ms\n";
    if (HasFatalFailure()) return;
  }

  // A last restart: the server starts, is ready, and serves everything acknowledged.
  ServerProcess server(store->url(), dir.File("serve-final.log"));
  ASSERT_TRUE(server.started());
  const int port = server.WaitForPort(std::chrono::seconds(20));
  ASSERT_GT(port, 0) << "no listening line; log:\n" << server.Log();
  HttpClient client(static_cast<std::uint16_t>(port));
  EXPECT_EQ(client.Get("/readyz").status, 200);
  CheckThroughApi(static_cast<std::uint16_t>(port), token, acked);
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest, ::testing::ValuesIn(BackendNames()),
                         BackendParamName);

}  // namespace
}  // namespace guichet::testing
