#include "sources/http_json/http_json_config.h"

#include <gtest/gtest.h>

#include <functional>

#include "paws/codes.h"

namespace paws {
namespace {

CollectorSpec GoodSpec() {
  CollectorSpec s;
  s.id = "c-json";
  s.type = "http_json";
  s.endpoint = "https://api.example.com/";
  s.streams = {"audit"};
  s.secret = Secret("k-SECRET");
  s.params = {{"url", "{endpoint}/v1/logs?from={since}&to={until}"},
              {"auth", "bearer"},
              {"id_field", "id"},
              {"timestamp_field", "time"}};
  return s;
}

TEST(HttpJsonConfig, DefaultsAndExpansion) {
  auto c = ParseHttpJsonConfig(GoodSpec());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->stream, "audit");
  EXPECT_EQ(c->endpoint, "https://api.example.com");
  EXPECT_EQ(c->paging, HttpJsonPaging::kNone);
  EXPECT_EQ(c->auth, HttpJsonAuth::kBearer);
  const WallTime since = *ParseRfc3339("2026-01-14T12:00:00.250Z");
  const WallTime until = since + std::chrono::seconds(60);
  EXPECT_EQ(ExpandUrlTemplate(*c, since, until, ""),
            "https://api.example.com/v1/logs?from=2026-01-14T12%3A00%3A00.250Z"
            "&to=2026-01-14T12%3A01%3A00.250Z");
  EXPECT_EQ(FormatHttpJsonTime(since, HttpJsonTime::kEpochSeconds), "1768392000");
  EXPECT_EQ(FormatHttpJsonTime(since, HttpJsonTime::kEpochMillis), "1768392000250");

  CollectorSpec s = GoodSpec();
  s.streams.clear();
  s.params["url"] = "{endpoint}/q?range=[{since},{until}}}&c={cursor}&n={page_size}&x={{y}}";
  s.params["paging"] = "offset";
  s.params["page_size"] = "50";
  s.params["time_format"] = "epoch_millis";
  c = ParseHttpJsonConfig(s);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->stream, "http_json");
  EXPECT_TRUE(c->cursor_in_template);
  EXPECT_EQ(ExpandUrlTemplate(*c, since, until, "a b"),
            "https://api.example.com/q?range=[1768392000250,1768392060250}&c=a%20b&n=50&x={y}");
}

TEST(HttpJsonConfig, FieldPathsAndLists) {
  CollectorSpec s = GoodSpec();
  s.params["records_path"] = "data.items";
  s.params["type_field"] = "eventType, legacy.type";
  auto c = ParseHttpJsonConfig(s);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->records_path, (JsonPath{"data", "items"}));
  EXPECT_EQ(c->type_fields, (std::vector<JsonPath>{{"eventType"}, {"legacy", "type"}}));
}

