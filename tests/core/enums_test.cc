// The closed vocabularies: wire names round trip, unknown names are refused, and the status
// transition table matches the documented life cycle cell by cell.
#include "core/enums.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace guichet::core {
namespace {

using S = RequestStatus;

TEST(EnumsTest, ChannelNamesRoundTrip) {
  const std::vector<std::string_view> expected = {"web",   "email",   "api", "open311",
                                                  "phone", "counter", "chat"};
  ASSERT_EQ(std::vector<std::string_view>(ChannelNames().begin(), ChannelNames().end()), expected);
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto parsed = ParseChannel(expected[i]);
    ASSERT_TRUE(parsed.has_value()) << expected[i];
    EXPECT_EQ(static_cast<size_t>(*parsed), i);
    EXPECT_EQ(ToString(*parsed), expected[i]);
  }
}

TEST(EnumsTest, PriorityNamesRoundTrip) {
  const std::vector<std::string_view> expected = {"low", "normal", "high", "urgent"};
  ASSERT_EQ(std::vector<std::string_view>(PriorityNames().begin(), PriorityNames().end()),
            expected);
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto parsed = ParsePriority(expected[i]);
    ASSERT_TRUE(parsed.has_value()) << expected[i];
    EXPECT_EQ(static_cast<size_t>(*parsed), i);
    EXPECT_EQ(ToString(*parsed), expected[i]);
  }
}

TEST(EnumsTest, StatusNamesRoundTrip) {
  const std::vector<std::string_view> expected = {
      "new", "open", "pending_citizen", "pending_third_party", "resolved", "closed"};
  ASSERT_EQ(std::vector<std::string_view>(RequestStatusNames().begin(), RequestStatusNames().end()),
            expected);
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto parsed = ParseRequestStatus(expected[i]);
    ASSERT_TRUE(parsed.has_value()) << expected[i];
    EXPECT_EQ(static_cast<size_t>(*parsed), i);
    EXPECT_EQ(ToString(*parsed), expected[i]);
  }
}

TEST(EnumsTest, RoleNamesRoundTrip) {
  const std::vector<std::string_view> expected = {"citizen", "agent", "lead", "admin", "auditor"};
  ASSERT_EQ(std::vector<std::string_view>(RoleNames().begin(), RoleNames().end()), expected);
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto parsed = ParseRole(expected[i]);
    ASSERT_TRUE(parsed.has_value()) << expected[i];
    EXPECT_EQ(static_cast<size_t>(*parsed), i);
    EXPECT_EQ(ToString(*parsed), expected[i]);
  }
}

TEST(EnumsTest, VisibilityRoundTrip) {
  EXPECT_EQ(ParseVisibility("public"), Visibility::kPublic);
  EXPECT_EQ(ParseVisibility("internal"), Visibility::kInternal);
  EXPECT_EQ(ToString(Visibility::kPublic), "public");
  EXPECT_EQ(ToString(Visibility::kInternal), "internal");
}

TEST(EnumsTest, UnknownNamesAreRefused) {
  // Exactly the wire name: no case folding, no trimming, no aliases, no prefixes.
  for (const char* s : {"", "Web", "WEB", " web", "web ", "www", "mail", "we", "webx"}) {
    EXPECT_EQ(ParseChannel(s), std::nullopt) << s;
  }
  for (const char* s : {"", "Low", "medium", "critical", "urgent!", "0"}) {
    EXPECT_EQ(ParsePriority(s), std::nullopt) << s;
  }
  for (const char* s : {"", "New", "pending", "pending-citizen", "pending citizen", "done",
                        "reopened", "closed\n"}) {
    EXPECT_EQ(ParseRequestStatus(s), std::nullopt) << s;
  }
  for (const char* s : {"", "Admin", "root", "superuser", "agents"}) {
    EXPECT_EQ(ParseRole(s), std::nullopt) << s;
  }
  for (const char* s : {"", "private", "Public", "internal "}) {
    EXPECT_EQ(ParseVisibility(s), std::nullopt) << s;
  }
  EXPECT_EQ(ParseChannel(std::string("web\0", 4)), std::nullopt);
}

