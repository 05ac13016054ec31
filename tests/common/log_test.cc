// Unit tests of the JSON-lines log (src/common/log.h): one JSON object per line on stderr, and
// per-request lines held back until the next other line (or the periodic flush), in order.
#include "common/log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace guichet {
namespace {

std::vector<nlohmann::json> Lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(LogTest, FrequentLinesGoOutWithTheNextOtherLineInOrder) {
  InitLogging(LogLevel::kInfo);
  testing::internal::CaptureStderr();
  LogFrequentEvent(LogLevel::kInfo, "http_request", {{"status", "200"}});
  LogFrequentEvent(LogLevel::kInfo, "http_request", {{"route", "/a \"quoted\"\n"}});
  // Held in memory (the periodic flush runs once a second).
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");

  testing::internal::CaptureStderr();
  LogEvent(LogLevel::kInfo, "server_stopping", {{"signal", "SIGTERM"}});
  const auto lines = Lines(testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["event"], "http_request");
  EXPECT_EQ(lines[0]["status"], "200");
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[1]["route"], "/a \"quoted\"\n");
  EXPECT_EQ(lines[2]["event"], "server_stopping");
  EXPECT_TRUE(lines[2].contains("ts"));
}

TEST(LogTest, ErrorsGoOutAtOnce) {
  InitLogging(LogLevel::kInfo);
  testing::internal::CaptureStderr();
  LogFrequentEvent(LogLevel::kError, "http_request", {{"status", "500"}});
  const auto lines = Lines(testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["level"], "error");
}

TEST(LogTest, LinesBelowTheLevelAreDropped) {
  InitLogging(LogLevel::kWarn);
  testing::internal::CaptureStderr();
  LogFrequentEvent(LogLevel::kInfo, "http_request");
  LogEvent(LogLevel::kInfo, "ignored");
  LogEvent(LogLevel::kWarn, "kept");
  const auto lines = Lines(testing::internal::GetCapturedStderr());
  InitLogging(LogLevel::kInfo);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["event"], "kept");
}

}  // namespace
}  // namespace guichet
