// SignRequest and PresignRequest beyond the AWS suites (sigv4_suite_test.cc):
// requests as paws sends them, bad input, and where secrets may not go.

#include "backends/aws/sigv4.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "paws/codes.h"

namespace paws::aws {
namespace {

constexpr char kSecretKey[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kToken[] = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN/+=";

AwsCredentials Creds() { return {"AKIDEXAMPLE", Secret(kSecretKey), ""}; }

SigningParams Params() {
  return {"us-east-1", "dynamodb", *ParseRfc3339("2026-01-14T12:34:56.789Z")};
}

HttpRequest DynamoRequest() {
  HttpRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:8000/";
  req.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "DynamoDB_20120810.GetItem"}};
  req.body = R"({"TableName":"PawsCollectorStates"})";
  return req;
}

std::vector<std::string> HeaderValues(const HttpRequest& req, const std::string& name) {
  std::vector<std::string> values;
  for (const auto& [n, v] : req.headers) {
    if (n == name) values.push_back(v);
  }
  return values;
}

std::string CanonicalPathOf(const std::string& url, bool normalize) {
  HttpRequest req;
  req.url = url;
  SigningParams params = Params();
  params.normalize_path = normalize;
  Result<SignedParts> parts = SignRequest(&req, Creds(), params);
  EXPECT_TRUE(parts.ok()) << parts.status().ToString();
  if (!parts.ok()) return "";
  const std::string& creq = parts->canonical_request;
  size_t start = creq.find('\n') + 1;
  return creq.substr(start, creq.find('\n', start) - start);
}

TEST(SignRequest, SignsTheHostOfTheUrlWithItsPortWhenThereIsNoHostHeader) {
  HttpRequest req = DynamoRequest();
  Result<SignedParts> parts = SignRequest(&req, Creds(), Params());
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_NE(parts->canonical_request.find("\nhost:127.0.0.1:8000\n"), std::string::npos)
      << parts->canonical_request;
  EXPECT_NE(parts->authorization.find(
                "Credential=AKIDEXAMPLE/20260114/us-east-1/dynamodb/aws4_request, "
                "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="),
            std::string::npos)
      << parts->authorization;
  EXPECT_EQ(HeaderValues(req, "X-Amz-Date"), std::vector<std::string>{"20260114T123456Z"});
  EXPECT_EQ(HeaderValues(req, "Authorization"), std::vector<std::string>{parts->authorization});
  EXPECT_TRUE(HeaderValues(req, "Host").empty()) << "curl sends Host itself";
  // The payload hash is that of the body.
  EXPECT_TRUE(parts->canonical_request.ends_with(Sha256Hex(req.body)));
}

TEST(SignRequest, DropsTheSchemesDefaultPortFromTheSignedHost) {
  HttpRequest req = DynamoRequest();
  req.url = "https://DynamoDB.us-east-1.amazonaws.com:443/";
  Result<SignedParts> parts = SignRequest(&req, Creds(), Params());
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_NE(parts->canonical_request.find("\nhost:dynamodb.us-east-1.amazonaws.com\n"),
            std::string::npos)
      << parts->canonical_request;
}

TEST(SignRequest, SigningAgainReplacesTheHeadersItAdded) {
  // A retry re-signs the same request at a later time.
  HttpRequest req = DynamoRequest();
  AwsCredentials creds = Creds();
  creds.session_token = kToken;
  SigningParams params = Params();
  params.sign_body = true;
  ASSERT_TRUE(SignRequest(&req, creds, params).ok());
  params.time += std::chrono::minutes(5);
  Result<SignedParts> second = SignRequest(&req, creds, params);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(HeaderValues(req, "X-Amz-Date"), std::vector<std::string>{"20260114T123956Z"});
  EXPECT_EQ(HeaderValues(req, "Authorization"), std::vector<std::string>{second->authorization});
  EXPECT_EQ(HeaderValues(req, "X-Amz-Security-Token"), std::vector<std::string>{kToken});
  EXPECT_EQ(HeaderValues(req, "x-amz-content-sha256"),
            std::vector<std::string>{Sha256Hex(req.body)});
  EXPECT_EQ(req.headers.size(), 6u);
}

TEST(SignRequest, DoesNotSignHeadersThatHttpLibrariesChange) {
  HttpRequest req = DynamoRequest();
  req.headers.emplace_back("User-Agent", "paws/1.0");
  req.headers.emplace_back("Expect", "");
  Result<SignedParts> parts = SignRequest(&req, Creds(), Params());
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->canonical_request.find("user-agent"), std::string::npos);
  EXPECT_EQ(parts->canonical_request.find("expect"), std::string::npos);
  EXPECT_EQ(HeaderValues(req, "User-Agent"), std::vector<std::string>{"paws/1.0"});
}