TEST(EnumsTest, IsStaff) {
  EXPECT_FALSE(IsStaff(Role::kCitizen));
  EXPECT_TRUE(IsStaff(Role::kAgent));
  EXPECT_TRUE(IsStaff(Role::kLead));
  EXPECT_TRUE(IsStaff(Role::kAdmin));
  EXPECT_TRUE(IsStaff(Role::kAuditor));
}

// The life cycle, written out cell by cell (from enums.h): new → open/pending/resolved/closed;
// open ↔ pending_*; any non-closed → resolved or closed; resolved → open (reopened) or closed;
// closed is final; the same status is not a move; nothing goes back to new.
struct TransitionCase {
  S from;
  S to;
  bool allowed;
};

std::string StatusName(S s) { return std::string(ToString(s)); }

class TransitionTest : public ::testing::TestWithParam<TransitionCase> {};

TEST_P(TransitionTest, MatchesTheTable) {
  const TransitionCase& c = GetParam();
  EXPECT_EQ(CanTransition(c.from, c.to), c.allowed)
      << StatusName(c.from) << " → " << StatusName(c.to);
}

// clang-format off
constexpr TransitionCase kTransitions[] = {
    {S::kNew, S::kNew, false},
    {S::kNew, S::kOpen, true},
    {S::kNew, S::kPendingCitizen, true},
    {S::kNew, S::kPendingThirdParty, true},
    {S::kNew, S::kResolved, true},
    {S::kNew, S::kClosed, true},

    {S::kOpen, S::kNew, false},
    {S::kOpen, S::kOpen, false},
    {S::kOpen, S::kPendingCitizen, true},
    {S::kOpen, S::kPendingThirdParty, true},
    {S::kOpen, S::kResolved, true},
    {S::kOpen, S::kClosed, true},

    {S::kPendingCitizen, S::kNew, false},
    {S::kPendingCitizen, S::kOpen, true},
    {S::kPendingCitizen, S::kPendingCitizen, false},
    {S::kPendingCitizen, S::kPendingThirdParty, true},
    {S::kPendingCitizen, S::kResolved, true},
    {S::kPendingCitizen, S::kClosed, true},

    {S::kPendingThirdParty, S::kNew, false},
    {S::kPendingThirdParty, S::kOpen, true},
    {S::kPendingThirdParty, S::kPendingCitizen, true},
    {S::kPendingThirdParty, S::kPendingThirdParty, false},
    {S::kPendingThirdParty, S::kResolved, true},
    {S::kPendingThirdParty, S::kClosed, true},

    {S::kResolved, S::kNew, false},
    {S::kResolved, S::kOpen, true},
    {S::kResolved, S::kPendingCitizen, false},
    {S::kResolved, S::kPendingThirdParty, false},
    {S::kResolved, S::kResolved, false},
    {S::kResolved, S::kClosed, true},

    {S::kClosed, S::kNew, false},
    {S::kClosed, S::kOpen, false},
    {S::kClosed, S::kPendingCitizen, false},
    {S::kClosed, S::kPendingThirdParty, false},
    {S::kClosed, S::kResolved, false},
    {S::kClosed, S::kClosed, false},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(AllPairs, TransitionTest, ::testing::ValuesIn(kTransitions),
                         [](const ::testing::TestParamInfo<TransitionCase>& param_info) {
                           return StatusName(param_info.param.from) + "_to_" +
                                  StatusName(param_info.param.to);
                         });

TEST(TransitionTableTest, CoversEveryPair) {
  const size_t n = RequestStatusNames().size();
  EXPECT_EQ(std::size(kTransitions), n * n);
  for (size_t from = 0; from < n; ++from) {
    for (size_t to = 0; to < n; ++to) {
      int found = 0;
      for (const auto& c : kTransitions) {
        found += static_cast<size_t>(c.from) == from && static_cast<size_t>(c.to) == to;
      }
      EXPECT_EQ(found, 1) << RequestStatusNames()[from] << " → " << RequestStatusNames()[to];
    }
  }
}

}  // namespace
}  // namespace guichet::core
