#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "paws/http.h"
#include "testing/http_test_server.h"
#include "paws/clock.h"

namespace paws {
namespace {

class CurlHttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.server().Get("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("X-Seen-Token", req.get_header_value("X-Token"));
      res.set_header("X-Multi", "one");
      res.set_header("X-Multi", "two");
      res.set_content("method=GET query=" + req.get_param_value("q"), "text/plain");
    });
    server_.server().Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_content("got:" + req.body + " type:" + req.get_header_value("Content-Type"),
                      "text/plain");
    });
    server_.server().Delete("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("deleted", "text/plain");
    });
    server_.server().Get("/status/503", [](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_header("Retry-After", "3");
      res.set_content("busy", "text/plain");
    });
    // Blocks until the test releases it (bounded), so a short client
    // timeout expires first.
    server_.server().Get("/hang", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(10), [this] { return released_; });
      res.set_content("late", "text/plain");
    });
    ASSERT_TRUE(server_.Start());
  }
  void TearDown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_ = true;
    }
    cv_.notify_all();
    http_.reset();  // closes its idle connections, so Stop() need not wait for them
    server_.Stop();
  }

  HttpRequest Request(const std::string& method, const std::string& path) {
    HttpRequest req;
    req.method = method;
    req.url = server_.url() + path;
    req.timeout = std::chrono::seconds(10);
    return req;
  }

  TestHttpServer server_;
  std::unique_ptr<HttpClient> http_ = MakeCurlHttpClient();
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

TEST_F(CurlHttpClientTest, SendsHeadersAndReadsHeadersAndBody) {
  HttpRequest req = Request("GET", "/echo?q=a%20b");
  req.headers = {{"X-Token", "t1"}};
  auto res = http_->Send(req);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "method=GET query=a b");
  EXPECT_EQ(res->Header("x-seen-token"), "t1");
  EXPECT_EQ(res->Header("X-SEEN-TOKEN"), "t1");
  EXPECT_EQ(res->Header("content-type"), "text/plain");
  EXPECT_EQ(res->Header("X-Absent"), "");
  int multi = 0;
  for (const auto& [k, v] : res->headers) multi += k == "X-Multi";
  EXPECT_EQ(multi, 2);
}

TEST_F(CurlHttpClientTest, PostAndDeleteCarryTheirBodies) {
  HttpRequest req = Request("POST", "/echo");
  req.headers = {{"Content-Type", "application/json"}};
  req.body = R"({"a":1})";
  auto res = http_->Send(req);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, R"(got:{"a":1} type:application/json)");

  auto del = http_->Send(Request("DELETE", "/echo"));
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_EQ(del->body, "deleted");
}

TEST_F(CurlHttpClientTest, HttpErrorStatusIsAResponse) {
  auto res = http_->Send(Request("GET", "/status/503"));
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->Header("Retry-After"), "3");
  auto missing = http_->Send(Request("GET", "/nowhere"));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

TEST_F(CurlHttpClientTest, TimeoutIsDeadlineExceeded) {
  HttpRequest req = Request("GET", "/hang?token=SECRET");
  req.timeout = Duration(200);
  auto started = Clock::System()->MonotonicNow();
  auto res = http_->Send(req);
  EXPECT_EQ(res.status().code(), StatusCode::kDeadlineExceeded) << res.status().ToString();
  EXPECT_LT(Clock::System()->MonotonicNow() - started, std::chrono::seconds(5));
  EXPECT_EQ(res.status().message().find("SECRET"), std::string::npos);
  req.timeout = Duration(0);
  EXPECT_EQ(http_->Send(req).status().code(), StatusCode::kDeadlineExceeded);
}

TEST_F(CurlHttpClientTest, ConnectionRefusedIsUnavailable) {
  // A port that was free a moment ago and is now closed.
  int port;
  {
    TestHttpServer other;
    ASSERT_TRUE(other.Start());
    port = other.port();
  }
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/x?token=SECRET";
  req.timeout = std::chrono::seconds(5);
  auto res = http_->Send(req);
  EXPECT_EQ(res.status().code(), StatusCode::kUnavailable) << res.status().ToString();
  EXPECT_EQ(res.status().message().find("SECRET"), std::string::npos);
  req.url = "ftp://127.0.0.1/x";
  EXPECT_EQ(http_->Send(req).status().code(), StatusCode::kUnavailable);
}

TEST_F(CurlHttpClientTest, ConcurrentRequestsFromThreads) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto res = http_->Send(Request("GET", "/echo?q=x"));
        if (res.ok() && res->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 80);
}

}  // namespace
}  // namespace paws
