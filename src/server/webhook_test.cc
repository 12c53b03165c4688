#include "server/webhook.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "paws/codes.h"
#include "testing/http_test_server.h"

namespace paws {
namespace {

using nlohmann::json;

WallTime At(const char* t) { return *ParseRfc3339(t); }

// A report of one collector "c" whose streams have the given classes.
HealthReport Report(const char* at, std::vector<std::pair<std::string, StreamClass>> streams) {
  HealthReport r;
  r.at = At(at);
  CollectorHealth c;
  c.collector_id = "c";
  c.collector_type = "salesforce";
  for (auto& [name, cls] : streams) {
    StreamHealth s;
    s.collector_id = "c";
    s.stream = name;
    s.cls = cls;
    s.healthy = cls == StreamClass::kOk || cls == StreamClass::kUnexpected;
    if (cls == StreamClass::kCeased) s.code = codes::kStreamCeased;
    if (cls == StreamClass::kFailing) s.code = codes::kStreamFailing;
    s.message = s.healthy ? "" : "stream " + name + " " + std::string(StreamClassName(cls));
    c.streams.push_back(s);
  }
  r.collectors = {c};
  return r;
}

TEST(WebhookChangesTest, ClassChangesAndNewUnhealthyStreams) {
  HealthReport before = Report("2026-01-14T12:00:00Z", {{"a", StreamClass::kOk},
                                                        {"b", StreamClass::kOk},
                                                        {"gone", StreamClass::kCeased}});
  HealthReport after = Report("2026-01-14T12:15:00Z", {{"a", StreamClass::kOk},
                                                       {"b", StreamClass::kCeased},
                                                       {"new_ok", StreamClass::kOk},
                                                       {"new_bad", StreamClass::kNeverStarted}});
  auto changes = WebhookNotifier::Changes(before, after);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].stream, "b");
  EXPECT_EQ(changes[0].from, StreamClass::kOk);
  EXPECT_EQ(changes[0].to, StreamClass::kCeased);
  EXPECT_EQ(changes[1].stream, "new_bad");
  EXPECT_FALSE(changes[1].from.has_value());
  EXPECT_TRUE(WebhookNotifier::Changes(after, after).empty());
  // From nothing (the first check): only the unhealthy streams.
  auto first = WebhookNotifier::Changes(HealthReport{}, after);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].stream, "b");
  EXPECT_EQ(first[1].stream, "new_bad");
}

TEST(WebhookChangesTest, Payload) {
  auto changes = WebhookNotifier::Changes(
      Report("2026-01-14T12:00:00Z", {{"LoginHistory", StreamClass::kOk}}),
      Report("2026-01-14T12:15:00Z", {{"LoginHistory", StreamClass::kCeased}}));
  ASSERT_EQ(changes.size(), 1u);
  json j = json::parse(WebhookNotifier::Payload(changes[0]));
  EXPECT_EQ(j, json::parse(R"({"collector_id": "c", "stream": "LoginHistory", "from": "ok",
                               "to": "ceased", "healthy": false, "code": "PAWS000501",
                               "message": "stream LoginHistory ceased",
                               "at": "2026-01-14T12:15:00.000Z"})"));
  changes[0].from.reset();
  changes[0].code.clear();
  j = json::parse(WebhookNotifier::Payload(changes[0]));
  EXPECT_TRUE(j["from"].is_null());
  EXPECT_TRUE(j["code"].is_null());
}

