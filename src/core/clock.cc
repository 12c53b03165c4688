#include "paws/clock.h"

#include <cstdio>
#include <ctime>
#include <string>

namespace paws {
namespace {

class SystemClock : public Clock {
 public:
  WallTime Now() override { return std::chrono::system_clock::now(); }
  MonoTime MonotonicNow() override { return std::chrono::steady_clock::now(); }
};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

constexpr int kMinYear = 1678;
constexpr int kMaxYear = 2261;

Status BadTime(const std::string& text) {
  return Status::InvalidArgument("not an RFC 3339 time: \"" + text + "\"");
}

}  // namespace

Clock* Clock::System() {
  static SystemClock* clock = new SystemClock();
  return clock;
}

FakeClock::FakeClock() : FakeClock(FromUnixMillis(1767225600000)) {}  // 2026-01-01T00:00:00Z
FakeClock::FakeClock(WallTime start) : wall_(start), mono_(MonoTime{} + std::chrono::hours(1)) {}

WallTime FakeClock::Now() {
  std::lock_guard<std::mutex> lock(mu_);
  return wall_;
}
MonoTime FakeClock::MonotonicNow() {
  std::lock_guard<std::mutex> lock(mu_);
  return mono_;
}
void FakeClock::Advance(Duration d) {
  std::lock_guard<std::mutex> lock(mu_);
  wall_ += d;
  mono_ += d;
}
void FakeClock::SetWall(WallTime t) {
  std::lock_guard<std::mutex> lock(mu_);
  wall_ = t;
}

int64_t ToUnixMillis(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
WallTime FromUnixMillis(int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

std::string FormatRfc3339(WallTime t) {
  int64_t ms = ToUnixMillis(t);
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int millis = static_cast<int>(ms - secs * 1000);
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[96];  // room for any int, so that no output can be cut (-Wformat-truncation)
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

Result<WallTime> ParseRfc3339(const std::string& text) {
  int y, mo, d, h, mi, s, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s,
                  &consumed) != 6 ||
      consumed != 19) {
    return BadTime(text);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return BadTime(text);
  // WallTime counts nanoseconds in 64 bits: 1677-09-21 to 2262-04-11. A
  // year outside these (any offset included) would overflow it (found by
  // fuzz/fuzz_config: collection_start = 4052-01-14T00:00:00Z).
  if (y < kMinYear || y > kMaxYear) {
    return Status::InvalidArgument("not an RFC 3339 time: \"" + text +
                                   "\": the year must be from " + std::to_string(kMinYear) +
                                   " to " + std::to_string(kMaxYear));
  }
  size_t i = 19;
  int64_t millis = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    int digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return BadTime(text);
    for (int k = digits; k < 3; ++k) millis *= 10;
  }
  int64_t offset_min = 0;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    ++i;
  } else if (i + 6 == text.size() && (text[i] == '+' || text[i] == '-') && text[i + 3] == ':') {
    int oh, om;
    if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return BadTime(text);
    offset_min = (oh * 60 + om) * (text[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return BadTime(text);
  }
  if (i != text.size()) return BadTime(text);
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - offset_min * 60;
  return FromUnixMillis(secs * 1000 + millis);
}

}  // namespace paws
