#include "sources/common/json_records.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace paws {
namespace {

using json = nlohmann::json;

TEST(SplitJsonArray, RecordsAreTheBytesTheyCameAsWithTheirMembers) {
  // Numbers and literals just before a closing brace (the lexer reads one
  // byte past them), whitespace and line breaks between tokens, a nested
  // member with a name asked for, escapes in strings.
  const std::string body =
      "[ {\"id\":\"a\",\"n\":1},\n  {\"n\": 2.5e3, \"id\" : \"b\\\"\\u00e9\", \"t\":true}\r\n,"
      "{\"x\":{\"id\":\"deep\"},\"ts\":null,\"arr\":[{\"id\":\"in\"}]} ,{\"id\":7}]";
  auto r = SplitJsonArray(body, {"id", "ts"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].raw, "{\"id\":\"a\",\"n\":1}");
  EXPECT_EQ((*r)[1].raw, "{\"n\": 2.5e3, \"id\" : \"b\\\"\\u00e9\", \"t\":true}");
  EXPECT_EQ((*r)[2].raw, "{\"x\":{\"id\":\"deep\"},\"ts\":null,\"arr\":[{\"id\":\"in\"}]}");
  EXPECT_EQ((*r)[3].raw, "{\"id\":7}");
  EXPECT_EQ((*r)[0].members[0], "a");
  EXPECT_EQ((*r)[1].members[0], "b\"\u00e9");
  EXPECT_EQ((*r)[2].members[0], std::nullopt) << "only top-level members count";
  EXPECT_EQ((*r)[2].members[1], std::nullopt) << "null is not a string";
  EXPECT_EQ((*r)[3].members[0], std::nullopt) << "a number is not a string";
  for (const RawRecord& rec : *r) {
    EXPECT_TRUE(rec.is_object);
    EXPECT_TRUE(json::accept(rec.raw)) << rec.raw;
  }
}

TEST(SplitJsonArray, EveryElementOfARealPageRoundTrips) {
  json page = json::array();
  for (int i = 0; i < 50; ++i) {
    page.push_back({{"uuid", "u" + std::to_string(i)},
                    {"nested", {{"uuid", "no"}, {"list", {1, 2, {{"k", i}}}}}},
                    {"n", i}});
  }
  for (int indent : {-1, 2}) {
    const std::string body = page.dump(indent);
    auto r = SplitJsonArray(body, {"uuid"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->size(), 50u);
    for (int i = 0; i < 50; ++i) {
      EXPECT_EQ(json::parse((*r)[i].raw), page[i]);
      EXPECT_EQ((*r)[i].members[0], "u" + std::to_string(i));
    }
  }
}

TEST(SplitJsonArray, ScalarsAndEmptyArrays) {
  auto empty = SplitJsonArray(" [ ] ", {"id"});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto scalars = SplitJsonArray("[1,\"s\",null,[{\"id\":\"x\"}]]", {"id"});
  ASSERT_TRUE(scalars.ok());
  ASSERT_EQ(scalars->size(), 4u);
  for (const RawRecord& rec : *scalars) EXPECT_FALSE(rec.is_object);
  EXPECT_EQ((*scalars)[3].raw, "[{\"id\":\"x\"}]");
  EXPECT_EQ((*scalars)[3].members[0], std::nullopt);
}

TEST(SplitJsonArray, BadBodiesAreErrorsThatNeverQuoteTheBody) {
  for (const std::string& body :
       {std::string(""), std::string("[{\"id\":\"secret-123\""), std::string("[1,]"),
        std::string("[] []"), std::string("[\"\xff\"]"), std::string("{\"id\":\"secret-123\"}"),
        std::string("\"secret-123\"")}) {
    auto r = SplitJsonArray(body, {"id"});
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().find("secret-123"), std::string::npos);
  }
  EXPECT_EQ(SplitJsonArray("{\"a\":1}", {}).status().message(), "not a JSON array");
  EXPECT_NE(SplitJsonArray("[1,]", {}).status().message().find("not JSON (at byte"),
            std::string::npos);
}

}  // namespace
}  // namespace paws