// A webhook receiver that answers `fail_first` requests with `fail_status`,
// then 204, and can be made to hang.
class WebhookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.server().Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::unique_lock<std::mutex> lock(mu_);
      ++requests_;
      hang_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return !hang_; });
      if (fail_first_ > 0) {
        --fail_first_;
        res.status = fail_status_;
        return;
      }
      EXPECT_EQ(req.get_header_value("Content-Type"), "application/json");
      received_.push_back(json::parse(req.body));
      res.status = 204;
    });
    ASSERT_TRUE(server_.Start());
    options_.url = server_.url() + "/hook";
    options_.timeout = std::chrono::seconds(10);
    options_.backoff = std::chrono::milliseconds(1);
    options_.max_backoff = std::chrono::milliseconds(4);
  }
  void TearDown() override {
    Release();
    http_.reset();
    server_.Stop();
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      hang_ = false;
    }
    hang_cv_.notify_all();
  }

  TestHttpServer server_;
  std::unique_ptr<HttpClient> http_ = MakeCurlHttpClient();
  WebhookOptions options_;
  std::mutex mu_;
  std::condition_variable hang_cv_;
  bool hang_ = false;
  int fail_first_ = 0;
  int fail_status_ = 500;
  int requests_ = 0;
  std::vector<json> received_;
};

TEST_F(WebhookTest, EveryChangeDeliveredOnceInOrderDespite5xx) {
  fail_first_ = 4;  // one fewer than max_attempts: the first change takes 5 tries
  WebhookNotifier notifier(options_, http_.get(), Clock::System());
  // a: ok -> failing -> ceased -> ok; b: new and never_started -> ok.
  HealthReport r0 = Report("2026-01-14T12:00:00Z", {{"a", StreamClass::kOk}});
  HealthReport r1 = Report("2026-01-14T12:15:00Z",
                           {{"a", StreamClass::kFailing}, {"b", StreamClass::kNeverStarted}});
  HealthReport r2 = Report("2026-01-14T12:30:00Z",
                           {{"a", StreamClass::kCeased}, {"b", StreamClass::kOk}});
  HealthReport r3 = Report("2026-01-14T12:45:00Z",
                           {{"a", StreamClass::kOk}, {"b", StreamClass::kOk}});
  notifier.Notify(HealthReport{}, r0);  // nothing unhealthy: no news
  notifier.Notify(r0, r1);
  notifier.Notify(r1, r2);
  notifier.Notify(r2, r3);
  notifier.Stop();  // drains

  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> seen;
  for (const auto& j : received_) {
    seen.push_back(j["stream"].get<std::string>() + ":" +
                   (j["from"].is_null() ? "-" : j["from"].get<std::string>()) + ">" +
                   j["to"].get<std::string>());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a:ok>failing", "b:->never_started",
                                            "a:failing>ceased", "b:never_started>ok",
                                            "a:ceased>ok"}));
  EXPECT_EQ(requests_, 5 + 4);
  EXPECT_EQ(notifier.delivered(), 5);
  EXPECT_EQ(notifier.rejected(), 0);
  EXPECT_EQ(notifier.dropped(), 0);
}

TEST_F(WebhookTest, GivesUpAfterMaxAttempts) {
  fail_first_ = 3;
  options_.max_attempts = 3;
  WebhookNotifier notifier(options_, http_.get(), Clock::System());
  notifier.Notify(Report("2026-01-14T12:00:00Z", {{"a", StreamClass::kOk}}),
                  Report("2026-01-14T12:15:00Z", {{"a", StreamClass::kCeased}}));
  notifier.Notify(Report("2026-01-14T12:15:00Z", {{"a", StreamClass::kCeased}}),
                  Report("2026-01-14T12:30:00Z", {{"a", StreamClass::kOk}}));
  notifier.Stop();
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(requests_, 4);  // 3 for the first, 1 for the second
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0]["to"], "ok");
  EXPECT_EQ(notifier.rejected(), 1);
  EXPECT_EQ(notifier.delivered(), 1);
}

TEST_F(WebhookTest, A4xxIsNotRetried) {
  fail_first_ = 1;
  fail_status_ = 400;
  WebhookNotifier notifier(options_, http_.get(), Clock::System());
  notifier.Notify(Report("2026-01-14T12:00:00Z", {{"a", StreamClass::kOk}}),
                  Report("2026-01-14T12:15:00Z", {{"a", StreamClass::kCeased}}));
  notifier.Notify(Report("2026-01-14T12:15:00Z", {{"a", StreamClass::kCeased}}),
                  Report("2026-01-14T12:30:00Z", {{"a", StreamClass::kOk}}));
  notifier.Stop();
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(requests_, 2);
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0]["to"], "ok");
  EXPECT_EQ(notifier.rejected(), 1);
}

