#pragma once

// The fake of Google Workspace's Admin SDK Reports API (activities.list)
// and of Google's OAuth2 token endpoint for service accounts
// (docs/fake-saas.md, "Google Workspace"), under /t/<tenant>/:
//
//   POST /oauth2/v4/token  grant_type=urn:ietf:params:oauth:grant-type:
//                          jwt-bearer&assertion=<RS256 JWT>
//   GET  /admin/reports/v1/activity/users/all/applications/<application>
//                          ?startTime=&endTime=&maxResults=&pageToken=
//
// Activity k of (tenant, application) happens at k * period, like every
// fake service's event (fake_events.h); a page lists a window's activities
// newest first, as the Reports API does. The served record
// (FakeApi::ServedIds(tenant, application)) holds FakeGsuiteEventId()s.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paws/clock.h"
#include "tools/fake_saas/fake_service.h"

namespace paws {

struct FakeGsuiteOptions {
  // expires_in of the access tokens it issues; a token is refused (401)
  // from then on, by the API's wall clock. Default: 3600 s (Google's).
  Duration token_lifetime = std::chrono::seconds(3600);
  // When not empty, the PEM public key that must verify each assertion's
  // signature (400 invalid_grant "Invalid JWT Signature." otherwise).
  // Default: none (structure and claims are checked, not the signature).
  std::string public_key_pem;
  // Activity requests a tenant may make in one wall-clock minute; past it,
  // 403 with reason "rateLimitExceeded" (Google's per-minute quota).
  // Default: 2400.
  int queries_per_minute = 2400;
  // Activity requests a tenant may make in one day (UTC); past it, 403 with
  // reason "dailyLimitExceeded". Default: unlimited (0).
  int64_t queries_per_day = 0;
};

// The applications it serves: those the Reports API documents.
const std::vector<std::string>& FakeGsuiteApplications();

// The id a collector gives activity k: "<id.time>/<id.uniqueQualifier>"
// (what the served record holds).
std::string FakeGsuiteEventId(const std::string& tenant, const std::string& application, int64_t k,
                              int64_t period_ms);

std::unique_ptr<FakeService> MakeFakeGsuiteService(FakeGsuiteOptions options = {});

}  // namespace paws
