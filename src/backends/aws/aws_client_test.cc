#include "backends/aws/aws_client.h"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <vector>

#include "paws/codes.h"

namespace paws::aws {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Answers requests from a script and keeps what was sent.
class ScriptedHttp : public HttpClient {
 public:
  void Answer(int status, std::string body, HttpHeaders headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    script_.push_back(r);
  }
  void FailTransport() { script_.push_back(Status::Unavailable("connection reset")); }

  Result<HttpResponse> Send(const HttpRequest& req) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent.push_back(req);
    if (script_.empty()) return Status::Unavailable("no answer scripted");
    auto r = script_.front();
    script_.pop_front();
    return r;
  }

  std::vector<HttpRequest> sent;

 private:
  std::mutex mu_;
  std::deque<Result<HttpResponse>> script_;
};

class AwsClientTest : public ::testing::Test {
 protected:
  AwsJsonClient Make(RetryPolicy retry = RetryPolicy{}) {
    ClientDeps deps;
    deps.http = &http_;
    deps.signing_clock = &clock_;
    deps.sleep = [this](Duration d) { sleeps_.push_back(d); };
    deps.uniform = [this] { return uniform_; };
    AwsCredentials creds;
    creds.access_key_id = "AKIDEXAMPLE";
    creds.secret_access_key = Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    creds.session_token = "SESSIONTOKENVALUE";
    return AwsJsonClient(DynamoDbService("http://127.0.0.1:8000"), "us-east-1", creds, retry,
                         deps);
  }