TEST_F(WebhookTest, TransportErrorsAreRetried) {
  // Nothing listens on the port of a stopped server.
  TestHttpServer closed;
  ASSERT_TRUE(closed.Start());
  std::string dead = closed.url() + "/hook";
  closed.Stop();
  options_.url = dead + "?token=s3cret";
  options_.max_attempts = 3;
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  WebhookNotifier notifier(options_, http_.get(), Clock::System());
  notifier.Notify(HealthReport{}, Report("2026-01-14T12:00:00Z", {{"a", StreamClass::kStuck}}));
  notifier.Stop();
  spdlog::set_default_logger(previous);
  EXPECT_EQ(notifier.rejected(), 1);
  EXPECT_EQ(notifier.delivered(), 0);
  // The URL (and its token) stays out of the log.
  EXPECT_NE(log.str().find("<webhook url>"), std::string::npos) << log.str();
  EXPECT_EQ(log.str().find("s3cret"), std::string::npos) << log.str();
}

TEST_F(WebhookTest, NotifyNeverBlocksOnAHungReceiver) {
  hang_ = true;
  options_.queue_limit = 10;
  WebhookNotifier notifier(options_, http_.get(), Clock::System());
  HealthReport ok = Report("2026-01-14T12:00:00Z", {{"a", StreamClass::kOk}});
  HealthReport bad = Report("2026-01-14T12:15:00Z", {{"a", StreamClass::kCeased}});
  auto start = Clock::System()->MonotonicNow();
  for (int i = 0; i < 500; ++i) {
    notifier.Notify(i % 2 ? bad : ok, i % 2 ? ok : bad);
  }
  auto took = Clock::System()->MonotonicNow() - start;
  // 500 notifications while the receiver holds the first request: bounded by
  // CPU time, far below the receiver's hang and the client's timeout.
  EXPECT_LT(took, std::chrono::seconds(2));
  EXPECT_LE(notifier.queued(), 11u);  // the limit, plus the one in flight
  EXPECT_GE(notifier.dropped(), 500 - 11);
  Release();
  notifier.Stop();
  EXPECT_EQ(notifier.delivered() + notifier.dropped(), 500);
  std::lock_guard<std::mutex> lock(mu_);
  // The newest notification survives (the oldest are dropped).
  ASSERT_FALSE(received_.empty());
  EXPECT_EQ(received_.back()["to"], "ok");  // i = 499: bad -> ok
}

TEST_F(WebhookTest, StopGivesUpAtTheDrainDeadline) {
  fail_first_ = 1000000;  // never accepts
  options_.max_attempts = 1000;
  options_.backoff = std::chrono::milliseconds(50);
  options_.max_backoff = std::chrono::milliseconds(50);
  options_.drain_timeout = std::chrono::milliseconds(200);
  WebhookNotifier notifier(options_, http_.get(), Clock::System());
  for (int i = 0; i < 5; ++i) {
    notifier.Notify(HealthReport{}, Report("2026-01-14T12:00:00Z", {{"s" + std::to_string(i),
                                                                    StreamClass::kStuck}}));
  }
  auto start = Clock::System()->MonotonicNow();
  notifier.Stop();
  EXPECT_LT(Clock::System()->MonotonicNow() - start, std::chrono::seconds(5));
  EXPECT_EQ(notifier.delivered(), 0);
  EXPECT_EQ(notifier.rejected() + notifier.dropped(), 5);
  notifier.Notify(HealthReport{}, Report("2026-01-14T12:00:00Z", {{"x", StreamClass::kStuck}}));
  EXPECT_EQ(notifier.queued(), 0u);  // ignored after Stop
}

}  // namespace
}  // namespace paws
