#include "sources/common/api_errors.h"

#include <gtest/gtest.h>

#include "paws/codes.h"
#include "paws/secret.h"

namespace paws {
namespace {

using std::chrono::seconds;

// 2026-01-01T00:00:00Z
const WallTime kNow = FromUnixMillis(1767225600000);

HttpResponse Response(int status, HttpHeaders headers = {}, std::string body = "") {
  return HttpResponse{status, std::move(headers), std::move(body)};
}

TEST(ApiErrors, RequestNameHasNoQuery) {
  EXPECT_EQ(RequestName("GET", "https://h.test/api/v1/logs?token=s3cret&x=1"), "GET /api/v1/logs");
  EXPECT_EQ(RequestName("POST", "https://h.test"), "POST /");
}

TEST(ApiErrors, StatusClasses) {
  struct Case {
    int status;
    StatusCode code;
    const char* paws_code;
  };
  const Case cases[] = {
      {200, StatusCode::kOk, ""},
      {204, StatusCode::kOk, ""},
      {401, StatusCode::kUnauthenticated, codes::kApiUnauthenticated},
      {403, StatusCode::kUnauthenticated, codes::kApiUnauthenticated},
      {429, StatusCode::kRateLimited, codes::kApiRateLimited},
      {500, StatusCode::kUnavailable, codes::kApiUnavailable},
      {503, StatusCode::kUnavailable, codes::kApiUnavailable},
      {408, StatusCode::kUnavailable, codes::kApiUnavailable},
      {400, StatusCode::kInvalidArgument, codes::kApiMalformed},
      {404, StatusCode::kInvalidArgument, codes::kApiMalformed},
      {302, StatusCode::kInvalidArgument, codes::kApiMalformed},
      {0, StatusCode::kInvalidArgument, codes::kApiMalformed},
  };
  for (const Case& c : cases) {
    Status s = ClassifyHttpStatus(Response(c.status, {}, "{\"token\":\"s3cret\"}"),
                                  "okta: GET /api/v1/logs", kNow);
    SCOPED_TRACE(c.status);
    EXPECT_EQ(s.code(), c.code);
    EXPECT_EQ(s.paws_code(), c.paws_code);
    if (!s.ok()) {
      EXPECT_EQ(s.message(), "okta: GET /api/v1/logs: HTTP " + std::to_string(c.status));
    }
  }
}

TEST(ApiErrors, SummaryOnlyThroughTheHookAndCapped) {
  HttpResponse res = Response(404, {}, R"({"errorCode":"E0000007","errorSummary":"Not found"})");
  EXPECT_EQ(ClassifyHttpStatus(res, "GET /x", kNow).message(), "GET /x: HTTP 404");
  EXPECT_EQ(ClassifyHttpStatus(res, "GET /x", kNow, JsonErrorSummary).message(),
            "GET /x: HTTP 404 (E0000007 Not found)");
  // HTML and text bodies are never quoted.
  res.body = "<html><body>token=s3cret</body></html>";
  EXPECT_EQ(ClassifyHttpStatus(res, "GET /x", kNow, JsonErrorSummary).message(),
            "GET /x: HTTP 404");
  // A custom summarizer is capped, and cannot break a log line.
  auto longest = [](const std::string&) { return "line1\nline2" + std::string(500, 'x'); };
  std::string msg = ClassifyHttpStatus(res, "GET /x", kNow, longest).message();
  EXPECT_EQ(msg.find('\n'), std::string::npos);
  EXPECT_LE(msg.size(), std::string("GET /x: HTTP 404 ()").size() + kMaxErrorExcerpt + 3);
  EXPECT_EQ(msg.substr(msg.size() - 4), "...)");
  // A cut never splits a UTF-8 character.
  auto utf8 = [](const std::string&) {
    std::string s = "a";
    for (int i = 0; i < 150; ++i) s += "é";
    return s;
  };
  msg = ClassifyHttpStatus(res, "GET /x", kNow, utf8).message();
  EXPECT_EQ(msg.substr(msg.size() - 6), "é...)");
}

TEST(ApiErrors, RetryAfter) {
  auto retry = [](HttpHeaders h) { return ClassifyHttpStatus(Response(429, h), "GET /x", kNow); };
  EXPECT_EQ(retry({{"Retry-After", "7"}}).retry_after(), seconds(7));
  EXPECT_EQ(retry({{"retry-after", " 120 "}}).retry_after(), seconds(120));
  EXPECT_EQ(retry({{"Retry-After", "Thu, 01 Jan 2026 00:01:30 GMT"}}).retry_after(), seconds(90));
  EXPECT_EQ(retry({{"Retry-After", "Wed, 31 Dec 2025 23:00:00 GMT"}}).retry_after(), seconds(0));
  EXPECT_EQ(retry({{"X-Rate-Limit-Reset", "1767225660"}}).retry_after(), seconds(60));
  EXPECT_EQ(retry({{"X-RateLimit-Reset", "1767225605"}}).retry_after(), seconds(5));
  EXPECT_EQ(retry({{"X-RateLimit-Reset", "1767225600.5"}}).retry_after(), Duration(500));
  EXPECT_EQ(retry({{"X-RateLimit-Reset", "30"}}).retry_after(), seconds(30));          // delta
  EXPECT_EQ(retry({{"X-Rate-Limit-Reset", "1767225000"}}).retry_after(), seconds(0));  // past
  // Retry-After wins over the reset headers.
  EXPECT_EQ(retry({{"X-Rate-Limit-Reset", "1767225660"}, {"Retry-After", "3"}}).retry_after(),
            seconds(3));
  EXPECT_EQ(retry({{"Retry-After", "soon"}}).retry_after(), seconds(0));
  EXPECT_EQ(retry({{"Retry-After", "-5"}}).retry_after(), seconds(0));
  EXPECT_EQ(retry({}).retry_after(), seconds(0));
}

TEST(ApiErrors, ParseHttpDateAcceptsTheThreeForms) {
  const WallTime t = FromUnixMillis(784111777000);  // 1994-11-06T08:49:37Z
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), t);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), t);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), t);
  EXPECT_EQ(ParseHttpDate("Thu, 01 Jan 2026 00:00:00 GMT"), kNow);
  for (const char* bad : {"", "120", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Foo 1994 08:49:37 GMT",
                          "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                          "Sun, 06 Nov 1994 08:49:37 GMT trailing"}) {
    EXPECT_FALSE(ParseHttpDate(bad).has_value()) << bad;
  }
}

