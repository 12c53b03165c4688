#include "paws/registry.h"

#include <gtest/gtest.h>

#include "paws/codes.h"

namespace paws {
namespace {

Result<std::unique_ptr<Source>> Make(const std::string& type) {
  SourceRegistry registry;
  EXPECT_TRUE(registry.Register("okta", [](const CollectorSpec&, const SourceDeps&) {
                        return Result<std::unique_ptr<Source>>(Status::Internal("not made here"));
                      }).ok());
  CollectorSpec spec;
  spec.id = "c1";
  spec.type = type;
  return registry.Make(spec, SourceDeps{});
}

// `paws run` refuses a type the collector-type registry knows from upstream
// but no source implements, and says so rather than "unknown".
TEST(SourceRegistryTest, AKnownUpstreamTypeWithoutSourceIsNamedAsSuch) {
  for (const char* type : {"sophossiem", "ciscoamp", "googlestackdriver"}) {
    SCOPED_TRACE(type);
    auto made = Make(type);
    ASSERT_FALSE(made.ok());
    EXPECT_EQ(made.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(made.status().paws_code(), codes::kUnknownType);
    EXPECT_NE(made.status().message().find("collector c1: type \"" + std::string(type) +
                                           "\" is an upstream PAWS type that no source of paws "
                                           "implements"),
              std::string::npos)
        << made.status().message();
    EXPECT_NE(made.status().message().find("types with a source: okta"), std::string::npos);
  }
}

TEST(SourceRegistryTest, AnUnknownTypeIsUnknown) {
  auto made = Make("splunk");
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().paws_code(), codes::kUnknownType);
  EXPECT_NE(made.status().message().find("collector c1: unknown type \"splunk\" (known: okta)"),
            std::string::npos)
      << made.status().message();
}

}  // namespace
}  // namespace paws
