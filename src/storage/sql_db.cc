#include "storage/sql_db.h"

#include <algorithm>
#include <future>

#include "common/crypto.h"

namespace guichet::storage::internal {
namespace {

constexpr int kAttempts = 5;
// Bounds one transaction's size; more callers than this simply wait for the next batch.
constexpr size_t kMaxBatch = 128;

// Set while this thread runs a batched body: a nested write Tx would wait for itself.
thread_local bool t_in_body = false;
// The running batch's state, while this thread runs one of its bodies.
thread_local BatchState* t_batch = nullptr;

// Writes what the batch kept in memory back to its rows.
Status WriteBack(SqlConnection& c, const BatchState& state) {
  // The new audit entries in chain order (ids ascending), up to 128 rows per INSERT. On SQLite
  // in INSERTs of 128, 64, …, 2 or 1 rows, so that the connection keeps eight prepared shapes
  // (one per row count cost the server 20 MiB); on PostgreSQL, where each statement is a round
  // trip and prepared statements live in the database server, one INSERT per 128 rows.
  std::int64_t last_id = 0;
  const auto& rows = state.audit_rows;
  for (std::size_t from = 0; from < rows.size();) {
    std::size_t n = 128;
    if (c.dialect() == Dialect::kPostgres) {
      n = std::min(n, rows.size() - from);
    } else {
      while (n > rows.size() - from) n /= 2;
    }
    std::string sql =
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, request_id, changes, "
        "prev_hash, hash) VALUES ";
    Params params;
    for (std::size_t i = from; i < from + n; ++i) {
      const BatchState::AuditRow& r = rows[i];
      sql += i == from ? "(?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?)";
      params.insert(params.end(), {r.at, r.actor, r.action, r.entity, r.entity_id,
                                   OptId(r.request_id), r.changes, r.prev_hash, r.hash});
    }
    GUICHET_ASSIGN_OR_RETURN(auto ids, c.Query(sql + " RETURNING id", params));
    for (const Row& id : ids) last_id = std::max(last_id, AsInt(id[0]));
    from += n;
  }
  if (!rows.empty()) {
    GUICHET_RETURN_IF_ERROR(c.Query("UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1",
                                    {last_id, rows.back().hash})
                                .status());
  }
  for (int year : state.changed_counters) {
    GUICHET_RETURN_IF_ERROR(c.Query("UPDATE reference_counters SET last_value = ? WHERE year = ?",
                                    {state.counters.at(year), std::int64_t{year}})
                                .status());
  }
  return Status::Ok();
}

void Backoff(int attempt) { std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt)); }

// A savepoint statement: prepared once per connection on SQLite, a simple query on PostgreSQL.
Status Savepoint(SqlConnection& c, const std::string& sql) {
  return c.dialect() == Dialect::kSqlite ? c.Query(sql, {}).status() : c.ExecScript(sql);
}

// Ends the previous body's savepoint and opens the next one (one round trip on PostgreSQL).
Status NextSavepoint(SqlConnection& c) {
  if (c.dialect() == Dialect::kPostgres) return c.ExecScript("RELEASE SAVEPOINT g; SAVEPOINT g");
  GUICHET_RETURN_IF_ERROR(Savepoint(c, "RELEASE SAVEPOINT g"));
  return Savepoint(c, "SAVEPOINT g");
}

}  // namespace

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queued_.notify_one();
  if (writer_.joinable()) writer_.join();
}

Status GroupCommitter::Run(const Body& body) {
  // On the writer thread (a body starting a write of its own) this would wait for itself.
  if (t_in_body) return Internal("a write transaction was started inside another one");
  std::promise<Status> outcome;
  RunAsync(body, [&outcome](Status s) { outcome.set_value(std::move(s)); });
  return outcome.get_future().get();
}

void GroupCommitter::RunAsync(Body body, Done done, bool shares_config) {
  auto call = std::make_unique<Call>();
  call->body = std::move(body);
  call->done = std::move(done);
  call->shares_config = shares_config;
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(call));
      if (!writer_.joinable()) writer_ = std::thread([this] { WriterLoop(); });
    }
  }
  if (call) return call->done(Unavailable("the store is shutting down"));
  queued_.notify_one();
}

