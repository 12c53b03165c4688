#pragma once

// The fake of Salesforce's OAuth 2.0 JWT bearer token endpoint and of the
// REST API's SOQL query resource (docs/fake-saas.md, "Salesforce"), under
// /t/<tenant>/:
//
//   POST /services/oauth2/token          grant_type=urn:ietf:params:oauth:
//                                        grant-type:jwt-bearer&assertion=JWT
//   GET  /services/data/vNN.N/query?q=SOQL
//   GET  /services/data/vNN.N/query/<locator>-<offset>   (nextRecordsUrl)
//
// The token endpoint checks the assertion's structure, its RS256 header, its
// claims (iss, sub, aud, exp not passed) and, when a public key is given, its
// signature; iss must be the tenant's required token when one is configured
// (FakeApi::ConfigureTenant). It issues tokens that the API refuses
// (401 INVALID_SESSION_ID) once `session_lifetime` has passed on the API's
// wall clock, and returns instance_url = the tenant's base URL.
//
// The query resource understands the SOQL the salesforce source sends:
// "FROM <object>", the object's date field with ">=" and "<" bounds (the
// smallest "<" wins), "Id > '<id>'", "ORDER BY <field> ASC|DESC" and
// "LIMIT n". Objects: LoginHistory (LoginTime), EventLogFile (LogDate),
// ApiEvent, LoginEvent, LogoutEvent, LoginAsEvent (EventDate). Record k of
// (tenant, object) is dated k * period (fake_events.h) and has the Id
// FakeSalesforceId(object, k), which sorts as k does. Batches follow the
// Sforce-Query-Options header's batchSize (200..2000, default 2000); a query
// locator expires after 15 min without use (400 INVALID_QUERY_LOCATOR).
// Served Ids are recorded under (tenant, object).
//
// Errors use Salesforce's body shape [{"message": M, "errorCode": C}]. Past
// `daily_request_limit` API requests in a UTC day: 403 REQUEST_LIMIT_EXCEEDED.
// Faults (FakeApi::SetFault, stream = object): 401 -> INVALID_SESSION_ID;
// 429 -> 429 with Retry-After; 500 -> 500 UNKNOWN_EXCEPTION; malformed -> a
// cut JSON body.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "paws/clock.h"
#include "tools/fake_saas/fake_service.h"

namespace paws {

struct FakeSalesforceOptions {
  // The RSA public key (PEM, "BEGIN PUBLIC KEY") that verifies assertions;
  // empty: signatures are not checked, only structure and claims.
  std::string public_key_pem;
  // The aud an assertion must carry. Default: https://login.salesforce.com.
  std::string audience = "https://login.salesforce.com";
  // How long an access token works (Salesforce's session timeout; the token
  // response has no expires_in). Default: 2 h.
  Duration session_lifetime = std::chrono::hours(2);
  // API requests (queries) a tenant may make per UTC day. Default: 100000.
  int64_t daily_request_limit = 100000;
};

// The 18-character Id of record k of `object`: a 3-character key prefix of
// the object, k in 13 digits, "AA". REQUIRES: 0 <= k < 10^13.
std::string FakeSalesforceId(const std::string& object, int64_t k);
// k of a FakeSalesforceId of any object, or nullopt.
std::optional<int64_t> ParseFakeSalesforceId(const std::string& id);

std::unique_ptr<FakeService> MakeFakeSalesforceService(FakeSalesforceOptions options = {});

}  // namespace paws
