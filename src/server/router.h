// Private to src/server: finds the route of a method and path without regular expressions.
// A route path is literal segments and {name} parameters: {id} takes 1 to 18 digits, any other
// name 1 to 40 of A-Z, a-z, 0-9, '-', '.' and '_'. Matching is case-sensitive; one trailing slash
// is ignored. The path is matched as sent (percent-encoded), so no parameter can carry an encoded
// character. Thread-safety: immutable once built.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http.h"

namespace guichet::server {

class Router {
 public:
  // `routes` must outlive the router.
  explicit Router(const std::vector<Route>& routes);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
  };
  // The route for `method` and `path` (no query string); nullopt when none matches.
  std::optional<Match> Find(std::string_view method, std::string_view path) const;

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool param = false;
  };
  struct Compiled {
    const Route* route;
    std::vector<Segment> segments;
  };
  std::vector<Compiled> compiled_;
};

}  // namespace guichet::server
