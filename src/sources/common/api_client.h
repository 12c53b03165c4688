#pragma once

#include <string>

#include "paws/clock.h"
#include "paws/http.h"
#include "paws/result.h"
#include "sources/common/api_errors.h"

namespace paws {

struct ApiClientOptions {
  // Prefixes every message: "okta: GET /api/v1/logs: ...". Default: none.
  std::string name;
  // The longest a single request may take, whatever the deadline leaves.
  // Default: 30 s.
  Duration max_request_timeout = std::chrono::seconds(30);
  // Sent unless the caller's headers have a User-Agent. Default: paws/<version>.
  std::string user_agent = "paws/" PAWS_VERSION;
};

// The HTTP calls of a source, bounded by the poll's deadline, with errors
// fit for an operator: a message names scheme, host and path of the request
// only, never its query string or headers (both can carry credentials).
//
// Like HttpClient, an HTTP error status is a response, not an error; use
// Check() (ClassifyHttpStatus) on it. Errors are:
//   kDeadlineExceeded (PAWS000305): the deadline has passed (nothing is
//     sent), or the request timed out;
//   kUnavailable (PAWS000303): a transport failure (connect, reset, TLS);
//   other codes of the HttpClient pass through, their messages scrubbed.
//
// `http` and `clock` are not owned and must outlive the client.
// Thread-safe (no mutable state).
class ApiClient {
 public:
  ApiClient(HttpClient* http, Clock* clock, ApiClientOptions options = {});

  Result<HttpResponse> Get(const std::string& url, const HttpHeaders& headers,
                           MonoTime deadline) const;
  Result<HttpResponse> Post(const std::string& url, const HttpHeaders& headers, std::string body,
                            MonoTime deadline) const;
  // Any method. req.timeout is replaced by min(deadline - now,
  // max_request_timeout).
  Result<HttpResponse> Send(HttpRequest req, MonoTime deadline) const;

  // "<name>: GET /path" (RequestName with the prefix).
  std::string Describe(std::string_view method, std::string_view url) const;

  // ClassifyHttpStatus(res, Describe(method, url), clock->Now(), summarize).
  Status Check(const HttpResponse& res, std::string_view method, std::string_view url,
               const ErrorSummarizer& summarize = nullptr) const;

  Clock* clock() const { return clock_; }
  const ApiClientOptions& options() const { return options_; }

 private:
  Status Scrub(const Status& s, const HttpRequest& req) const;

  HttpClient* const http_;
  Clock* const clock_;
  const ApiClientOptions options_;
};

}  // namespace paws
