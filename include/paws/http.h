#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "paws/clock.h"
#include "paws/result.h"

namespace paws {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
  Duration timeout = std::chrono::seconds(30);
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  // The first header of that name (case-insensitive), or "".
  std::string Header(const std::string& name) const;
};

// Sends HTTP requests. An HTTP error status is a response, not an error;
// errors are transport failures: kUnavailable (connect, reset, TLS),
// kDeadlineExceeded (timeout). Thread-safe.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& req) = 0;
};

// The libcurl client: TLS verification on, connections reused, proxy from
// the usual environment variables.
std::unique_ptr<HttpClient> MakeCurlHttpClient();

}  // namespace paws
