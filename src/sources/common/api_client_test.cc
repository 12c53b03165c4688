#include "sources/common/api_client.h"

#include <gtest/gtest.h>

#include <mutex>

#include "paws/codes.h"

namespace paws {
namespace {

using std::chrono::seconds;

// Records requests; answers with `next` (a response or a transport error).
class RecordingHttp : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& req) override {
    std::lock_guard<std::mutex> lock(mu);
    requests.push_back(req);
    return next;
  }
  std::mutex mu;
  std::vector<HttpRequest> requests;
  Result<HttpResponse> next = HttpResponse{200, {}, "[]"};
};

class ApiClientTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  RecordingHttp http_;
  ApiClient api_{&http_, &clock_, {.name = "okta"}};
  const std::string url_ = "https://acme.test/api/v1/logs?since=2026&apikey=K3Y-SECRET-99";
};

TEST_F(ApiClientTest, GetAndPostSendTheRequestWithATimeout) {
  auto r =
      api_.Get(url_, {{"Authorization", "SSWS t0ken-4711"}}, clock_.MonotonicNow() + seconds(300));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(http_.requests.size(), 1u);
  const HttpRequest& get = http_.requests[0];
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.url, url_);
  EXPECT_EQ(get.timeout, seconds(30));  // the cap
  ASSERT_EQ(get.headers.size(), 2u);
  EXPECT_EQ(get.headers[0].first, "Authorization");
  EXPECT_EQ(get.headers[1],
            (std::pair<std::string, std::string>("User-Agent", "paws/" PAWS_VERSION)));

  ASSERT_TRUE(api_.Post("https://acme.test/token", {{"user-agent", "mine"}}, "a=b",
                        clock_.MonotonicNow() + seconds(5))
                  .ok());
  const HttpRequest& post = http_.requests[1];
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.body, "a=b");
  EXPECT_EQ(post.timeout, seconds(5));  // what the deadline leaves
  EXPECT_EQ(post.headers.size(), 1u);   // the caller's User-Agent is kept

  // Less than a millisecond left is still a timeout of one, never 0 (which
  // would mean none at all).
  ASSERT_TRUE(api_.Get(url_, {}, clock_.MonotonicNow() + std::chrono::microseconds(300)).ok());
  EXPECT_EQ(http_.requests.back().timeout, Duration(1));
}

TEST_F(ApiClientTest, NothingIsSentPastTheDeadline) {
  for (MonoTime deadline : {clock_.MonotonicNow(), clock_.MonotonicNow() - seconds(1)}) {
    auto r = api_.Get(url_, {}, deadline);
    EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
    EXPECT_EQ(r.status().paws_code(), codes::kApiTimeout);
    EXPECT_EQ(r.status().message(), "okta: deadline passed before GET /api/v1/logs");
  }
  EXPECT_TRUE(http_.requests.empty());
}

TEST_F(ApiClientTest, TransportErrorsKeepTheirClassAndLoseTheSecrets) {
  const HttpHeaders headers = {{"Authorization", "Bearer t0ken-4711"},
                               {"X-Api-Key", "KEY-in-header"},
                               {"Accept", "application/json"}};
  http_.next = Status::Unavailable("GET " + url_ + ": connection reset");
  auto r = api_.Get(url_, headers, clock_.MonotonicNow() + seconds(60));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().paws_code(), codes::kApiUnavailable);
  EXPECT_EQ(r.status().message(), "okta: GET https://acme.test/api/v1/logs: connection reset");

  // A client that quotes the query, parts of it, or headers, in any form.
  http_.next = Status::DeadlineExceeded(
      "timed out: since=2026&apikey=K3Y-SECRET-99 (apikey K3Y-SECRET-99, auth Bearer t0ken-4711, "
      "token t0ken-4711, key KEY-in-header, accept application/json)");
  r = api_.Get(url_, headers, clock_.MonotonicNow() + seconds(60));
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().paws_code(), codes::kApiTimeout);
  const std::string& msg = r.status().message();
  for (const char* leak : {"K3Y-SECRET-99", "t0ken-4711", "KEY-in-header", "since="}) {
    EXPECT_EQ(msg.find(leak), std::string::npos) << leak << " in " << msg;
  }
  // The request is named when the client did not, and harmless values stay.
  EXPECT_EQ(msg.rfind("okta: GET /api/v1/logs: timed out", 0), 0u) << msg;
  EXPECT_NE(msg.find("application/json"), std::string::npos) << msg;

  // Other codes pass through, scrubbed, without a stable code of ours.
  http_.next = Status::Internal("bug with K3Y-SECRET-99");
  r = api_.Get(url_, {}, clock_.MonotonicNow() + seconds(60));
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_EQ(r.status().paws_code(), "");
  EXPECT_EQ(r.status().message().find("K3Y-SECRET-99"), std::string::npos);
}

TEST_F(ApiClientTest, CheckClassifiesWithTheClockAndNamesThePathOnly) {
  HttpResponse res{429, {{"X-Rate-Limit-Reset", "1767225630"}}, ""};  // FakeClock + 30 s
  Status s = api_.Check(res, "GET", url_);
  EXPECT_EQ(s.code(), StatusCode::kRateLimited);
  EXPECT_EQ(s.retry_after(), seconds(30));
  EXPECT_EQ(s.message(), "okta: GET /api/v1/logs: HTTP 429");
  EXPECT_TRUE(api_.Check(HttpResponse{200, {}, ""}, "GET", url_).ok());
  EXPECT_EQ(ApiClient(&http_, &clock_).Describe("GET", url_), "GET /api/v1/logs");
}

}  // namespace
}  // namespace paws
