// gtest helpers for Status and Result<T>:
//   ASSERT_OK(status_expr) / EXPECT_OK(status_expr): the status is OK, else its text is shown;
//   ASSERT_OK_AND_ASSIGN(lhs, result_expr): declares or assigns `lhs` from an OK result, else
//     fails the test and returns from the current (void) function;
//   EXPECT_STATUS(expr, StatusCode::kX): a Status or Result<T> has the given code.
// Header-only; thread-safe as gtest assertions are.
#pragma once

#include <gtest/gtest.h>

#include "common/status.h"

namespace guichet::testing {

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

}  // namespace guichet::testing

#define ASSERT_OK(expr)                                                                  \
  do {                                                                                   \
    const ::guichet::Status guichet_assert_status_ = ::guichet::testing::StatusOf(expr); \
    ASSERT_TRUE(guichet_assert_status_.ok()) << guichet_assert_status_.ToString();       \
  } while (0)

#define EXPECT_OK(expr)                                                                  \
  do {                                                                                   \
    const ::guichet::Status guichet_expect_status_ = ::guichet::testing::StatusOf(expr); \
    EXPECT_TRUE(guichet_expect_status_.ok()) << guichet_expect_status_.ToString();       \
  } while (0)

#define EXPECT_STATUS(expr, expected_code)                                               \
  do {                                                                                   \
    const ::guichet::Status guichet_expect_status_ = ::guichet::testing::StatusOf(expr); \
    EXPECT_EQ(::guichet::StatusCodeName(guichet_expect_status_.code()),                  \
              ::guichet::StatusCodeName(expected_code))                                  \
        << guichet_expect_status_.ToString();                                            \
  } while (0)

#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  GUICHET_ASSERT_OK_AND_ASSIGN_IMPL(GUICHET_CONCAT(guichet_assert_result_, __LINE__), lhs, expr)
#define GUICHET_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)            \
  auto tmp = (expr);                                                 \
  ASSERT_TRUE(tmp.ok()) << #expr << ": " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()
