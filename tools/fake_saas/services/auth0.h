#pragma once

// The fake of Auth0's Management API log endpoint and of its token endpoint
// (docs/fake-saas.md, "Auth0"), under /t/<tenant>/:
//
//   POST /oauth/token    client credentials (form or JSON body)
//   GET  /api/v2/logs    ?from=<log_id>&take=N           (by checkpoint)
//                        ?q=date:[T TO *]&sort=date:1&per_page=N&page=P
//
// Log event k of (tenant, "auth0") is published at k * period, like every
// fake service's (fake_events.h). Its log_id is FakeAuth0LogId(k), so ids
// sort as the events do; details.fake.event_id holds FakeEventId(tenant,
// "auth0", k). The served record (FakeApi::ServedIds(tenant, "auth0")) holds
// log ids.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "paws/clock.h"
#include "tools/fake_saas/fake_service.h"

namespace paws {

inline constexpr const char* kFakeAuth0Stream = "auth0";

struct FakeAuth0Options {
  // expires_in of the access tokens it issues; a token is refused (401)
  // from then on, by the API's wall clock. Default: 60 s.
  Duration token_lifetime = std::chrono::seconds(60);
  // Log requests a tenant may make in one wall-clock minute. The last one
  // is answered with X-RateLimit-Remaining: 0, those past it with 429.
  // Default: 1200.
  int rate_limit_per_minute = 1200;
};

// "90020" followed by k in 20 digits: log ids of one length, so that their
// string order is the order of k (Auth0 log ids sort by time).
// REQUIRES: k >= 0.
std::string FakeAuth0LogId(int64_t k);
// k of a FakeAuth0LogId, or nullopt when `id` is not one.
std::optional<int64_t> ParseFakeAuth0LogId(const std::string& id);

std::unique_ptr<FakeService> MakeFakeAuth0Service(FakeAuth0Options options = {});

}  // namespace paws
