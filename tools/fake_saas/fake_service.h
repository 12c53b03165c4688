#pragma once

// The extension point of the fake SaaS API: one handler per service (Okta is
// built in; Auth0, Salesforce, O365, Carbon Black, Google Workspace, ... live
// in tools/fake_saas/services/). Every service serves the same deterministic
// events (tools/fake_saas/fake_events.h) in its own shape, so a test can
// compute what a window must hold whatever the service.

#include <optional>
#include <string>
#include <vector>

#include "tools/fake_saas/fake_api.h"

namespace paws {

// What a service may use of the fake API's shared state. Each call takes
// the API's lock itself: never call it while holding a lock of your own
// that the API could wait on.
class FakeServiceContext {
 public:
  virtual ~FakeServiceContext() = default;
  virtual WallTime Now() = 0;
  // Milliseconds between two events of the tenant's streams.
  virtual int64_t PeriodMs(const std::string& tenant) = 0;
  // Counts a request of (tenant, stream), whatever its outcome, and takes
  // the fault that applies to it (the stream's, else the tenant's), if any.
  virtual std::optional<FakeFault> BeginRequest(const std::string& tenant,
                                                const std::string& stream) = 0;
  // Records ids returned in a successful response (the served record).
  virtual void RecordServed(const std::string& tenant, const std::string& stream,
                            const std::vector<std::string>& ids) = 0;
  // The credential the tenant requires ("" accepts any non-empty one).
  virtual std::string RequiredToken(const std::string& tenant) = 0;
};

class FakeService {
 public:
  virtual ~FakeService() = default;
  virtual std::string_view name() const = 0;
  // Handles `rest`, the decoded path after "/t/<tenant>" (it starts with
  // '/'), or returns nullopt when the path is not one of this service's.
  virtual std::optional<FakeResponse> Handle(const std::string& tenant, const std::string& rest,
                                             const FakeRequest& req, FakeServiceContext& ctx) = 0;
};

// Adds every service of tools/fake_saas/services/ to `api`.
void AddFakeServices(FakeApi* api);

}  // namespace paws
