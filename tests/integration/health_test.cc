// The health check end to end: the real binary on SQLite, the fake API.

#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "paws/codes.h"
#include "tests/integration/scenario.h"

namespace paws::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return pred();
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// `paws check --json`: the exit code and the parsed report.
std::pair<int, nlohmann::json> Check(const Scenario& sc) {
  std::string out, err;
  int code = RunPaws({"check", "--config", sc.config_path(), "--json"}, {}, &out, &err);
  return {code, nlohmann::json::parse(out, nullptr, false)};
}

const std::string kFastHealth = R"(
[health]
interval = "1s"
stall_after = "4s"
grace = "10s"
)";

// The failure paws exists for: a stream fails longer than the queue's
// retention and its message expires. Windows of 5 s, a queue that keeps
// messages 8 s, a retry that waits 10 s: the first failure loses the
// message, the healthy streams keep theirs.
TEST(Health, LostMessageIsReportedCeasedRepairedAndTheOutageWindowCollected) {
  Scenario::Options opts;
  opts.history_minutes = 10;
  opts.poll_interval_sec = 5;
  opts.store_toml = "retention = \"8s\"\n";
  opts.runtime_toml = "min_backoff = \"10s\"\nmax_backoff = \"10s\"\n";
  opts.extra_toml = R"(
[health]
interval = "1s"
stall_after = "15s"
grace = "30s"
)";
  Scenario sc(opts);
  ASSERT_TRUE(sc.Setup().ok());
  ASSERT_TRUE(sc.fake()->SetFault(R"({"tenant":"beta","stream":"login","kind":"500"})").ok());
  auto paws = sc.StartPaws();
  ASSERT_TRUE(paws.ok());
  // The login stream fails, then its message expires from the queue.
  ASSERT_TRUE(Eventually(
      [&] {
        auto row = sc.Row("c-beta", "login");
        if (!row.ok() || !row->has_value() || (*row)->retry_count < 1) return false;
        auto live = sc.LiveMessagesPerStream();
        return live.ok() && (*live)["c-beta/login"] == 0;
      },
      seconds(30)))
      << sc.PawsLog();
  ASSERT_TRUE(sc.fake()->ClearFaults().ok());
  Status caught_up = sc.WaitCaughtUp(seconds(60));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(seconds(30)), 0);
  std::string log = ReadFile(sc.dir().File("paws.log"));
  EXPECT_NE(log.find(std::string("[") + codes::kStreamCeased + "] collector c-beta: stream login "
                     "ceased"),
            std::string::npos)
      << log;
  EXPECT_EQ(Count(log, std::string("[") + codes::kRepairReseeded + "]"), 1u)
      << "one repair, of login only\n"
      << log;
  EXPECT_NE(log.find(std::string("[") + codes::kRepairReseeded + "] collector c-beta stream login"),
            std::string::npos);
  auto report = sc.Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->missing, 0) << "every event of the outage window\n" << report->detail;
  auto [code, json] = Check(sc);
  EXPECT_EQ(code, 0) << json.dump();
}

TEST(Health, BadCredentialFailsTheCollectorWithItsCodeThenResumesWithNoGapAndNoRepair) {
  Scenario::Options opts;
  opts.history_minutes = 10;
  opts.extra_toml = kFastHealth;
  Scenario sc(opts);
  ASSERT_TRUE(sc.Setup().ok());
  ASSERT_TRUE(sc.fake()->SetFault(R"({"tenant":"beta","kind":"401"})").ok());
  auto paws = sc.StartPaws();
  ASSERT_TRUE(paws.ok());
  nlohmann::json report;
  int exit_code = -1;
  ASSERT_TRUE(Eventually(
      [&] {
        std::tie(exit_code, report) = Check(sc);
        if (exit_code != 1 || !report.is_object()) return false;
        for (const auto& c : report["collectors"]) {
          if (c["collector_id"] == "c-beta") return c["code"] == codes::kCollectorCredential;
        }
        return false;
      },
      seconds(30)))
      << exit_code << " " << report.dump(2);
  for (const auto& c : report["collectors"]) {
    if (c["collector_id"] == "c-alpha") EXPECT_TRUE(c["healthy"].get<bool>()) << c.dump();
    if (c["collector_id"] != "c-beta") continue;
    for (const auto& s : c["streams"]) {
      EXPECT_EQ(s["class"], "failing") << s.dump();
      EXPECT_NE(s["message"].get<std::string>().find(codes::kApiUnauthenticated),
                std::string::npos);
    }
  }
  ASSERT_TRUE(sc.fake()->ClearFaults().ok());
  Status caught_up = sc.WaitCaughtUp(seconds(60));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(seconds(30)), 0);
  auto verify = sc.Verify();
  ASSERT_TRUE(verify.ok()) << verify.status().ToString();
  EXPECT_EQ(verify->missing, 0) << verify->detail;
  EXPECT_EQ(verify->duplicates, 0) << verify->detail;
  std::string log = ReadFile(sc.dir().File("paws.log"));
  EXPECT_EQ(log.find("[PAWS00052"), std::string::npos) << "nothing to repair\n" << log;
  EXPECT_EQ(Check(sc).first, 0);
}

TEST(Health, CheckExitsTwoWhenItCannotRun) {
  TempDir dir;
  WriteFile(dir.File("bad.toml"), "[health]\ninterval = \"never\"\n");
  std::string out, err;
  EXPECT_EQ(RunPaws({"check", "--config", dir.File("bad.toml")}, {}, &out, &err), 2);
  EXPECT_NE(err.find(codes::kConfigInvalid), std::string::npos) << err;
  // A store that is not a database.
  WriteFile(dir.File("junk.db"), std::string(8192, 'x'));
  WriteFile(dir.File("ok.toml"), "[store]\npath = \"junk.db\"\n");
  EXPECT_EQ(RunPaws({"check", "--config", dir.File("ok.toml")}, {}, &out, &err), 2);
  EXPECT_NE(err.find(codes::kStoreCorrupt), std::string::npos) << err;
}

}  // namespace
}  // namespace paws::testing
