#include "cli_runner.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/cli.h"

namespace guichet::app::testing {

CliResult RunGuichet(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> storage = {"guichet"};
  bool has_level = false;
  for (const auto& a : args) has_level = has_level || a.rfind("--log-level", 0) == 0;
  if (!has_level) storage.push_back("--log-level=warn");
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::istringstream in(input);
  std::ostringstream out, err;
  CliResult result;
  result.code = RunCli(static_cast<int>(storage.size()), argv.data(), in, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "guichet-app-XXXXXX").string();
  if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

}  // namespace guichet::app::testing
