#include "core/registration.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "backends/memory/memory_backend.h"

namespace paws {
namespace {

class FixedSource : public Source {
 public:
  Result<std::string> InitialState(const std::string& stream) override {
    return "{\"stream\":\"" + stream + "\"}";
  }
  Result<PollResult> Poll(const std::string&, MonoTime) override {
    return Status::Internal("not polled here");
  }
};

CollectorSpec Spec(const std::string& id, std::vector<std::string> streams, bool takeover) {
  CollectorSpec spec;
  spec.id = id;
  spec.type = "fixed";
  spec.streams = std::move(streams);
  spec.takeover = takeover;
  return spec;
}

class RegistrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_ = std::move(MakeMemoryBackend(MemoryOptions{}, &clock_)).value();
    std::map<std::string, CollectorSet::Entry> entries;
    entries.emplace("native", CollectorSet::Entry{Spec("native", {"a"}, false),
                                                  std::make_unique<FixedSource>()});
    entries.emplace("upstream", CollectorSet::Entry{Spec("upstream", {"x", "y"}, true),
                                                    std::make_unique<FixedSource>()});
    collectors_ = std::make_unique<CollectorSet>(std::move(entries));
  }

  FakeClock clock_{FromUnixMillis(1768392000000)};  // 2026-01-14T12:00:00Z
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<CollectorSet> collectors_;
};

// DESIGN.md, Registration: a taken-over collector's streams are adopted from
// their upstream messages, never seeded beside them.
TEST_F(RegistrationTest, TakenOverStreamsAreReportedNotRegistered) {
  auto report = RegisterCollectors(backend_.get(), *collectors_, &clock_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->seeded, 1);
  EXPECT_EQ(report->seeded_streams, std::vector<std::string>{"native/a"});
  EXPECT_EQ(report->takeover, 2);
  EXPECT_EQ(report->takeover_streams, (std::vector<std::string>{"upstream/x", "upstream/y"}));

  for (const char* stream : {"x", "y"}) {
    auto row = backend_->store()->GetStream("upstream", stream);
    ASSERT_TRUE(row.ok()) << row.status().ToString();
    EXPECT_FALSE(row->has_value()) << stream;
  }
  auto row = backend_->store()->GetStream("native", "a");
  ASSERT_TRUE(row.ok());
  EXPECT_TRUE(row->has_value());
}

TEST_F(RegistrationTest, AnAdoptedStreamCountsAsExisting) {
  StreamSeed seed;
  seed.row.collector_id = "upstream";
  seed.row.stream = "x";
  seed.row.epoch = 0;
  seed.row.seq = 1;
  seed.row.checkpoint = "{}";
  seed.body = "{}";
  ASSERT_TRUE(backend_->SeedStream(seed).ok());
  auto report = RegisterCollectors(backend_.get(), *collectors_, &clock_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->existing, 1);
  EXPECT_EQ(report->takeover_streams, std::vector<std::string>{"upstream/y"});
}

}  // namespace
}  // namespace paws
