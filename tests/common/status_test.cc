// Status and Result<T>: codes, messages, value access and the propagation macros.
#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace guichet {
namespace {

TEST(StatusTest, DefaultIsOk) {
  const Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(StatusTest, HelpersSetCodeAndMessage) {
  struct Case {
    Status status;
    StatusCode code;
    const char* name;
  };
  const Case cases[] = {
      {InvalidArgument("m"), StatusCode::kInvalidArgument, "InvalidArgument"},
      {NotFound("m"), StatusCode::kNotFound, "NotFound"},
      {AlreadyExists("m"), StatusCode::kAlreadyExists, "AlreadyExists"},
      {Conflict("m"), StatusCode::kConflict, "Conflict"},
      {FailedPrecondition("m"), StatusCode::kFailedPrecondition, "FailedPrecondition"},
      {PermissionDenied("m"), StatusCode::kPermissionDenied, "PermissionDenied"},
      {Unauthenticated("m"), StatusCode::kUnauthenticated, "Unauthenticated"},
      {ResourceExhausted("m"), StatusCode::kResourceExhausted, "ResourceExhausted"},
      {Unavailable("m"), StatusCode::kUnavailable, "Unavailable"},
      {Internal("m"), StatusCode::kInternal, "Internal"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_FALSE(c.status.ok());
    EXPECT_EQ(c.status.code(), c.code);
    EXPECT_EQ(c.status.message(), "m");
    EXPECT_EQ(StatusCodeName(c.code), c.name);
    EXPECT_EQ(c.status.ToString(), std::string(c.name) + ": m");
  }
  EXPECT_EQ(StatusCodeName(StatusCode::kOk), "OK");
}

TEST(StatusTest, ToStringKeepsTheMessage) {
  EXPECT_EQ(NotFound("request 12 does not exist").ToString(),
            "NotFound: request 12 does not exist");
}

TEST(ResultTest, HoldsAValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  r.value() = 7;
  EXPECT_EQ(*r, 7);
}

TEST(ResultTest, HoldsAnError) {
  const Result<std::string> r = NotFound("nothing here");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "nothing here");
}

TEST(ResultTest, ArrowAndMoveOnlyValues) {
  Result<std::string> s = std::string("bonjour");
  EXPECT_EQ(s->size(), 7u);

  Result<std::unique_ptr<int>> p = std::make_unique<int>(5);
  ASSERT_TRUE(p.ok());
  std::unique_ptr<int> taken = std::move(p).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 5);
}

#ifndef NDEBUG
TEST(ResultDeathTest, BuiltFromOkStatusAsserts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Result<int> r{Status::Ok()};
        (void)r;
      },
      "OK status");
}
#endif

Status FailIf(bool fail) { return fail ? Conflict("stale") : Status::Ok(); }

Status Chain(bool fail, int* reached) {
  GUICHET_RETURN_IF_ERROR(FailIf(fail));
  *reached = 1;
  return Status::Ok();
}

TEST(MacroTest, ReturnIfErrorPropagates) {
  int reached = 0;
  const Status failed = Chain(true, &reached);
  EXPECT_EQ(failed.code(), StatusCode::kConflict);
  EXPECT_EQ(reached, 0);
  EXPECT_TRUE(Chain(false, &reached).ok());
  EXPECT_EQ(reached, 1);
}

Result<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgument("odd");
  return n / 2;
}

Result<int> Quarter(int n) {
  GUICHET_ASSIGN_OR_RETURN(int half, Half(n));
  GUICHET_ASSIGN_OR_RETURN(int quarter, Half(half));  // two uses on separate lines
  return quarter;
}

TEST(MacroTest, AssignOrReturn) {
  Result<int> ok = Quarter(12);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 3);
  Result<int> odd = Quarter(6);  // 6 → 3 → odd
  EXPECT_EQ(odd.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(odd.status().message(), "odd");
}

Result<std::unique_ptr<int>> MakeBox(bool fail) {
  if (fail) return Unavailable("down");
  return std::make_unique<int>(9);
}

Result<int> Unbox(bool fail) {
  GUICHET_ASSIGN_OR_RETURN(std::unique_ptr<int> box, MakeBox(fail));
  return *box;
}

TEST(MacroTest, AssignOrReturnMovesMoveOnlyValues) {
  EXPECT_EQ(*Unbox(false), 9);
  EXPECT_EQ(Unbox(true).status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace guichet
