#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

namespace paws {

// What went wrong, in the terms the runtime acts on.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // bad input: config, message body, command line, API response
  kNotFound,
  kConflict,          // a conditional write lost: another chain or worker owns it
  kUnavailable,       // transient: retry later
  kRateLimited,       // retry after Status::retry_after()
  kUnauthenticated,   // bad or expired credential
  kDeadlineExceeded,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

// A Status is the result of an operation that returns no value: ok, or a
// code, a message and optionally a stable operator-facing code ("PAWS000201",
// see docs/status-codes.md). Messages never contain secrets.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string_view paws_code = {})
      : code_(code), message_(std::move(message)), paws_code_(paws_code) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg, std::string_view paws_code = {}) {
    return Status(StatusCode::kInvalidArgument, std::move(msg), paws_code);
  }
  static Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
  static Status Conflict(std::string msg) { return Status(StatusCode::kConflict, std::move(msg)); }
  static Status Unavailable(std::string msg, std::string_view paws_code = {}) {
    return Status(StatusCode::kUnavailable, std::move(msg), paws_code);
  }
  static Status RateLimited(std::string msg, std::chrono::milliseconds retry_after) {
    Status s(StatusCode::kRateLimited, std::move(msg));
    s.retry_after_ = retry_after;
    return s;
  }
  static Status Unauthenticated(std::string msg, std::string_view paws_code = {}) {
    return Status(StatusCode::kUnauthenticated, std::move(msg), paws_code);
  }
  static Status DeadlineExceeded(std::string msg) {
    return Status(StatusCode::kDeadlineExceeded, std::move(msg));
  }
  static Status Internal(std::string msg, std::string_view paws_code = {}) {
    return Status(StatusCode::kInternal, std::move(msg), paws_code);
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The stable operator-facing code, or empty.
  std::string_view paws_code() const { return paws_code_; }
  // For kRateLimited: how long the service asked us to wait (0 if unknown).
  std::chrono::milliseconds retry_after() const { return retry_after_; }

  // Returns a copy with the stable code set (keeps an existing one).
  Status WithCode(std::string_view paws_code) const {
    Status s = *this;
    if (s.paws_code_.empty()) s.paws_code_ = paws_code;
    return s;
  }
  // Returns a copy whose message is "context: message".
  Status Annotate(std::string_view context) const;

  // "[PAWS000201] kInvalidArgument: message" or "OK".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string_view paws_code_;  // always points at a static string literal
  std::chrono::milliseconds retry_after_{0};
};

}  // namespace paws

#define PAWS_STATUS_CONCAT_INNER(a, b) a##b
#define PAWS_STATUS_CONCAT(a, b) PAWS_STATUS_CONCAT_INNER(a, b)

// Returns from the current function when `expr` (a Status) is not ok.
#define PAWS_RETURN_IF_ERROR(expr)                  \
  do {                                              \
    ::paws::Status _paws_status = (expr);           \
    if (!_paws_status.ok()) return _paws_status;    \
  } while (0)
