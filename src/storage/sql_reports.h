// Private to src/storage: the SQL ReportStore, on the SqlStore's shared SqlDb. Counts are
// aggregated by the database (plain GROUP BY, the same SQL on both backends); the duration
// percentiles are taken here from the durations it returns. Thread-safety: as SqlDb.
#pragma once

#include "storage/report_store.h"
#include "storage/sql_db.h"

namespace guichet::storage::internal {

class SqlReports final : public ReportStore {
 public:
  explicit SqlReports(SqlDb& db) : db_(db) {}

  Result<DashboardReport> Dashboard(const ReportQuery& query) override;

 private:
  SqlDb& db_;  // the owning SqlStore's
};

}  // namespace guichet::storage::internal
