#include "server/status_server.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "paws/codes.h"
#include "paws/http.h"
#include "server/health_json.h"

namespace paws {
namespace {

using nlohmann::json;

WallTime At(const char* t) { return *ParseRfc3339(t); }

class FakeStatusSource : public StatusSource {
 public:
  HealthReport LatestHealth() override {
    std::lock_guard<std::mutex> lock(mu_);
    return report_;
  }
  Metrics::Snapshot MetricsSnapshot() override { return metrics_.TakeSnapshot(); }
  WallTime Now() override { return At("2026-01-14T12:00:30Z"); }

  void Set(HealthReport r) {
    std::lock_guard<std::mutex> lock(mu_);
    report_ = std::move(r);
  }
  Metrics& metrics() { return metrics_; }

 private:
  std::mutex mu_;
  HealthReport report_;
  Metrics metrics_;
};

HealthReport Report() {
  HealthReport r;
  r.at = At("2026-01-14T12:00:00Z");
  r.healthy = false;
  CollectorHealth ok;
  ok.collector_id = "8d3c-okta";
  ok.collector_type = "okta";
  StreamHealth s;
  s.collector_id = ok.collector_id;
  s.stream = "okta";
  StreamRow row;
  row.collector_id = ok.collector_id;
  row.stream = "okta";
  row.epoch = 1;
  row.seq = 12;
  row.last_success = At("2026-01-14T11:59:50Z");
  row.due_at = At("2026-01-14T12:00:50Z");
  row.checkpoint = R"({"stream":"okta","since":"2026-01-14T11:59:00Z"})";
  s.row = row;
  ok.streams = {s};
  CollectorHealth sf;
  sf.collector_id = "c-sf";
  sf.collector_type = "salesforce";
  sf.healthy = false;
  sf.code = codes::kCollectorStopped;
  sf.message = "all streams stopped";
  StreamHealth c;
  c.collector_id = "c-sf";
  c.stream = "LoginHistory";
  c.cls = StreamClass::kCeased;
  c.healthy = false;
  c.code = codes::kStreamCeased;
  c.message = "stream LoginHistory ceased";
  row.collector_id = "c-sf";
  row.stream = "LoginHistory";
  c.row = row;
  sf.streams = {c};
  r.collectors = {ok, sf};
  return r;
}

class StatusServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Loopback requests must not go through a proxy from the environment.
    setenv("no_proxy", "127.0.0.1,localhost", 1);
    source_.Set(Report());
    auto server = StatusServer::Start({}, &source_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    ASSERT_GT(server_->port(), 0);
  }
  void TearDown() override {
    http_.reset();  // closes idle connections, so Stop() need not wait for them
    if (server_) server_->Stop();
  }

  HttpResponse Get(const std::string& path) {
    HttpRequest req;
    req.url = server_->url() + path;
    req.timeout = std::chrono::seconds(10);
    auto res = http_->Send(req);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    return res.ok() ? *res : HttpResponse{};
  }

  FakeStatusSource source_;
  std::unique_ptr<StatusServer> server_;
  std::unique_ptr<HttpClient> http_ = MakeCurlHttpClient();
};

TEST_F(StatusServerTest, ListensOnLoopbackByDefault) {
  EXPECT_EQ(server_->url(), "http://127.0.0.1:" + std::to_string(server_->port()));
}

TEST_F(StatusServerTest, Healthz) {
  HttpResponse res = Get("/healthz");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "ok");
}

TEST_F(StatusServerTest, StatusIsTheLatestReport) {
  HttpResponse res = Get("/v1/status");
  ASSERT_EQ(res.status, 200);
  EXPECT_NE(res.Header("Content-Type").find("application/json"), std::string::npos);
  json j = json::parse(res.body);
  EXPECT_EQ(j, json::parse(HealthReportJson(Report())));
  EXPECT_EQ(j["healthy"], false);
  EXPECT_EQ(j["checked_at"], "2026-01-14T12:00:00.000Z");
  ASSERT_EQ(j["collectors"].size(), 2u);
  EXPECT_EQ(j["collectors"][1]["code"], codes::kCollectorStopped);
  const json& s = j["collectors"][1]["streams"][0];
  EXPECT_EQ(s["stream"], "LoginHistory");
  EXPECT_EQ(s["class"], "ceased");
  EXPECT_EQ(s["healthy"], false);
  EXPECT_EQ(s["code"], codes::kStreamCeased);
  EXPECT_EQ(s["seq"], 12);
  EXPECT_EQ(s["last_success"], "2026-01-14T11:59:50.000Z");
  EXPECT_TRUE(s["last_attempt"].is_null());

  // A new report shows at once.
  HealthReport healthy = Report();
  healthy.healthy = true;
  source_.Set(healthy);
  EXPECT_EQ(json::parse(Get("/v1/status").body)["healthy"], true);
}

