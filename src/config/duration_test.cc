#include "config/duration.h"

#include <gtest/gtest.h>

namespace paws {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

struct Good {
  const char* text;
  Duration want;
};

TEST(ParseDurationTest, AcceptsNumbersAndUnits) {
  const Good cases[] = {
      {"0", seconds(0)},
      {"60", seconds(60)},
      {"0s", seconds(0)},
      {"500ms", milliseconds(500)},
      {"30s", seconds(30)},
      {"15m", minutes(15)},
      {"2h", hours(2)},
      {"4d", days(4)},
      {"1h30m", minutes(90)},
      {"1d12h", hours(36)},
      {"2m30s500ms", milliseconds(150500)},
      {"1d1h1m1s1ms", days(1) + hours(1) + minutes(1) + seconds(1) + milliseconds(1)},
      {"90m", minutes(90)},
      {"36500d", days(36500)},
  };
  for (const Good& c : cases) {
    Result<Duration> d = ParseDuration(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.status().ToString();
    EXPECT_EQ(*d, c.want) << c.text;
  }
}

TEST(ParseDurationTest, RejectsGarbage) {
  const char* cases[] = {
      "",     "soon", "-5", "-5s",  "+5s",   "5 s",  " 5s", "5s ",   "1.5h", "5S",
      "5sec", "5w",   "h",  "1m30", "30m1h", "1h1h", "1mm", "5ms5s", "0x10", "١٢s",
  };
  for (const char* text : cases) {
    Result<Duration> d = ParseDuration(text);
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(d.status().message().find("expected a duration like \"60s\" or 60, got \""),
              std::string::npos)
        << d.status().message();
  }
}

TEST(ParseDurationTest, RejectsMoreThanAHundredYears) {
  for (const char* text :
       {"36501d", "99999999999999999999999s", "3153600001", "876001h", "36500d1ms"}) {
    Result<Duration> d = ParseDuration(text);
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_NE(d.status().message().find("longer than 100 years"), std::string::npos)
        << d.status().message();
  }
}

TEST(ParseDurationTest, SecondsFromInteger) {
  EXPECT_EQ(*DurationFromSeconds(0), seconds(0));
  EXPECT_EQ(*DurationFromSeconds(60), seconds(60));
  EXPECT_FALSE(DurationFromSeconds(-1).ok());
  EXPECT_FALSE(DurationFromSeconds(int64_t{1} << 62).ok());
}

TEST(FormatDurationTest, ShortestFormReadsBack) {
  const Good cases[] = {
      {"0s", seconds(0)},  {"500ms", milliseconds(500)},
      {"1m", seconds(60)}, {"1h30m", minutes(90)},
      {"4d", days(4)},     {"1d1s1ms", days(1) + milliseconds(1001)},
  };
  for (const Good& c : cases) {
    EXPECT_EQ(FormatDuration(c.want), c.text);
    EXPECT_EQ(*ParseDuration(FormatDuration(c.want)), c.want);
  }
}

}  // namespace
}  // namespace paws
