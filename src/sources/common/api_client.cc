#include "sources/common/api_client.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "http/url.h"
#include "paws/codes.h"
#include "paws/secret.h"

namespace paws {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool HasHeader(const HttpHeaders& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
}

// Headers whose values are never credentials. Every other header value is
// treated as one when scrubbing a message (API keys travel in headers of
// any name).
bool IsPlainHeader(std::string_view name) {
  for (const char* plain : {"Accept", "Accept-Encoding", "Content-Type", "Content-Length",
                            "User-Agent", "If-None-Match", "If-Match", "Prefer"}) {
    if (EqualsIgnoreCase(name, plain)) return true;
  }
  return false;
}

// Values shorter than this are not scrubbed one by one (a "1" would mangle
// every message); credentials are longer.
constexpr size_t kMinScrubbed = 8;

void ReplaceAll(std::string* text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (size_t p = text->find(from); p != std::string::npos; p = text->find(from, p)) {
    text->replace(p, from.size(), to);
    p += to.size();
  }
}

// What must not appear in a message about `req`, longest first so that a
// value is replaced before its parts are.
std::vector<std::string> Sensitive(const HttpRequest& req) {
  std::vector<std::string> out;
  size_t q = req.url.find('?');
  if (q != std::string::npos) {
    std::string_view query = std::string_view(req.url).substr(q + 1);
    query = query.substr(0, query.find('#'));
    out.emplace_back(query);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view param = query.substr(0, amp);
      size_t eq = param.find('=');
      if (eq != std::string_view::npos) {
        out.emplace_back(param.substr(eq + 1));
        out.push_back(UrlDecode(param.substr(eq + 1)));
      }
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    }
  }
  for (const auto& [name, value] : req.headers) {
    if (IsPlainHeader(name)) continue;
    out.push_back(value);
    // "Bearer <token>", "SSWS <token>": the credential alone, too.
    size_t sp = value.find(' ');
    if (sp != std::string::npos) out.push_back(value.substr(sp + 1));
  }
  std::sort(out.begin(), out.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

}  // namespace

ApiClient::ApiClient(HttpClient* http, Clock* clock, ApiClientOptions options)
    : http_(http), clock_(clock), options_(std::move(options)) {}

Result<HttpResponse> ApiClient::Get(const std::string& url, const HttpHeaders& headers,
                                    MonoTime deadline) const {
  HttpRequest req;
  req.method = "GET";
  req.url = url;
  req.headers = headers;
  return Send(std::move(req), deadline);
}

Result<HttpResponse> ApiClient::Post(const std::string& url, const HttpHeaders& headers,
                                     std::string body, MonoTime deadline) const {
  HttpRequest req;
  req.method = "POST";
  req.url = url;
  req.headers = headers;
  req.body = std::move(body);
  return Send(std::move(req), deadline);
}

Result<HttpResponse> ApiClient::Send(HttpRequest req, MonoTime deadline) const {
  const MonoTime now = clock_->MonotonicNow();
  // Rounded up: a timeout of 0 would mean "no timeout" to curl.
  const Duration left = std::chrono::ceil<Duration>(deadline - now);
  if (left <= Duration(0)) {
    const std::string prefix = options_.name.empty() ? "" : options_.name + ": ";
    return Status::DeadlineExceeded(prefix + "deadline passed before " +
                                    RequestName(req.method, req.url))
        .WithCode(codes::kApiTimeout);
  }
  req.timeout = std::min(left, options_.max_request_timeout);
  if (!options_.user_agent.empty() && !HasHeader(req.headers, "User-Agent")) {
    req.headers.emplace_back("User-Agent", options_.user_agent);
  }
  Result<HttpResponse> res = http_->Send(req);
  if (res.ok()) return res;
  Status s = Scrub(res.status(), req);
  switch (s.code()) {
    case StatusCode::kDeadlineExceeded:
      return s.WithCode(codes::kApiTimeout);
    case StatusCode::kUnavailable:
      return s.WithCode(codes::kApiUnavailable);
    default:
      return s;
  }
}

std::string ApiClient::Describe(std::string_view method, std::string_view url) const {
  std::string what = RequestName(method, url);
  return options_.name.empty() ? what : options_.name + ": " + what;
}

Status ApiClient::Check(const HttpResponse& res, std::string_view method, std::string_view url,
                        const ErrorSummarizer& summarize) const {
  return ClassifyHttpStatus(res, Describe(method, url), clock_->Now(), summarize);
}

// A transport error's message is the HttpClient's: it may quote the whole
// URL, and a client we do not control may quote anything of the request.
Status ApiClient::Scrub(const Status& s, const HttpRequest& req) const {
  std::string msg = s.message();
  const std::string shown = UrlForMessage(req.url);
  if (!shown.empty()) ReplaceAll(&msg, req.url, shown);
  if (size_t q = req.url.find('?'); q != std::string::npos) {
    std::string query = req.url.substr(q, req.url.find('#', q) - q);
    if (query.size() > 1) ReplaceAll(&msg, query, "");
  }
  for (const std::string& value : Sensitive(req)) {
    if (value.size() >= kMinScrubbed) ReplaceAll(&msg, value, Secret::kRedacted);
  }
  if (msg.find(UrlPath(req.url)) == std::string::npos) {
    msg = RequestName(req.method, req.url) + ": " + msg;
  }
  if (!options_.name.empty()) msg = options_.name + ": " + msg;
  return WithMessage(s, std::move(msg));
}

}  // namespace paws
