#include "core/adoption.h"

#include <gtest/gtest.h>

#include "paws/codes.h"

namespace paws {
namespace {

CollectorSpec Spec(const std::string& id, const std::string& type,
                   std::vector<std::string> streams, bool takeover) {
  CollectorSpec s;
  s.id = id;
  s.type = type;
  s.streams = std::move(streams);
  s.takeover = takeover;
  return s;
}

TEST(OwnerOfUpstreamState, TheOnlyCollectorOwnsEveryUpstreamMessage) {
  CollectorSpec a = Spec("a", "fake", {"s1"}, false);
  auto owner = OwnerOfUpstreamState({&a}, R"({"since":"x"})");
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  EXPECT_EQ((*owner)->id, "a");
}

TEST(OwnerOfUpstreamState, TheOnlyTakenOverCollectorOwnsThemBesideNativeOnes) {
  CollectorSpec native = Spec("n", "carbonblack", {"SearchAlerts"}, false);
  CollectorSpec taken = Spec("t", "carbonblack", {"AuditLogEvents"}, true);
  // Even a stream the native collector has: upstream messages come from
  // the deployment that was taken over.
  auto owner = OwnerOfUpstreamState({&native, &taken}, R"({"apiName":"SearchAlerts"})");
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  EXPECT_EQ((*owner)->id, "t");
}

TEST(OwnerOfUpstreamState, SeveralCandidatesAreToldApartByTheStreamOfTheirType) {
  CollectorSpec sf = Spec("sf", "salesforce", {"LoginHistory"}, true);
  CollectorSpec cb = Spec("cb", "carbonblack", {"SearchAlerts"}, true);
  auto owner = OwnerOfUpstreamState({&sf, &cb}, R"({"apiName":"SearchAlerts","since":"x"})");
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  EXPECT_EQ((*owner)->id, "cb");
  owner = OwnerOfUpstreamState({&sf, &cb}, R"({"object":"LoginHistory"})");
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ((*owner)->id, "sf");
}

TEST(OwnerOfUpstreamState, NoFitOrTwoFitsIsAnUnknownCollector) {
  CollectorSpec o1 = Spec("o1", "okta", {"okta"}, true);
  CollectorSpec o2 = Spec("o2", "okta", {"okta"}, true);
  auto two = OwnerOfUpstreamState({&o1, &o2}, R"({"since":"a","until":"b"})");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().paws_code(), codes::kMessageUnknownCollector);
  EXPECT_NE(two.status().message().find("o1, o2"), std::string::npos);
  CollectorSpec cb = Spec("cb", "carbonblack", {"SearchAlerts"}, true);
  auto none = OwnerOfUpstreamState({&o1, &cb}, R"({"object":"LoginHistory"})");
  // okta reads every state as its one stream: it fits.
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)->id, "o1");
  CollectorSpec sf = Spec("sf", "salesforce", {"ApiEvent"}, true);
  auto nofit = OwnerOfUpstreamState({&sf, &cb}, R"({"object":"LoginHistory"})");
  ASSERT_FALSE(nofit.ok());
  EXPECT_NE(nofit.status().message().find("none of the 2 taken-over collectors"),
            std::string::npos);
  EXPECT_FALSE(OwnerOfUpstreamState({}, "{}").ok());
}

}  // namespace
}  // namespace paws
