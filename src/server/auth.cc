#include "server/auth.h"

#include <algorithm>

#include "common/crypto.h"
#include "common/text.h"

namespace guichet::server {
namespace {

std::string CookieValue(const std::string& header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string_view part = Trim(std::string_view(header).substr(pos, end - pos));
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    pos = end + 1;
  }
  return {};
}

bool InTeam(const core::User& u, const std::optional<core::Id>& team) {
  return team && std::find(u.team_ids.begin(), u.team_ids.end(), *team) != u.team_ids.end();
}

}  // namespace

std::optional<core::User> TokenCache::Find(const std::string& token_hash) {
  if (ttl_.count() <= 0) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = entries_.find(token_hash);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires <= std::chrono::steady_clock::now()) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.user;
}

void TokenCache::Put(const std::string& token_hash, const core::User& user) {
  if (ttl_.count() <= 0) return;
  std::lock_guard lock(mu_);
  if (entries_.size() >= kCapacity) entries_.clear();
  entries_.insert_or_assign(token_hash, Entry{user, std::chrono::steady_clock::now() + ttl_});
}

Principal Authenticate(storage::Store& store, const HttpContext& ctx, Millis now,
                       TokenCache* tokens) {
  Principal p;
  const std::string authorization = ctx.Header("authorization");
  if (authorization.rfind("Bearer ", 0) == 0) {
    const std::string token(Trim(std::string_view(authorization).substr(7)));
    if (token.empty() || token.size() > 200) return p;
    const std::string hash = Sha256Hex(token);
    if (tokens) {
      if (auto cached = tokens->Find(hash)) {
        p.user = std::move(cached);
        return p;
      }
    }
    auto user = store.FindUserByTokenHash(hash);
    if (user.ok() && user->active) {
      if (tokens) tokens->Put(hash, *user);
      p.user = std::move(user).value();
    }
    return p;
  }
  const std::string cookie = CookieValue(ctx.Header("cookie"), kSessionCookie);
  if (cookie.empty() || cookie.size() > 200) return p;
  const std::string hash = Sha256Hex(cookie);
  auto session = store.FindSession(hash);
  if (!session.ok() || session->expires_at <= now) return p;
  auto user = store.GetUser(session->user_id);
  if (!user.ok() || !user->active) return p;
  p.user = std::move(user).value();
  p.via_session = true;
  p.csrf_token = session->csrf_token;
  p.session_token_hash = hash;
  return p;
}

std::optional<HttpResponse> CheckCsrf(const HttpContext& ctx) {
  if (!ctx.principal.via_session) return std::nullopt;
  if (ctx.method == "GET" || ctx.method == "HEAD" || ctx.method == "OPTIONS") return std::nullopt;
  if (!ConstantTimeEquals(ctx.Header("x-csrf-token"), ctx.principal.csrf_token)) {
    return Problem(403, "csrf-token-invalid", "CSRF token missing or wrong",
                   "Send the csrf_token you received at login in the X-CSRF-Token header.");
  }
  return std::nullopt;
}

std::optional<HttpResponse> RequireUser(const HttpContext& ctx) {
  if (ctx.principal.anonymous()) return UnauthenticatedProblem();
  return std::nullopt;
}

std::optional<HttpResponse> RequireStaffReader(const HttpContext& ctx) {
  return RequireRole(
      ctx, {core::Role::kAgent, core::Role::kLead, core::Role::kAdmin, core::Role::kAuditor});
}

std::optional<HttpResponse> RequireRole(const HttpContext& ctx,
                                        std::initializer_list<core::Role> roles) {
  if (ctx.principal.anonymous()) return UnauthenticatedProblem();
  for (core::Role r : roles) {
    if (ctx.principal.user->role == r) return std::nullopt;
  }
  return ForbiddenProblem("Your role (" + std::string(core::ToString(ctx.principal.user->role)) +
                          ") may not do this.");
}

bool CanSeeRequest(const Principal& p, const core::Request& r) {
  if (!p.user) return false;
  switch (p.user->role) {
    case core::Role::kAdmin:
    case core::Role::kAuditor:
      return true;
    case core::Role::kAgent:
    case core::Role::kLead:
      return InTeam(*p.user, r.team_id);
    case core::Role::kCitizen:
      return p.user->citizen_id && r.citizen_id == p.user->citizen_id;
  }
  return false;
}

bool CanWorkRequest(const Principal& p, const core::Request& r) {
  if (!p.user) return false;
  switch (p.user->role) {
    case core::Role::kAdmin:
      return true;
    case core::Role::kAgent:
    case core::Role::kLead:
      return InTeam(*p.user, r.team_id);
    case core::Role::kAuditor:
    case core::Role::kCitizen:
      return false;
  }
  return false;
}

void ScopeFilter(const Principal& p, storage::RequestFilter& filter) {
  if (!p.user) {
    filter.scope_team_ids = std::vector<core::Id>{};
    return;
  }
  switch (p.user->role) {
    case core::Role::kAdmin:
    case core::Role::kAuditor:
      return;
    case core::Role::kAgent:
    case core::Role::kLead:
      filter.scope_team_ids = p.user->team_ids;
      return;
    case core::Role::kCitizen:
      if (p.user->citizen_id) {
        filter.scope_citizen_id = p.user->citizen_id;
      } else {
        filter.scope_team_ids = std::vector<core::Id>{};
      }
      return;
  }
}

std::variant<core::Request, HttpResponse> LoadVisibleRequest(HttpContext& ctx) {
  if (auto denied = RequireUser(ctx)) return *denied;
  auto id = PathId(ctx, "id");
  if (!id) return NotFoundProblem("No such request.");
  auto request = ctx.store->GetRequest(*id);
  if (!request.ok()) {
    if (request.status().code() == StatusCode::kNotFound)
      return NotFoundProblem("Request " + std::to_string(*id) +
                             " does not exist or is not yours to see.");
    return ProblemFor(request.status());
  }
  if (!CanSeeRequest(ctx.principal, *request))
    return NotFoundProblem("Request " + std::to_string(*id) +
                           " does not exist or is not yours to see.");
  return std::move(request).value();
}

std::optional<HttpResponse> RequireWork(const HttpContext& ctx, const core::Request& r) {
  if (CanWorkRequest(ctx.principal, r)) return std::nullopt;
  return ForbiddenProblem("You may read this request but not change it.");
}

}  // namespace guichet::server
