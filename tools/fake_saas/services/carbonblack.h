#pragma once

// The fake of the Carbon Black Cloud search APIs that the carbonblack source
// reads (docs/fake-saas.md, "Carbon Black"), under /t/<tenant>/:
//
//   POST /audit_log/v1/orgs/<org_key>/logs/_search               AuditLogEvents
//   POST /appservices/v6/orgs/<org_key>/alerts/_search           SearchAlerts
//   POST /appservices/v6/orgs/<org_key>/alerts/cbanalytics/_search
//   POST /appservices/v6/orgs/<org_key>/alerts/vmware/_search
//   POST /appservices/v6/orgs/<org_key>/alerts/watchlist/_search
//   X-Auth-Token: <API secret key>/<API ID>
//   {"criteria": {"create_time": {"start": T, "end": T}}, "rows": N,
//    "start": S, "sort": [{"field": "create_time", "order": "ASC"}]}
//
// Each API is a stream named as the upstream collector names it
// (kFakeCarbonBlackStreams). Record k of (tenant, stream) is created at
// k * period, like every fake service's (fake_events.h). The served record
// (FakeApi::ServedIds(tenant, stream)) holds FakeCarbonBlackEventId()s.
// Any org key of upper-case letters and digits is accepted (another is 401
// "Illegal org key", as Carbon Black answers).

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "paws/clock.h"
#include "tools/fake_saas/fake_service.h"

namespace paws {

inline constexpr std::array<const char*, 5> kFakeCarbonBlackStreams = {
    "AuditLogEvents", "SearchAlerts", "SearchAlertsCBAnalytics", "SearchAlertsVmware",
    "SearchAlertsWatchlist"};

struct FakeCarbonBlackOptions {
  // Search requests a tenant may make in one rate-limit window (Carbon
  // Black's documented example: 1000 in 5 minutes). Past the limit the API
  // answers 429 with Retry-After: the seconds to the window's end.
  // Default: 1000 per 5 min.
  int rate_limit_requests = 1000;
  Duration rate_limit_window = std::chrono::minutes(5);
};

// The id the carbonblack source gives record k of (tenant, stream): an
// alert's `id` (FakeEventId), or for an audit log record, which has no id,
// "audit-" and the FNV-1a 64 hash (16 hex digits) of the record as served.
// Records carry the org key of the request's path.
std::string FakeCarbonBlackEventId(const std::string& tenant, const std::string& org_key,
                                   const std::string& stream, int64_t k, int64_t period_ms);

// Record k of (tenant, stream) as served (compact JSON).
std::string FakeCarbonBlackRecordJson(const std::string& tenant, const std::string& org_key,
                                      const std::string& stream, int64_t k, int64_t period_ms);

std::unique_ptr<FakeService> MakeFakeCarbonBlackService(FakeCarbonBlackOptions options = {});

}  // namespace paws
