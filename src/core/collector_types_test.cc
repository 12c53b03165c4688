#include "paws/collector_types.h"

#include <gtest/gtest.h>

#include "paws/codes.h"

namespace paws {
namespace {

// The DESIGN.md table, row by row.
struct Row {
  const char* type;
  const char* list_var;
  const char* state_field;
};

TEST(CollectorTypes, KnowEveryRowOfTheDesignTable) {
  const Row rows[] = {{"salesforce", "paws_collector_param_string_2", "object"},
                      {"carbonblack", "paws_collector_param_string_1", "apiName"},
                      {"gsuite", "paws_collector_param_string_2", "application"},
                      {"o365", "paws_collector_param_string_2", "stream"},
                      {"sophossiem", "paws_collector_param_string_1", "objectName"},
                      {"ciscoamp", "paws_collector_param_string_1", "resource"},
                      {"googlestackdriver", "paws_collector_param_string_1", "resource"},
                      {"okta", "", ""},
                      {"auth0", "", ""}};
  for (const Row& r : rows) {
    const CollectorType* t = FindCollectorType(r.type);
    ASSERT_NE(t, nullptr) << r.type;
    EXPECT_EQ(t->legacy_list_var, r.list_var) << r.type;
    EXPECT_EQ(t->legacy_state_field, r.state_field) << r.type;
    EXPECT_EQ(t->has_streams, r.list_var[0] != '\0') << r.type;
    EXPECT_TRUE(t->upstream) << r.type;
  }
  EXPECT_EQ(FindCollectorType("nosuch"), nullptr);
}

TEST(CollectorTypes, StreamOfStatePrefersStreamThenTheLegacyFieldOfTheType) {
  const CollectorType& sf = *FindCollectorType("salesforce");
  EXPECT_EQ(StreamOfState(sf, R"({"object":"LoginHistory","since":"x"})"), "LoginHistory");
  EXPECT_EQ(StreamOfState(sf, R"({"stream":"ApiEvent","object":"LoginHistory"})"), "ApiEvent");
  // Another type's legacy field is not this type's.
  EXPECT_EQ(StreamOfState(sf, R"({"apiName":"SearchAlerts"})"), "");
  EXPECT_EQ(StreamOfState(*FindCollectorType("carbonblack"), R"({"apiName":"SearchAlerts"})"),
            "SearchAlerts");
  EXPECT_EQ(StreamOfState(*FindCollectorType("sophossiem"), R"({"objectName":"Events"})"),
            "Events");
  EXPECT_EQ(StreamOfState(*FindCollectorType("ciscoamp"), R"({"resource":"AuditLogs"})"),
            "AuditLogs");
  // A type without streams: its name.
  EXPECT_EQ(StreamOfState(*FindCollectorType("okta"), R"({"since":"a","until":"b"})"), "okta");
  EXPECT_EQ(StreamOfState(sf, "not json"), "");
  EXPECT_EQ(StreamOfState(sf, "[1]"), "");
}

TEST(CollectorTypes, ParseStreamListAcceptsAJsonArrayOfKnownStreams) {
  auto got = ParseStreamList(*FindCollectorType("carbonblack"), "collector_streams",
                             R"(["SearchAlerts", "AuditLogEvents"])");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, (std::vector<std::string>{"SearchAlerts", "AuditLogEvents"}));
  // An open list takes any name.
  got = ParseStreamList(*FindCollectorType("googlestackdriver"), "x", R"(["projects/p/logs/a"])");
  ASSERT_TRUE(got.ok());
}

TEST(CollectorTypes, ParseStreamListNamesTheVariableAndTheValue) {
  const CollectorType& gs = *FindCollectorType("gsuite");
  struct Case {
    const char* value;
    const char* says;
  } cases[] = {{"login,admin", "not JSON"},
               {R"({"a":1})", "expected a JSON array, got a JSON object"},
               {"[]", "empty"},
               {R"(["login", 3])", "element 2 is a number"},
               {R"(["login", ""])", "element 2 is an empty stream name"},
               {R"(["login", "logins"])", "gsuite has no stream \"logins\""},
               {R"(["login", "login"])", "twice"}};
  for (const Case& c : cases) {
    auto got = ParseStreamList(gs, "paws_collector_param_string_2", c.value);
    ASSERT_FALSE(got.ok()) << c.value;
    EXPECT_EQ(got.status().paws_code(), codes::kConfigInvalid);
    const std::string& m = got.status().message();
    EXPECT_NE(m.find("paws_collector_param_string_2"), std::string::npos) << m;
    EXPECT_NE(m.find(c.says), std::string::npos) << m;
  }
  // The value is shown escaped and cut.
  auto got = ParseStreamList(gs, "v", std::string(500, 'x') + "\x01");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message().find('\x01'), std::string::npos);
  EXPECT_NE(got.status().message().find("(501 bytes)"), std::string::npos);
}

}  // namespace
}  // namespace paws
