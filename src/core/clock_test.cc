#include "paws/clock.h"

#include <gtest/gtest.h>

namespace paws {
namespace {

TEST(Rfc3339, RoundTripsWithMillis) {
  auto t = ParseRfc3339("2026-01-14T12:00:00.250Z");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(FormatRfc3339(*t), "2026-01-14T12:00:00.250Z");
}

TEST(Rfc3339, AcceptsOffsetsAndNoFraction) {
  auto a = ParseRfc3339("2026-01-14T13:00:00+01:00");
  auto b = ParseRfc3339("2026-01-14T12:00:00Z");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(ToUnixMillis(*b), 1768392000000);
}

TEST(Rfc3339, RejectsGarbageNamingIt) {
  for (const char* bad : {"", "yesterday", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00",
                          "2026-01-01T00:00:00Zjunk", "2026-01-01T00:00:00."}) {
    auto t = ParseRfc3339(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(t.status().message().find(bad), std::string::npos);
  }
}

// Found by fuzz/fuzz_config and fuzz/fuzz_env: a year past 2262 overflowed
// WallTime (undefined behaviour) instead of being an error.
TEST(Rfc3339, RejectsYearsWallTimeCannotHold) {
  for (const char* bad : {"4052-01-14T00:00:00Z", "5613-01-14T00:00:00Z", "2262-04-12T00:00:00Z",
                          "1677-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                          "-001-01-01T00:00:00Z"}) {
    auto t = ParseRfc3339(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(t.status().message().find(bad), std::string::npos) << t.status().message();
    EXPECT_NE(t.status().message().find("1678 to 2261"), std::string::npos) << t.status().message();
  }
  for (const char* good : {"1678-01-01T00:00:00+23:59", "2261-12-31T23:59:59.999-23:59"}) {
    auto t = ParseRfc3339(good);
    ASSERT_TRUE(t.ok()) << good << ": " << t.status().ToString();
  }
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2261-12-31T23:59:59.999Z")), "2261-12-31T23:59:59.999Z");
}

TEST(FakeClock, MovesOnlyWhenTold) {
  FakeClock clock;
  WallTime w = clock.Now();
  MonoTime m = clock.MonotonicNow();
  EXPECT_EQ(clock.Now(), w);
  clock.Advance(std::chrono::seconds(5));
  EXPECT_EQ(clock.Now() - w, std::chrono::seconds(5));
  EXPECT_EQ(clock.MonotonicNow() - m, std::chrono::seconds(5));
  clock.SetWall(w - std::chrono::hours(1));  // a jump back moves wall time only
  EXPECT_EQ(clock.MonotonicNow() - m, std::chrono::seconds(5));
  EXPECT_EQ(FormatRfc3339(FakeClock().Now()), "2026-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace paws
