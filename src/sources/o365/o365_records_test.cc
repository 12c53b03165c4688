#include "sources/o365/o365_records.h"

#include <gtest/gtest.h>

#include "paws/codes.h"

namespace paws {
namespace {

TEST(O365Records, ErrorSummariesQuoteTheApisCodeAndMessage) {
  EXPECT_EQ(O365ErrorSummary(R"({"error":{"code":"AF20022","message":"No subscription"}})"),
            "AF20022: No subscription");
  EXPECT_EQ(O365ErrorSummary(R"({"Message":"Authorization has been denied for this request."})"),
            "Authorization has been denied for this request.");
  EXPECT_EQ(
      O365ErrorSummary(R"({"error":"invalid_client","error_description":"AADSTS7000215: x"})"),
      "invalid_client: AADSTS7000215: x");
  EXPECT_EQ(O365ErrorSummary("<html>"), "");
  EXPECT_EQ(O365ErrorCode(R"({"error":{"code":"AF429","message":"Too many requests."}})"), "AF429");
  EXPECT_EQ(O365ErrorCode(R"({"error":"invalid_client"})"), "");
  EXPECT_EQ(O365ErrorCode("[1"), "");
}

TEST(O365Records, CreationTimeWithOrWithoutAnOffsetIsUtc) {
  EXPECT_EQ(ParseO365Time("2026-01-01T00:00:05"), *ParseRfc3339("2026-01-01T00:00:05Z"));
  EXPECT_EQ(ParseO365Time("2026-01-01T00:00:05.250"), *ParseRfc3339("2026-01-01T00:00:05.250Z"));
  EXPECT_EQ(ParseO365Time("2026-01-01T01:00:05+01:00"), *ParseRfc3339("2026-01-01T00:00:05Z"));
  EXPECT_FALSE(ParseO365Time("2026-01-01"));
  EXPECT_FALSE(ParseO365Time("soon"));
}

TEST(O365Records, RecordsBecomeEventsWithTheirRawJson) {
  std::vector<Event> events;
  ASSERT_TRUE(
      ParseO365Records(
          R"([{"CreationTime":"2026-01-01T00:00:01","Id":"a","RecordType":15,"Operation":"UserLoggedIn"},)"
          R"({"Id":"b","CreationTime":"2026-01-01T00:00:02Z","Operation":"Send"}])",
          "o365: GET /x", &events)
          .ok());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, "a");
  EXPECT_EQ(events[0].type_id, "15");
  EXPECT_EQ(events[0].timestamp, *ParseRfc3339("2026-01-01T00:00:01Z"));
  EXPECT_EQ(
      events[0].raw_json,
      R"({"CreationTime":"2026-01-01T00:00:01","Id":"a","RecordType":15,"Operation":"UserLoggedIn"})");
  EXPECT_EQ(events[1].type_id, "Send");  // no RecordType
}

TEST(O365Records, MalformedDocumentsSayWhatIsWrong) {
  for (auto [body, what] : std::vector<std::pair<const char*, const char*>>{
           {"[{", "not JSON"},
           {"{}", "not a JSON array of audit records"},
           {"[1]", "audit record 0 is not an object"},
           {R"([{"CreationTime":"2026-01-01T00:00:00"}])", "has no Id"},
           {R"([{"Id":"a"}])", "has no CreationTime"},
           {R"([{"Id":"a","CreationTime":"later"}])", "invalid CreationTime"}}) {
    std::vector<Event> events;
    Status s = ParseO365Records(body, "o365: GET /blob", &events);
    EXPECT_EQ(s.paws_code(), codes::kApiMalformed) << body;
    EXPECT_NE(s.message().find(what), std::string::npos) << s.message();
  }
  std::vector<std::string> uris;
  EXPECT_TRUE(ParseO365Listing(R"([{"contentUri":"https://h/a"}])", "w", &uris).ok());
  EXPECT_EQ(uris, std::vector<std::string>{"https://h/a"});
  for (const char* body : {"", "{}", "[1]", R"([{"contentId":"x"}])"}) {
    EXPECT_EQ(ParseO365Listing(body, "w", &uris).paws_code(), codes::kApiMalformed) << body;
  }
}

}  // namespace
}  // namespace paws
