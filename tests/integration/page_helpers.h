// What the tests of the web pages share over real HTTP: the form content type, the first
// capture of a pattern in a page, a user who can sign in with a password, and signing in
// through the sign-in page as a browser does.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "core/model.h"
#include "http_client.h"

namespace guichet::testing {

inline constexpr char kForm[] = "application/x-www-form-urlencoded";
inline constexpr char kPagePassword[] = "a-long-password";

// The first capture of `pattern` in `text`, or "".
inline std::string Find(const std::string& text, const std::string& pattern) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? m[1].str() : "";
}

// The form token a page carries (its first csrf_token field), or "".
inline std::string FormToken(const std::string& page) {
  return Find(page, R"re(name="csrf_token" value="([^"]+)")re");
}

// "name=value" of a Set-Cookie header.
inline std::string CookieOf(const std::string& set_cookie) {
  return set_cookie.substr(0, set_cookie.find(';'));
}

// A new user who signs in with kPagePassword.
inline core::NewUser UserWithPassword(const std::string& email, const std::string& name,
                                      core::Role role, std::vector<core::Id> teams = {}) {
  core::NewUser user;
  user.email = email;
  user.display_name = name;
  user.role = role;
  user.password_hash = HashPassword(kPagePassword, PasswordCost::kFast).value();
  user.team_ids = std::move(teams);
  return user;
}

// Opens the sign-in page `form`, then posts `email` and kPagePassword with its token and cookie:
// the answer (a 303 with the session cookie when it worked).
inline HttpResult PostSignIn(HttpClient& client, const std::string& email,
                             const std::string& form = "/agent/connexion") {
  const HttpResult page = client.Get(form);
  return client.Post(form,
                     "csrf_token=" + UrlEncode(FormToken(page.body)) +
                         "&email=" + UrlEncode(email) + "&password=" + kPagePassword,
                     {{"Content-Type", kForm}, {"Cookie", CookieOf(page.Header("set-cookie"))}});
}

}  // namespace guichet::testing
