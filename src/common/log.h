// Structured logging: one JSON object per line on stderr, through spdlog. Messages are built from
// named fields so they stay machine-readable; callers must not put personal data in them (mask
// with MaskEmail). Thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace guichet {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Installs the JSON-lines sink. Safe to call more than once; the last level wins.
void InitLogging(LogLevel level);
// Parses "debug", "info", "warn", "error"; nullopt-like false when unknown.
bool ParseLogLevel(std::string_view text, LogLevel& out);

using LogField = std::pair<std::string_view, std::string>;
// {"ts":…,"level":…,"event":event, field: value, …}
void LogEvent(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});
// LogEvent for lines that come at a high rate (one per HTTP request): written with the next
// block of lines, within a second, instead of at once.
void LogFrequentEvent(LogLevel level, std::string_view event,
                      std::initializer_list<LogField> fields = {});

// Escapes `s` for a JSON string literal (without the quotes).
std::string JsonEscape(std::string_view s);

}  // namespace guichet
