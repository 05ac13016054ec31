#include "testing/store_fixture.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <system_error>

#include "common/crypto.h"
#include "common/log.h"
#include "storage/migrations.h"  // private to src/storage: read only to name the template

namespace guichet::testing {
namespace {

constexpr char kPgUrlVar[] = "GUICHET_TEST_PG_URL";
constexpr char kSkipMessage[] =
    "PostgreSQL tests skipped: set GUICHET_TEST_PG_URL (make test starts a server)";

std::string EnvOrEmpty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool PostgresRequired() { return EnvOrEmpty("GUICHET_REQUIRE_PG") == "1"; }

// `url` with its database name (the path) replaced by `database`; the query string is kept.
std::string WithDatabase(const std::string& url, const std::string& database) {
  const size_t scheme = url.find("://");
  const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t query = url.find('?', start);
  const size_t end = query == std::string::npos ? url.size() : query;
  const size_t slash = url.find('/', start);
  if (slash == std::string::npos || slash > end) {
    return url.substr(0, end) + "/" + database + url.substr(end);
  }
  return url.substr(0, slash + 1) + database + url.substr(end);
}

// One libpq connection, closed on destruction.
class PgConn {
 public:
  explicit PgConn(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) == CONNECTION_OK) {
      PQclear(PQexec(conn_, "SET client_min_messages = warning"));
    }
  }
  ~PgConn() { PQfinish(conn_); }
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  int server_version() const { return PQserverVersion(conn_); }

  Status status() const {
    if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
    return Unavailable(std::string("cannot connect to PostgreSQL: ") + PQerrorMessage(conn_));
  }

  // Runs one statement; its rows as text and the changed-row count, when asked for.
  Status Run(const std::string& sql, std::vector<RawRow>* rows = nullptr,
             std::int64_t* changed = nullptr) {
    GUICHET_RETURN_IF_ERROR(status());
    PGresult* res = PQexec(conn_, sql.c_str());
    const ExecStatusType st = PQresultStatus(res);
    Status result;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      result = Internal("`" + sql + "` failed: " + PQerrorMessage(conn_));
    } else {
      for (int r = 0; rows && r < PQntuples(res); ++r) {
        RawRow row;
        for (int c = 0; c < PQnfields(res); ++c) {
          if (PQgetisnull(res, r, c)) {
            row.emplace_back(std::nullopt);
          } else {
            row.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
          }
        }
        rows->push_back(std::move(row));
      }
      if (changed) {
        const char* n = PQcmdTuples(res);
        *changed = n && *n ? std::strtoll(n, nullptr, 10) : 0;
      }
    }
    PQclear(res);
    return result;
  }

 private:
  PGconn* conn_;
};

Status PgRun(const std::string& url, const std::string& sql, std::vector<RawRow>* rows,
             std::int64_t* changed) {
  PgConn conn(url);
  return conn.Run(sql, rows, changed);
}

// The name of a migrated template database for the current PostgreSQL migrations: cloning it is
// much faster than migrating each fresh database. The name carries a digest of the migrations'
// SQL, so an edited migration gets a new template instead of a stale schema.
std::string PgTemplateName() {
  std::string all;
  for (const auto& m : storage::internal::PostgresMigrations()) {
    all += std::to_string(m.version) + '\n' + std::string(m.sql) + '\n';
  }
  return "guichet_tpl_" + Sha256Hex(all).substr(0, 16);
}

// Makes sure the template exists on the server at `admin_url`. Several test processes may ask at
// once: an advisory lock lets one build it while the others wait; it is built under a temporary
// name and renamed when complete, so a crash never leaves a half-migrated template behind.
Status EnsurePgTemplate(const std::string& admin_url, const std::string& name) {
  static std::mutex mu;
  static std::set<std::string> ready;  // per admin URL and name
  std::lock_guard lock(mu);
  const std::string key = admin_url + " " + name;
  if (ready.count(key)) return Status::Ok();
  PgConn admin(admin_url);
  GUICHET_RETURN_IF_ERROR(admin.Run("SELECT pg_advisory_lock(7170002)"));
  auto build = [&]() -> Status {
    std::vector<RawRow> found;
    GUICHET_RETURN_IF_ERROR(
        admin.Run("SELECT 1 FROM pg_database WHERE datname = '" + name + "'", &found));
    if (!found.empty()) return Status::Ok();
    const std::string building = name + "_wip_" + std::to_string(getpid());
    GUICHET_RETURN_IF_ERROR(admin.Run("DROP DATABASE IF EXISTS " + building + " WITH (FORCE)"));
    GUICHET_RETURN_IF_ERROR(admin.Run("CREATE DATABASE " + building));
    {
      storage::StoreOptions options;
      options.pool_size = 1;
      GUICHET_ASSIGN_OR_RETURN(auto store,
                               storage::OpenStore(WithDatabase(admin_url, building), options));
      GUICHET_ASSIGN_OR_RETURN(const int applied, store->Migrate());
      (void)applied;
    }  // closed: a template must have no connection when it is renamed or cloned
    return admin.Run("ALTER DATABASE " + building + " RENAME TO " + name);
  };
  const Status built = build();
  const Status unlocked = admin.Run("SELECT pg_advisory_unlock(7170002)");
  GUICHET_RETURN_IF_ERROR(built);
  GUICHET_RETURN_IF_ERROR(unlocked);
  ready.insert(key);
  return Status::Ok();
}

