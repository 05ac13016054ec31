// Unit tests of the evaluation measures (src/triage/metrics.h), on hand-computed cases.
#include "triage/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace guichet::triage {
namespace {

TEST(MetricsTest, AccuracyMacroF1AndConfusions) {
  // gold:      a a a b b c
  // predicted: a a b b c c
  const EvalReport r = Evaluate({"a", "a", "a", "b", "b", "c"}, {"a", "a", "b", "b", "c", "c"},
                                {0.9, 0.8, 0.6, 0.7, 0.5, 0.9});
  EXPECT_EQ(r.n, 6);
  EXPECT_DOUBLE_EQ(r.accuracy, 4.0 / 6);
  // a: P 1, R 2/3, F1 0.8; b: P 1/2, R 1/2, F1 1/2; c: P 1/2, R 1, F1 2/3.
  ASSERT_EQ(r.labels.size(), 3u);
  EXPECT_NEAR(r.labels[0].f1, 0.8, 1e-12);
  EXPECT_NEAR(r.labels[1].f1, 0.5, 1e-12);
  EXPECT_NEAR(r.labels[2].f1, 2.0 / 3, 1e-12);
  EXPECT_NEAR(r.macro_f1, (0.8 + 0.5 + 2.0 / 3) / 3, 1e-12);
  EXPECT_EQ(r.labels[0].support, 3);
  ASSERT_EQ(r.confused.size(), 2u);
  EXPECT_EQ(r.confused[0].count, 1);
  // The 80 % most confident (5 of 6): 0.9 a✓, 0.9 c✓, 0.8 a✓, 0.7 b✓, 0.6 b✗.
  EXPECT_DOUBLE_EQ(r.coverage_80_accuracy, 4.0 / 5);
}

TEST(MetricsTest, CalibrationErrorAndAbstentions) {
  // Confidence 0.75 and right three times out of four: perfectly calibrated.
  EXPECT_NEAR(Evaluate({"a", "a", "a", "a"}, {"a", "a", "a", "b"}, {0.75, 0.75, 0.75, 0.75}).ece,
              0.0, 1e-12);
  // Sure and always wrong: ECE 1.
  EXPECT_NEAR(Evaluate({"a", "b"}, {"b", "a"}, {1.0, 1.0}).ece, 1.0, 1e-12);
  // An abstention ("") is a wrong answer and not a label of its own.
  const EvalReport r = Evaluate({"a", "b"}, {"a", ""}, {0.9, 0.1});
  EXPECT_DOUBLE_EQ(r.accuracy, 0.5);
  EXPECT_EQ(r.labels.size(), 2u);
  EXPECT_EQ(r.confused[0].predicted, "(abstained)");
  const auto json = ToJson(r);
  for (const char* key : {"accuracy", "macro_f1", "ece", "coverage_80_accuracy", "n"})
    EXPECT_TRUE(json.contains(key)) << key;
  EXPECT_NE(ToText(r).find("macro-F1"), std::string::npos);
  EXPECT_EQ(Evaluate({}, {}, {}).n, 0);
}

TEST(MetricsTest, TheCalibrationErrorOfExactConfidencesIsSamplingNoise) {
  // Sure answers that are right: nothing to draw, no noise.
  EXPECT_NEAR(Evaluate({"a", "b"}, {"a", "b"}, {1.0, 1.0}).ece_if_calibrated, 0.0, 1e-12);
  // Coin-flip confidences: on 4 texts the noise is large, on 10,000 it nearly vanishes.
  const auto floor_on = [](int n) {
    return Evaluate(std::vector<std::string>(n, "a"), std::vector<std::string>(n, "a"),
                    std::vector<double>(n, 0.5))
        .ece_if_calibrated;
  };
  EXPECT_GT(floor_on(4), 0.15);
  EXPECT_LT(floor_on(10000), 0.02);
  EXPECT_GT(floor_on(4), floor_on(400));
}

}  // namespace
}  // namespace guichet::triage
