#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "paws/http.h"
#include "tools/fake_saas/fake_api.h"

namespace paws {

// An HttpClient that hands requests for `base_url` (a prefix such as
// "http://fake-saas.test") to a FakeApi in process: no sockets, no threads,
// deterministic. Other URLs fail as a refused connection would
// (kUnavailable). The api is not owned and must outlive the client.
// Thread-safe.
class FakeApiHttpClient : public HttpClient {
 public:
  explicit FakeApiHttpClient(FakeApi* api, std::string base_url = "http://fake-saas.test");

  // A response delay (the "slow" fault) that reaches the request timeout
  // gives kDeadlineExceeded; a shorter one is returned at once. Either way
  // the time the request took is reported to the on_delay hook.
  Result<HttpResponse> Send(const HttpRequest& req) override;

  const std::string& base_url() const { return base_url_; }

  // Called, without the client's lock, with how long a slow request took
  // (for example to advance a FakeClock). Set before use.
  void set_on_delay(std::function<void(Duration)> on_delay) { on_delay_ = std::move(on_delay); }

  // The next `count` requests fail with `status` (a transport failure)
  // before reaching the api.
  void FailNext(Status status, int count = 1);

  // Every request sent so far, in order.
  std::vector<HttpRequest> requests() const;

 private:
  FakeApi* const api_;
  const std::string base_url_;
  std::function<void(Duration)> on_delay_;
  mutable std::mutex mu_;
  std::deque<Status> failures_;
  std::vector<HttpRequest> requests_;
};

}  // namespace paws
