#include "common/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace guichet {
namespace {

spdlog::level::level_enum ToSpd(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

void InitLogging(LogLevel level) {
  static const bool installed = [] {
    auto logger = spdlog::stderr_logger_mt("guichet");
    // Plain spdlog calls elsewhere (storage errors) become JSON lines too.
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})",
                        spdlog::pattern_time_type::utc);
    spdlog::set_default_logger(logger);
    return true;
  }();
  (void)installed;
  spdlog::set_level(ToSpd(level));
}

bool ParseLogLevel(std::string_view text, LogLevel& out) {
  if (text == "debug")
    out = LogLevel::kDebug;
  else if (text == "info")
    out = LogLevel::kInfo;
  else if (text == "warn" || text == "warning")
    out = LogLevel::kWarn;
  else if (text == "error")
    out = LogLevel::kError;
  else
    return false;
  return true;
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

void LogEvent(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  const auto spd = ToSpd(level);
  if (!spdlog::should_log(spd)) return;
  std::string line = "\"event\":\"" + JsonEscape(event) + "\"";
  for (const auto& [key, value] : fields) {
    line += ",\"" + JsonEscape(key) + "\":\"" + JsonEscape(value) + "\"";
  }
  spdlog::log(spd, "{}", line);
}

}  // namespace guichet
