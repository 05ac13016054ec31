// Private to src/storage: the numbered schema migrations of each backend, embedded at build
// time from migrations/<backend>/NNNN_name.sql. Applied in order, each in its own transaction.
#pragma once

#include <string_view>
#include <vector>

namespace guichet::storage::internal {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

const std::vector<Migration>& SqliteMigrations();
const std::vector<Migration>& PostgresMigrations();

}  // namespace guichet::storage::internal
