// TokenCache: what it remembers, for how long, and that a zero lifetime turns it off.
#include "server/auth.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace guichet::server {
namespace {

using namespace std::chrono_literals;

core::User User(core::Id id, core::Role role = core::Role::kAgent) {
  core::User u;
  u.id = id;
  u.role = role;
  u.active = true;
  return u;
}

TEST(TokenCacheTest, AnswersForAKnownTokenUntilItExpires) {
  TokenCache cache(100ms);
  EXPECT_FALSE(cache.Find("hash-a").has_value());
  cache.Put("hash-a", User(7, core::Role::kLead));
  auto found = cache.Find("hash-a");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, 7);
  EXPECT_EQ(found->role, core::Role::kLead);
  EXPECT_FALSE(cache.Find("hash-b").has_value());
  std::this_thread::sleep_for(150ms);
  EXPECT_FALSE(cache.Find("hash-a").has_value()) << "an expired entry must ask the database again";
}

TEST(TokenCacheTest, APutReplacesTheUserAndRestartsTheClock) {
  TokenCache cache(1min);
  cache.Put("hash-a", User(7, core::Role::kAgent));
  cache.Put("hash-a", User(7, core::Role::kAdmin));
  ASSERT_TRUE(cache.Find("hash-a").has_value());
  EXPECT_EQ(cache.Find("hash-a")->role, core::Role::kAdmin);
}

TEST(TokenCacheTest, ZeroLifetimeRemembersNothing) {
  TokenCache cache(0ms);
  cache.Put("hash-a", User(7));
  EXPECT_FALSE(cache.Find("hash-a").has_value());
}

}  // namespace
}  // namespace guichet::server
