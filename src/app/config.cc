#include "app/config.h"

#include <toml++/toml.h>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <variant>

#include "common/log.h"

namespace guichet::app {
namespace {

enum class Kind { kString, kInteger, kBoolean };

struct KeySpec {
  std::string_view key;  // "server.threads"
  std::string_view env;  // "GUICHET_SERVER_THREADS"
  Kind kind;
};

constexpr KeySpec kKeys[] = {
    {"database.url", "GUICHET_DATABASE_URL", Kind::kString},
    {"server.listen", "GUICHET_SERVER_LISTEN", Kind::kString},
    {"server.threads", "GUICHET_SERVER_THREADS", Kind::kInteger},
    {"server.secure_cookies", "GUICHET_SERVER_SECURE_COOKIES", Kind::kBoolean},
    {"log.level", "GUICHET_LOG_LEVEL", Kind::kString},
    {"jobs.enabled", "GUICHET_JOBS_ENABLED", Kind::kBoolean},
    {"jobs.workers", "GUICHET_JOBS_WORKERS", Kind::kInteger},
    {"jobs.poll_seconds", "GUICHET_JOBS_POLL_SECONDS", Kind::kInteger},
    {"search.index_dir", "GUICHET_SEARCH_INDEX_DIR", Kind::kString},
    {"rules.dir", "GUICHET_RULES_DIR", Kind::kString},
};

using Value = std::variant<std::string, std::int64_t, bool>;

const KeySpec* FindKey(std::string_view key) {
  for (const KeySpec& k : kKeys) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "a string";
    case Kind::kInteger:
      return "an integer";
    case Kind::kBoolean:
      return "true or false";
  }
  return "a value";
}

std::string KnownKeys(std::string_view table) {
  std::string out;
  for (const KeySpec& k : kKeys) {
    if (!table.empty() && k.key.substr(0, table.size() + 1) != std::string(table) + ".") continue;
    out += (out.empty() ? "" : ", ") + std::string(k.key);
  }
  return out;
}

// Why the value of `key` in `c` is wrong, or "" when it is fine.
std::string CheckKey(const Config& c, std::string_view key) {
  if (key == "database.url") {
    const std::string& u = c.database_url;
    if (u.rfind("sqlite:", 0) == 0 && u.size() > 7) return "";
    if (u.rfind("postgresql://", 0) == 0 || u.rfind("postgres://", 0) == 0) return "";
    return "must be sqlite:PATH or postgresql://…";
  }
  if (key == "server.listen") {
    auto parsed = ParseListenAddress(c.server_listen);
    return parsed.ok() ? "" : parsed.status().message();
  }
  if (key == "server.threads") {
    return c.server_threads >= 1 && c.server_threads <= 256 ? "" : "must be between 1 and 256";
  }
  if (key == "jobs.workers") {
    return c.jobs_workers >= 1 && c.jobs_workers <= 64 ? "" : "must be between 1 and 64";
  }
  if (key == "jobs.poll_seconds") {
    return c.jobs_poll_seconds >= 1 && c.jobs_poll_seconds <= 3600 ? ""
                                                                   : "must be between 1 and 3600";
  }
  if (key == "log.level") {
    LogLevel level;
    return ParseLogLevel(c.log_level, level) ? "" : "must be one of: debug, info, warn, error";
  }
  return "";
}

// An integer setting: out-of-range values stay out of range (and are then reported) instead of
// wrapping.
int ClampedInt(const Value& v) {
  const std::int64_t n = std::get<std::int64_t>(v);
  return n < 0 ? -1 : n > 100000 ? 100000 : static_cast<int>(n);
}

void Set(Config& c, std::string_view key, const Value& v) {
  if (key == "database.url") c.database_url = std::get<std::string>(v);
  if (key == "server.listen") c.server_listen = std::get<std::string>(v);
  if (key == "server.threads") c.server_threads = ClampedInt(v);
  if (key == "jobs.enabled") c.jobs_enabled = std::get<bool>(v);
  if (key == "jobs.workers") c.jobs_workers = ClampedInt(v);
  if (key == "jobs.poll_seconds") c.jobs_poll_seconds = ClampedInt(v);
  if (key == "server.secure_cookies") c.server_secure_cookies = std::get<bool>(v);
  if (key == "log.level") c.log_level = std::get<std::string>(v);
  if (key == "search.index_dir") c.search_index_dir = std::get<std::string>(v);
  if (key == "rules.dir") c.rules_dir = std::get<std::string>(v);
}

std::string Location(const std::string& source, const toml::source_region& region) {
  return source + ":" + std::to_string(region.begin.line) + ":" +
         std::to_string(region.begin.column);
}

// Reads one TOML value of the expected kind; nullopt when the type is wrong.
std::optional<Value> ReadTomlValue(const toml::node& node, Kind kind) {
  switch (kind) {
    case Kind::kString:
      if (auto v = node.value_exact<std::string>()) return Value(*v);
      break;
    case Kind::kInteger:
      if (auto v = node.value_exact<std::int64_t>()) return Value(*v);
      break;
    case Kind::kBoolean:
      if (auto v = node.value_exact<bool>()) return Value(*v);
      break;
  }
  return std::nullopt;
}

std::optional<Value> ReadEnvValue(const std::string& text, Kind kind) {
  switch (kind) {
    case Kind::kString:
      return Value(text);
    case Kind::kInteger: {
      std::int64_t n = 0;
      const char* end = text.data() + text.size();
      auto [ptr, ec] = std::from_chars(text.data(), end, n);
      if (ec != std::errc() || ptr != end) return std::nullopt;
      return Value(n);
    }
    case Kind::kBoolean: {
      std::string t;
      for (char ch : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (t == "true" || t == "1" || t == "yes" || t == "on") return Value(true);
      if (t == "false" || t == "0" || t == "no" || t == "off") return Value(false);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const auto bad = [&] {
    return InvalidArgument("must be HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), not \"" +
                           std::string(text) + "\"");
  };
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return bad();
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad();  // a bare IPv6 address is ambiguous: it needs brackets
  }
  for (char ch : host) {
    if (std::isspace(static_cast<unsigned char>(ch)) || ch == '/') return bad();
  }
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return bad();
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

Result<Config> ApplyToml(Config base, std::string_view text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    return InvalidArgument(Location(source_name, e.source()) + ": " + std::string(e.description()));
  }
  for (auto&& [table_key, table_node] : root) {
    const std::string table_name(table_key.str());
    // A table is known when some key lives in it ([search] and [rules] too, not only the first
    // four).
    bool known_table = false;
    for (const KeySpec& k : kKeys) known_table |= k.key.rfind(table_name + ".", 0) == 0;
    if (!known_table) {
      return InvalidArgument(Location(source_name, table_key.source()) + ": unknown key \"" +
                             table_name + "\" (known keys: " + KnownKeys("") + ")");
    }
    const toml::table* table = table_node.as_table();
    if (table == nullptr) {
      return InvalidArgument(Location(source_name, table_node.source()) + ": \"" + table_name +
                             "\" must be a table, e.g. [" + table_name + "]");
    }
    for (auto&& [key, node] : *table) {
      const std::string full = table_name + "." + std::string(key.str());
      const KeySpec* spec = FindKey(full);
      if (spec == nullptr) {
        return InvalidArgument(Location(source_name, key.source()) + ": unknown key \"" + full +
                               "\" (known keys: " + KnownKeys(table_name) + ")");
      }
      auto value = ReadTomlValue(node, spec->kind);
      if (!value) {
        return InvalidArgument(Location(source_name, node.source()) + ": " + full + " must be " +
                               std::string(KindName(spec->kind)));
      }
      Set(base, full, *value);
      if (const std::string reason = CheckKey(base, full); !reason.empty()) {
        return InvalidArgument(Location(source_name, node.source()) + ": " + full + " " + reason);
      }
    }
  }
  return base;
}

Result<Config> ApplyEnv(Config base, const EnvLookup& env) {
  for (const KeySpec& spec : kKeys) {
    const std::string name(spec.env);
    auto text = env(name);
    if (!text || text->empty()) continue;
    auto value = ReadEnvValue(*text, spec.kind);
    if (!value) {
      return InvalidArgument(name + " must be " + std::string(KindName(spec.kind)) + ", not \"" +
                             *text + "\"");
    }
    Set(base, spec.key, *value);
    if (const std::string reason = CheckKey(base, spec.key); !reason.empty()) {
      return InvalidArgument(name + " (" + std::string(spec.key) + ") " + reason);
    }
  }
  return base;
}

Status ValidateConfig(const Config& config) {
  for (const KeySpec& spec : kKeys) {
    if (const std::string reason = CheckKey(config, spec.key); !reason.empty()) {
      return InvalidArgument(std::string(spec.key) + " " + reason);
    }
  }
  return Status::Ok();
}

Result<Config> LoadConfig(const std::optional<std::string>& path, const EnvLookup& env,
                          const std::string& default_path) {
  Config config;
  std::string file = path.value_or(default_path);
  std::error_code ec;
  const bool exists = std::filesystem::is_regular_file(file, ec);
  if (path && !exists) {
    return NotFound("config file " + file + " does not exist or is not a regular file");
  }
  if (exists) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return NotFound("config file " + file + " cannot be read");
    GUICHET_ASSIGN_OR_RETURN(config, ApplyToml(std::move(config), text.str(), file));
  }
  return ApplyEnv(std::move(config), env);
}

}  // namespace guichet::app
