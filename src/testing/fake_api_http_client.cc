#include "testing/fake_api_http_client.h"

#include "http/url.h"

namespace paws {

FakeApiHttpClient::FakeApiHttpClient(FakeApi* api, std::string base_url)
    : api_(api), base_url_(std::move(base_url)) {}

Result<HttpResponse> FakeApiHttpClient::Send(const HttpRequest& req) {
  // As the curl client does: messages name the URL without its query.
  const std::string what = req.method + " " + UrlOrigin(req.url) + UrlPath(req.url);
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(req);
    if (!failures_.empty()) {
      Status s = failures_.front();
      failures_.pop_front();
      return s;
    }
  }
  if (req.url.compare(0, base_url_.size(), base_url_) != 0 ||
      (req.url.size() > base_url_.size() && req.url[base_url_.size()] != '/' &&
       req.url[base_url_.size()] != '?')) {
    return Status::Unavailable(what + ": connection refused (no fake API there)");
  }
  if (req.timeout <= Duration::zero()) {
    return Status::DeadlineExceeded(what + ": no time left for the request");
  }
  FakeResponse res = api_->Handle(FakeRequest::FromUrl(req.method, req.url, req.headers, req.body));
  if (res.delay >= req.timeout) {
    if (on_delay_) on_delay_(req.timeout);
    return Status::DeadlineExceeded(what + ": timed out after " +
                                    std::to_string(req.timeout.count()) + " ms");
  }
  if (res.delay > Duration::zero() && on_delay_) on_delay_(res.delay);
  HttpResponse out;
  out.status = res.status;
  out.headers = std::move(res.headers);
  out.body = std::move(res.body);
  return out;
}

void FakeApiHttpClient::FailNext(Status status, int count) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int i = 0; i < count; ++i) failures_.push_back(status);
}

std::vector<HttpRequest> FakeApiHttpClient::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

}  // namespace paws
