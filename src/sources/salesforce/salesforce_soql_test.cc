#include "sources/salesforce/salesforce_soql.h"

#include <gtest/gtest.h>

#include <set>

#include "paws/collector_types.h"

namespace paws {
namespace {

WallTime T(const std::string& text) { return *ParseRfc3339(text); }

TEST(SalesforceSoql, ObjectsAreUpstreams) {
  EXPECT_EQ(SalesforceObjectNames(),
            "LoginHistory, EventLogFile, ApiEvent, LoginEvent, LogoutEvent, LoginAsEvent");
  ASSERT_NE(FindSalesforceObject("EventLogFile"), nullptr);
  EXPECT_EQ(FindSalesforceObject("EventLogFile")->date_field, "LogDate");
  EXPECT_EQ(FindSalesforceObject("LoginEvent")->order, SalesforceOrder::kDateDescending);
  EXPECT_EQ(FindSalesforceObject("loginhistory"), nullptr);
  EXPECT_EQ(FindSalesforceObject("Account"), nullptr);
}

// The registry's objects (what a configuration may list) and the query
// table (what the source can collect) are the same set.
TEST(SalesforceSoql, EveryRegistryStreamHasAQueryAndEveryQueryAStream) {
  const CollectorType* type = FindCollectorType("salesforce");
  ASSERT_NE(type, nullptr);
  ASSERT_FALSE(type->streams.empty());
  std::set<std::string> registry(type->streams.begin(), type->streams.end());
  std::set<std::string> queries;
  for (const SalesforceObject& o : SalesforceObjects()) queries.insert(std::string(o.name));
  EXPECT_EQ(registry, queries);
  for (const std::string& stream : type->streams) {
    EXPECT_NE(FindSalesforceObject(stream), nullptr) << stream << " has no query";
  }
  for (const SalesforceObject& o : SalesforceObjects()) {
    EXPECT_TRUE(type->KnowsStream(o.name)) << o.name << " is not a registry stream";
  }
}

TEST(SalesforceSoql, WindowQueries) {
  const SalesforceObject& lh = *FindSalesforceObject("LoginHistory");
  const WallTime since = T("2026-01-01T00:00:00Z"), until = T("2026-01-01T00:01:00Z");
  std::string q = SalesforceWindowQuery(lh, since, until, "");
  EXPECT_EQ(q.rfind("SELECT Id, UserId, TlsProtocol, ", 0), 0u) << q;
  const std::string tail =
      "FROM LoginHistory WHERE UserId in (SELECT Id FROM User) AND LoginTime >= "
      "2026-01-01T00:00:00.000Z AND LoginTime < 2026-01-01T00:01:00.000Z ORDER BY Id ASC";
  EXPECT_NE(q.find(tail), std::string::npos) << q;
  q = SalesforceWindowQuery(lh, since, until, "0Ya000000000001AAA");
  EXPECT_NE(q.find("< 2026-01-01T00:01:00.000Z AND Id > '0Ya000000000001AAA' ORDER BY Id ASC"),
            std::string::npos)
      << q;
  const SalesforceObject& elf = *FindSalesforceObject("EventLogFile");
  EXPECT_NE(SalesforceWindowQuery(elf, since, until, "")
                .find("( EventType = 'Login' OR EventType = 'API' OR EventType = 'Logout' ) AND "
                      "LogDate >= 2026-01-01T00:00:00.000Z"),
            std::string::npos);
  const SalesforceObject& api = *FindSalesforceObject("ApiEvent");
  EXPECT_EQ(SalesforceWindowQuery(api, since, until, "2026-01-01T00:00:30.001Z"),
            "SELECT Id, Application, EventDate, Platform, SessionLevel, SourceIp, UserId, Username "
            "FROM ApiEvent WHERE EventDate >= 2026-01-01T00:00:00.000Z AND EventDate < "
            "2026-01-01T00:00:30.001Z ORDER BY EventDate DESC");
}

TEST(SalesforceSoql, IdsAndTimes) {
  EXPECT_TRUE(IsValidSalesforceId("0Ya5e00000ABCDE"));
  EXPECT_TRUE(IsValidSalesforceId("0Ya5e00000ABCDEFGH"));
  EXPECT_FALSE(IsValidSalesforceId("0Ya5e00000ABCD"));
  EXPECT_FALSE(IsValidSalesforceId("0Ya5e00000AB' OR"));
  EXPECT_EQ(*ParseSalesforceTime("2026-01-01T00:00:00.000+0000"), T("2026-01-01T00:00:00Z"));
  EXPECT_EQ(*ParseSalesforceTime("2026-01-01T00:00:00.000-0130"), T("2026-01-01T01:30:00Z"));
  EXPECT_EQ(*ParseSalesforceTime("2026-01-01T00:00:00.250Z"), T("2026-01-01T00:00:00.250Z"));
  EXPECT_FALSE(ParseSalesforceTime("yesterday").ok());
  EXPECT_FALSE(ParseSalesforceTime("").ok());
}

}  // namespace
}  // namespace paws
