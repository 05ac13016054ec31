// A small blocking HTTP/1.1 client on libcurl for the integration tests: one method, path,
// header list and body in; status, headers and body out. Nothing is implicit: no cookie jar, no
// redirects, no default Content-Type or "Expect: 100-continue" (tests set exactly the headers
// they mean to send, and read Set-Cookie themselves with SetCookieValue).
// Thread-safety: an HttpClient keeps one connection and must be used by one thread at a time;
// use one client per thread. The free functions are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace guichet::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  // The HTTP status, or 0 when no response arrived (connection refused, closed or timed out);
  // `error` then says why.
  long status = 0;
  std::string error;
  Headers headers;  // in arrival order, names lower-cased
  std::string body;

  // The first value of the header (lower-case name), or "" when absent.
  std::string Header(const std::string& lower_name) const;
  std::vector<std::string> AllHeaders(const std::string& lower_name) const;
  bool HasHeader(const std::string& lower_name) const;
  // The body parsed as JSON; a discarded value when it is not JSON.
  nlohmann::json Json() const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // path and query, e.g. "/api/v1/requests?limit=5", sent as given
  Headers headers;     // sent as given; Content-Type only when listed here
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port, std::string host = "127.0.0.1");
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult Send(const HttpRequest& request);

  HttpResult Get(const std::string& target, const Headers& headers = {});
  HttpResult Delete(const std::string& target, const Headers& headers = {});
  // JSON bodies: adds "Content-Type: application/json" unless `headers` already names one.
  HttpResult Post(const std::string& target, const std::string& body, const Headers& headers = {});
  HttpResult Patch(const std::string& target, const std::string& body, const Headers& headers = {});

  std::uint16_t port() const { return port_; }

 private:
  std::string base_;
  std::uint16_t port_;
  void* curl_ = nullptr;  // CURL*, reused so that the connection is kept alive
};

// The value of cookie `name` from one Set-Cookie header value, or nullopt when that header sets
// another cookie. "guichet_session=abc; Path=/; HttpOnly" → "abc".
std::optional<std::string> SetCookieValue(const std::string& set_cookie, const std::string& name);
// The attributes of a Set-Cookie value, lower-cased names ("httponly", "samesite" → "lax", …).
std::vector<std::pair<std::string, std::string>> SetCookieAttributes(const std::string& set_cookie);

// Percent-encodes a query parameter value (RFC 3986 unreserved characters are kept).
std::string UrlEncode(const std::string& value);

// Polls `target` until `done` holds on its answer (the search index follows the database about
// once a second); returns the last answer.
template <typename Done>
HttpResult Eventually(HttpClient& client, const std::string& target, Done done) {
  HttpResult r;
  for (int i = 0; i < 300; ++i) {
    r = client.Get(target);
    if (done(r)) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return r;
}

}  // namespace guichet::testing
