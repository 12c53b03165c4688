#include "server/health_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "paws/codes.h"

namespace paws {
namespace {

using nlohmann::json;

WallTime At(const char* t) { return *ParseRfc3339(t); }

HealthReport Report() {
  HealthReport r;
  r.at = At("2026-01-14T12:00:00Z");
  r.healthy = false;
  CollectorHealth c;
  c.collector_id = "c1";
  c.collector_type = "salesforce";
  c.healthy = false;
  c.code = codes::kCollectorUnhealthy;
  c.message = "1 of 2 streams unhealthy";
  StreamHealth ok;
  ok.collector_id = "c1";
  ok.stream = "LoginHistory";
  StreamRow row;
  row.collector_id = "c1";
  row.stream = "LoginHistory";
  row.epoch = 3;
  row.seq = 41;
  row.last_success = At("2026-01-14T11:59:00Z");
  row.last_attempt = At("2026-01-14T11:59:01Z");
  row.due_at = At("2026-01-14T12:01:00Z");
  row.last_status = "OK";
  ok.row = row;
  StreamHealth bad;
  bad.collector_id = "c1";
  bad.stream = "EventLogFile";
  bad.cls = StreamClass::kFailing;
  bad.healthy = false;
  bad.code = codes::kStreamFailing;
  bad.message = "stream EventLogFile failing: \xff\xfe bad bytes";
  row.stream = "EventLogFile";
  row.retry_count = 6;
  row.last_status = "FAILING";
  row.last_error = "HTTP 401";
  row.last_error_at = At("2026-01-14T11:58:00Z");
  bad.row = row;
  StreamHealth none;
  none.collector_id = "c1";
  none.stream = "Setup";
  none.cls = StreamClass::kNeverStarted;
  none.healthy = false;
  c.streams = {ok, bad, none};
  r.collectors = {c};
  return r;
}

TEST(HealthJsonTest, ReportFields) {
  json j = json::parse(HealthReportJson(Report()));
  EXPECT_EQ(j["healthy"], false);
  EXPECT_EQ(j["checked_at"], "2026-01-14T12:00:00.000Z");
  ASSERT_EQ(j["collectors"].size(), 1u);
  const json& c = j["collectors"][0];
  EXPECT_EQ(c["collector_id"], "c1");
  EXPECT_EQ(c["collector_type"], "salesforce");
  EXPECT_EQ(c["healthy"], false);
  EXPECT_EQ(c["code"], codes::kCollectorUnhealthy);
  EXPECT_EQ(c["message"], "1 of 2 streams unhealthy");
  ASSERT_EQ(c["streams"].size(), 3u);

  const json& ok = c["streams"][0];
  EXPECT_EQ(ok["stream"], "LoginHistory");
  EXPECT_EQ(ok["class"], "ok");
  EXPECT_EQ(ok["healthy"], true);
  EXPECT_TRUE(ok["code"].is_null());
  EXPECT_EQ(ok["message"], "");
  EXPECT_EQ(ok["epoch"], 3);
  EXPECT_EQ(ok["seq"], 41);
  EXPECT_EQ(ok["last_success"], "2026-01-14T11:59:00.000Z");
  EXPECT_EQ(ok["last_attempt"], "2026-01-14T11:59:01.000Z");
  EXPECT_EQ(ok["due_at"], "2026-01-14T12:01:00.000Z");
  EXPECT_EQ(ok["retry_count"], 0);
  EXPECT_EQ(ok["last_status"], "OK");
  EXPECT_TRUE(ok["last_error"].is_null());
  EXPECT_TRUE(ok["last_error_at"].is_null());

  const json& bad = c["streams"][1];
  EXPECT_EQ(bad["class"], "failing");
  EXPECT_EQ(bad["code"], codes::kStreamFailing);
  EXPECT_EQ(bad["retry_count"], 6);
  EXPECT_EQ(bad["last_error"], "HTTP 401");
  EXPECT_EQ(bad["last_error_at"], "2026-01-14T11:58:00.000Z");
  // Invalid UTF-8 is replaced, not thrown on.
  EXPECT_NE(bad["message"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);

  const json& none = c["streams"][2];
  EXPECT_EQ(none["class"], "never_started");
  for (const char* k : {"epoch", "seq", "last_success", "last_attempt", "due_at", "retry_count",
                        "last_status", "last_error", "last_error_at"}) {
    EXPECT_TRUE(none[k].is_null()) << k;
  }
}

TEST(HealthJsonTest, OneCollectorIsTheSameObject) {
  HealthReport r = Report();
  json whole = json::parse(HealthReportJson(r));
  EXPECT_EQ(json::parse(CollectorHealthJson(r.collectors[0])), whole["collectors"][0]);
}

TEST(HealthJsonTest, EmptyReportBeforeTheFirstCheck) {
  json j = json::parse(HealthReportJson(HealthReport{}));
  EXPECT_EQ(j["healthy"], true);
  EXPECT_TRUE(j["checked_at"].is_null());
  EXPECT_TRUE(j["collectors"].is_array());
  EXPECT_TRUE(j["collectors"].empty());
}

}  // namespace
}  // namespace paws
