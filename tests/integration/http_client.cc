#include "http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>

namespace guichet::testing {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string TrimSpaces(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("curl_global_init failed");
  });
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* result = static_cast<HttpResult*>(user);
  const std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    result->headers.clear();  // a new response (after a 100 Continue): start over
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    result->headers.emplace_back(Lower(TrimSpaces(line.substr(0, colon))),
                                 TrimSpaces(line.substr(colon + 1)));
  }
  return size * count;
}

}  // namespace

std::string HttpResult::Header(const std::string& lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return "";
}

std::vector<std::string> HttpResult::AllHeaders(const std::string& lower_name) const {
  std::vector<std::string> out;
  for (const auto& [name, value] : headers) {
    if (name == lower_name) out.push_back(value);
  }
  return out;
}

bool HttpResult::HasHeader(const std::string& lower_name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return h.first == lower_name; });
}

nlohmann::json HttpResult::Json() const { return nlohmann::json::parse(body, nullptr, false); }

HttpClient::HttpClient(std::uint16_t port, std::string host)
    : base_("http://" + host + ":" + std::to_string(port)), port_(port) {
  GlobalInit();
  curl_ = curl_easy_init();
  if (!curl_) throw std::runtime_error("curl_easy_init failed");
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResult HttpClient::Send(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);  // keeps the open connection
  HttpResult result;
  const std::string url = base_ + request.target;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 60000L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result);

  const bool has_body = !request.body.empty() || request.method == "POST" ||
                        request.method == "PATCH" || request.method == "PUT";
  if (request.method == "GET" && request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (has_body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  }

  curl_slist* list = nullptr;
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    has_content_type |= Lower(name) == "content-type";
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    list = curl_slist_append(list, line.c_str());
  }
  // No implicit headers: curl would add a form Content-Type and, for large bodies,
  // "Expect: 100-continue".
  if (!has_content_type) list = curl_slist_append(list, "Content-Type:");
  list = curl_slist_append(list, "Expect:");
  list = curl_slist_append(list, "Accept:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);

  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  } else {
    result.status = 0;
    result.error = curl_easy_strerror(code);
  }
  curl_slist_free_all(list);
  return result;
}

HttpResult HttpClient::Get(const std::string& target, const Headers& headers) {
  return Send({"GET", target, headers, ""});
}

HttpResult HttpClient::Delete(const std::string& target, const Headers& headers) {
  return Send({"DELETE", target, headers, ""});
}

namespace {

Headers WithJsonType(Headers headers) {
  const bool named = std::any_of(headers.begin(), headers.end(),
                                 [](const auto& h) { return Lower(h.first) == "content-type"; });
  if (!named) headers.emplace_back("Content-Type", "application/json");
  return headers;
}

}  // namespace

HttpResult HttpClient::Post(const std::string& target, const std::string& body,
                            const Headers& headers) {
  return Send({"POST", target, WithJsonType(headers), body});
}

HttpResult HttpClient::Patch(const std::string& target, const std::string& body,
                             const Headers& headers) {
  return Send({"PATCH", target, WithJsonType(headers), body});
}

std::optional<std::string> SetCookieValue(const std::string& set_cookie, const std::string& name) {
  const std::string first = set_cookie.substr(0, set_cookie.find(';'));
  const auto eq = first.find('=');
  if (eq == std::string::npos || TrimSpaces(first.substr(0, eq)) != name) return std::nullopt;
  return TrimSpaces(first.substr(eq + 1));
}

std::vector<std::pair<std::string, std::string>> SetCookieAttributes(
    const std::string& set_cookie) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = set_cookie.find(';');
  while (pos != std::string::npos) {
    const size_t next = set_cookie.find(';', pos + 1);
    const std::string part = TrimSpaces(set_cookie.substr(pos + 1, next - pos - 1));
    const auto eq = part.find('=');
    if (eq == std::string::npos) {
      out.emplace_back(Lower(part), "");
    } else {
      out.emplace_back(Lower(TrimSpaces(part.substr(0, eq))),
                       Lower(TrimSpaces(part.substr(eq + 1))));
    }
    pos = next;
  }
  return out;
}

std::string UrlEncode(const std::string& value) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace guichet::testing
