#pragma once

// A loopback token endpoint for the OAuth2 tests (oauth2_test.cc,
// jwt_bearer_test.cc): POST /oauth2/token answers what the test set and
// records what it got.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>

#include "sources/common/oauth2.h"
#include "sources/common/paging.h"
#include "testing/http_test_server.h"

namespace paws {
namespace testing_oauth2 {

using json = nlohmann::json;
using std::chrono::seconds;

// Characters that need encoding, so that a wrong encoding shows.
constexpr const char* kSecret = "s3cret+/=&%-client";
constexpr const char* kToken = "AT-1234567890-token";

// The value of form field `name` in a form-encoded body.
inline std::string Field(const std::string& body, const std::string& name) {
  return QueryParam("?" + body, name);
}

class OAuth2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.server().Post(
        "/oauth2/token", [this](const httplib::Request& req, httplib::Response& res) {
          ++hits_;
          std::lock_guard<std::mutex> lock(mu_);
          last_body_ = req.body;
          last_auth_ = req.get_header_value("Authorization");
          last_content_type_ = req.get_header_value("Content-Type");
          res.status = status_;
          for (const auto& [k, v] : headers_) res.set_header(k, v);
          std::string answer = answer_;
          if (echo_assertion_ != 0) {
            // A server that quotes the assertion (1) or its signature (2).
            std::string quoted = Field(req.body, "assertion");
            if (echo_assertion_ == 2) quoted = quoted.substr(quoted.rfind('.') + 1);
            answer = R"({"error":"invalid_grant","error_description":"bad )" + quoted + "\"}";
          }
          res.set_content(answer, "application/json");
        });
    ASSERT_TRUE(server_.Start());
    options_.token_url = server_.url() + "/oauth2/token";
    options_.client_id = "client 1";
    options_.client_secret = Secret(kSecret);
  }

  void Answer(int status, const std::string& body, HttpHeaders headers = {}) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    answer_ = body;
    headers_ = std::move(headers);
  }
  std::string LastBody() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_body_;
  }
  MonoTime Deadline() { return clock_.MonotonicNow() + seconds(30); }
  // No message may contain a credential.
  static void ExpectClean(const Status& s, std::initializer_list<std::string> secrets) {
    for (const std::string& secret : secrets) {
      EXPECT_EQ(s.message().find(secret), std::string::npos) << s.message();
    }
  }

  TestHttpServer server_;
  std::unique_ptr<HttpClient> http_ = MakeCurlHttpClient();
  FakeClock clock_;
  ApiClient api_{http_.get(), &clock_, {.name = "idp"}};
  ClientCredentialsOptions options_;
  std::atomic<int> hits_{0};
  std::mutex mu_;
  int status_ = 200;
  std::string answer_ = std::string(R"({"access_token":")") + kToken +
                        R"(","token_type":"Bearer","expires_in":3600,"scope":"logs.read"})";
  HttpHeaders headers_;
  int echo_assertion_ = 0;
  std::string last_body_, last_auth_, last_content_type_;
};

}  // namespace testing_oauth2
}  // namespace paws