  static std::string Header(const HttpRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  ScriptedHttp http_;
  FakeClock clock_;
  std::vector<Duration> sleeps_;
  double uniform_ = 1.0;
};

TEST_F(AwsClientTest, SendsASignedJsonRequestAndReturnsTheAnswer) {
  http_.Answer(200, R"({"TableNames":["PawsCollectorStates"]})");
  auto client = Make();
  auto got = client.Call("ListTables", nlohmann::json{{"Limit", 10}});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ((*got)["TableNames"][0], "PawsCollectorStates");
  ASSERT_EQ(http_.sent.size(), 1u);
  const auto& req = http_.sent[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "http://127.0.0.1:8000/");
  EXPECT_EQ(nlohmann::json::parse(req.body), (nlohmann::json{{"Limit", 10}}));
  EXPECT_EQ(Header(req, "X-Amz-Target"), "DynamoDB_20120810.ListTables");
  EXPECT_EQ(Header(req, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(Header(req, "X-Amz-Date"), "20260101T000000Z");
  EXPECT_EQ(Header(req, "X-Amz-Security-Token"), "SESSIONTOKENVALUE");
  EXPECT_EQ(Header(req, "Authorization")
                .rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/dynamodb/"
                       "aws4_request, SignedHeaders=",
                       0),
            0u)
      << Header(req, "Authorization");
  EXPECT_EQ(client.requests_sent(), 1);
}

TEST_F(AwsClientTest, FailedConditionIsAConflictAndNeverRetried) {
  http_.Answer(400,
               R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
               R"("message":"The conditional request failed"})");
  auto client = Make();
  CallInfo info;
  auto got = client.Call("PutItem", nlohmann::json::object(), &info);
  EXPECT_EQ(got.status().code(), StatusCode::kConflict);
  EXPECT_NE(got.status().message().find("The conditional request failed"), std::string::npos);
  EXPECT_EQ(info.attempts, 1);
  EXPECT_FALSE(info.ambiguous_retry);
  EXPECT_EQ(info.error_type, "ConditionalCheckFailedException");
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(AwsClientTest, TransactionCancelledByAConditionIsAConflict) {
  http_.Answer(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",)"
                    R"("CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed"}]})");
  auto got = Make().Call("TransactWriteItems", nlohmann::json::object());
  EXPECT_EQ(got.status().code(), StatusCode::kConflict);
}

TEST_F(AwsClientTest, ThrottlingIsRetriedWithGrowingJitteredBackoff) {
  http_.Answer(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException"})");
  http_.Answer(400, R"({"__type":"ProvisionedThroughputExceededException"})");
  http_.Answer(200, "{}");
  auto client = Make();
  CallInfo info;
  auto got = client.Call("GetItem", nlohmann::json::object(), &info);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(info.attempts, 3);
  EXPECT_FALSE(info.ambiguous_retry);  // a throttled request was not applied
  ASSERT_EQ(sleeps_.size(), 2u);
  EXPECT_EQ(sleeps_[0], milliseconds(50));
  EXPECT_EQ(sleeps_[1], milliseconds(100));
  EXPECT_EQ(client.requests_sent(), 3);
}

TEST_F(AwsClientTest, JitterDrawsBelowTheCap) {
  uniform_ = 0.25;
  http_.Answer(503, "");
  http_.Answer(200, "{}");
  ASSERT_TRUE(Make().Call("GetItem", nlohmann::json::object()).ok());
  ASSERT_EQ(sleeps_.size(), 1u);
  EXPECT_EQ(sleeps_[0], std::chrono::duration_cast<Duration>(milliseconds(50) * 0.25));
}

TEST_F(AwsClientTest, AConflictAfterAnUnansweredAttemptIsMarkedAmbiguous) {
  http_.FailTransport();
  http_.Answer(400, R"({"__type":"ConditionalCheckFailedException"})");
  CallInfo info;
  auto got = Make().Call("UpdateItem", nlohmann::json::object(), &info);
  EXPECT_EQ(got.status().code(), StatusCode::kConflict);
  EXPECT_EQ(info.attempts, 2);
  EXPECT_TRUE(info.ambiguous_retry);
}

TEST_F(AwsClientTest, RetriesRunOutAsUnavailableWithBackoffCapped) {
  RetryPolicy p;
  p.max_attempts = 6;
  p.base_delay = milliseconds(100);
  p.max_delay = milliseconds(300);
  for (int i = 0; i < 6; ++i) http_.Answer(500, R"({"__type":"InternalServerError"})");
  auto got = Make(p).Call("Query", nlohmann::json::object());
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(got.status().paws_code(), codes::kStoreUnavailable);
  EXPECT_NE(got.status().message().find("after 6 attempts"), std::string::npos);
  EXPECT_NE(got.status().message().find("dynamodb Query: InternalServerError"), std::string::npos);
  std::vector<Duration> want = {milliseconds(100), milliseconds(200), milliseconds(300),
                                milliseconds(300), milliseconds(300)};
  EXPECT_EQ(sleeps_, want);
}

TEST_F(AwsClientTest, RefusedCredentialsAreUnauthenticatedAndNeverShowTheSecret) {
  http_.Answer(400, R"({"__type":"com.amazon.coral.service#UnrecognizedClientException",)"
                    R"("message":"The security token included in the request is invalid."})");
  auto got = Make().Call("ListTables", nlohmann::json::object());
  EXPECT_EQ(got.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(got.status().paws_code(), codes::kAwsCredentials);
  EXPECT_EQ(got.status().ToString().find("wJalrXUtnFEMI"), std::string::npos);
  EXPECT_EQ(got.status().ToString().find("SESSIONTOKENVALUE"), std::string::npos);

  http_.Answer(400, R"({"__type":"com.amazon.coral.service#AccessDeniedException"})");
  EXPECT_EQ(Make().Call("PutItem", nlohmann::json::object()).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(AwsClientTest, MissingThingsAreNotFoundAndOtherRefusalsInvalid) {
  http_.Answer(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",)"
                    R"("message":"Requested resource not found"})");
  http_.Answer(400, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist"})");
  http_.Answer(400, R"({"__type":"com.amazon.coral.validate#ValidationException",)"
                    R"("message":"One or more parameter values were invalid"})");
  auto client = Make();
  EXPECT_EQ(client.Call("DescribeTable", {}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(client.Call("GetQueueUrl", {}).status().code(), StatusCode::kNotFound);
  auto bad = client.Call("PutItem", {});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().paws_code(), codes::kAwsRejected);
  EXPECT_NE(bad.status().message().find("ValidationException: One or more"), std::string::npos);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(AwsClientTest, AnAnswerThatIsNotJsonIsAnError) {
  http_.Answer(200, "<html>proxy</html>");
  auto got = Make().Call("GetItem", nlohmann::json::object());
  EXPECT_EQ(got.status().code(), StatusCode::kInternal);
}

TEST(AwsErrorTypeTest, ReadsTheBodyOrTheHeader) {
  HttpResponse r;
  EXPECT_EQ(AwsErrorType(r, nlohmann::json{{"__type", "com.amazonaws.sqs#QueueDoesNotExist"}}),
            "QueueDoesNotExist");
  r.headers = {{"x-amzn-ErrorType", "ConditionalCheckFailedException:http://internal/"}};
  EXPECT_EQ(AwsErrorType(r, nlohmann::json::object()), "ConditionalCheckFailedException");
  EXPECT_EQ(AwsErrorType(HttpResponse{}, nlohmann::json::object()), "");
}

TEST(AwsErrorTypeTest, RetryableErrors) {
  EXPECT_TRUE(IsRetryableAwsError("ThrottlingException", 400));
  EXPECT_TRUE(IsRetryableAwsError("", 503));
  EXPECT_TRUE(IsRetryableAwsError("", 429));
  EXPECT_FALSE(IsRetryableAwsError("ValidationException", 400));
  EXPECT_FALSE(IsRetryableAwsError("ConditionalCheckFailedException", 400));
}

}  // namespace
}  // namespace paws::aws
