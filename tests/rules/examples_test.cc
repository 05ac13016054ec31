// The shipped example schemes load, are marked as examples, and pass their own test cases (the
// CLI runs them too: ctest rules_examples_cli).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rules/scheme.h"
#include "rules/test_cases.h"

namespace guichet::rules {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ExamplesTest, EveryExampleLoadsAndPassesItsCases) {
  int schemes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(GUICHET_RULES_EXAMPLES)) {
    if (!entry.is_directory()) continue;
    const std::string dir = entry.path().string();
    auto scheme = LoadSchemeFile(dir + "/scheme.toml");
    ASSERT_TRUE(scheme.ok()) << scheme.status().message();
    EXPECT_TRUE(scheme->example()) << dir;
    auto cases = LoadTestCases(Read(dir + "/tests.toml"), dir + "/tests.toml");
    ASSERT_TRUE(cases.ok()) << cases.status().message();
    EXPECT_GE(cases->size(), 8u) << dir;
    for (const TestCase& c : *cases) {
      const TestCaseResult r = RunTestCase(*scheme, c);
      EXPECT_TRUE(r.passed) << scheme->id() << ": " << c.name << ": " << r.message;
    }
    ++schemes;
  }
  EXPECT_EQ(schemes, 4);
}

TEST(ExamplesTest, TestFileErrorsHavePositions) {
  auto cases = LoadTestCases("[[cases]]\nname = \"x\"\ndate = 2025-01-01\noutcome = \"maybe\"\n",
                             "tests.toml");
  ASSERT_FALSE(cases.ok());
  EXPECT_EQ(cases.status().message(),
            "tests.toml:4:11: outcome must be eligible, not_eligible, needs_review or incomplete");
}

}  // namespace
}  // namespace guichet::rules
