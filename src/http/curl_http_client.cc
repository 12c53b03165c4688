// The libcurl HttpClient. Easy handles are pooled so that connections (and
// TLS sessions and DNS results, which live in the handle) are reused across
// requests; curl_easy_reset keeps them while clearing per-request options.

#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "http/url.h"
#include "paws/http.h"

namespace paws {
namespace {

// A response body larger than this is refused rather than buffered.
constexpr size_t kMaxBodyBytes = size_t{256} << 20;
// Idle handles kept for reuse; more are closed on release.
constexpr size_t kMaxIdleHandles = 16;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  HttpResponse response;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  if (t->response.body.size() + n > kMaxBodyBytes) {
    t->too_large = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  std::string_view line = TrimSpace(std::string_view(data, n));
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line: the headers so far belonged to an interim
    // response (100 Continue, a proxy's CONNECT reply).
    t->response.headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    t->response.headers.emplace_back(std::string(TrimSpace(line.substr(0, colon))),
                                     std::string(TrimSpace(line.substr(colon + 1))));
  }
  return n;
}

// The URL as it may appear in a message: no credentials, no query.
std::string Redacted(const std::string& url) {
  std::string origin = UrlOrigin(url);
  size_t at = origin.rfind('@');
  if (at != std::string::npos)
    origin = origin.substr(0, origin.find("://") + 3) + origin.substr(at + 1);
  return origin + UrlPath(url);
}

class HandlePool {
 public:
  ~HandlePool() {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }

  CURL* Acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }

  void Release(CURL* h) {
    curl_easy_reset(h);
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(h);
    } else {
      curl_easy_cleanup(h);
    }
  }

 private:
  std::mutex mu_;
  std::vector<CURL*> idle_;
};

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

class CurlHttpClient : public HttpClient {
 public:
  Result<HttpResponse> Send(const HttpRequest& req) override {
    const std::string what = req.method + " " + Redacted(req.url);
    if (req.timeout <= Duration::zero()) {
      return Status::DeadlineExceeded(what + ": no time left for the request");
    }
    CURL* h = pool_.Acquire();
    if (h == nullptr) return Status::Unavailable(what + ": curl_easy_init failed");
    Result<HttpResponse> result = Perform(h, req, what);
    pool_.Release(h);
    return result;
  }

 private:
  Result<HttpResponse> Perform(CURL* h, const HttpRequest& req, const std::string& what) {
    Transfer t;
    char errbuf[CURL_ERROR_SIZE] = {0};
    std::unique_ptr<curl_slist, SlistDeleter> headers;
    for (const auto& [name, value] : req.headers) {
      // "Name;" is curl's way to send a header with an empty value.
      std::string line = value.empty() ? name + ";" : name + ": " + value;
      curl_slist* next = curl_slist_append(headers.get(), line.c_str());
      if (next == nullptr) return Status::Unavailable(what + ": out of memory");
      headers.release();
      headers.reset(next);
    }
    // No "Expect: 100-continue" round trip for bodies.
    curl_slist* next = curl_slist_append(headers.get(), "Expect:");
    if (next == nullptr) return Status::Unavailable(what + ": out of memory");
    headers.release();
    headers.reset(next);

    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    // gzip only: every SaaS API serves it, and it is cheap for the server.
    // Offering br too makes some servers (cpp-httplib among them) compress
    // each small page at brotli's top quality, ~10 ms a response.
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    if (req.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (req.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
      if (req.method == "POST" || !req.body.empty()) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
      }
      if (req.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }

    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return Status::DeadlineExceeded(what + ": timed out after " +
                                      std::to_string(req.timeout.count()) + " ms");
    }
    if (rc == CURLE_WRITE_ERROR && t.too_large) {
      return Status::Unavailable(what + ": response body larger than " +
                                 std::to_string(kMaxBodyBytes >> 20) + " MiB");
    }
    if (rc != CURLE_OK) {
      return Status::Unavailable(what + ": " + (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
    }
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    t.response.status = static_cast<int>(code);
    return std::move(t.response);
  }

  HandlePool pool_;
};

}  // namespace

std::unique_ptr<HttpClient> MakeCurlHttpClient() {
  GlobalInitOnce();
  return std::make_unique<CurlHttpClient>();
}

}  // namespace paws
