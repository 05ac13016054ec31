// The progress bar (app/progress.h): drawn in place only when enabled, whole percents only.
#include "app/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace guichet::app {
namespace {

TEST(ProgressTest, DisabledDrawsNothing) {
  std::ostringstream out;
  {
    Progress progress(out, false, "import", 10);
    for (int i = 0; i < 10; ++i) progress.Step();
    progress.Done();
  }
  EXPECT_TRUE(out.str().empty());
}

TEST(ProgressTest, EnabledRedrawsInPlaceAndEndsTheLine) {
  std::ostringstream out;
  {
    Progress progress(out, true, "demo", 1000);
    for (int i = 0; i < 1000; ++i) progress.Step();
    progress.Done();
  }
  const std::string text = out.str();
  // 0 %, one draw per whole percent up to 100 %, and one final draw.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 102) << text.substr(0, 200);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_NE(text.find("demo [##############################] 100% (1000/1000)\n"),
            std::string::npos);
}

TEST(ProgressTest, LineIsEndedEvenWithoutDone) {
  std::ostringstream out;
  { Progress progress(out, true, "x", 0); }
  EXPECT_EQ(out.str().back(), '\n');
}

}  // namespace
}  // namespace guichet::app
