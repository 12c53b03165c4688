#pragma once

// The fake of the Office 365 Management Activity API and of the Microsoft
// identity platform's token endpoint (docs/fake-saas.md, "Office 365"),
// under /t/<tenant>/ (<tid> is the Azure AD tenant id, a GUID):
//
//   POST /<tid>/oauth2/token        client credentials, resource
//                                   https://manage.office.com (Azure AD v1)
//   POST /api/v1.0/<tid>/activity/feed/subscriptions/start?contentType=C
//   GET  /api/v1.0/<tid>/activity/feed/subscriptions/list
//   GET  /api/v1.0/<tid>/activity/feed/subscriptions/content
//            ?contentType=C&startTime=T1&endTime=T2[&nextPage=P]
//   GET  /api/v1.0/<tid>/activity/feed/audit/<contentId>
//
// Audit record k of (tenant, content type) is event k of fake_events.h: its
// Id is FakeEventId(tenant, content type, k), its CreationTime k * period.
// Records are grouped into content blobs of `blob_duration`: blob b holds
// the records of [b * d, (b + 1) * d) and is created (contentCreated, what
// startTime and endTime select on) at (b + 1) * d, once that is not in the
// future. The served record (FakeApi::ServedIds(tenant, content type))
// holds the Ids of the blobs fetched with 200.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "paws/clock.h"
#include "tools/fake_saas/fake_service.h"

namespace paws {

// The content types the API serves (and the fake's streams).
inline constexpr const char* kFakeO365ContentTypes[] = {
    "Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint", "Audit.General", "DLP.All"};

struct FakeO365Options {
  // expires_in of the access tokens it issues; a token is refused (401)
  // from then on, by the API's wall clock. Default: 3600 s.
  Duration token_lifetime = std::chrono::seconds(3600);
  // The time each content blob covers. Default: 60 s.
  Duration blob_duration = std::chrono::seconds(60);
  // Content blobs per listing page; more are announced by a NextPageUri
  // header. Default: 100.
  int page_size = 100;
  // API requests (listing, blobs, subscriptions) a tenant may make in one
  // wall-clock minute; those past it are answered 429 with the AF429 error
  // and no Retry-After header. Default: 2000.
  int rate_limit_per_minute = 2000;
  // Whether every content type counts as subscribed from the start.
  // Default: false (listing before subscriptions/start is AF20022).
  bool subscribed = false;
};

// The contentId of blob b of a content type: b in 20 digits, "$", the
// content type with '.' replaced by '_' (the real ids also end so).
// REQUIRES: b >= 0.
std::string FakeO365ContentId(const std::string& content_type, int64_t b);

std::unique_ptr<FakeService> MakeFakeO365Service(FakeO365Options options = {});

}  // namespace paws
