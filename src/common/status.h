// Status and Result<T>: the error-handling currency of every Guichet subsystem.
//
// No exceptions cross a subsystem boundary: functions return a Status (success or an error
// code plus a readable message) or a Result<T> (a value or a non-OK Status). Both are plain
// values, safe to copy between threads; they are marked [[nodiscard]] so an ignored error is a
// compile-time warning (an error under -Werror).
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace guichet {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // the caller's input is wrong; retrying will not help
  kNotFound,            // the thing asked for does not exist (or may not be seen)
  kAlreadyExists,       // a unique key is taken
  kConflict,            // optimistic concurrency: the version the caller had is stale
  kFailedPrecondition,  // the state forbids it (e.g. invalid status transition)
  kPermissionDenied,    // authenticated but not allowed
  kUnauthenticated,     // who is asking is unknown
  kResourceExhausted,   // a limit was hit (size, rate, disk)
  kUnavailable,         // a dependency (database) cannot be reached; retry later
  kInternal,            // a bug or an unexpected failure
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "NotFound: request 12 does not exist", for logs and CLI output.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A value of type T or a non-OK Status. Accessing value() of an error is a programming error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "Result built from an OK status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace guichet

// Propagates a non-OK Status from an expression returning Status.
#define GUICHET_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::guichet::Status guichet_status_ = (expr);        \
    if (!guichet_status_.ok()) return guichet_status_; \
  } while (0)

#define GUICHET_CONCAT_INNER(a, b) a##b
#define GUICHET_CONCAT(a, b) GUICHET_CONCAT_INNER(a, b)

// Declares `lhs` from a Result-returning expression, or returns its Status.
#define GUICHET_ASSIGN_OR_RETURN(lhs, expr) \
  GUICHET_ASSIGN_OR_RETURN_IMPL(GUICHET_CONCAT(guichet_result_, __LINE__), lhs, expr)
#define GUICHET_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