void GroupCommitter::WriterLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    queued_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // stopping, and everything queued has been served
    std::vector<std::unique_ptr<Call>> owned;
    std::vector<Call*> batch;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      owned.push_back(std::move(queue_.front()));
      queue_.pop_front();
      batch.push_back(owned.back().get());
    }
    lock.unlock();
    std::vector<Call*> again = RunBatch(batch);
    for (auto& call : owned) {
      if (std::find(again.begin(), again.end(), call.get()) == again.end()) {
        call->done(std::move(call->status));
        call.reset();
      }
    }
    lock.lock();
    // Calls to run again go first, in the order RunBatch gave, ahead of newer ones.
    for (auto it = again.rbegin(); it != again.rend(); ++it) {
      auto own = std::find_if(owned.begin(), owned.end(), [&](auto& c) { return c.get() == *it; });
      queue_.push_front(std::move(*own));
    }
  }
}

std::vector<GroupCommitter::Call*> GroupCommitter::RunBatch(std::vector<Call*> batch) {
  std::vector<Call*> again;
  for (int attempt = 1;; ++attempt) {
    auto conn = pool_->Acquire();
    if (!conn.ok()) {
      for (Call* call : batch) call->status = conn.status();
      return again;
    }
    SqlConnection& c = **conn;
    Status begun = c.Begin(true);
    if (!begun.ok()) {
      if (c.last_error_retryable() && attempt < kAttempts) {
        Backoff(attempt);
        continue;
      }
      for (Call* call : batch) call->status = begun;
      return again;
    }
    const bool isolate = batch.size() > 1 && std::any_of(batch.begin(), batch.end(),
                                                         [](Call* k) { return k->isolate; });
    BatchState state, at_savepoint;
    std::vector<Call*> succeeded;
    for (size_t i = 0; i < batch.size(); ++i) {
      Call* call = batch[i];
      if (isolate) {
        Status saved = i == 0 ? Savepoint(c, "SAVEPOINT g") : NextSavepoint(c);
        at_savepoint = state;
        if (!saved.ok()) {  // a broken connection: nothing left in this batch can commit
          c.Rollback();
          for (Call* done : succeeded) done->status = saved;
          for (size_t j = i; j < batch.size(); ++j) batch[j]->status = saved;
          return again;
        }
      }
      t_in_body = true;
      t_batch = &state;
      state.sharing_config = call->shares_config;
      if (!call->shares_config) state.config_rows.clear();
      Status s = call->body(c);
      if (!call->shares_config) state.config_rows.clear();
      t_batch = nullptr;
      t_in_body = false;
      if (s.ok()) {
        succeeded.push_back(call);
        continue;
      }
      const bool retry = c.last_error_retryable() && ++call->attempts < kAttempts;
      if (isolate && Savepoint(c, "ROLLBACK TO SAVEPOINT g").ok()) {
        state = at_savepoint;
        if (retry) {
          again.push_back(call);
        } else {
          call->status = s;
        }
        continue;
      }
      // Without a savepoint (or when the error ended the transaction, as SQLite does on some
      // I/O errors) the whole batch is undone: the others run again, in order, isolated.
      c.Rollback();
      std::vector<Call*> rerun = succeeded;
      rerun.insert(rerun.end(), batch.begin() + static_cast<std::ptrdiff_t>(i) + 1, batch.end());
      for (Call* other : rerun) other->isolate = true;
      if (retry) {
        rerun.push_back(call);
      } else {
        call->status = s;
      }
      rerun.insert(rerun.end(), again.begin(), again.end());
      return rerun;
    }
    if (succeeded.empty()) {
      c.Rollback();
      return again;
    }
    Status committed = WriteBack(c, state);
    if (committed.ok() && before_commit_) committed = before_commit_(c);
    if (committed.ok()) committed = c.Commit();
    if (committed.ok()) {
      for (Call* call : succeeded) call->status = Status::Ok();
      return again;
    }
    const bool retry = c.last_error_retryable() && attempt < kAttempts;
    c.Rollback();
    if (!retry) {
      for (Call* call : succeeded) call->status = committed;
      return again;
    }
    batch = std::move(succeeded);  // the whole batch is undone: run what succeeded again
    Backoff(attempt);
  }
}

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

json Diff(const json& before, const json& after) {
  json changes = json::object();
  for (auto it = after.begin(); it != after.end(); ++it) {
    const json old_value = before.contains(it.key()) ? before[it.key()] : json(nullptr);
    if (old_value != *it) changes[it.key()] = {{"before", old_value}, {"after", *it}};
  }
  for (auto it = before.begin(); it != before.end(); ++it) {
    if (!after.contains(it.key())) changes[it.key()] = {{"before", *it}, {"after", nullptr}};
  }
  return changes;
}

