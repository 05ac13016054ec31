// The backlog generator (bench/rules_backlog/backlog.h): deterministic for a seed, the documented
// mix of schemes and intents, and applications whose engine outcome is exactly their intent.
#include "backlog.h"

#include <gtest/gtest.h>

#include <cmath>

namespace guichet::bench {
namespace {

constexpr std::size_t kCount = 20000;

TEST(BacklogTest, TheSameSeedGivesTheSameApplications) {
  const auto a = GenerateBacklog(7, 500);
  const auto b = GenerateBacklog(7, 500);
  const auto c = GenerateBacklog(8, 500);
  ASSERT_EQ(a.size(), 500u);
  bool all_same = true, any_different = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    all_same &= a[i].scheme == b[i].scheme && a[i].facts == b[i].facts &&
                a[i].as_of == b[i].as_of && a[i].intent == b[i].intent;
    any_different |= a[i].facts != c[i].facts;
  }
  EXPECT_TRUE(all_same);
  EXPECT_TRUE(any_different);
}

TEST(BacklogTest, GivesTheDocumentedMix) {
  const auto backlog = GenerateBacklog(2025, kCount);
  std::size_t intents[kIntentCount] = {};
  std::map<std::string, std::size_t> schemes;
  const rules::Date first = rules::DateFromYmd(2025, 1, 2), last = rules::DateFromYmd(2025, 6, 30);
  for (const Application& a : backlog) {
    ++intents[static_cast<int>(a.intent)];
    ++schemes[a.scheme];
    EXPECT_TRUE(a.as_of >= first && a.as_of <= last);
    EXPECT_TRUE(a.facts.is_object());
  }
  for (int i = 0; i < kIntentCount; ++i) {
    const double share = static_cast<double>(intents[i]) / kCount;
    EXPECT_NEAR(share, kIntentShares[i], 0.01) << IntentName(static_cast<Intent>(i));
  }
  for (const SchemeShare& s : kSchemeShares) {
    EXPECT_NEAR(static_cast<double>(schemes[s.id]) / kCount, s.share, 0.01) << s.id;
  }
}

TEST(BacklogTest, EveryApplicationGoesWhereItsIntentSays) {
  auto registry = rules::LoadSchemeRegistry(GUICHET_RULES_EXAMPLES);
  ASSERT_TRUE(registry.ok()) << registry.status().ToString();
  const auto backlog = GenerateBacklog(99, kCount);
  const BacklogReport report = RunBacklog(*registry, backlog);
  EXPECT_EQ(report.total, kCount);
  EXPECT_EQ(report.unexpected, 0u);
  std::size_t routed = 0;
  for (std::size_t n : report.by_route) routed += n;
  EXPECT_EQ(routed, kCount);
  // Cantine and parking allow automatic approval: about 0.70 × 0.65 of all applications.
  const double automatic = static_cast<double>(report.by_route[0]) / kCount;
  EXPECT_NEAR(automatic, 0.70 * 0.65, 0.02);
  // Reasons are named: a document of the building-work file, a refusing rule, a refused fact.
  EXPECT_GT(report.review_rules.count("declaration-travaux/dp1"), 0u);
  EXPECT_GT(report.missing_facts.count("declaration-travaux/secteur_protege"), 0u);
  EXPECT_GT(report.refusing_rules.count("aide-seniors/ressources"), 0u);
  EXPECT_GT(report.invalid_facts.count("aide-seniors/date_naissance"), 0u);
  EXPECT_GT(report.invalid_facts.count("cantine/ressources_mensuelles"), 0u);
}

}  // namespace
}  // namespace guichet::bench
