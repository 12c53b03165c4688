#include "sources/common/oauth2.h"

#include <gtest/gtest.h>

#include <thread>

#include "http/url.h"
#include "paws/codes.h"
#include "sources/common/base64.h"
#include "sources/common/oauth2_test_fixture.h"

namespace paws {
namespace testing_oauth2 {
namespace {

TEST_F(OAuth2Test, ClientCredentialsInTheBody) {
  options_.scope = "logs.read logs.write";
  options_.audience = "https://api.example.test/";
  ClientCredentialsToken token(&api_, options_);
  Result<AccessToken> t = token.Get(Deadline());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->value.reveal(), kToken);
  EXPECT_EQ(t->token_type, "Bearer");
  EXPECT_EQ(t->lifetime, seconds(3600));
  EXPECT_EQ(t->fields.at("scope"), "logs.read");
  EXPECT_EQ(t->fields.count("access_token"), 0u);
  EXPECT_EQ(t->AuthorizationValue(), std::string("Bearer ") + kToken);

  const std::string body = LastBody();
  EXPECT_EQ(Field(body, "grant_type"), "client_credentials");
  EXPECT_EQ(Field(body, "client_id"), "client 1");
  EXPECT_EQ(Field(body, "client_secret"), kSecret);
  EXPECT_EQ(Field(body, "scope"), "logs.read logs.write");
  EXPECT_EQ(Field(body, "audience"), "https://api.example.test/");
  EXPECT_EQ(body.find("resource="), std::string::npos);
  EXPECT_EQ(last_content_type_, "application/x-www-form-urlencoded");
  EXPECT_EQ(last_auth_, "");
}

TEST_F(OAuth2Test, ClientCredentialsWithBasicAuth) {
  options_.client_auth = ClientAuth::kBasic;
  options_.resource = "https://manage.office.example.test";
  Answer(200, R"({"access_token":"AT-2-abcdefgh","token_type":"Bearer","expires_in":"3599"})");
  ClientCredentialsToken token(&api_, options_);
  Result<AccessToken> t = token.Get(Deadline());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->lifetime, seconds(3599));  // Azure AD v1 sends a string
  // RFC 6749 §2.3.1: both form-encoded, then base64.
  EXPECT_EQ(last_auth_, "Basic " + Base64Encode("client%201:s3cret%2B%2F%3D%26%25-client"));
  const std::string body = LastBody();
  EXPECT_EQ(body.find("client_secret"), std::string::npos);
  EXPECT_EQ(Field(body, "resource"), "https://manage.office.example.test");
}

TEST_F(OAuth2Test, TokenIsCachedUntilExpiryAndInvalidated) {
  ClientCredentialsToken token(&api_, options_);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(token.Get(Deadline()).ok());
  EXPECT_EQ(hits_, 1);
  clock_.Advance(seconds(3539));
  ASSERT_TRUE(token.Get(Deadline()).ok());
  EXPECT_EQ(hits_, 1);
  clock_.Advance(seconds(1));  // 60 s before expiry
  ASSERT_TRUE(token.Get(Deadline()).ok());
  EXPECT_EQ(hits_, 2);
  token.Invalidate(Secret(kToken));  // the API said 401
  ASSERT_TRUE(token.Get(Deadline()).ok());
  EXPECT_EQ(hits_, 3);
  token.Invalidate();
  ASSERT_TRUE(token.Get(Deadline()).ok());
  ASSERT_TRUE(token.Get(Deadline()).ok());
  EXPECT_EQ(hits_, 4);
}

TEST_F(OAuth2Test, ConcurrentCallersShareOneRequest) {
  ClientCredentialsToken token(&api_, options_);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) ok += token.Get(Deadline()).ok() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 80);
  EXPECT_EQ(hits_, 1);
}

TEST_F(OAuth2Test, TokenEndpointErrors) {
  const std::string echo = std::string("client secret ") + kSecret + " is wrong";
  struct Case {
    int status;
    std::string body;
    HttpHeaders headers;
    StatusCode code;
    const char* paws_code;
    const char* quoted;
  };
  const Case cases[] = {
      {401,
       R"({"error":"invalid_client","error_description":")" + echo + "\"}",
       {},
       StatusCode::kUnauthenticated,
       codes::kApiUnauthenticated,
       "invalid_client: client secret"},
      {400,
       R"({"error":"unauthorized_client"})",
       {},
       StatusCode::kUnauthenticated,
       codes::kApiUnauthenticated,
       "(unauthorized_client)"},
      {400,
       R"({"error":"invalid_grant","error_description":"expired"})",
       {},
       StatusCode::kUnauthenticated,
       codes::kApiUnauthenticated,
       "invalid_grant: expired"},
      {400,
       R"({"error":"invalid_client_id","error_description":"client identifier invalid"})",
       {},
       StatusCode::kUnauthenticated,
       codes::kApiUnauthenticated,
       "invalid_client_id: client identifier invalid"},
      {400,
       R"({"error":"invalid_scope"})",
       {},
       StatusCode::kInvalidArgument,
       codes::kApiMalformed,
       "HTTP 400 (invalid_scope)"},
      {403, "forbidden", {}, StatusCode::kUnauthenticated, codes::kApiUnauthenticated, "HTTP 403"},
      {429,
       "{}",
       {{"Retry-After", "42"}},
       StatusCode::kRateLimited,
       codes::kApiRateLimited,
       "HTTP 429"},
      {503,
       std::string("<html>") + kSecret,
       {},
       StatusCode::kUnavailable,
       codes::kApiUnavailable,
       "HTTP 503"},
      {200,
       R"({"token_type":"Bearer","expires_in":3600})",
       {},
       StatusCode::kInvalidArgument,
       codes::kApiMalformed,
       "has no access_token"},
      {200,
       R"({"access_token":""})",
       {},
       StatusCode::kInvalidArgument,
       codes::kApiMalformed,
       "has no access_token"},
      {200,
       "not json",
       {},
       StatusCode::kInvalidArgument,
       codes::kApiMalformed,
       "is not a JSON object"},
  };
  ClientCredentialsToken token(&api_, options_);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    Answer(c.status, c.body, c.headers);
    Result<AccessToken> t = token.Get(Deadline());
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), c.code) << t.status().ToString();
    EXPECT_EQ(t.status().paws_code(), c.paws_code) << t.status().ToString();
    EXPECT_NE(t.status().message().find(c.quoted), std::string::npos) << t.status().message();
    EXPECT_EQ(t.status().message().rfind("idp: POST /oauth2/token", 0), 0u) << t.status().message();
    ExpectClean(t.status(), {kSecret, UrlEncode(kSecret)});
    if (c.code == StatusCode::kRateLimited) {
      EXPECT_EQ(t.status().retry_after(), seconds(42));
    }
  }
  EXPECT_EQ(hits_, static_cast<int>(std::size(cases)));  // errors are not cached
}

TEST_F(OAuth2Test, TransportFailureAndDeadline) {
  ClientCredentialsToken token(&api_, options_);
  Result<AccessToken> t = token.Get(clock_.MonotonicNow());
  EXPECT_EQ(t.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(hits_, 0);
  server_.Stop();
  t = token.Get(Deadline());
  EXPECT_EQ(t.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(t.status().paws_code(), codes::kApiUnavailable);
  ExpectClean(t.status(), {kSecret, UrlEncode(kSecret)});
}

}  // namespace
}  // namespace testing_oauth2
}  // namespace paws
