#include "storage/sql.h"

namespace guichet::storage::internal {

Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
    if (open_ < size_) {
      ++open_;
      lock.unlock();
      auto opened = factory_();
      if (!opened.ok()) {
        lock.lock();
        --open_;
        cv_.notify_one();
        return opened.status();
      }
      return Lease(this, std::move(opened).value());
    }
    cv_.wait(lock);
  }
}

std::pair<int, int> ConnectionPool::Counts() {
  std::lock_guard lock(mu_);
  return {open_, static_cast<int>(idle_.size())};
}

void ConnectionPool::Release(std::unique_ptr<SqlConnection> conn) {
  std::lock_guard lock(mu_);
  if (conn->broken()) {
    --open_;  // dropped; a fresh one is opened on demand
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

std::int64_t AsInt(const SqlValue& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (auto* s = std::get_if<std::string>(&v)) return s->empty() ? 0 : std::stoll(*s);
  return 0;
}

double AsDouble(const SqlValue& v) {
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (auto* s = std::get_if<std::string>(&v)) return s->empty() ? 0 : std::stod(*s);
  return 0;
}

std::string AsText(const SqlValue& v) {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* b = std::get_if<Blob>(&v)) return b->bytes;
  if (auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  return {};
}

bool IsNull(const SqlValue& v) { return std::holds_alternative<std::monostate>(v); }

}  // namespace guichet::storage::internal
