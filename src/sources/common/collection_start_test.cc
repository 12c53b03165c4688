#include "sources/common/collection_start.h"

#include <gtest/gtest.h>

#include "paws/codes.h"

namespace paws {
namespace {

TEST(CollectionStart, IsTheConfiguredStartElseOnePollIntervalAgo) {
  CollectorSpec spec;
  spec.id = "c-1";
  spec.poll_interval = std::chrono::seconds(60);
  const WallTime now = *ParseRfc3339("2026-01-01T00:00:00Z");
  EXPECT_EQ(*CollectionStart(spec, now), *ParseRfc3339("2025-12-31T23:59:00Z"));
  spec.collection_start = "2025-06-01T12:00:00Z";
  EXPECT_EQ(*CollectionStart(spec, now), *ParseRfc3339("2025-06-01T12:00:00Z"));
  spec.collection_start = "last tuesday";
  Result<WallTime> bad = CollectionStart(spec, now);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().paws_code(), codes::kConfigInvalid);
  EXPECT_NE(bad.status().message().find("collector c-1: collection_start"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace paws