TEST(SignRequest, EncodesPathSegmentsAgainExceptForS3StylePaths) {
  // Other services expect the path as sent (already encoded) encoded again.
  EXPECT_EQ(CanonicalPathOf("https://h/a%20b/c d", true), "/a%2520b/c%20d");
  // S3 keeps existing escapes, empty segments and dot segments.
  EXPECT_EQ(CanonicalPathOf("https://h/a%20b//./c d", false), "/a%20b//./c%20d");
  EXPECT_EQ(CanonicalPathOf("https://h", true), "/");
  EXPECT_EQ(CanonicalPathOf("https://h?x=1", false), "/");
  EXPECT_EQ(CanonicalPathOf("https://h/a/b/../../..", true), "/");
  EXPECT_EQ(CanonicalPathOf("https://h/a/./b/.", true), "/a/b/");
}

TEST(SignRequest, CanonicalQueryDecodesThenEncodesAndKeepsPlusLiteral) {
  HttpRequest req;
  req.url = "https://h/?b=2&a=x%2fy&a=1&c&d=a+b#frag";
  Result<SignedParts> parts = SignRequest(&req, Creds(), Params());
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_TRUE(parts->canonical_request.starts_with("GET\n/\na=1&a=x%2Fy&b=2&c=&d=a%2Bb\n"))
      << parts->canonical_request;
  EXPECT_EQ(req.url, "https://h/?b=2&a=x%2fy&a=1&c&d=a+b#frag") << "the URL is sent as given";
}

TEST(PresignRequest, AddsTheSignatureToTheUrlAndNoHeader) {
  HttpRequest req;
  req.url = "https://sqs.us-east-1.amazonaws.com/123456789012/paws?Action=ReceiveMessage";
  AwsCredentials creds = Creds();
  creds.session_token = kToken;
  Result<SignedParts> parts = PresignRequest(&req, creds, Params(), std::chrono::minutes(15));
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_TRUE(req.headers.empty());
  EXPECT_TRUE(
      req.url.starts_with("https://sqs.us-east-1.amazonaws.com/123456789012/paws?"
                          "Action=ReceiveMessage&X-Amz-Algorithm=AWS4-HMAC-SHA256&"
                          "X-Amz-Credential=AKIDEXAMPLE%2F20260114%2Fus-east-1%2F"
                          "dynamodb%2Faws4_request&X-Amz-Date=20260114T123456Z&"
                          "X-Amz-SignedHeaders=host&X-Amz-Expires=900&"
                          "X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLESESSIONTOKEN%2F%2B%3D&"))
      << req.url;
  EXPECT_TRUE(req.url.ends_with("&X-Amz-Signature=" + parts->signature)) << req.url;
}

TEST(PresignRequest, RejectsALifetimeOutsideOneSecondToSevenDays) {
  for (Duration expires : {Duration(0), Duration(999), Duration(std::chrono::hours(24 * 7 + 1))}) {
    HttpRequest req = DynamoRequest();
    const std::string url = req.url;
    Result<SignedParts> parts = PresignRequest(&req, Creds(), Params(), expires);
    ASSERT_FALSE(parts.ok());
    EXPECT_EQ(parts.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parts.status().message().find(std::to_string(expires.count()) + " ms"),
              std::string::npos)
        << parts.status().message();
    EXPECT_EQ(req.url, url);
  }
  HttpRequest req = DynamoRequest();
  EXPECT_TRUE(PresignRequest(&req, Creds(), Params(), std::chrono::hours(24 * 7)).ok());
}

struct BadInput {
  std::string what;             // for the failure message
  std::string expected_phrase;  // what the error must name
  void (*mutate)(HttpRequest*, AwsCredentials*, SigningParams*);
};

