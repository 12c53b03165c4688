#include "sources/salesforce/salesforce_soql.h"

#include <algorithm>

namespace paws {
namespace {

struct ObjectQuery {
  SalesforceObject object;
  // "SELECT ... FROM X WHERE <filter> AND": the window's bounds follow.
  const char* head;
};

// The field lists and filters are upstream's (utils.js, getObjectQuery).
const std::vector<ObjectQuery>& Queries() {
  static const std::vector<ObjectQuery> queries = {
      {{"LoginHistory", "LoginTime", SalesforceOrder::kIdAscending},
       "SELECT Id, UserId, TlsProtocol, Status, SourceIp, Platform, LoginUrl, LoginType, LoginTime, "
       "LoginGeoId, CountryIso, CipherSuite, ClientVersion, Browser, AuthenticationServiceId, "
       "Application, APIVersion, ApiType, LoginGeo.City, LoginGeo.Country, LoginGeo.CountryIso, "
       "LoginGeo.Latitude, LoginGeo.LoginTime, LoginGeo.Longitude, LoginGeo.PostalCode, "
       "LoginGeo.Subdivision FROM LoginHistory WHERE UserId in (SELECT Id FROM User) AND"},
      {{"EventLogFile", "LogDate", SalesforceOrder::kIdAscending},
       "SELECT Id, EventType, Interval, LogFile, LogFileContentType, LogFileFieldNames, "
       "LogFileFieldTypes, LogFileLength, Sequence, LogDate FROM EventLogFile WHERE ( EventType = "
       "'Login' OR EventType = 'API' OR EventType = 'Logout' ) AND"},
      {{"ApiEvent", "EventDate", SalesforceOrder::kDateDescending},
       "SELECT Id, Application, EventDate, Platform, SessionLevel, SourceIp, UserId, Username FROM "
       "ApiEvent WHERE"},
      {{"LoginEvent", "EventDate", SalesforceOrder::kDateDescending},
       "SELECT Id, Application, Browser, City, Country, EventDate, LoginLatitude, LoginLongitude, "
       "LoginType, Platform, SessionLevel, SourceIp, Status, UserId, Username, UserType FROM "
       "LoginEvent WHERE"},
      {{"LogoutEvent", "EventDate", SalesforceOrder::kDateDescending},
       "SELECT Id, EventDate, SessionLevel, SourceIp, UserId, Username FROM LogoutEvent WHERE"},
      {{"LoginAsEvent", "EventDate", SalesforceOrder::kDateDescending},
       "SELECT Id, Application, Browser, EventDate, LoginType, Platform, SessionLevel, SourceIp, "
       "UserId, Username, UserType FROM LoginAsEvent WHERE"},
  };
  return queries;
}

const ObjectQuery* FindQuery(std::string_view name) {
  for (const ObjectQuery& q : Queries()) {
    if (q.object.name == name) return &q;
  }
  return nullptr;
}

}  // namespace

const std::vector<SalesforceObject>& SalesforceObjects() {
  static const std::vector<SalesforceObject> objects = [] {
    std::vector<SalesforceObject> v;
    for (const ObjectQuery& q : Queries()) v.push_back(q.object);
    return v;
  }();
  return objects;
}

const SalesforceObject* FindSalesforceObject(std::string_view name) {
  const ObjectQuery* q = FindQuery(name);
  return q == nullptr ? nullptr : &q->object;
}

std::string SalesforceObjectNames() {
  std::string names;
  for (const SalesforceObject& o : SalesforceObjects()) {
    names += (names.empty() ? "" : ", ") + std::string(o.name);
  }
  return names;
}

std::string SalesforceWindowQuery(const SalesforceObject& object, WallTime since, WallTime until,
                                  const std::string& next_page) {
  const ObjectQuery* q = FindQuery(object.name);
  const std::string field(object.date_field);
  // SOQL datetime literals are unquoted; milliseconds are accepted.
  std::string soql = std::string(q->head) + " " + field + " >= " + FormatRfc3339(since);
  if (object.order == SalesforceOrder::kIdAscending) {
    soql += " AND " + field + " < " + FormatRfc3339(until);
    if (!next_page.empty()) soql += " AND Id > '" + next_page + "'";
    return soql + " ORDER BY Id ASC";
  }
  soql += " AND " + field + " < " + (next_page.empty() ? FormatRfc3339(until) : next_page);
  return soql + " ORDER BY " + field + " DESC";
}

bool IsValidSalesforceId(std::string_view id) {
  return (id.size() == 15 || id.size() == 18) && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
         });
}

Result<WallTime> ParseSalesforceTime(const std::string& text) {
  // "+0000" -> "+00:00", which RFC 3339 requires.
  const size_t n = text.size();
  if (n > 5 && (text[n - 5] == '+' || text[n - 5] == '-') &&
      std::all_of(text.end() - 4, text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return ParseRfc3339(text.substr(0, n - 2) + ":" + text.substr(n - 2));
  }
  return ParseRfc3339(text);
}

}  // namespace paws
