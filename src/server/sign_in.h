// Private to src/server: opening a session for a person, shared by the API's login
// (routes/sessions.cc) and the staff's login page (routes/agent.cc). Throttled per account and
// per address; unknown e-mails cost as much time as wrong passwords.
#pragma once

#include <string>
#include <variant>

#include "server/http.h"

namespace guichet::server {

struct SignedIn {
  core::User user;
  std::string token;  // the session cookie's value (only its hash is stored)
  storage::Session session;
};

// The new session of the active user whose `email` and `password` these are, or the problem:
// 401 invalid-credentials, 422 for a password over 1 KiB, 429 while throttled, 5xx on storage
// failures. A session the caller already had is ended (no session fixation).
std::variant<SignedIn, HttpResponse> SignIn(HttpContext& ctx, const std::string& email,
                                            const std::string& password);

// The Set-Cookie value of the session cookie (empty value and 0: the cookie's removal).
std::string SessionCookie(const std::string& value, Millis max_age_ms, bool secure);

}  // namespace guichet::server
