#include "backends/aws/aws_client.h"

#include <algorithm>
#include <array>
#include <random>
#include <thread>
#include <utility>

#include "paws/codes.h"

namespace paws::aws {
namespace {

// Error types the AWS SDKs retry (throttling and transient service faults).
constexpr std::array<const char*, 16> kRetryableTypes = {
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "RequestThrottledException",
    "RequestThrottled",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "TransactionInProgressException",
    "LimitExceededException",
    "SlowDown",
    "PriorRequestNotComplete",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalServerError",
    "ServiceUnavailable",
};

// Types that mean the credentials or the signature were refused.
constexpr std::array<const char*, 9> kAuthTypes = {
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
};

// Types that mean the thing addressed is not there.
constexpr std::array<const char*, 5> kNotFoundTypes = {
    "ResourceNotFoundException",
    "QueueDoesNotExist",
    "AWS.SimpleQueueService.NonExistentQueue",
    "ReceiptHandleIsInvalid",
    "InvalidReceiptHandle",
};

template <size_t N>
bool OneOf(const std::array<const char*, N>& set, const std::string& type) {
  return std::any_of(set.begin(), set.end(), [&](const char* t) { return type == t; });
}

bool IsAccessDenied(const std::string& type) {
  return type.rfind("AccessDenied", 0) == 0;
}

// A conditional failure, or a transaction cancelled because of one.
bool IsConditionFailure(const std::string& type, const nlohmann::json& body) {
  if (type == "ConditionalCheckFailedException") return true;
  if (type != "TransactionCanceledException") return false;
  auto reasons = body.find("CancellationReasons");
  if (reasons == body.end() || !reasons->is_array()) {
    // Some servers put the reasons only in the message.
    auto msg = body.find("message");
    return msg != body.end() && msg->is_string() &&
           msg->get<std::string>().find("ConditionalCheckFailed") != std::string::npos;
  }
  for (const auto& r : *reasons) {
    if (r.is_object() && r.value("Code", "") == "ConditionalCheckFailed") return true;
  }
  return false;
}

std::string ErrorMessage(const nlohmann::json& body) {
  for (const char* key : {"message", "Message"}) {
    auto it = body.find(key);
    if (it != body.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

Duration Backoff(const RetryPolicy& p, int attempt, double u) {
  auto cap = p.base_delay;
  for (int i = 1; i < attempt && cap < p.max_delay; ++i) cap *= 2;
  cap = std::min(cap, p.max_delay);
  return std::chrono::duration_cast<Duration>(cap * std::clamp(u, 0.0, 1.0));
}

}  // namespace

JsonService DynamoDbService(std::string endpoint) {
  return JsonService{"dynamodb", std::move(endpoint), "DynamoDB_20120810",
                     "application/x-amz-json-1.0"};
}

JsonService SqsService(std::string endpoint) {
  return JsonService{"sqs", std::move(endpoint), "AmazonSQS", "application/x-amz-json-1.0"};
}

ClientDeps ClientDeps::Real(HttpClient* http) {
  ClientDeps d;
  d.http = http;
  d.signing_clock = Clock::System();
  d.sleep = [](Duration dur) { std::this_thread::sleep_for(dur); };
  d.uniform = [] {
    thread_local std::mt19937_64 gen{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
  };
  return d;
}

std::string AwsErrorType(const HttpResponse& resp, const nlohmann::json& body) {
  std::string type;
  if (body.is_object()) {
    auto it = body.find("__type");
    if (it != body.end() && it->is_string()) type = it->get<std::string>();
  }
  if (type.empty()) type = resp.Header("x-amzn-ErrorType");
  if (auto hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
  if (auto colon = type.find(':'); colon != std::string::npos) type = type.substr(0, colon);
  return type;
}

bool IsRetryableAwsError(const std::string& type, int http_status) {
  if (OneOf(kRetryableTypes, type)) return true;
  return http_status == 429 || http_status >= 500;
}

AwsJsonClient::AwsJsonClient(JsonService service, std::string region, AwsCredentials creds,
                             RetryPolicy retry, ClientDeps deps)
    : service_(std::move(service)),
      region_(std::move(region)),
      creds_(std::move(creds)),
      retry_(retry),
      deps_(std::move(deps)) {}

Result<nlohmann::json> AwsJsonClient::Call(const std::string& operation,
                                           const nlohmann::json& request, CallInfo* info,
                                           Duration timeout) {
  CallInfo local;
  CallInfo& ci = info ? *info : local;
  ci = CallInfo{};
  const std::string what = service_.signing_name + " " + operation;
  const std::string body = request.dump();
  Status last = Status::Unavailable(what + ": not sent", codes::kStoreUnavailable);
  const int attempts = std::max(1, retry_.max_attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) deps_.sleep(Backoff(retry_, attempt - 1, deps_.uniform()));
    ci.attempts = attempt;
    HttpRequest req;
    req.method = "POST";
    req.url = service_.endpoint + "/";
    req.timeout = timeout;
    req.body = body;
    req.headers = {{"Content-Type", service_.content_type},
                   {"X-Amz-Target", service_.target_prefix + "." + operation}};
    SigningParams sp;
    sp.region = region_;
    sp.service = service_.signing_name;
    sp.time = deps_.signing_clock->Now();
    auto signed_parts = SignRequest(&req, creds_, sp);
    if (!signed_parts.ok()) return signed_parts.status();
    requests_.fetch_add(1);
    auto resp = deps_.http->Send(req);
    if (!resp.ok()) {
      ci.http_status = 0;
      ci.error_type.clear();
      last = Status::Unavailable(what + ": " + resp.status().message(), codes::kStoreUnavailable);
      if (attempt < attempts) ci.ambiguous_retry = true;
      continue;
    }
    ci.http_status = resp->status;
    nlohmann::json parsed = nlohmann::json::parse(resp->body, nullptr, false);
    if (resp->body.empty()) parsed = nlohmann::json::object();
    if (resp->status == 200) {
      if (parsed.is_discarded() || !parsed.is_object()) {
        return Status::Internal(what + ": the response is not a JSON object",
                                codes::kStoreUnavailable);
      }
      ci.error_type.clear();
      return parsed;
    }
    if (parsed.is_discarded()) parsed = nlohmann::json::object();
    ci.error_type = AwsErrorType(*resp, parsed);
    std::string msg = what + ": " + (ci.error_type.empty() ? "HTTP " + std::to_string(resp->status)
                                                           : ci.error_type);
    if (auto m = ErrorMessage(parsed); !m.empty()) msg += ": " + m;
    if (IsConditionFailure(ci.error_type, parsed)) return Status::Conflict(msg);
    if (IsRetryableAwsError(ci.error_type, resp->status)) {
      last = Status::Unavailable(msg, codes::kStoreUnavailable);
      if (resp->status >= 500 && attempt < attempts) ci.ambiguous_retry = true;
      continue;
    }
    if (OneOf(kAuthTypes, ci.error_type) || IsAccessDenied(ci.error_type)) {
      return Status::Unauthenticated(msg, codes::kAwsCredentials);
    }
    if (OneOf(kNotFoundTypes, ci.error_type)) return Status::NotFound(msg);
    return Status::InvalidArgument(msg, codes::kAwsRejected);
  }
  return Status(last.code(), last.message() + " (after " + std::to_string(attempts) + " attempts)",
                codes::kStoreUnavailable);
}

}  // namespace paws::aws
