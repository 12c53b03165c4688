// The health check end to end: the real binary on SQLite, the fake API.

#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "backends/open_backend.h"
#include "paws/codes.h"
#include "tests/integration/scenario.h"

namespace paws::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

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
    if (c["collector_id"] == "c-alpha") {
      EXPECT_TRUE(c["healthy"].get<bool>()) << c.dump();
    }
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

// A crash loop: beta's source takes the process down in every cycle (the
// fake API's `crash` fault makes the `fake` source abort), and a supervisor
// restarts it each time. Each cycle of beta records its attempt and never
// finishes: the check finds beta's streams stuck and the collector with the
// crash-loop code.
TEST(Health, ACrashLoopIsStuckAndReportedWithTheCollectorCode) {
  Scenario::Options opts;
  opts.history_minutes = 10;
  opts.poll_interval_sec = 5;
  opts.extra_toml = R"(
[health]
interval = "1s"
stall_after = "6s"
grace = "30s"
)";
  Scenario sc(opts);
  ASSERT_TRUE(sc.Setup().ok());
  {
    auto paws = sc.StartPaws();  // a first, healthy run
    ASSERT_TRUE(paws.ok());
    Status caught_up = sc.WaitCaughtUp(seconds(60));
    ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
    (*paws)->Signal(SIGTERM);
    ASSERT_EQ((*paws)->Wait(seconds(30)), 0);
  }
  ASSERT_TRUE(sc.fake()->SetFault(R"({"tenant":"beta","kind":"crash"})").ok());
  std::pair<int, nlohmann::json> check;
  bool stuck = false;
  int crashes = 0;
  for (int i = 0; i < 40 && !stuck; ++i) {
    auto paws = sc.StartPaws();
    ASSERT_TRUE(paws.ok());
    // Beta is due within its 5 s poll interval, or its message is back
    // after the 2 s lease the last crash left it under.
    int code = (*paws)->Wait(seconds(20));
    if (code == -1) (*paws)->Signal(SIGKILL);
    ASSERT_EQ(code, 128 + SIGABRT) << "run " << i << " did not crash\n" << sc.PawsLog();
    ++crashes;
    check = Check(sc);
    for (const auto& c : check.second["collectors"]) {
      stuck = stuck || (c["collector_id"] == "c-beta" && c["code"] == codes::kCollectorCrashLoop);
    }
  }
  ASSERT_TRUE(stuck) << crashes << " crashes\n" << check.second.dump(2);
  EXPECT_EQ(check.first, 1);
  for (const auto& c : check.second["collectors"]) {
    if (c["collector_id"] != "c-beta") continue;
    EXPECT_NE(c["message"].get<std::string>().find("stuck"), std::string::npos) << c.dump();
    for (const auto& s : c["streams"]) {
      EXPECT_EQ(s["class"], "stuck") << s.dump();
      EXPECT_EQ(s["code"], codes::kStreamStuck);
      EXPECT_TRUE(s["last_error"].is_null()) << "a crash records no error: " << s.dump();
    }
  }
  // The supervisor gives up; the streams' state is intact: with the fault
  // gone, one run collects everything with no gap.
  ASSERT_TRUE(sc.fake()->ClearFaults().ok());
  auto paws = sc.StartPaws();
  ASSERT_TRUE(paws.ok());
  Status caught_up = sc.WaitCaughtUp(seconds(60));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(seconds(30)), 0);
  auto verify = sc.Verify();
  ASSERT_TRUE(verify.ok()) << verify.status().ToString();
  EXPECT_EQ(verify->missing, 0) << verify->detail;
}

