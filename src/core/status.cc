#include "paws/status.h"

namespace paws {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kConflict: return "CONFLICT";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kRateLimited: return "RATE_LIMITED";
    case StatusCode::kUnauthenticated: return "UNAUTHENTICATED";
    case StatusCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case StatusCode::kInternal: return "INTERNAL";
  }
  return "UNKNOWN";
}

Status Status::Annotate(std::string_view context) const {
  if (ok()) return *this;
  Status s = *this;
  s.message_ = std::string(context) + ": " + message_;
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out;
  if (!paws_code_.empty()) {
    out += "[";
    out += paws_code_;
    out += "] ";
  }
  out += StatusCodeName(code_);
  out += ": ";
  out += message_;
  return out;
}

}  // namespace paws