// Every bad input is rejected with kInvalidArgument and PAWS000103, names
// what is wrong, leaves the request unchanged, and never shows a secret.
TEST(SignRequest, BadInputIsNamedAndNeverRevealsTheSecretKeyOrToken) {
  const std::vector<BadInput> cases = {
      {"relative URL", "'/only/a/path' is not absolute",
       [](HttpRequest* r, AwsCredentials*, SigningParams*) { r->url = "/only/a/path"; }},
      {"no host", "has no host",
       [](HttpRequest* r, AwsCredentials*, SigningParams*) { r->url = "https:///x"; }},
      {"empty key id", "access key id is empty",
       [](HttpRequest*, AwsCredentials* c, SigningParams*) { c->access_key_id.clear(); }},
      {"key id with slash", "access key id 'AKID/X'",
       [](HttpRequest*, AwsCredentials* c, SigningParams*) { c->access_key_id = "AKID/X"; }},
      {"empty secret", "secret access key is empty",
       [](HttpRequest*, AwsCredentials* c, SigningParams*) { c->secret_access_key = Secret(); }},
      {"token with newline", "session token contains a control character",
       [](HttpRequest*, AwsCredentials* c, SigningParams*) {
         c->session_token = std::string(kToken) + "\r\nX-Injected: 1";
       }},
      {"empty region", "region ''",
       [](HttpRequest*, AwsCredentials*, SigningParams* p) { p->region.clear(); }},
      {"region with slash", "region 'us/east'",
       [](HttpRequest*, AwsCredentials*, SigningParams* p) { p->region = "us/east"; }},
      {"service with space", "service 'dynamo db'",
       [](HttpRequest*, AwsCredentials*, SigningParams* p) { p->service = "dynamo db"; }},
      {"bad method", "HTTP method 'GET\\x0A'",
       [](HttpRequest* r, AwsCredentials*, SigningParams*) { r->method = "GET\n"; }},
      {"bad header name", "header name 'Bad Header:'",
       [](HttpRequest* r, AwsCredentials*, SigningParams*) {
         r->headers.emplace_back("Bad Header:", "v");
       }},
      {"header value with a bare line break", "value of header 'X-Api-Key' contains a control",
       [](HttpRequest* r, AwsCredentials*, SigningParams*) {
         r->headers.emplace_back("X-Api-Key", std::string(kToken) + "\r\nX-Injected: 1");
       }},
      {"time before 1970", "outside 1970..9999",
       [](HttpRequest*, AwsCredentials*, SigningParams* p) { p->time = FromUnixMillis(-5000); }},
  };
  for (const BadInput& bad : cases) {
    for (bool presign : {false, true}) {
      SCOPED_TRACE(bad.what + (presign ? " (presign)" : " (header)"));
      HttpRequest req = DynamoRequest();
      AwsCredentials creds = Creds();
      creds.session_token = kToken;
      SigningParams params = Params();
      bad.mutate(&req, &creds, &params);
      const HttpRequest before = req;
      Result<SignedParts> parts = presign
                                      ? PresignRequest(&req, creds, params, std::chrono::hours(1))
                                      : SignRequest(&req, creds, params);
      ASSERT_FALSE(parts.ok());
      const std::string shown = parts.status().ToString();
      EXPECT_EQ(parts.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(parts.status().paws_code(), codes::kConfigInvalid);
      EXPECT_NE(shown.find(bad.expected_phrase), std::string::npos) << shown;
      EXPECT_EQ(shown.find(kSecretKey), std::string::npos) << shown;
      EXPECT_EQ(shown.find("EXAMPLEKEY"), std::string::npos) << shown;
      EXPECT_EQ(shown.find(kToken), std::string::npos) << shown;
      EXPECT_EQ(req.url, before.url);
      EXPECT_EQ(req.headers, before.headers);
    }
  }
}

TEST(SignRequest, TheSecretKeyAppearsInNoOutput) {
  HttpRequest req = DynamoRequest();
  AwsCredentials creds = Creds();
  creds.session_token = kToken;
  Result<SignedParts> parts = SignRequest(&req, creds, Params());
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  for (const std::string& text : {parts->canonical_request, parts->string_to_sign, parts->signature,
                                  parts->authorization, req.url}) {
    EXPECT_EQ(text.find(kSecretKey), std::string::npos) << text;
  }
  for (const auto& [name, value] : req.headers) {
    EXPECT_EQ(value.find(kSecretKey), std::string::npos) << name;
  }
}

TEST(SignRequest, TheSignatureDependsOnEveryScopePart) {
  // Guards against a key derivation that ignores one of its inputs.
  HttpRequest req = DynamoRequest();
  const std::string base = SignRequest(&req, Creds(), Params())->signature;
  SigningParams region = Params();
  region.region = "eu-west-1";
  SigningParams service = Params();
  service.service = "sqs";
  SigningParams day = Params();
  day.time += std::chrono::hours(24);
  AwsCredentials other = Creds();
  other.secret_access_key = Secret(std::string(kSecretKey) + "X");
  for (auto [creds, params] : {std::pair{Creds(), region}, std::pair{Creds(), service},
                               std::pair{Creds(), day}, std::pair{other, Params()}}) {
    HttpRequest copy = DynamoRequest();
    Result<SignedParts> parts = SignRequest(&copy, creds, params);
    ASSERT_TRUE(parts.ok());
    EXPECT_NE(parts->signature, base);
  }
}

}  // namespace
}  // namespace paws::aws