json Created(const json& after) {
  json changes = json::object();
  for (auto it = after.begin(); it != after.end(); ++it) changes[it.key()] = {{"after", *it}};
  return changes;
}

std::string AuditHash(const std::string& prev_hash, Millis at, const std::string& actor,
                      const std::string& action, const std::string& entity, Id entity_id,
                      const std::optional<Id>& request_id, const std::string& changes) {
  std::string material = prev_hash;
  for (const std::string& part :
       {std::to_string(at), actor, action, entity, std::to_string(entity_id),
        request_id ? std::to_string(*request_id) : std::string("-"), changes}) {
    material += '\x1f';  // unit separator: no field can forge a boundary
    material += part;
  }
  return Sha256Hex(material);
}

namespace {

// Reads (and on PostgreSQL locks) the chain's head into `state` unless it holds it already.
Status ReadAuditHead(SqlConnection& c, const std::string& for_update, BatchState& state) {
  if (state.audit_head_hash) return Status::Ok();
  GUICHET_ASSIGN_OR_RETURN(
      auto head, c.Query("SELECT last_hash FROM audit_head WHERE id = 1" + for_update, {}));
  if (head.empty()) return Internal("the audit chain head is missing");
  state.audit_head_hash = AsText(head[0][0]);
  return Status::Ok();
}

}  // namespace

Status SqlDb::HoldAuditHead(SqlConnection& c) {
  BatchState alone;  // outside a batch the lock still holds to the end of the transaction
  return ReadAuditHead(c, ForUpdate(), t_batch ? *t_batch : alone);
}

Status SqlDb::Audit(SqlConnection& c, const Actor& actor, const std::string& action,
                    const std::string& entity, Id entity_id, std::optional<Id> request_id,
                    const json& changes) {
  // Outside a batch (none today) the entry is written at once, through the same path.
  BatchState alone;
  BatchState& state = t_batch ? *t_batch : alone;
  GUICHET_RETURN_IF_ERROR(ReadAuditHead(c, ForUpdate(), state));
  const Millis at = clock_->Now();
  const std::string changes_text = changes.dump();
  const std::string hash = AuditHash(*state.audit_head_hash, at, actor.label, action, entity,
                                     entity_id, request_id, changes_text);
  state.audit_rows.push_back({at, actor.label, action, entity, entity_id, request_id, changes_text,
                              *state.audit_head_hash, hash});
  state.audit_head_hash = hash;
  return t_batch ? Status::Ok() : WriteBack(c, alone);
}

Result<std::vector<Row>> SqlDb::QueryConfig(SqlConnection& c, const std::string& sql,
                                            const Params& params) {
  BatchState* batch = t_batch;
  if (!batch || !batch->sharing_config) return c.Query(sql, params);
  std::string key = sql;
  for (const SqlValue& v : params) {
    key += '\x1f';
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
      key += std::to_string(*i);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      key += *s;
    } else if (std::holds_alternative<std::monostate>(v)) {
      key += '\x1e';
    } else {
      return c.Query(sql, params);  // not a configuration key
    }
  }
  if (auto it = batch->config_rows.find(key); it != batch->config_rows.end()) return it->second;
  GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
  batch->config_rows.emplace(std::move(key), rows);
  return rows;
}

Result<std::int64_t> SqlDb::NextReferenceNumber(SqlConnection& c, int year) {
  BatchState* batch = t_batch;
  if (batch) {
    if (auto it = batch->counters.find(year); it != batch->counters.end()) {
      batch->changed_counters.insert(year);
      return ++it->second;
    }
  }
  // Creates the year's row or takes the next number; either way the row is locked to the end
  // of the transaction.
  GUICHET_ASSIGN_OR_RETURN(
      auto rows,
      c.Query("INSERT INTO reference_counters (year, last_value) VALUES (?, 1) "
              "ON CONFLICT (year) DO UPDATE SET last_value = reference_counters.last_value + 1 "
              "RETURNING last_value",
              {std::int64_t{year}}));
  const std::int64_t value = AsInt(rows[0][0]);
  if (batch) batch->counters[year] = value;
  return value;
}

}  // namespace guichet::storage::internal
