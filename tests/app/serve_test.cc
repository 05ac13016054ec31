// guichet serve as a real child process (signals are process-wide, so not in-process): it logs
// "listening on http://HOST:PORT" as a JSON line, answers HTTP, runs background jobs, and exits 0
// on SIGTERM and SIGINT (jobs stopped first); an address already in use is a one-line error and
// exit 1.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "cli_runner.h"

extern char** environ;

namespace guichet::app {
namespace {

using testing::ReadFile;
using testing::TempDir;

struct Child {
  pid_t pid = -1;
  std::string log;  // the file its stderr goes to
};

Child Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> storage = {GUICHET_BINARY};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  Child child;
  child.log = log;
  if (posix_spawn(&child.pid, GUICHET_BINARY, &actions, nullptr, argv.data(), environ) != 0) {
    child.pid = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  return child;
}

// Waits up to `timeout` for the child to exit; its wait status, or nullopt (then it is killed).
std::optional<int> WaitExit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The port from the "listening on http://127.0.0.1:PORT" log line, once it appears.
int WaitForPort(const Child& child, std::chrono::milliseconds timeout) {
  static const std::regex kListening(R"(listening on http://127\.0\.0\.1:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const std::string log = ReadFile(child.log);
    if (std::regex_search(log, m, kListening)) return std::stoi(m[1]);
    int status = 0;
    if (waitpid(child.pid, &status, WNOHANG) == child.pid) return -1;  // it died
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

// A bare HTTP/1.1 GET; the whole response, or "" when the connection fails.
std::string HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return "";
  }
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, n);
  close(fd);
  return response;
}

class ServeTest : public ::testing::TestWithParam<int> {};

TEST_P(ServeTest, ListensAnswersAndStopsGracefully) {
  const int stop_signal = GetParam();
  TempDir dir;
  Child child = Spawn({"serve", "--db", "sqlite:" + dir.File("var/guichet.db"), "--listen",
                       "127.0.0.1:0", "--threads", "2"},
                      dir.File("serve.log"));
  ASSERT_GT(child.pid, 0);
  const int port = WaitForPort(child, std::chrono::seconds(20));
  if (port <= 0) {
    kill(child.pid, SIGKILL);
    waitpid(child.pid, nullptr, 0);
    FAIL() << "no listening line; log:\n" << ReadFile(child.log);
  }
  const std::string response = HttpGet(port, "/healthz");
  EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0u) << response;
  // The job runner started with it and scheduled the daily purge of finished jobs.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (ReadFile(child.log).find("\"jobs.purge_finished\"") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  ASSERT_EQ(kill(child.pid, stop_signal), 0);
  const auto status = WaitExit(child.pid, std::chrono::seconds(20));
  ASSERT_TRUE(status) << "did not stop; log:\n" << ReadFile(child.log);
  ASSERT_TRUE(WIFEXITED(*status)) << "killed by signal " << WTERMSIG(*status);
  EXPECT_EQ(WEXITSTATUS(*status), 0) << ReadFile(child.log);

  // Every log line is one JSON object, and the life cycle is in it.
  const std::string log = ReadFile(child.log);
  std::istringstream lines(log);
  std::vector<std::string> events;
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (j.contains("event")) events.push_back(j["event"]);
    if (j.value("event", "") == "server_listening") {
      EXPECT_EQ(j["msg"], "listening on http://127.0.0.1:" + std::to_string(port));
    }
  }
  for (const char* expected : {"server_listening", "jobs_started", "job_scheduled",
                               "server_stopping", "jobs_stopped", "server_stopped"}) {
    EXPECT_NE(std::find(events.begin(), events.end(), expected), events.end())
        << expected << " missing from:\n"
        << log;
  }
  // Jobs stop before the server does.
  EXPECT_LT(std::find(events.begin(), events.end(), "jobs_stopped") - events.begin(),
            std::find(events.begin(), events.end(), "server_stopped") - events.begin())
      << log;
}

std::string SignalName(const ::testing::TestParamInfo<int>& param) {
  return param.param == SIGTERM ? "SIGTERM" : "SIGINT";
}

INSTANTIATE_TEST_SUITE_P(Signals, ServeTest, ::testing::Values(SIGTERM, SIGINT), SignalName);

TEST(ServeFailureTest, AddressInUseIsAnErrorLine) {
  // Hold a port so that the server cannot have it.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);

  TempDir dir;
  Child child = Spawn({"serve", "--db", "sqlite:" + dir.File("g.db"), "--listen",
                       "127.0.0.1:" + std::to_string(port)},
                      dir.File("serve.log"));
  ASSERT_GT(child.pid, 0);
  const auto status = WaitExit(child.pid, std::chrono::seconds(20));
  close(fd);
  ASSERT_TRUE(status) << "still running; log:\n" << ReadFile(child.log);
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  const std::string log = ReadFile(child.log);
  EXPECT_NE(
      log.find("guichet: error: cannot start the server on 127.0.0.1:" + std::to_string(port)),
      std::string::npos)
      << log;
}

}  // namespace
}  // namespace guichet::app
