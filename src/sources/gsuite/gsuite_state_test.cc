#include "sources/gsuite/gsuite_state.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "paws/codes.h"

namespace paws {
namespace {

using json = nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

WallTime T(const char* text) { return *ParseRfc3339(text); }

TEST(GsuiteState, RoundTripsInTheNormalisedShape) {
  GsuiteState st{"drive", T("2026-01-01T00:00:00Z"), T("2026-01-01T01:00:00Z"),
                 "tok/en==", T("2026-01-01T08:01:00Z")};
  const std::string text = SerializeGsuiteState(st, 1);
  // Only "stream" names the application: the legacy field is never written.
  EXPECT_EQ(text, R"({"stream":"drive","since":"2026-01-01T00:00:00.000Z",)"
                  R"("until":"2026-01-01T01:00:00.000Z","nextPage":"tok/en==",)"
                  R"("apiQuotaResetDate":"2026-01-01T08:01:00.000Z","poll_interval_sec":1})");
  Result<GsuiteState> back = ParseGsuiteState(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->application, "drive");
  EXPECT_EQ(back->since, st.since);
  EXPECT_EQ(back->until, st.until);
  EXPECT_EQ(back->next_page, st.next_page);
  EXPECT_EQ(back->quota_reset, st.quota_reset);

  // The upstream collector's own states, both generations.
  back = ParseGsuiteState(
      R"({"application":"login","since":"2020-01-09T05:56:41.462Z","until":"2020-01-09T05:57:41.462Z",)"
      R"("nextPage":null,"apiQuotaResetDate":null,"poll_interval_sec":1})");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->application, "login");
  EXPECT_TRUE(back->next_page.empty());
  EXPECT_FALSE(back->quota_reset);
  back = ParseGsuiteState(
      R"({"stream":"token","since":"2020-01-09T05:56:41.462Z","until":"2020-01-09T05:57:41.462Z",)"
      R"("apiQuotaResetDate":null,"poll_interval_sec":600})");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->application, "token");
  // Both fields: read when they agree, refused when they do not.
  back = ParseGsuiteState(
      R"({"stream":"drive","application":"drive","since":"2020-01-09T05:56:41.462Z",)"
      R"("until":"2020-01-09T05:57:41.462Z"})");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->application, "drive");
  Result<GsuiteState> two = ParseGsuiteState(
      R"({"stream":"drive","application":"login","since":"2020-01-09T05:56:41.462Z",)"
      R"("until":"2020-01-09T05:57:41.462Z"})");
  EXPECT_EQ(two.status().paws_code(), codes::kStateMalformed);
  EXPECT_NE(two.status().message().find("application \"login\""), std::string::npos)
      << two.status().ToString();
  EXPECT_EQ(ParseGsuiteState(R"({"since":"2020-01-09T05:56:41Z","until":"2020-01-09T05:56:41Z"})")
                .status()
                .paws_code(),
            codes::kStateMalformed);
  EXPECT_EQ(ParseGsuiteState("{").status().paws_code(), codes::kStateMalformed);
  EXPECT_EQ(
      ParseGsuiteState(
          R"({"stream":"x","since":"2020-01-09T05:56:41Z","until":"2020-01-09T05:56:41Z","apiQuotaResetDate":"later"})")
          .status()
          .paws_code(),
      codes::kStateMalformed);
}

TEST(GsuiteState, WindowsGrowWhileBehindAsUpstreamsHourDayProgression) {
  const WallTime now = T("2026-01-10T00:00:00Z");
  const Duration lag = minutes(10), poll = seconds(60);
  GsuiteState done{"login", {}, T("2026-01-01T00:00:00Z"), "", std::nullopt};
  GsuiteState next = NextGsuiteWindow(done, now, lag, poll);
  EXPECT_EQ(next.since, done.until);
  EXPECT_EQ(next.until - next.since, hours(24));  // days behind
  done.until = T("2026-01-09T20:00:00Z");
  EXPECT_EQ(NextGsuiteWindow(done, now, lag, poll).until, T("2026-01-09T21:00:00Z"));
  done.until = T("2026-01-09T23:20:00Z");  // under an hour: up to the horizon
  EXPECT_EQ(NextGsuiteWindow(done, now, lag, poll).until, T("2026-01-09T23:50:00Z"));
  done.until = T("2026-01-09T23:49:30Z");  // caught up: one poll interval
  next = NextGsuiteWindow(done, now, lag, poll);
  EXPECT_EQ(next.until, T("2026-01-09T23:50:30Z"));
  EXPECT_TRUE(next.next_page.empty());
  EXPECT_FALSE(next.quota_reset);
  EXPECT_EQ(next.application, "login");
}

}  // namespace
}  // namespace paws
