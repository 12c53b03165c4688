#pragma once

#include <string>
#include <utility>

namespace paws {

// A credential. It has no stream operator and no implicit conversion to a
// string, so it cannot reach a log line, a status page or an error message
// by accident; reveal() is called only where the credential is sent.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  // What to show instead of the value.
  static constexpr const char* kRedacted = "<redacted>";

 private:
  std::string value_;
};

}  // namespace paws
