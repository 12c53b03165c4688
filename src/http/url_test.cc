#include "http/url.h"

#include <gtest/gtest.h>

namespace paws {
namespace {

TEST(Url, EncodeDecodeRoundTrip) {
  EXPECT_EQ(UrlEncode("2026-01-01T00:00:00.000Z"), "2026-01-01T00%3A00%3A00.000Z");
  EXPECT_EQ(UrlEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(UrlDecode(UrlEncode("a b&c=d/é")), "a b&c=d/é");
  EXPECT_EQ(UrlDecode("a+b%2"), "a b%2");
}

TEST(Url, OriginAndPath) {
  EXPECT_EQ(UrlOrigin("HTTP://Host:80/t/x?y=1"), "http://host:80");
  EXPECT_EQ(UrlOrigin("http://host"), "http://host");
  EXPECT_EQ(UrlOrigin("/relative"), "");
  EXPECT_EQ(UrlPath("http://host:80/t/x/api/v1/logs?since=1#f"), "/t/x/api/v1/logs");
  EXPECT_EQ(UrlPath("http://host"), "/");
  EXPECT_EQ(UrlPath("http://host?x=1"), "/");
}

TEST(Url, ForMessage) {
  EXPECT_EQ(UrlForMessage("https://user:pw@Host:8443/a/b?key=s3cret#f"), "https://host:8443/a/b");
  EXPECT_EQ(UrlForMessage("http://host?token=x"), "http://host/");
  EXPECT_EQ(UrlForMessage("/relative?x=1"), "");
}

TEST(Url, FindLinkRel) {
  HttpHeaders h = {{"Content-Type", "x"},
                   {"link", "<http://a/self>; rel=\"self\""},
                   {"Link", "<http://a/p?after=1&x=2>; rel=\"next\""}};
  EXPECT_EQ(FindLinkRel(h, "next"), "http://a/p?after=1&x=2");
  EXPECT_EQ(FindLinkRel(h, "self"), "http://a/self");
  EXPECT_EQ(FindLinkRel(h, "prev"), "");
  HttpHeaders combined = {{"Link", "<http://a/1>; rel=\"self\", <http://a/2>; rel=next"}};
  EXPECT_EQ(FindLinkRel(combined, "next"), "http://a/2");
  HttpHeaders multi = {{"Link", "<http://a/3>; type=\"x\"; rel=\"prefetch next\""}};
  EXPECT_EQ(FindLinkRel(multi, "next"), "http://a/3");
}

}  // namespace
}  // namespace paws
