#include "backends/memory/memory_backend.h"

#include <gtest/gtest.h>

#include "testing/backend_conformance.h"

PAWS_INSTANTIATE_CONFORMANCE(Memory, (::paws::conformance::BackendParam{
                                         "memory", [](::paws::FakeClock* clock) {
                                           auto b = ::paws::MakeMemoryBackend({}, clock);
                                           EXPECT_TRUE(b.ok()) << b.status().ToString();
                                           return b.ok() ? std::move(b).value() : nullptr;
                                         }}))

namespace paws {
namespace {

TEST(MemoryBackendTest, RetentionIsConfigurable) {
  FakeClock clock;
  MemoryOptions o;
  o.retention = std::chrono::hours(1);
  auto b = MakeMemoryBackend(o, &clock);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->queue()->retention(), std::chrono::hours(1));
}

TEST(MemoryBackendTest, RejectsBadOptions) {
  FakeClock clock;
  EXPECT_FALSE(MakeMemoryBackend({}, nullptr).ok());
  MemoryOptions o;
  o.retention = Duration(0);
  EXPECT_EQ(MakeMemoryBackend(o, &clock).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace paws
