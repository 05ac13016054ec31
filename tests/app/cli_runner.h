// Test helper: runs the guichet CLI in-process (app::RunCli) with its own streams and returns the
// exit code and what it printed. Logs (spdlog) still go to the process's stderr, at warn level
// unless the arguments set --log-level. Not thread-safe (RunCli is not).
#pragma once

#include <string>
#include <vector>

namespace guichet::app::testing {

struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
};

// `args` excludes the program name; `input` is what the command reads on stdin.
CliResult RunGuichet(const std::vector<std::string>& args, const std::string& input = "");

// A new empty directory under the temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Reads a whole file ("" when it cannot be read) / writes one.
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

}  // namespace guichet::app::testing
