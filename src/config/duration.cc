#include "config/duration.h"

#include <array>
#include <cassert>
#include <cstdint>

namespace paws {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t millis;
};

// Largest first: a value must list its units in this order.
constexpr std::array<Unit, 5> kUnits = {{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

constexpr int64_t kMaxMillis = kMaxConfigDuration.count();

Status Garbage(std::string_view text) {
  std::string shown(text.substr(0, 64));
  if (text.size() > 64) shown += "...";
  return Status::InvalidArgument("expected a duration like \"60s\" or 60, got \"" + shown + "\"");
}

Status TooLong(std::string_view text) {
  return Status::InvalidArgument("duration \"" + std::string(text.substr(0, 64)) +
                                 "\" is longer than 100 years");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return Garbage(text);
  size_t i = 0;
  int64_t total = 0;
  size_t next_unit = 0;  // index into kUnits of the smallest unit still allowed
  bool saw_unit = false;
  while (i < text.size()) {
    if (!IsDigit(text[i])) return Garbage(text);
    int64_t number = 0;
    while (i < text.size() && IsDigit(text[i])) {
      // The total is capped far below INT64_MAX, so checking the number
      // against the cap before each digit rules out overflow.
      if (number > kMaxMillis) return TooLong(text);
      number = number * 10 + (text[i] - '0');
      ++i;
    }
    if (i == text.size()) {
      // A bare number is seconds, but only on its own ("60", not "1m30").
      if (saw_unit) return Garbage(text);
      if (number > kMaxMillis / 1000) return TooLong(text);
      return Duration(number * 1000);
    }
    size_t end = i;
    while (end < text.size() && !IsDigit(text[end])) ++end;
    std::string_view suffix = text.substr(i, end - i);
    size_t u = next_unit;
    while (u < kUnits.size() && kUnits[u].suffix != suffix) ++u;
    if (u == kUnits.size()) return Garbage(text);  // unknown, repeated or out of order
    if (number > kMaxMillis / kUnits[u].millis) return TooLong(text);
    total += number * kUnits[u].millis;
    if (total > kMaxMillis) return TooLong(text);
    next_unit = u + 1;
    saw_unit = true;
    i = end;
  }
  return Duration(total);
}

Result<Duration> DurationFromSeconds(int64_t seconds) {
  if (seconds < 0) {
    return Status::InvalidArgument("a duration must not be negative, got " +
                                   std::to_string(seconds));
  }
  if (seconds > kMaxMillis / 1000) {
    return Status::InvalidArgument("duration " + std::to_string(seconds) +
                                   " s is longer than 100 years");
  }
  return Duration(seconds * 1000);
}

std::string FormatDuration(Duration d) {
  assert(d.count() >= 0);
  int64_t rest = d.count();
  if (rest == 0) return "0s";
  std::string out;
  for (const Unit& unit : kUnits) {
    if (rest >= unit.millis) {
      out += std::to_string(rest / unit.millis);
      out += unit.suffix;
      rest %= unit.millis;
    }
  }
  return out;
}

}  // namespace paws
