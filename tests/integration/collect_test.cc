// End to end with the real binaries: the fake SaaS API over loopback, `paws
// run` on a real SQLite file, the JSONL sink. Checks what an operator would:
// every event of every collected window reached the sink, each stream's seq
// counts its committed cycles, and no stream ever had two live messages.

#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "backends/open_backend.h"
#include "tests/integration/scenario.h"

namespace paws::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Collect, EveryEventOfEveryWindowReachesTheSinkOnce) {
  Scenario sc;
  ASSERT_TRUE(sc.Setup().ok());
  auto paws = sc.StartPaws();
  ASSERT_TRUE(paws.ok()) << paws.status().ToString();

  // While it runs, no stream may ever have two live messages.
  int samples = 0;
  auto deadline = std::chrono::steady_clock::now() + seconds(90);
  bool caught_up = false;
  while (!caught_up && std::chrono::steady_clock::now() < deadline) {
    auto live = sc.LiveMessagesPerStream();
    ASSERT_TRUE(live.ok()) << live.status().ToString();
    for (const auto& [stream, n] : *live) ASSERT_LE(n, 1) << stream;
    ++samples;
    auto done = sc.CaughtUp();
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    caught_up = *done;
    if (!caught_up) std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_TRUE(caught_up) << "streams did not catch up in 90 s; log:\n" << sc.PawsLog();
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(seconds(30)), 0) << sc.PawsLog();
  EXPECT_GT(samples, 0);

  auto report = sc.Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->missing, 0) << report->detail;
  EXPECT_EQ(report->duplicates, 0) << report->detail;
  EXPECT_EQ(report->not_served, 0) << report->detail;
  EXPECT_GT(report->events, 500);
  std::printf("%s", report->detail.c_str());
}

TEST(Collect, SurvivesTwentyFiveSigkillsWithNoGapAndNoFork) {
  // Three hours of history behind a slowed API, so that the kills land while
  // cycles are under way.
  Scenario::Options opts;
  opts.history_minutes = 180;
  Scenario sc(opts);
  ASSERT_TRUE(sc.Setup().ok());
  for (const char* tenant : {"alpha", "beta"}) {
    ASSERT_TRUE(sc.fake()
                    ->SetFault(std::string(R"({"kind":"slow","delay_ms":6,"tenant":")") + tenant +
                               "\"}")
                    .ok());
  }
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pause_ms(50, 600);
  const int kKills = 25;
  int kills_mid_collection = 0;
  for (int i = 0; i < kKills; ++i) {
    auto paws = sc.StartPaws();
    ASSERT_TRUE(paws.ok()) << paws.status().ToString();
    std::this_thread::sleep_for(milliseconds(pause_ms(rng)));
    (*paws)->Signal(SIGKILL);
    ASSERT_EQ((*paws)->Wait(seconds(10)), 128 + SIGKILL);
    auto live = sc.LiveMessagesPerStream();
    ASSERT_TRUE(live.ok()) << live.status().ToString();
    for (const auto& [stream, n] : *live) ASSERT_LE(n, 1) << stream << " after kill " << i;
    auto done = sc.CaughtUp();
    ASSERT_TRUE(done.ok());
    kills_mid_collection += *done ? 0 : 1;
  }
  EXPECT_GE(kills_mid_collection, 20) << "the kills must interrupt collection, not idle time";
  ASSERT_TRUE(sc.fake()->ClearFaults().ok());
  auto paws = sc.StartPaws();
  ASSERT_TRUE(paws.ok());
  // A bound, not a measure: under ASan three hours of history take ~100 s.
  Status caught_up = sc.WaitCaughtUp(seconds(300));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(seconds(30)), 0);

  auto report = sc.Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->missing, 0) << report->detail;
  EXPECT_EQ(report->not_served, 0) << report->detail;
  // Duplicates come only from cycles a kill interrupted: at most one cycle
  // per worker per kill, each at most one cycle's worth of events.
  EXPECT_LE(report->duplicates, kKills * sc.workers() * sc.MaxEventsPerCycle()) << report->detail;
  std::printf("%s", report->detail.c_str());
}

TEST(Collect, SigtermLeavesNothingHalfDoneAndARestartContinuesWithoutDuplicates) {
  Scenario::Options opts;
  opts.history_minutes = 180;
  Scenario sc(opts);
  ASSERT_TRUE(sc.Setup().ok());
  ASSERT_TRUE(sc.fake()->SetFault(R"({"kind":"slow","delay_ms":6,"tenant":"beta"})").ok());
  for (int run = 0; run < 3; ++run) {
    auto paws = sc.StartPaws();
    ASSERT_TRUE(paws.ok());
    std::this_thread::sleep_for(milliseconds(700));
    (*paws)->Signal(SIGTERM);
    ASSERT_EQ((*paws)->Wait(seconds(30)), 0) << sc.PawsLog();
    auto done = sc.CaughtUp();
    ASSERT_TRUE(done.ok());
    ASSERT_FALSE(*done) << "the stop must come while streams are still collecting";
    // A clean stop leaves each stream exactly its one message.
    auto live = sc.LiveMessagesPerStream();
    ASSERT_TRUE(live.ok());
    for (const auto& [stream, n] : *live) EXPECT_EQ(n, 1) << stream;
  }
  ASSERT_TRUE(sc.fake()->ClearFaults().ok());
  auto paws = sc.StartPaws();
  ASSERT_TRUE(paws.ok());
  // A bound, not a measure: under ASan three hours of history take ~100 s.
  Status caught_up = sc.WaitCaughtUp(seconds(300));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(seconds(30)), 0);
  auto report = sc.Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->missing, 0) << report->detail;
  EXPECT_EQ(report->duplicates, 0) << "a clean stop replays nothing\n" << report->detail;
}

}  // namespace
}  // namespace paws::testing
