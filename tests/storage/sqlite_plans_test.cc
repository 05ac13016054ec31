// SQLite only: the query plans that keep request lists fast at a million requests, checked with
// EXPLAIN QUERY PLAN on a freshly migrated database. A list by several statuses, newest first,
// must read the (status, id) index — a few rows per status — and not sort every row of those
// statuses; the scheduled rules' sweep keeps its own (status, time in status) index.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include <unistd.h>

#include "storage/store.h"
#include "testing/status_macros.h"

namespace guichet::storage {
namespace {

std::string PlanOf(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  const std::string explain = "EXPLAIN QUERY PLAN " + sql;
  EXPECT_EQ(sqlite3_prepare_v2(db, explain.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string plan;
  while (stmt && sqlite3_step(stmt) == SQLITE_ROW)
    plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3)) + std::string("\n");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return plan;
}

TEST(SqlitePlansTest, ListsByStatusReadTheStatusOrderedIndexAndSweepsTheirOwn) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("guichet-plans-" + std::to_string(::getpid()) + ".db"))
                               .string();
  std::filesystem::remove(path);
  {
    ASSERT_OK_AND_ASSIGN(auto store, OpenStore("sqlite:" + path));
    ASSERT_OK(store->Migrate().status());
  }
  const std::string list = PlanOf(
      path,
      "SELECT * FROM requests WHERE 1 = 1 AND status IN ('new', 'open') ORDER BY id DESC LIMIT 21");
  EXPECT_NE(list.find("requests_status (status=?)"), std::string::npos) << list;
  EXPECT_EQ(list.find("requests_status_changed"), std::string::npos) << list;
  const std::string sweep = PlanOf(
      path,
      "SELECT id FROM requests r WHERE status IN ('resolved') AND status_changed_at <= 5 AND "
      "status_changed_at >= 0 ORDER BY id LIMIT 100");
  EXPECT_NE(sweep.find("requests_status_changed"), std::string::npos) << sweep;
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

// The dashboard's reads of a period (storage/sql_reports.cc), scoped to teams, go through the
// period's or the status's index, not through every request of the teams.
TEST(SqlitePlansTest, DashboardReadsThePeriodByItsIndexes) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("guichet-plans-report-" + std::to_string(::getpid()) + ".db"))
                               .string();
  std::filesystem::remove(path);
  {
    ASSERT_OK_AND_ASSIGN(auto store, OpenStore("sqlite:" + path));
    ASSERT_OK(store->Migrate().status());
  }
  const std::string created = PlanOf(
      path,
      "SELECT created_at / 86400000, team_id, channel, COUNT(*) FROM requests WHERE created_at "
      ">= 1 AND created_at < 2 AND +team_id IN (1, 2) GROUP BY created_at / 86400000, team_id, "
      "channel");
  EXPECT_NE(created.find("requests_created"), std::string::npos) << created;
  const std::string backlog = PlanOf(
      path,
      "SELECT team_id, status, COUNT(*) FROM requests WHERE status IN ('new', 'open', "
      "'pending_citizen', 'pending_third_party') AND +team_id IN (1) GROUP BY status, team_id");
  EXPECT_NE(backlog.find("requests_status (status=?)"), std::string::npos) << backlog;
  for (const std::string column : {"first_reply_at", "resolved_at"}) {
    const std::string plan =
        PlanOf(path, "SELECT " + column + " - created_at FROM requests WHERE " + column +
                         " >= 1 AND " + column + " < 2 AND +team_id IN (1)");
    EXPECT_NE(plan.find("requests_" + column), std::string::npos) << plan;
  }
  const std::string ai = PlanOf(
      path,
      "SELECT d.feature, d.outcome, COUNT(*) FROM ai_decisions d JOIN requests r ON r.id = "
      "d.request_id WHERE d.decided_at >= 1 AND d.decided_at < 2 AND +r.team_id IN (1) GROUP BY "
      "d.feature, d.outcome");
  EXPECT_NE(ai.find("ai_decisions_decided_at"), std::string::npos) << ai;
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

}  // namespace
}  // namespace guichet::storage
