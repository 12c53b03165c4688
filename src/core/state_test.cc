#include "paws/state.h"

#include <gtest/gtest.h>

#include "paws/codes.h"

namespace paws {
namespace {

TEST(StateMessage, RoundTrips) {
  StateMessage m{"c1", 2, 7, 1, R"({"since":"2026-01-01T00:00:00Z","stream":"s1"})", false};
  auto back = ParseStateMessage(SerializeStateMessage(m));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
  EXPECT_EQ(StateStringField(back->state_json, "stream"), "s1");
}

TEST(StateMessage, UpstreamBodyIsLegacyAtEpochZeroSeqOne) {
  auto m = ParseStateMessage(
      R"({"priv_collector_state":{"object":"LoginHistory","since":"x"},"retry_count":3})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->legacy);
  EXPECT_EQ(m->epoch, 0);
  EXPECT_EQ(m->seq, 1);
  EXPECT_EQ(m->retry_count, 3);
  EXPECT_TRUE(m->collector_id.empty());
  EXPECT_EQ(StateStringField(m->state_json, "object"), "LoginHistory");
}

struct BadCase {
  const char* body;
  const char* code;
};

TEST(StateMessage, MalformedBodiesGetStableCodes) {
  const BadCase cases[] = {
      {"", codes::kMessageNotJson},
      {"{not json", codes::kMessageNotJson},
      {"[1,2]", codes::kMessageNotJson},
      {R"({"retry_count":0})", codes::kMessageNoState},
      {R"({"priv_collector_state":null})", codes::kMessageNoState},
      {R"({"priv_collector_state":"str"})", codes::kMessageBadField},
      {R"({"priv_collector_state":{},"collector_id":5,"epoch":1,"seq":1})",
       codes::kMessageBadField},
      {R"({"priv_collector_state":{},"collector_id":"c","epoch":-1,"seq":1})",
       codes::kMessageBadField},
      {R"({"priv_collector_state":{},"collector_id":"c","epoch":1})", codes::kMessageBadField},
      {R"({"priv_collector_state":{},"collector_id":"c","epoch":1,"seq":0})",
       codes::kMessageBadField},
      {R"({"priv_collector_state":{},"retry_count":"x"})", codes::kMessageBadField},
      {R"({"priv_collector_state":{},"epoch":1,"seq":2})", codes::kMessageBadField},
  };
  for (const auto& c : cases) {
    auto m = ParseStateMessage(c.body);
    ASSERT_FALSE(m.ok()) << c.body;
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument) << c.body;
    EXPECT_EQ(m.status().paws_code(), c.code) << c.body << " -> " << m.status().ToString();
  }
}

TEST(RecordStatus, NamesRoundTrip) {
  for (auto s : {RecordStatus::kIncomplete, RecordStatus::kComplete, RecordStatus::kFailed}) {
    auto back = ParseRecordStatus(RecordStatusName(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
  }
  EXPECT_FALSE(ParseRecordStatus("DONE").ok());
}

}  // namespace
}  // namespace paws