TEST_F(StatusServerTest, OneCollector) {
  HttpResponse res = Get("/v1/collectors/c-sf");
  ASSERT_EQ(res.status, 200);
  json j = json::parse(res.body);
  EXPECT_EQ(j["collector_id"], "c-sf");
  EXPECT_EQ(j["collector_type"], "salesforce");
  EXPECT_EQ(j["healthy"], false);
  EXPECT_EQ(j["streams"].size(), 1u);
  EXPECT_EQ(json::parse(Get("/v1/collectors/8d3c-okta").body)["healthy"], true);
}

TEST_F(StatusServerTest, UnknownCollectorIs404Json) {
  HttpResponse res = Get("/v1/collectors/nope");
  EXPECT_EQ(res.status, 404);
  json j = json::parse(res.body);
  EXPECT_NE(j["error"].get<std::string>().find("nope"), std::string::npos);
  EXPECT_EQ(Get("/v1/collectors/c-sf/extra").status, 404);
}

TEST_F(StatusServerTest, UnknownPathIs404) {
  HttpResponse res = Get("/v2/whatever");
  EXPECT_EQ(res.status, 404);
  EXPECT_TRUE(json::parse(res.body).contains("error"));
}

TEST_F(StatusServerTest, MetricsInTheTextFormat) {
  source_.metrics().CountCycle("c-sf", "LoginHistory", CycleOutcome::kStale);
  source_.metrics().CountEvents("8d3c-okta", "okta", 5);
  HttpResponse res = Get("/metrics");
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(res.Header("Content-Type"), "text/plain; version=0.0.4");
  // Line by line: comments are HELP/TYPE, samples are name{labels} value,
  // and every sample follows its family's TYPE line.
  const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? (\S+))");
  const std::regex comment(R"(# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
  std::istringstream in(res.body);
  std::string line, family;
  int samples = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.starts_with("#")) {
      ASSERT_TRUE(std::regex_match(line, m, comment)) << line;
      if (m[1] == "TYPE") family = m[2];
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
    EXPECT_EQ(m[1], family) << line;
    std::string value = m[m.size() - 1];
    char* end = nullptr;
    std::strtod(value.c_str(), &end);
    EXPECT_EQ(*end, '\0') << line;
    ++samples;
  }
  EXPECT_GT(samples, 20);
  EXPECT_NE(res.body.find("paws_health_check_timestamp_seconds 1768392000.000\n"),
            std::string::npos);
  EXPECT_NE(res.body.find("paws_stream_healthy{collector=\"c-sf\",stream=\"LoginHistory\"} 0\n"),
            std::string::npos);
  EXPECT_NE(res.body.find(
                "paws_stale_messages_total{collector=\"c-sf\",stream=\"LoginHistory\"} 1\n"),
            std::string::npos);
  EXPECT_NE(res.body.find("paws_events_total{collector=\"8d3c-okta\",stream=\"okta\"} 5\n"),
            std::string::npos);
  // now (12:00:30) - since (11:59:00)
  EXPECT_NE(res.body.find("paws_stream_collection_delay_seconds{collector=\"8d3c-okta\","
                          "stream=\"okta\"} 90.000\n"),
            std::string::npos);
}

TEST_F(StatusServerTest, ConcurrentRequests) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, &ok] {
      auto http = MakeCurlHttpClient();
      for (int i = 0; i < 20; ++i) {
        HttpRequest req;
        req.url = server_->url() + (i % 2 ? "/metrics" : "/v1/status");
        req.timeout = std::chrono::seconds(10);
        auto res = http->Send(req);
        if (res.ok() && res->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 80);
}

TEST_F(StatusServerTest, PortInUseIsUnavailable) {
  StatusServerOptions options;
  options.port = server_->port();
  auto second = StatusServer::Start(options, &source_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

TEST_F(StatusServerTest, StopIsIdempotentAndCloses) {
  std::string url = server_->url() + "/healthz";
  http_.reset();
  server_->Stop();
  server_->Stop();
  auto http = MakeCurlHttpClient();
  HttpRequest req;
  req.url = url;
  req.timeout = std::chrono::seconds(5);
  auto res = http->Send(req);
  EXPECT_FALSE(res.ok());
}

TEST(StatusServerStartTest, StopsRightAfterStart) {
  FakeStatusSource source;
  for (int i = 0; i < 3; ++i) {
    auto server = StatusServer::Start({}, &source);
    ASSERT_TRUE(server.ok());
  }  // destructors stop them
}

}  // namespace
}  // namespace paws
