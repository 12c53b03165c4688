#include "backends/open_backend.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "paws/codes.h"

namespace paws {
namespace {

TEST(OpenBackendTest, MemoryBackend) {
  FakeClock clock;
  StoreOptions o;
  o.backend = "memory";
  auto b = OpenBackend(o, &clock);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ((*b)->queue()->retention(), o.retention);
}

TEST(OpenBackendTest, SqliteBackendCreatesItsDirectory) {
  FakeClock clock;
  auto dir = std::filesystem::temp_directory_path() /
             ("paws-open-backend-" + std::to_string(::getpid()));
  StoreOptions o;
  o.backend = "sqlite";
  o.path = (dir / "sub" / "paws.db").string();
  {
    auto b = OpenBackend(o, &clock);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    EXPECT_TRUE((*b)->queue()->Send("x", Duration(0)).ok());
  }
  EXPECT_TRUE(std::filesystem::exists(o.path));
  std::filesystem::remove_all(dir);
}

TEST(OpenBackendTest, UnknownBackendNamesKeyAndValue) {
  FakeClock clock;
  StoreOptions o;
  o.backend = "dynamo";
  auto b = OpenBackend(o, &clock);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.status().paws_code(), codes::kConfigInvalid);
  EXPECT_NE(b.status().message().find("store.backend"), std::string::npos);
  EXPECT_NE(b.status().message().find("dynamo"), std::string::npos);
}

}  // namespace
}  // namespace paws
