// Rules as code on the command line: `guichet rules check` (load and type-check schemes),
// `guichet rules test` (run each scheme's test cases) and `guichet rules eval` (one case).
// Exit codes: 0 ok; 1 a test case failed or the evaluation refused the facts (a date outside the
// scheme's validity, an absurd value); 2 usage or load errors (a scheme or test file that does
// not load, a facts file that cannot be read or does not fit the scheme).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/commands.h"
#include "common/clock.h"
#include "rules/evaluate.h"
#include "rules/facts.h"
#include "rules/scheme.h"
#include "rules/test_cases.h"

namespace guichet::app {
namespace {

namespace fs = std::filesystem;

// The scheme files under `path`: the file itself, or every scheme.toml below the folder, sorted.
Result<std::vector<std::string>> SchemeFiles(const std::string& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return std::vector<std::string>{path};
  if (!fs::is_directory(path, ec)) return NotFound(path + ": no such file or folder");
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(path, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().filename() == "scheme.toml") {
      out.push_back(it->path().string());
    }
  }
  if (ec) return Unavailable(path + ": " + ec.message());
  std::sort(out.begin(), out.end());
  if (out.empty()) return NotFound(path + ": no scheme.toml found");
  return out;
}

// Load errors are already "file:line:col: message" lines; each is printed as is.
void PrintLoadErrors(const Io& io, const Status& status) { io.err << status.message() << '\n'; }

std::string TestsFileOf(const std::string& scheme_path) {
  return (fs::path(scheme_path).parent_path() / "tests.toml").string();
}

}  // namespace

int RunRulesCheck(const std::string& path, const Io& io) {
  auto files = SchemeFiles(path);
  if (!files.ok()) {
    Fail(io, files.status().message());
    return kExitUsage;
  }
  int bad = 0;
  for (const std::string& file : *files) {
    auto scheme = rules::LoadSchemeFile(file);
    if (!scheme.ok()) {
      PrintLoadErrors(io, scheme.status());
      ++bad;
      continue;
    }
    std::string tests_note;
    const std::string tests = TestsFileOf(file);
    if (fs::exists(tests)) {
      auto text = rules::ReadRuleFile(tests);
      auto cases = text.ok() ? rules::LoadTestCases(*text, tests)
                             : Result<std::vector<rules::TestCase>>(text.status());
      if (!cases.ok()) {
        PrintLoadErrors(io, cases.status());
        ++bad;
        continue;
      }
      tests_note = ", " + std::to_string(cases->size()) + " test cases";
    }
    io.out << "ok " << file << " (" << scheme->id() << (scheme->example() ? ", example" : "")
           << ": " << scheme->facts().size() << " facts, " << scheme->rules().size() << " rules"
           << tests_note << ")\n";
  }
  io.out << files->size() - bad << " of " << files->size() << " schemes load\n";
  return bad == 0 ? kExitOk : kExitUsage;
}

int RunRulesTest(const std::string& path, const Io& io) {
  auto files = SchemeFiles(path);
  if (!files.ok()) {
    Fail(io, files.status().message());
    return kExitUsage;
  }
  int passed = 0, failed = 0, load_errors = 0;
  for (const std::string& file : *files) {
    auto scheme = rules::LoadSchemeFile(file);
    if (!scheme.ok()) {
      PrintLoadErrors(io, scheme.status());
      ++load_errors;
      continue;
    }
    const std::string tests = TestsFileOf(file);
    auto text = rules::ReadRuleFile(tests);
    if (!text.ok()) {
      io.err << tests << ": no test cases for scheme " << scheme->id() << '\n';
      ++load_errors;
      continue;
    }
    auto cases = rules::LoadTestCases(*text, tests);
    if (!cases.ok()) {
      PrintLoadErrors(io, cases.status());
      ++load_errors;
      continue;
    }
    for (const rules::TestCase& test : *cases) {
      const rules::TestCaseResult r = rules::RunTestCase(*scheme, test);
      if (r.passed) {
        ++passed;
        io.out << "PASS " << scheme->id() << ": " << test.name << '\n';
      } else {
        ++failed;
        io.out << "FAIL " << scheme->id() << ": " << test.name << " (" << test.location
               << "): " << r.message << '\n';
      }
    }
  }
  io.out << passed << " passed, " << failed << " failed";
  if (load_errors > 0) io.out << ", " << load_errors << " files did not load";
  io.out << '\n';
  if (load_errors > 0) return kExitUsage;
  return failed == 0 ? kExitOk : kExitFailed;
}

int RunRulesEval(const RulesEvalFlags& flags, const Io& io) {
  auto scheme = rules::LoadSchemeFile(flags.scheme);
  if (!scheme.ok()) {
    PrintLoadErrors(io, scheme.status());
    return kExitUsage;
  }
  rules::Date as_of;
  if (flags.date.empty()) {
    const Millis now = SystemClock().Now();
    as_of = rules::Date{static_cast<std::int32_t>(now / 86'400'000)};
  } else if (auto d = rules::ParseDate(flags.date)) {
    as_of = *d;
  } else {
    Fail(io, "--date must be a date YYYY-MM-DD, not \"" + flags.date + "\"");
    return kExitUsage;
  }
  auto text = rules::ReadRuleFile(flags.facts);
  if (!text.ok()) {
    Fail(io, text.status().message());
    return kExitUsage;
  }
  auto facts = rules::FactsFromJsonText(*scheme, *text);
  if (!facts.ok()) {
    Fail(io, flags.facts + ": " + facts.status().message());
    return kExitUsage;
  }
  auto decision = rules::Evaluate(*scheme, *facts, as_of);
  if (!decision.ok()) return Fail(io, decision.status().message());
  if (flags.json) {
    io.out << rules::DecisionToJson(*scheme, *decision).dump(2) << '\n';
    return kExitOk;
  }
  io.out << rules::Explain(*scheme, *decision, rules::Lang::kFr) << '\n'
         << rules::Explain(*scheme, *decision, rules::Lang::kEn) << std::flush;
  return kExitOk;
}

}  // namespace guichet::app