TEST(ApiErrors, QuotaAndMalformedHelpers) {
  Status q = QuotaExceeded("salesforce: GET /services/data/v60.0/query", seconds(300));
  EXPECT_EQ(q.code(), StatusCode::kRateLimited);
  EXPECT_EQ(q.paws_code(), codes::kApiRateLimited);
  EXPECT_EQ(q.retry_after(), seconds(300));
  EXPECT_EQ(q.message(), "salesforce: GET /services/data/v60.0/query: quota exceeded");
  Status m = Malformed("GET /x: body is not JSON");
  EXPECT_EQ(m.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.paws_code(), codes::kApiMalformed);
  EXPECT_EQ(m.message(), "GET /x: body is not JSON");
}

TEST(ApiErrors, JsonErrorSummaryShapes) {
  EXPECT_EQ(JsonErrorSummary(R"({"errorCode":"E0000011","errorSummary":"Invalid token"})"),
            "E0000011 Invalid token");
  EXPECT_EQ(JsonErrorSummary(R"({"error":"invalid_client","error_description":"Bad secret"})"),
            "invalid_client: Bad secret");
  EXPECT_EQ(JsonErrorSummary(R"({"error":"invalid_scope"})"), "invalid_scope");
  EXPECT_EQ(
      JsonErrorSummary(
          R"({"error":{"code":403,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}})"),
      "403 RESOURCE_EXHAUSTED: Quota exceeded");
  EXPECT_EQ(
      JsonErrorSummary(R"({"error":{"code":"InvalidAuthenticationToken","message":"Expired"}})"),
      "InvalidAuthenticationToken: Expired");
  EXPECT_EQ(
      JsonErrorSummary(R"([{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"Total requests"}])"),
      "REQUEST_LIMIT_EXCEEDED: Total requests");
  EXPECT_EQ(JsonErrorSummary(R"({"message":"Bad Request"})"), "Bad Request");
  for (const char* none : {"", "<html>", "[]", "[1]", "42", R"({"data":[]})"}) {
    EXPECT_EQ(JsonErrorSummary(none), "") << none;
  }
  EXPECT_EQ(JsonErrorSummary(R"({"error":401})"), "401");
  // Long summaries are cut by ClassifyHttpStatus (ErrorExcerpt), not here.
  EXPECT_EQ(JsonErrorSummary("{\"message\":\"" + std::string(1000, 'x') + "\"}").size(), 1000u);
}

TEST(ApiErrors, RedactingSummarizerRedactsBeforeTheCut) {
  // A long credential quoted by the API: cut first, its prefix would stay.
  const std::string token = "eyJ" + std::string(300, 'A') + ".sig";
  HttpResponse res =
      Response(400, {}, R"({"error":"invalid_grant","error_description":"bad )" + token + "\"}");
  Status s = ClassifyHttpStatus(res, "POST /token", kNow,
                                RedactingSummarizer(JsonErrorSummary, {token, ""}));
  EXPECT_EQ(s.message(), "POST /token: HTTP 400 (invalid_grant: bad <redacted>)");
  EXPECT_EQ(RedactingSummarizer(nullptr, {"x"})("body"), "");
}

TEST(ApiErrors, RedactSecretsKeepsTheRest) {
  Status s = Status::RateLimited("token tok-1 rejected, tok-1 again; other", seconds(9))
                 .WithCode(codes::kApiRateLimited);
  Status r = RedactSecrets(s, {"tok-1", "", "absent"});
  EXPECT_EQ(r.message(), "token <redacted> rejected, <redacted> again; other");
  EXPECT_EQ(r.code(), StatusCode::kRateLimited);
  EXPECT_EQ(r.retry_after(), seconds(9));
  EXPECT_EQ(r.paws_code(), codes::kApiRateLimited);
  Status u = RedactSecrets(Status::Unauthenticated("x red y", codes::kApiUnauthenticated), {"red"});
  EXPECT_EQ(u.message(), std::string("x ") + Secret::kRedacted + " y");
  EXPECT_EQ(u.paws_code(), codes::kApiUnauthenticated);
  EXPECT_TRUE(RedactSecrets(Status::Ok(), {"x"}).ok());
}

}  // namespace
}  // namespace paws
