// Unit tests of the route matcher (src/server/router.h): literal segments, typed parameters,
// methods, trailing slashes and what must not match.
#include "server/router.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace guichet::server {
namespace {

HttpResponse Nothing(HttpContext&) { return {}; }

std::vector<Route> Routes() {
  return {{"GET", "/api/v1/requests", BodyKind::kNone, Nothing},
          {"POST", "/api/v1/requests", BodyKind::kJson, Nothing},
          {"GET", "/api/v1/requests/{id}", BodyKind::kNone, Nothing},
          {"GET", "/api/v1/requests/{id}/messages", BodyKind::kNone, Nothing},
          {"GET", "/api/v1/track/{reference}", BodyKind::kNone, Nothing},
          {"GET", "/healthz", BodyKind::kNone, Nothing}};
}

TEST(RouterTest, MatchesLiteralsByMethod) {
  const auto routes = Routes();
  const Router router(routes);
  auto get = router.Find("GET", "/api/v1/requests");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->route, &routes[0]);
  EXPECT_TRUE(get->params.empty());
  auto post = router.Find("POST", "/api/v1/requests");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->route, &routes[1]);
  EXPECT_FALSE(router.Find("DELETE", "/api/v1/requests"));
  EXPECT_TRUE(router.Find("GET", "/healthz"));
}

TEST(RouterTest, ExtractsTypedParameters) {
  const auto routes = Routes();
  const Router router(routes);
  auto one = router.Find("GET", "/api/v1/requests/42");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->route, &routes[2]);
  EXPECT_EQ(one->params.at("id"), "42");
  auto messages = router.Find("GET", "/api/v1/requests/7/messages");
  ASSERT_TRUE(messages);
  EXPECT_EQ(messages->route, &routes[3]);
  EXPECT_EQ(messages->params.at("id"), "7");
  EXPECT_TRUE(router.Find("GET", "/api/v1/track/triage.category_v2"));
  auto track = router.Find("GET", "/api/v1/track/VDM-2026-000123");
  ASSERT_TRUE(track);
  EXPECT_EQ(track->params.at("reference"), "VDM-2026-000123");
}

TEST(RouterTest, IgnoresOneTrailingSlash) {
  const auto routes = Routes();
  const Router router(routes);
  EXPECT_TRUE(router.Find("GET", "/api/v1/requests/"));
  EXPECT_TRUE(router.Find("GET", "/api/v1/requests/42/"));
  EXPECT_FALSE(router.Find("GET", "/api/v1/requests//"));
}

TEST(RouterTest, RefusesWhatIsNotARoute) {
  const auto routes = Routes();
  const Router router(routes);
  for (const char* path : {
           "/api/v1/requests/abc",                  // {id} is digits only
           "/api/v1/requests/-1",                   //
           "/api/v1/requests/1234567890123456789",  // more than 18 digits
           "/api/v1/requests/42/messages/3",        // one segment too many
           "/api/v1",                               // too few
           "/API/V1/REQUESTS",                      // case-sensitive
           "/api/v1/track/a%2Fb",                   // no encoded character in a parameter
           "/api/v1/track/a+b",                     //
           "/api/v1/track/",                        // an empty parameter
           "api/v1/requests",                       // not absolute
           "",                                      //
           "/",
       }) {
    EXPECT_FALSE(router.Find("GET", path)) << path;
  }
  EXPECT_FALSE(router.Find("GET", "/api/v1/track/" + std::string(41, 'a')));
  EXPECT_TRUE(router.Find("GET", "/api/v1/track/" + std::string(40, 'a')));
}

}  // namespace
}  // namespace guichet::server
