// PostgreSQL backend of SqlConnection over libpq: `?` placeholders rewritten to $n, each
// statement prepared once per connection (PQprepare), results converted to typed values by
// column type so that rows look the same as SQLite's.
#include <libpq-fe.h>

#include <cstdlib>
#include <unordered_map>

#include "common/log.h"
#include "storage/sql.h"

namespace guichet::storage::internal {
namespace {

// Type OIDs from pg_type.h (stable across versions).
constexpr Oid kBoolOid = 16, kByteaOid = 17, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23,
              kFloat4Oid = 700, kFloat8Oid = 701, kNumericOid = 1700;

// Rewrites `?` placeholders outside quotes to $1, $2, …
std::string RewritePlaceholders(const std::string& sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status ExecScript(std::string_view sql) override {
    PGresult* res = PQexec(conn_, std::string(sql).c_str());
    Status status = Check(res);
    PQclear(res);
    return status;
  }

  Result<std::vector<Row>> Query(const std::string& sql, const Params& params) override {
    retryable_ = false;
    std::string name;
    if (auto it = prepared_.find(sql); it != prepared_.end()) {
      name = it->second;
    } else {
      name = "s" + std::to_string(prepared_.size() + 1);
      PGresult* res = PQprepare(conn_, name.c_str(), RewritePlaceholders(sql).c_str(), 0, nullptr);
      Status status = Check(res);
      PQclear(res);
      if (!status.ok()) return status;
      prepared_.emplace(sql, name);
    }
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    std::vector<int> lengths(params.size(), 0), formats(params.size(), 0);
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& p = params[i];
      if (std::holds_alternative<std::monostate>(p)) continue;
      if (auto* n = std::get_if<std::int64_t>(&p)) {
        text[i] = std::to_string(*n);
      } else if (auto* d = std::get_if<double>(&p)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", *d);
        text[i] = buf;
      } else if (auto* s = std::get_if<std::string>(&p)) {
        // A text parameter is NUL-terminated for libpq: it would be cut silently.
        if (s->find('\0') != std::string::npos) {
          return InvalidArgument("text values may not contain NUL characters");
        }
        text[i] = *s;
      } else if (auto* b = std::get_if<Blob>(&p)) {
        values[i] = b->bytes.data();
        lengths[i] = static_cast<int>(b->bytes.size());
        formats[i] = 1;
        continue;
      }
      values[i] = text[i].c_str();
      lengths[i] = static_cast<int>(text[i].size());
    }
    PGresult* res = PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()),
                                   values.data(), lengths.data(), formats.data(), 0);
    Status status = Check(res);
    if (!status.ok()) {
      PQclear(res);
      return status;
    }
    std::vector<Row> rows;
    const int nrows = PQntuples(res), ncols = PQnfields(res);
    rows.reserve(nrows);
    for (int r = 0; r < nrows; ++r) {
      Row row;
      row.reserve(ncols);
      for (int c = 0; c < ncols; ++c) row.push_back(ValueAt(res, r, c));
      rows.push_back(std::move(row));
    }
    PQclear(res);
    return rows;
  }

  Status Begin(bool) override { return ExecScript("BEGIN"); }
  Status Commit() override { return ExecScript("COMMIT"); }
  void Rollback() override {
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) (void)ExecScript("ROLLBACK");
  }
  bool last_error_retryable() const override { return retryable_; }
  bool broken() const override { return PQstatus(conn_) != CONNECTION_OK; }

 private:
  static SqlValue ValueAt(PGresult* res, int r, int c) {
    if (PQgetisnull(res, r, c)) return std::monostate{};
    const char* v = PQgetvalue(res, r, c);
    switch (PQftype(res, c)) {
      case kInt8Oid:
      case kInt4Oid:
      case kInt2Oid:
        return static_cast<std::int64_t>(std::strtoll(v, nullptr, 10));
      case kBoolOid:
        return static_cast<std::int64_t>(v[0] == 't');
      case kFloat4Oid:
      case kFloat8Oid:
      case kNumericOid:
        return std::strtod(v, nullptr);
      case kByteaOid: {
        size_t len = 0;
        unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &len);
        Blob blob{std::string(reinterpret_cast<char*>(raw), len)};
        PQfreemem(raw);
        return blob;
      }
      default:
        return std::string(v, PQgetlength(res, r, c));
    }
  }

  Status Check(PGresult* res) {
    const ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const std::string code = state ? state : "";
    retryable_ = code == "40001" || code == "40P01" || code == "55P03";
    if (code == "23505") return AlreadyExists("a record with the same key already exists");
    if (code == "53100") return ResourceExhausted("the database disk is full");
    if (retryable_) return Unavailable("the database is busy");
    // Only the primary message: DETAIL lines can quote row values (personal data).
    const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    LogEvent(LogLevel::kError, "postgresql_error",
             {{"sqlstate", code}, {"message", primary ? primary : PQerrorMessage(conn_)}});
    if (PQstatus(conn_) != CONNECTION_OK) return Unavailable("the database connection was lost");
    if (code.rfind("23", 0) == 0) return InvalidArgument("the change breaks a data constraint");
    return Internal("database error");
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;
  bool retryable_ = false;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    LogEvent(LogLevel::kError, "postgresql_connect_failed", {{"message", PQerrorMessage(conn)}});
    PQfinish(conn);
    return Unavailable("cannot connect to the PostgreSQL server");
  }
  auto pg = std::make_unique<PostgresConnection>(conn);
  Status setup = pg->ExecScript("SET client_min_messages = warning; SET TIME ZONE 'UTC'");
  if (!setup.ok()) return setup;
  return std::unique_ptr<SqlConnection>(std::move(pg));
}

}  // namespace guichet::storage::internal
