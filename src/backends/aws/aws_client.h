#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "backends/aws/sigv4.h"
#include "paws/clock.h"
#include "paws/http.h"
#include "paws/result.h"

namespace paws::aws {

// How a failed request is retried, as the AWS SDKs' "standard" mode does:
// throttling errors, 5xx and transport failures are retried up to
// max_attempts in all, after a back-off drawn uniformly from
// [0, min(max_delay, base_delay * 2^(attempt-1))] ("full jitter").
struct RetryPolicy {
  int max_attempts = 5;
  Duration base_delay = std::chrono::milliseconds(50);
  Duration max_delay = std::chrono::seconds(20);
};

// One AWS service spoken to over its JSON protocol.
struct JsonService {
  std::string signing_name;   // "dynamodb", "sqs"
  std::string endpoint;       // "https://dynamodb.us-east-1.amazonaws.com"
  std::string target_prefix;  // X-Amz-Target is "<prefix>.<Operation>"
  std::string content_type = "application/x-amz-json-1.0";
};

// The DynamoDB and SQS services at `endpoint`.
JsonService DynamoDbService(std::string endpoint);
JsonService SqsService(std::string endpoint);

// What one Call did, for callers that must tell apart a condition that
// failed on the first try from one that may have failed because an earlier
// attempt (whose answer was lost) had already applied the write.
struct CallInfo {
  int attempts = 0;
  // An attempt before the last ended without a clear answer (transport
  // failure or 5xx): it may have been applied.
  bool ambiguous_retry = false;
  int http_status = 0;     // of the last attempt; 0 when none answered
  std::string error_type;  // the short AWS error type ("ConditionalCheckFailedException"), or ""
};

// What the client needs from its surroundings; every part is injected so
// tests can run without a network or real time.
struct ClientDeps {
  HttpClient* http = nullptr;     // not owned
  Clock* signing_clock = nullptr;  // not owned; the real clock outside tests
  // Waits between attempts.
  std::function<void(Duration)> sleep;
  // A uniform draw in [0, 1) for the jitter.
  std::function<double()> uniform;
  // The real thing: Clock::System(), a thread sleep and a per-thread PRNG.
  static ClientDeps Real(HttpClient* http);
};

// Calls operations of one AWS JSON-protocol service (DynamoDB, SQS), signed
// with Signature V4, retried as RetryPolicy says.
//
// Errors: kConflict for a failed condition (ConditionalCheckFailedException,
// or a cancelled transaction whose reasons include one) — never retried;
// kNotFound for a missing table, queue or receipt; kUnauthenticated
// (PAWS000603) when AWS rejects the credentials or signature;
// kInvalidArgument (PAWS000604) for any other refusal; kUnavailable
// (PAWS000601) when retries ran out. Messages name the service, the
// operation, the error type and AWS's message, never a credential.
// Thread-safe.
class AwsJsonClient {
 public:
  AwsJsonClient(JsonService service, std::string region, AwsCredentials creds, RetryPolicy retry,
                ClientDeps deps);

  Result<nlohmann::json> Call(const std::string& operation, const nlohmann::json& request,
                              CallInfo* info = nullptr,
                              Duration timeout = std::chrono::seconds(30));

  // HTTP requests sent so far, retries included (benchmarks count them).
  int64_t requests_sent() const { return requests_.load(); }
  const JsonService& service() const { return service_; }

 private:
  JsonService service_;
  std::string region_;
  AwsCredentials creds_;
  RetryPolicy retry_;
  ClientDeps deps_;
  std::atomic<int64_t> requests_{0};
};

// The short error type of an AWS JSON error: "__type" without its
// namespace ("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
// -> "ResourceNotFoundException"), else the x-amzn-ErrorType header
// without what follows ':'; "" when neither is present.
std::string AwsErrorType(const HttpResponse& resp, const nlohmann::json& body);

// Whether an error of this type and HTTP status is worth retrying.
bool IsRetryableAwsError(const std::string& type, int http_status);

}  // namespace paws::aws
