// The HTTP server: REST API under /api/v1, operations endpoints (/healthz, /readyz, /metrics),
// served by RESTinio on a thread pool. Handlers call the Store synchronously, except request
// creation, which answers from the commit's callback; the server holds no state of its own
// beyond metrics, so several nodes can serve one PostgreSQL database.
// Thread-safety: Start/Stop/Wait from one controlling thread; handlers run on the pool.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/status.h"
#include "rules/registry.h"
#include "storage/store.h"

namespace guichet::server {

// Login throttling, per account and per client address, shared by all nodes through the
// database: past the free failures, each further failure doubles the wait before the next try.
struct LoginThrottlePolicy {
  int account_free_failures = 5;
  int address_free_failures = 30;  // several people may share one address (a town hall's NAT)
  Millis window = 15 * 60 * 1000;  // a failure this long after the previous one starts afresh
  Millis base_delay = 30 * 1000;
  Millis max_delay = 15 * 60 * 1000;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = any free port; read it back with Server::port()
  int threads = 4;
  std::size_t max_json_body = 1 << 20;         // 1 MiB
  std::size_t max_attachment_body = 10 << 20;  // 10 MiB
  std::size_t max_connections = 1024;
  Millis session_ttl = 8 * 3600 * 1000;  // a working day
  bool secure_cookies = false;           // set the Secure flag (behind HTTPS)
  PasswordCost password_cost = PasswordCost::kInteractive;
  LoginThrottlePolicy login_throttle;
  // How long a node may keep answering for an API token from memory instead of asking the
  // database on every call. A token revoked, or a user deactivated or changed, in the database
  // keeps its old rights on a node for at most this long. Zero asks the database every time.
  std::chrono::milliseconds token_cache_ttl{1000};
  const Clock* clock = nullptr;  // not owned; defaults to the system clock
  // Where this node keeps its knowledge-base search index; empty: in memory, built at start.
  std::string search_index_dir;
  // The eligibility schemes served under /api/v1/schemes (loaded once, immutable); none when
  // null.
  std::shared_ptr<const rules::SchemeRegistry> schemes;
};

class Server {
 public:
  virtual ~Server() = default;
  // The bound port (useful when ServerOptions::port was 0).
  virtual std::uint16_t port() const = 0;
  // Stops accepting, lets in-flight requests finish, then returns. Idempotent.
  virtual void Stop() = 0;
  // Blocks until the server has stopped (after Stop() or a fatal error).
  virtual void Wait() = 0;
};

// Binds and starts serving `store` (not owned, must outlive the server).
// kUnavailable when the address cannot be bound.
Result<std::unique_ptr<Server>> StartServer(storage::Store& store, const ServerOptions& options);

}  // namespace guichet::server
