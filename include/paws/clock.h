#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "paws/result.h"

namespace paws {

using WallTime = std::chrono::system_clock::time_point;
using MonoTime = std::chrono::steady_clock::time_point;
using Duration = std::chrono::milliseconds;

// The only source of time. Wall time is for cursors, records, TTLs and what
// users see; monotonic time is for intervals (back-off, timeouts).
// Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime Now() = 0;
  virtual MonoTime MonotonicNow() = 0;

  // The process-wide real clock. Never null, never deleted.
  static Clock* System();
};

// A clock that moves only when told to. Thread-safe.
class FakeClock : public Clock {
 public:
  // Default start: 2026-01-01T00:00:00Z.
  FakeClock();
  explicit FakeClock(WallTime start);

  WallTime Now() override;
  MonoTime MonotonicNow() override;

  // Moves both wall and monotonic time forward by `d` (REQUIRES: d >= 0).
  void Advance(Duration d);
  // Sets wall time only (a clock jump, possibly backwards).
  void SetWall(WallTime t);

 private:
  std::mutex mu_;
  WallTime wall_;
  MonoTime mono_;
};

// Milliseconds since the Unix epoch, and back.
int64_t ToUnixMillis(WallTime t);
WallTime FromUnixMillis(int64_t ms);

// RFC 3339 in UTC with millisecond precision: "2026-01-14T12:00:00.000Z".
std::string FormatRfc3339(WallTime t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff]Z" and numeric offsets ("+01:00").
// Returns kInvalidArgument naming the text when it is not such a time.
Result<WallTime> ParseRfc3339(const std::string& text);

}  // namespace paws
