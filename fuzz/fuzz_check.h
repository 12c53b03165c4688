#pragma once

// What the fuzz targets share: how a broken invariant is reported. A target
// that finds one aborts, so libFuzzer writes the input to crash-<sha1> and
// the run fails (docs/fuzzing.md).

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>

#include "paws/status.h"

namespace paws::fuzz {

// Prints `what` and `detail` and aborts: a finding.
[[noreturn]] inline void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "\nFUZZ FINDING: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// An error as the rules want it: kInvalidArgument with one of `codes` and
// a message. Anything else (kInternal from a caught exception, no code) is
// an error the user cannot act on, so it is a finding too.
inline void CheckError(const Status& status, std::initializer_list<std::string_view> codes) {
  if (status.code() != StatusCode::kInvalidArgument) {
    Fail("error is not kInvalidArgument", status.ToString());
  }
  bool known = false;
  for (std::string_view code : codes) known = known || status.paws_code() == code;
  if (!known) Fail("error has an unexpected stable code", status.ToString());
  if (status.message().empty()) Fail("error has no message", status.ToString());
}

// A secret must never be shown. `secret` is ignored when the input itself
// holds it (then the text may quote it from elsewhere).
inline void CheckNoSecret(const Status& status, std::string_view secret, std::string_view input) {
  if (secret.empty() || input.find(secret) != std::string_view::npos) return;
  if (status.message().find(secret) != std::string::npos) {
    Fail("error shows a secret", status.ToString());
  }
}

}  // namespace paws::fuzz
