#include "sources/common/paging.h"

#include <gtest/gtest.h>

#include "paws/codes.h"

namespace paws {
namespace {

TEST(Paging, BuildAndAppendQuery) {
  EXPECT_EQ(BuildQuery({}), "");
  EXPECT_EQ(BuildQuery({{"since", "2026-01-01T00:00:00Z"}, {"q", "a b&c=d"}, {"e", ""}}),
            "since=2026-01-01T00%3A00%3A00Z&q=a%20b%26c%3Dd&e=");
  EXPECT_EQ(AppendQuery("https://h.test/logs", {{"limit", "100"}}),
            "https://h.test/logs?limit=100");
  EXPECT_EQ(AppendQuery("https://h.test/logs?a=1", {{"b", "2"}}), "https://h.test/logs?a=1&b=2");
  EXPECT_EQ(AppendQuery("https://h.test/logs?", {{"b", "2"}}), "https://h.test/logs?b=2");
  EXPECT_EQ(AppendQuery("https://h.test/logs#frag", {{"b", "2"}}), "https://h.test/logs?b=2");
  EXPECT_EQ(AppendQuery("https://h.test/logs?a=1", {}), "https://h.test/logs?a=1");
}

TEST(Paging, QueryParam) {
  const std::string url = "https://h.test/logs?limit=10&after=abc%3D%3D&q=a+b&empty=&flag#after=x";
  EXPECT_EQ(QueryParam(url, "after"), "abc==");
  EXPECT_EQ(QueryParam(url, "q"), "a b");
  EXPECT_EQ(QueryParam(url, "limit"), "10");
  EXPECT_EQ(QueryParam(url, "empty"), "");
  EXPECT_EQ(QueryParam(url, "flag"), "");
  EXPECT_EQ(QueryParam(url, "missing"), "");
  EXPECT_EQ(QueryParam("https://h.test/logs", "after"), "");
  EXPECT_EQ(QueryParam("https://h.test/?page%5Btoken%5D=7", "page[token]"), "7");
}

TEST(Paging, SameOrigin) {
  EXPECT_TRUE(SameOrigin("https://H.test/a?x", "https://h.test/b"));
  EXPECT_TRUE(SameOrigin("https://h.test:443/a", "https://h.test/b"));
  EXPECT_TRUE(SameOrigin("http://h.test:80/a", "http://h.test"));
  EXPECT_TRUE(SameOrigin("http://[::1]:8080/a", "http://[::1]:8080/b"));
  EXPECT_FALSE(SameOrigin("http://[::1]:8080/a", "http://[::1]:8081/b"));
  EXPECT_FALSE(SameOrigin("http://h.test/a", "https://h.test/a"));  // downgrade
  EXPECT_FALSE(SameOrigin("https://h.test:8443/a", "https://h.test/a"));
  EXPECT_FALSE(SameOrigin("https://h.test.evil.test/a", "https://h.test/a"));
  EXPECT_FALSE(SameOrigin("https://evil.test@h.test/a", "https://h.test/a"));
  EXPECT_FALSE(SameOrigin("/a", "/a"));
}

TEST(Paging, NextLink) {
  const std::string req = "https://acme.test/api/v1/logs?since=x";
  auto next = [&](const std::string& link) {
    return NextLink({{"Link", "<" + link + ">; rel=\"next\""}}, req, "GET /api/v1/logs");
  };
  EXPECT_EQ(*next("https://acme.test/api/v1/logs?after=1"),
            "https://acme.test/api/v1/logs?after=1");
  EXPECT_EQ(*next("/api/v1/logs?after=2"), "https://acme.test/api/v1/logs?after=2");
  EXPECT_EQ(*next("//acme.test/api/v1/logs?after=3"), "https://acme.test/api/v1/logs?after=3");
  EXPECT_EQ(*NextLink({{"Link", "<https://acme.test/self>; rel=\"self\""}}, req, "GET /x"), "");
  EXPECT_EQ(*NextLink({}, req, "GET /x"), "");
  for (const char* bad : {"https://evil.test/api/v1/logs?after=1", "//evil.test/x",
                          "http://acme.test/api/v1/logs", "logs?after=1"}) {
    Result<std::string> r = next(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().paws_code(), codes::kApiMalformed);
    EXPECT_EQ(r.status().message().rfind("GET /api/v1/logs: next link", 0), 0u);
    EXPECT_EQ(r.status().message().find("after="), std::string::npos);
  }
  EXPECT_EQ(next("https://evil.test/p?after=1").status().message(),
            "GET /api/v1/logs: next link points to another origin (https://evil.test)");
}

TEST(Paging, CheckSameOrigin) {
  EXPECT_TRUE(CheckSameOrigin("https://acme.test/n?x=1", "https://acme.test/api", "GET /api").ok());
  Status s = CheckSameOrigin("https://u:pw@evil.test/n?x=1", "https://acme.test/api", "GET /api");
  EXPECT_EQ(s.paws_code(), codes::kApiMalformed);
  EXPECT_EQ(s.message(), "GET /api: next link points to another origin (https://evil.test)");
}

}  // namespace
}  // namespace paws
