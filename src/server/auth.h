// Private to src/server: who is asking (API token or session cookie) and what they may see or
// do. Every route handler goes through these checks; a request the caller may not see answers
// 404 (its existence is not revealed), a visible one they may not change answers 403.
#pragma once

#include <chrono>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "server/http.h"

namespace guichet::server {

inline constexpr char kSessionCookie[] = "guichet_session";

// Which active user an API token (by its hash) stood for, remembered for `ttl` after the database
// said so: a busy API client then costs no token query per call. Only tokens the database
// accepted are remembered, so a new token works at once; a revocation, deactivation or change of
// role or teams made in the database takes effect within `ttl`. Thread-safe; bounded in size.
class TokenCache {
 public:
  explicit TokenCache(std::chrono::steady_clock::duration ttl) : ttl_(ttl) {}

  std::optional<core::User> Find(const std::string& token_hash);
  void Put(const std::string& token_hash, const core::User& user);

 private:
  struct Entry {
    core::User user;
    std::chrono::steady_clock::time_point expires;
  };
  static constexpr size_t kCapacity = 10000;  // then it starts over: only a cache

  const std::chrono::steady_clock::duration ttl_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

// Resolves the principal from "Authorization: Bearer gu_…" or the session cookie. A bad or
// expired credential yields an anonymous principal (routes then answer 401 where needed).
// `tokens`, if given, answers for recently seen API tokens.
Principal Authenticate(storage::Store& store, const HttpContext& ctx, Millis now,
                       TokenCache* tokens = nullptr);

// The CSRF rule: cookie-authenticated unsafe methods must echo the session's CSRF token in
// X-CSRF-Token. Returns the problem to send, or nothing when the request passes.
std::optional<HttpResponse> CheckCsrf(const HttpContext& ctx);

// Returns 401 for anonymous callers and 403 unless the caller has one of `roles`.
std::optional<HttpResponse> RequireRole(const HttpContext& ctx,
                                        std::initializer_list<core::Role> roles);
std::optional<HttpResponse> RequireUser(const HttpContext& ctx);
// Staff who may read the desk's configuration: agents, leads, admins and auditors.
std::optional<HttpResponse> RequireStaffReader(const HttpContext& ctx);

bool CanSeeRequest(const Principal& p, const core::Request& r);
// Staff who may change the request's fields (agents and leads of its team, admins).
bool CanWorkRequest(const Principal& p, const core::Request& r);

// Loads the request named in the path ({id}) if the caller may see it; otherwise the response to
// send (401 for anonymous callers, 404 when it does not exist or is not theirs to see).
std::variant<core::Request, HttpResponse> LoadVisibleRequest(HttpContext& ctx);
// 403 unless the caller may change `r`.
std::optional<HttpResponse> RequireWork(const HttpContext& ctx, const core::Request& r);
// Narrows a list filter to what the principal may see.
void ScopeFilter(const Principal& p, storage::RequestFilter& filter);

}  // namespace guichet::server