// Every bad setting is PAWS000103 naming the collector and the key.
TEST(HttpJsonConfig, BadSettingsNameTheKey) {
  struct Case {
    std::function<void(CollectorSpec*)> edit;
    std::string key;
  };
  const std::vector<Case> cases = {
      {[](CollectorSpec* s) { s->params["urll"] = "x"; }, "param urll is not a parameter"},
      {[](CollectorSpec* s) { s->params.erase("url"); }, "param url is required"},
      {[](CollectorSpec* s) { s->params["url"] = "{endpoint}/x?u={until}"; }, "{since}"},
      {[](CollectorSpec* s) { s->params["url"] = "{endpoint}/x?s={since}"; }, "{until}"},
      {[](CollectorSpec* s) { s->params["url"] = "{endpoint}/{since}/{until}/{nope}"; },
       "param url has an unknown placeholder"},
      {[](CollectorSpec* s) { s->params["url"] = "ftp://x/{since}/{until}"; },
       "param url must give an http(s) URL"},
      {[](CollectorSpec* s) { s->params["url"] = "{endpoint}/{since}/{until}/{cursor}"; },
       "param url has {cursor}"},
      {[](CollectorSpec* s) { s->params.erase("auth"); }, "param auth is required"},
      {[](CollectorSpec* s) { s->params["auth"] = "digest"; }, "param auth must be one of"},
      {[](CollectorSpec* s) { s->secret = Secret(); }, "needs the secret"},
      {[](CollectorSpec* s) { s->params["auth_header"] = "X-Key"; },
       "param auth_header applies only to auth = \"header\""},
      {[](CollectorSpec* s) { s->params["auth"] = "header"; }, "param auth_header is required"},
      {[](CollectorSpec* s) {
         s->params["auth"] = "header";
         s->params["auth_header"] = "X Key";
       },
       "param auth_header must be a header name"},
      {[](CollectorSpec* s) {
         s->params["auth"] = "header";
         s->params["auth_header"] = "X-Key";
         s->params["auth_value"] = "SSWS";
       },
       "param auth_value must contain {secret}"},
      {[](CollectorSpec* s) { s->params["auth"] = "oauth2"; }, "needs client_id"},
      {[](CollectorSpec* s) {
         s->params["auth"] = "oauth2";
         s->client_id = "app";
       },
       "param token_url is required"},
      {[](CollectorSpec* s) {
         s->params["auth"] = "oauth2";
         s->client_id = "app";
         s->params["token_url"] = "https://login.example.com/token";
         s->params["token_auth"] = "jwt";
       },
       "param token_auth must be one of post, basic"},
      {[](CollectorSpec* s) { s->params.erase("id_field"); }, "param id_field is required"},
      {[](CollectorSpec* s) { s->params["timestamp_field"] = "a..b"; },
       "param timestamp_field must be a field path"},
      {[](CollectorSpec* s) { s->params["timestamp_format"] = "iso"; },
       "param timestamp_format must be one of rfc3339, epoch_seconds, epoch_millis"},
      {[](CollectorSpec* s) { s->params["time_format"] = "unix"; }, "param time_format"},
      {[](CollectorSpec* s) { s->params["records_path"] = "data."; }, "param records_path"},
      {[](CollectorSpec* s) { s->params["paging"] = "cursor"; }, "param paging must be one of"},
      {[](CollectorSpec* s) { s->params["paging"] = "token"; },
       "param next_token_path is required"},
      {[](CollectorSpec* s) {
         s->params["paging"] = "token";
         s->params["next_token_path"] = "next";
       },
       "param token_param is required"},
      {[](CollectorSpec* s) { s->params["paging"] = "offset"; }, "param page_size is required"},
      {[](CollectorSpec* s) {
         s->params["paging"] = "offset";
         s->params["page_size"] = "0";
         s->params["offset_param"] = "offset";
       },
       "param page_size must be an integer >= 1"},
      {[](CollectorSpec* s) {
         s->params["paging"] = "offset";
         s->params["page_size"] = "10";
         s->params["offset_param"] = "offset";
         s->params["offset_unit"] = "bytes";
       },
       "param offset_unit"},
      {[](CollectorSpec* s) { s->params["page_size"] = "10"; },
       "param page_size applies only to paging = \"offset\""},
      {[](CollectorSpec* s) { s->params["filter_window"] = "yes"; }, "param filter_window"},
      {[](CollectorSpec* s) { s->params["quota_retry_sec"] = "-1"; }, "param quota_retry_sec"},
      {[](CollectorSpec* s) { s->endpoint = "api.example.com"; }, "endpoint must be"},
      {[](CollectorSpec* s) {
         s->streams = {"a", "b"};
       },
       "one stream"},
      {[](CollectorSpec* s) { s->poll_interval = std::chrono::milliseconds(500); },
       "poll interval"},
  };
  for (const Case& c : cases) {
    CollectorSpec s = GoodSpec();
    c.edit(&s);
    auto r = ParseHttpJsonConfig(s);
    ASSERT_FALSE(r.ok()) << c.key;
    EXPECT_EQ(r.status().paws_code(), codes::kConfigInvalid) << r.status().ToString();
    EXPECT_NE(r.status().message().find("collector c-json: "), std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find(c.key), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find("k-SECRET"), std::string::npos);
  }
}

}  // namespace
}  // namespace paws