// The same over a new sqlite3 connection to the database file.
Status SqliteRun(const std::string& path, const std::string& sql, std::vector<RawRow>* rows,
                 std::int64_t* changed) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(db);
    return Unavailable("cannot open " + path);
  }
  sqlite3_busy_timeout(db, 10000);
  sqlite3_stmt* stmt = nullptr;
  Status status;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    status = Internal("`" + sql + "` failed: " + sqlite3_errmsg(db));
  } else {
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        status = Internal("`" + sql + "` failed: " + sqlite3_errmsg(db));
        break;
      }
      if (!rows) continue;
      RawRow row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row.emplace_back(std::string(text, sqlite3_column_bytes(stmt, c)));
        }
      }
      rows->push_back(std::move(row));
    }
    if (changed) *changed = sqlite3_changes64(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close_v2(db);
  return status;
}

// Where SQLite test databases go: GUICHET_TEST_TMPDIR if set; else /dev/shm when writable (a
// tmpfs, where the store's fsyncs cost nothing: several times faster); else the temp dir.
std::filesystem::path SqliteTempRoot() {
  if (const std::string dir = EnvOrEmpty("GUICHET_TEST_TMPDIR"); !dir.empty()) return dir;
  if (access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  return std::filesystem::temp_directory_path();
}

}  // namespace

std::vector<std::string> BackendNames() { return {"sqlite", "postgresql"}; }

std::string BackendParamName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

std::string StoreFixtureUnavailable(const std::string& backend) {
  if (backend == "postgresql" && EnvOrEmpty(kPgUrlVar).empty() && !PostgresRequired()) {
    return kSkipMessage;
  }
  return "";
}

TestStore::~TestStore() {
  inner_.reset();  // closes the pool before the database goes
  if (!temp_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(temp_dir_, ignored);
  }
  if (!database_.empty()) {
    const Status dropped = PgRun(
        admin_url_, "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)", nullptr, nullptr);
    if (!dropped.ok()) ADD_FAILURE() << "dropping the test database: " << dropped.ToString();
  }
}

Result<std::int64_t> TestStore::RawExec(const std::string& sql) {
  std::int64_t changed = 0;
  const Status status = backend_name_ == "sqlite" ? SqliteRun(sqlite_path_, sql, nullptr, &changed)
                                                  : PgRun(url_, sql, nullptr, &changed);
  if (!status.ok()) return status;
  return changed;
}

Result<std::vector<RawRow>> TestStore::RawQuery(const std::string& sql) {
  std::vector<RawRow> rows;
  const Status status = backend_name_ == "sqlite" ? SqliteRun(sqlite_path_, sql, &rows, nullptr)
                                                  : PgRun(url_, sql, &rows, nullptr);
  if (!status.ok()) return status;
  return rows;
}

Result<std::unique_ptr<TestStore>> OpenFreshStore(const std::string& backend,
                                                  const storage::StoreOptions& options) {
  std::unique_ptr<TestStore> store(new TestStore());
  store->backend_name_ = backend;
  if (backend == "sqlite") {
    std::string pattern = (SqliteTempRoot() / "guichet-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return Internal("mkdtemp failed for " + pattern);
    store->temp_dir_ = pattern;
    store->sqlite_path_ = pattern + "/guichet.db";
    store->url_ = "sqlite:" + store->sqlite_path_;
  } else if (backend == "postgresql") {
    const std::string admin = EnvOrEmpty(kPgUrlVar);
    if (admin.empty()) {
      return FailedPrecondition(std::string(kSkipMessage) +
                                " (GUICHET_REQUIRE_PG=1 makes this a failure)");
    }
    static std::atomic<int> counter{0};
    const std::string database =
        "guichet_test_" + std::to_string(getpid()) + "_" + std::to_string(counter.fetch_add(1) + 1);
    const std::string template_name = PgTemplateName();
    GUICHET_RETURN_IF_ERROR(EnsurePgTemplate(admin, template_name));
    PgConn conn(admin);
    // Left over by an earlier process with the same pid that crashed: start clean.
    GUICHET_RETURN_IF_ERROR(conn.Run("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)"));
    // FILE_COPY (PostgreSQL 15+) clones a small database faster than the default WAL_LOG.
    const char* strategy = conn.server_version() >= 150000 ? " STRATEGY FILE_COPY" : "";
    GUICHET_RETURN_IF_ERROR(
        conn.Run("CREATE DATABASE " + database + " TEMPLATE " + template_name + strategy));
    store->admin_url_ = admin;
    store->database_ = database;  // from here on, the destructor drops it
    store->url_ = WithDatabase(admin, database);
  } else {
    return InvalidArgument("unknown backend \"" + backend + "\"; use sqlite or postgresql");
  }
  GUICHET_ASSIGN_OR_RETURN(store->inner_, storage::OpenStore(store->url_, options));
  // A no-op on a clone of an up-to-date template; applies everything on a new SQLite file.
  GUICHET_ASSIGN_OR_RETURN(const int applied, store->inner_->Migrate());
  (void)applied;
  return store;
}

void StoreTest::SetUp() {
  static const bool initialised = [] {
    InitLogging(LogLevel::kWarn);  // migration notices would drown the test output
    return InitCrypto().ok();
  }();
  ASSERT_TRUE(initialised) << "InitCrypto failed";
  const std::string why = StoreFixtureUnavailable(GetParam());
  if (!why.empty()) GTEST_SKIP() << why;
  auto opened = OpenFreshStore(GetParam(), clock_);
  ASSERT_TRUE(opened.ok()) << "cannot open a fresh " << GetParam()
                           << " store: " << opened.status().ToString();
  store_ = std::move(opened).value();
}

}  // namespace guichet::testing
