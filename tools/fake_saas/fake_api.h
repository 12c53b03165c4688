#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "paws/clock.h"
#include "paws/http.h"
#include "paws/result.h"

namespace paws {

// One request to the fake API, independent of any transport.
struct FakeRequest {
  std::string method = "GET";
  std::string path;                          // "/t/acme/api/v1/logs", decoded
  std::map<std::string, std::string> query;  // decoded; the first of repeated names
  HttpHeaders headers;                       // "Host" is used to build Link URLs
  std::string body;

  // Splits an absolute URL ("http://host:port/path?query") into path and
  // query, and sets the Host header from it unless `headers` has one.
  static FakeRequest FromUrl(std::string method, const std::string& url, HttpHeaders headers = {},
                             std::string body = {});
};

struct FakeResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;
  // How long the transport should wait before sending the response (the
  // "slow" fault). Handle itself never sleeps.
  Duration delay{0};
};

struct FakeApiOptions {
  // Events per minute of every stream, unless set for a tenant. The period
  // between events is 60000 / rate ms, integer. Default: 60.
  int rate_per_minute = 60;
  // What X-Rate-Limit-Limit announces (not enforced). Default: 1200.
  int rate_limit_per_minute = 1200;
};

// kCrash answers 200 with an empty page and `X-Fake-Crash: abort`: the
// `fake` source then aborts the process, standing in for a source plugin
// that crashes (tests of the crash-loop health class).
enum class FakeFaultKind { kNone, k401, k429, k500, kSlow, kMalformed, kCrash };

// A fault applied to log requests of a tenant (all streams when `stream`
// is empty), to the next `count` requests or, when count < 0, until cleared.
struct FakeFault {
  std::string tenant;
  std::string stream;
  FakeFaultKind kind = FakeFaultKind::kNone;
  int retry_after_sec = 1;  // 429
  int delay_ms = 0;         // slow
  int count = -1;
};

// The fake SaaS API: the shape of Okta's System Log API over deterministic
// events (tools/fake_saas/fake_events.h), with an admin interface for
// faults and for the record of what it served. See docs/fake-saas.md
// for the URL contract.
//
// The clock is not owned and must outlive the API. Thread-safe; Handle
// never throws.
class FakeService;

class FakeApi {
 public:
  explicit FakeApi(Clock* clock, FakeApiOptions options = {});
  ~FakeApi();

  // Serves the paths of `service` under /t/<tenant>/ (tools/fake_saas/
  // fake_service.h). Call before the first request.
  void AddService(std::unique_ptr<FakeService> service);

  FakeResponse Handle(const FakeRequest& req);

  // The admin operations, also reachable over HTTP under /admin/.
  // kInvalidArgument when a field is out of range.
  Status SetFault(const FakeFault& fault);  // kind kNone removes a fault
  void ClearFaults();
  // Sets the tenant's rate (events per minute, 1..60000) when given, and its
  // required token when given ("" removes the requirement).
  Status ConfigureTenant(const std::string& tenant, std::optional<int> rate,
                         std::optional<std::string> token);
  // Forgets what was served and the request counts.
  void ResetServed();

  // Ids returned in 200 responses for (tenant, stream), sorted.
  std::vector<std::string> ServedIds(const std::string& tenant, const std::string& stream);
  // Log requests received for (tenant, stream), whatever their outcome.
  int64_t Requests(const std::string& tenant, const std::string& stream);
  // The ids of the events in [since, min(until, now)), oldest first: what a
  // complete collection of that window must contain.
  std::vector<std::string> EventIds(const std::string& tenant, const std::string& stream,
                                    WallTime since, WallTime until);
  // The period between two events of a tenant's streams.
  Duration Period(const std::string& tenant);

 private:
  struct Served {
    std::set<std::string> ids;
    int64_t requests = 0;
  };
  struct Tenant {
    std::optional<int> rate;
    std::string token;
    int64_t minute = 0;  // for X-Rate-Limit-Remaining
    int64_t requests_in_minute = 0;
  };
  using Key = std::pair<std::string, std::string>;
  class ServiceContext;

  FakeResponse Route(const FakeRequest& req);
  FakeResponse Logs(const std::string& tenant, const FakeRequest& req);
  FakeResponse Admin(const FakeRequest& req);
  FakeResponse AdminServed(const FakeRequest& req);
  FakeResponse AdminFaults(const FakeRequest& req);
  FakeResponse AdminConfig(const FakeRequest& req);
  FakeResponse AdminEvents(const FakeRequest& req);

  // REQUIRES: mu_ held.
  int64_t PeriodMsLocked(const std::string& tenant);
  std::optional<FakeFault> TakeFaultLocked(const std::string& tenant, const std::string& stream);
  // The response a fault answers with; nullopt for faults that answer as
  // usual (none, slow).
  std::optional<FakeResponse> FaultResponseLocked(const FakeFault& fault, const std::string& stream,
                                                  WallTime now);
  void AddRateHeadersLocked(const std::string& tenant, bool exhausted, FakeResponse* res);

  Clock* const clock_;
  const FakeApiOptions options_;
  std::mutex mu_;
  std::map<std::string, Tenant> tenants_;
  std::vector<FakeFault> faults_;
  std::map<Key, Served> served_;
  std::vector<std::unique_ptr<FakeService>> services_;
  std::unique_ptr<ServiceContext> context_;
};

std::string_view FakeFaultKindName(FakeFaultKind kind);  // "401", "slow", ...
Result<FakeFaultKind> ParseFakeFaultKind(std::string_view name);

}  // namespace paws
