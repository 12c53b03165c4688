#pragma once

// The Salesforce objects the salesforce source collects and the SOQL it
// sends for them: the queries of the upstream PAWS salesforce collector
// (alertlogic/paws-collector, collectors/salesforce/utils.js,
// getObjectQuery), with the same fields, filters and sort order.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "paws/clock.h"
#include "paws/result.h"

namespace paws {

// How a window of an object is paged across cycles (the upstream nextPage).
enum class SalesforceOrder {
  // ORDER BY Id ASC; nextPage is the last collected Id and the rest of the
  // window is "Id > '<nextPage>'" (LoginHistory, EventLogFile).
  kIdAscending,
  // ORDER BY EventDate DESC; nextPage is a time T and the rest of the window
  // is "EventDate < T" (the Real-Time Event Monitoring objects).
  kDateDescending,
};

struct SalesforceObject {
  std::string_view name;        // "LoginHistory"
  std::string_view date_field;  // "LoginTime": the event's timestamp
  SalesforceOrder order;
};

// The objects upstream supports: LoginHistory, EventLogFile, ApiEvent,
// LoginEvent, LogoutEvent, LoginAsEvent.
const std::vector<SalesforceObject>& SalesforceObjects();
// The object named `name` (case-sensitive, as SOQL object names are
// written), or nullptr.
const SalesforceObject* FindSalesforceObject(std::string_view name);
// "LoginHistory, EventLogFile, ...": for messages.
std::string SalesforceObjectNames();

// The SOQL for the part of [since, until) of `object` after `next_page`
// ("" for the whole window), in the object's order. REQUIRES: next_page is
// "" or valid for the object (IsValidSalesforceId for kIdAscending, a time
// formatted by FormatRfc3339 for kDateDescending).
std::string SalesforceWindowQuery(const SalesforceObject& object, WallTime since, WallTime until,
                                  const std::string& next_page);

// Whether `id` is a Salesforce record Id (15 or 18 letters and digits), so
// that it can be quoted in SOQL as is.
bool IsValidSalesforceId(std::string_view id);

// Parses a Salesforce datetime: "2026-01-01T00:00:00.000+0000" (as the REST
// API writes them) or any RFC 3339 time. kInvalidArgument otherwise.
Result<WallTime> ParseSalesforceTime(const std::string& text);

}  // namespace paws