// Two daemons share one SQLite file and both run the health check; a
// stream's message is deleted by hand. Exactly one of them repairs it.
TEST(Health, TwoDaemonsRepairALostMessageExactlyOnce) {
  Scenario::Options opts;
  opts.history_minutes = 10;
  opts.poll_interval_sec = 5;
  opts.extra_toml = R"(
[health]
interval = "1s"
stall_after = "8s"
grace = "30s"
)";
  Scenario sc(opts);
  ASSERT_TRUE(sc.Setup().ok());
  auto one = sc.StartPaws();
  auto two = sc.StartPaws();
  ASSERT_TRUE(one.ok() && two.ok());
  Status caught_up = sc.WaitCaughtUp(seconds(60));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  // Delete login's message by hand (the daemons paused for that moment, so
  // the hand does not have to race them for it).
  (*one)->Signal(SIGSTOP);
  (*two)->Signal(SIGSTOP);
  {
    StoreOptions o;
    o.path = sc.dir().File("paws.db");
    auto backend = OpenBackend(o, Clock::System());
    ASSERT_TRUE(backend.ok());
    bool deleted = false;
    auto until = std::chrono::steady_clock::now() + seconds(30);
    while (!deleted && std::chrono::steady_clock::now() < until) {
      auto got = (*backend)->queue()->Receive(10, seconds(30), milliseconds(200));
      if (!got.ok()) continue;  // a paused daemon may hold the write lock for a moment
      for (const auto& m : *got) {
        auto sm = ParseStateMessage(m.body);
        if (!deleted && sm.ok() && StateStringField(sm->state_json, "stream") == "login") {
          deleted = (*backend)->queue()->Delete(m.receipt).ok();
        } else {
          (void)(*backend)->queue()->ChangeVisibility(m.receipt, Duration(0));
        }
      }
    }
    (*one)->Signal(SIGCONT);
    (*two)->Signal(SIGCONT);
    ASSERT_TRUE(deleted);
  }
  std::string repaired = std::string("[") + codes::kRepairReseeded + "] collector c-beta stream login";
  ASSERT_TRUE(Eventually([&] { return Count(ReadFile(sc.dir().File("paws.log")), repaired) > 0; },
                         seconds(40)))
      << sc.PawsLog();
  caught_up = sc.WaitCaughtUp(seconds(60));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  std::this_thread::sleep_for(seconds(3));  // both checkers run again
  (*one)->Signal(SIGTERM);
  (*two)->Signal(SIGTERM);
  ASSERT_EQ((*one)->Wait(seconds(30)), 0);
  ASSERT_EQ((*two)->Wait(seconds(30)), 0);
  std::string log = ReadFile(sc.dir().File("paws.log"));
  EXPECT_EQ(Count(log, std::string("[") + codes::kRepairReseeded + "]"), 1u) << log;
  auto report = sc.Verify();  // also: exactly one live message per stream
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->missing, 0) << report->detail;
  auto row = sc.Row("c-beta", "login");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->epoch, 2) << "one repair, one new chain";
}

// The status server of `paws run`: the JSON status and the Prometheus
// metrics agree with what the sink holds.
TEST(Health, StatusServerServesStatusAndMetricsThatMatchTheSink) {
  Scenario::Options opts;
  opts.history_minutes = 10;
  Scenario sc(opts);
  ASSERT_TRUE(sc.Setup().ok());
  auto paws = sc.StartPaws();
  ASSERT_TRUE(paws.ok());
  Status caught_up = sc.WaitCaughtUp(seconds(60));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  int port = std::atoi(ReadFile(sc.dir().File("status.port")).c_str());
  ASSERT_GT(port, 0);
  auto http = MakeCurlHttpClient();
  auto get = [&](const std::string& path) {
    HttpRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(port) + path;
    auto r = http->Send(req);
    return r.ok() ? *r : HttpResponse{};
  };
  EXPECT_EQ(get("/healthz").status, 200);
  HttpResponse status = get("/v1/status");
  ASSERT_EQ(status.status, 200);
  auto j = nlohmann::json::parse(status.body, nullptr, false);
  ASSERT_TRUE(j.is_object()) << status.body;
  EXPECT_EQ(j["collectors"].size(), 2u) << status.body;
  HttpResponse beta = get("/v1/collectors/c-beta");
  ASSERT_EQ(beta.status, 200);
  EXPECT_EQ(nlohmann::json::parse(beta.body)["streams"].size(), 3u) << beta.body;
  EXPECT_EQ(get("/v1/collectors/nope").status, 404);

  // Every sample line is `name{labels} value`; the events counted per
  // stream are what the sink holds (read between two equal scrapes, so no
  // cycle committed in between).
  auto events_by_stream = [](const std::string& body, int* samples) {
    std::map<std::string, int64_t> counted;
    std::istringstream in(body);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      ++*samples;
      size_t space = line.rfind(' ');
      EXPECT_NE(space, std::string::npos) << line;
      if (space == std::string::npos) continue;
      char* end = nullptr;
      double value = std::strtod(line.c_str() + space + 1, &end);
      EXPECT_EQ(*end, '\0') << line;
      if (line.rfind("paws_events_total{", 0) != 0) continue;
      auto label = [&](const std::string& name) {
        size_t from = line.find(name + "=\"") + name.size() + 2;
        return line.substr(from, line.find('"', from) - from);
      };
      counted[label("collector") + "/" + label("stream")] += static_cast<int64_t>(value);
    }
    return counted;
  };
  std::map<std::string, int64_t> counted, in_sink;
  int samples = 0;
  HttpResponse metrics;
  bool stable = false;
  for (int attempt = 0; attempt < 10 && !stable; ++attempt) {
    metrics = get("/metrics");
    ASSERT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.Header("Content-Type").find("text/plain"), std::string::npos);
    samples = 0;
    counted = events_by_stream(metrics.body, &samples);
    auto lines = ReadSink(sc.dir().File("events.jsonl"));
    ASSERT_TRUE(lines.ok());
    in_sink.clear();
    for (const auto& l : *lines) ++in_sink[l.collector_id + "/" + l.stream];
    int again_samples = 0;
    stable = events_by_stream(get("/metrics").body, &again_samples) == counted;
  }
  ASSERT_TRUE(stable);
  EXPECT_GT(samples, 20);
  EXPECT_EQ(counted, in_sink) << metrics.body;
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(seconds(30)), 0);
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
