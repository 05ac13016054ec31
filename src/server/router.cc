#include "server/router.h"

namespace guichet::server {
namespace {

// "/a/b/" → {"a", "b"}: segments between slashes, one trailing slash dropped.
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t start = path.starts_with('/') ? 1 : 0;
  while (start <= path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsParamValue(const std::string& name, std::string_view value) {
  const size_t max = name == "id" ? 18 : 40;
  if (value.empty() || value.size() > max) return false;
  for (char c : value) {
    const bool digit = c >= '0' && c <= '9';
    if (name == "id" ? !digit
                     : !(digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                         c == '.' || c == '_'))
      return false;
  }
  return true;
}

}  // namespace

Router::Router(const std::vector<Route>& routes) {
  for (const Route& route : routes) {
    Compiled c{&route, {}};
    for (std::string_view part : Split(route.path)) {
      const bool param = part.size() > 2 && part.front() == '{' && part.back() == '}';
      c.segments.push_back({std::string(param ? part.substr(1, part.size() - 2) : part), param});
    }
    compiled_.push_back(std::move(c));
  }
}

std::optional<Router::Match> Router::Find(std::string_view method, std::string_view path) const {
  if (!path.starts_with('/')) return std::nullopt;
  const std::vector<std::string_view> parts = Split(path);
  for (const Compiled& c : compiled_) {
    if (c.route->method != method || c.segments.size() != parts.size()) continue;
    bool matched = true;
    for (size_t i = 0; matched && i < parts.size(); ++i) {
      const Segment& s = c.segments[i];
      matched = s.param ? IsParamValue(s.text, parts[i]) : s.text == parts[i];
    }
    if (!matched) continue;
    Match match{c.route, {}};
    for (size_t i = 0; i < parts.size(); ++i) {
      if (c.segments[i].param) match.params[c.segments[i].text] = std::string(parts[i]);
    }
    return match;
  }
  return std::nullopt;
}

}  // namespace guichet::server
