// The line diff kept with article versions: unified hunks with context, joined when close,
// insertions and deletions at either end (each expectation is what `diff -U2` prints), and a
// bounded fallback for huge rewrites.
#include "storage/line_diff.h"

#include <gtest/gtest.h>

#include <string>

namespace guichet::storage::internal {
namespace {

std::string Numbered(int from, int to, const std::string& prefix = "ligne ") {
  std::string out;
  for (int i = from; i <= to; ++i) out += prefix + std::to_string(i) + "\n";
  return out;
}

TEST(LineDiffTest, EqualTextsHaveNoDiff) {
  EXPECT_EQ(LineDiff("", ""), "");
  EXPECT_EQ(LineDiff("a\nb", "a\nb"), "");
  EXPECT_EQ(LineDiff("a\nb", "a\nb\n"), "") << "only a final line break";
}

TEST(LineDiffTest, OneChangedLineWithTwoLinesOfContext) {
  std::string after = Numbered(1, 10);
  after.replace(after.find("ligne 5"), 7, "ligne cinq");
  EXPECT_EQ(LineDiff(Numbered(1, 10), after),
            "@@ -3,5 +3,5 @@\n ligne 3\n ligne 4\n-ligne 5\n+ligne cinq\n ligne 6\n ligne 7\n");
}

TEST(LineDiffTest, CloseChangesShareAHunkAndFarOnesDoNot) {
  std::string after = Numbered(1, 20);
  after.replace(after.find("ligne 3\n"), 7, "trois");
  after.replace(after.find("ligne 6\n"), 7, "six");
  after.replace(after.find("ligne 18"), 8, "dix-huit");
  EXPECT_EQ(LineDiff(Numbered(1, 20), after),
            "@@ -1,8 +1,8 @@\n ligne 1\n ligne 2\n-ligne 3\n+trois\n ligne 4\n ligne 5\n"
            "-ligne 6\n+six\n ligne 7\n ligne 8\n"
            "@@ -16,5 +16,5 @@\n ligne 16\n ligne 17\n-ligne 18\n+dix-huit\n ligne 19\n"
            " ligne 20\n");
}

TEST(LineDiffTest, InsertionsAndDeletionsAtTheEnds) {
  EXPECT_EQ(LineDiff("b\nc", "a\nb\nc"), "@@ -1,2 +1,3 @@\n+a\n b\n c\n");
  EXPECT_EQ(LineDiff("a\nb\nc", "a\nb"), "@@ -1,3 +1,2 @@\n a\n b\n-c\n");
  EXPECT_EQ(LineDiff("", "nouveau"), "@@ -0,0 +1 @@\n+nouveau\n");
  EXPECT_EQ(LineDiff("nouveau", ""), "@@ -1 +0,0 @@\n-nouveau\n");
}

TEST(LineDiffTest, HugeRewritesFallBackToRemovedThenAdded) {
  const std::string before = Numbered(1, 2000, "a"), after = Numbered(1, 2000, "b");
  const std::string diff = LineDiff(before, after);
  EXPECT_EQ(diff.rfind("@@ -1,2000 +1,2000 @@\n-a1\n-a2\n", 0), 0u) << diff.substr(0, 80);
  EXPECT_NE(diff.find("-a2000\n+b1\n"), std::string::npos);
  EXPECT_EQ(diff.size(),
            std::string("@@ -1,2000 +1,2000 @@\n").size() + before.size() + after.size() + 4000);
}

}  // namespace
}  // namespace guichet::storage::internal
