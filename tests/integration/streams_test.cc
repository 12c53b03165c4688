// Changing a collector's `streams` between two runs: the real binary on
// SQLite, the fake API over loopback. What an operator sees when a stream
// is added (registered at start-up, collected from collection_start) and
// when one is removed (reported unexpected, retired, no longer polled).

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "paws/codes.h"
#include "tests/integration/expected_events.h"
#include "tests/integration/scenario.h"

namespace paws::testing {
namespace {

using std::chrono::seconds;

// Windows of 5 s over 5 minutes of history; a health check every second
// with a grace far shorter than a test, so that a stream left to the
// health check would be seeded while the test watches.
constexpr int kPollSec = 5;
constexpr int kRate = 20;  // events a minute of every stream
constexpr auto kGrace = seconds(3);

Scenario::Options FastOptions() {
  Scenario::Options opts;
  opts.history_minutes = 5;
  opts.poll_interval_sec = kPollSec;
  opts.rate_per_minute = kRate;
  opts.extra_toml = R"(
[health]
interval = "1s"
stall_after = "10s"
grace = "3s"
)";
  return opts;
}

// `paws check --json`: the exit code and the parsed report.
std::pair<int, nlohmann::json> Check(const Scenario& sc) {
  std::string out, err;
  int code = RunPaws({"check", "--config", sc.config_path(), "--json"}, {}, &out, &err);
  return {code, nlohmann::json::parse(out, nullptr, false)};
}

// The object of one collector, or of one of its streams, in a health
// report (`paws check --json`, GET /v1/status); null when not listed.
nlohmann::json FindCollector(const nlohmann::json& report, const std::string& collector) {
  if (!report.is_object() || !report["collectors"].is_array()) return nullptr;
  for (const auto& c : report["collectors"]) {
    if (c["collector_id"] == collector) return c;
  }
  return nullptr;
}
nlohmann::json FindStream(const nlohmann::json& report, const std::string& collector,
                          const std::string& stream) {
  nlohmann::json c = FindCollector(report, collector);
  if (!c.is_object()) return nullptr;
  for (const auto& s : c["streams"]) {
    if (s["stream"] == stream) return s;
  }
  return nullptr;
}

// GET on the fake API's admin or on the status server; the JSON body, or
// null on any failure.
nlohmann::json GetJson(const std::string& url) {
  auto http = MakeCurlHttpClient();
  HttpRequest req;
  req.url = url;
  auto resp = http->Send(req);
  if (!resp.ok() || resp->status != 200) return nullptr;
  return nlohmann::json::parse(resp->body, nullptr, false);
}

// Every log request the fake API received for (tenant, stream), answered
// or not; -1 when the count cannot be read.
int64_t Requests(Scenario& sc, const std::string& tenant, const std::string& stream) {
  auto j = GetJson(sc.fake()->base() + "/admin/served?tenant=" + tenant + "&stream=" + stream);
  return j.is_object() && j["requests"].is_number_integer() ? j["requests"].get<int64_t>() : -1;
}

// The latest health report of the running daemon (GET /v1/status).
nlohmann::json DaemonStatus(const Scenario& sc) {
  int port = std::atoi(ReadFile(sc.dir().File("status.port")).c_str());
  if (port <= 0) return nullptr;
  return GetJson("http://127.0.0.1:" + std::to_string(port) + "/v1/status");
}

std::set<std::string> SinkIds(const Scenario& sc, const std::string& collector,
                              const std::string& stream) {
  std::set<std::string> ids;
  auto lines = ReadSink(sc.dir().File("events.jsonl"));
  if (!lines.ok()) return ids;
  for (const auto& l : *lines) {
    if (l.collector_id == collector && l.stream == stream) ids.insert(l.id);
  }
  return ids;
}

// The events of (tenant, stream) from collection_start to the start of
// the stream's next window: what a collection of it with no gap holds.
Result<std::set<std::string>> ExpectedUpToCheckpoint(const Scenario& sc, const StreamRow& row,
                                                     const std::string& tenant) {
  auto cp = nlohmann::json::parse(row.checkpoint, nullptr, false);
  if (!cp.is_object() || !cp["since"].is_string()) {
    return Status::Internal("checkpoint without since: " + row.checkpoint);
  }
  PAWS_ASSIGN_OR_RETURN(WallTime from, ParseRfc3339(sc.collection_start()));
  PAWS_ASSIGN_OR_RETURN(WallTime to, ParseRfc3339(cp["since"].get<std::string>()));
  return ExpectedEventIds(tenant, row.stream, kRate, from, to);
}

// A first run of the default four streams until every one is caught up.
void FirstRun(Scenario* sc) {
  auto paws = sc->StartPaws();
  ASSERT_TRUE(paws.ok());
  Status caught_up = sc->WaitCaughtUp(seconds(60));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(seconds(30)), 0);
}

// DESIGN.md, Registration: "Registration of a collector (or a stream added
// to it) creates each stream row as (epoch 1, seq 0) [...] and enqueues
// (1, 1, initial state)"; `paws run` registers at start-up (docs/cli.md).
// Seeding by the health check after `grace` is for collectors taken over
// from an upstream deployment, so an added stream is never never_started.
TEST(Streams, AnAddedStreamIsRegisteredAtStartUpAndCollectedFromCollectionStart) {
  Scenario sc(FastOptions());
  ASSERT_TRUE(sc.Setup().ok());
  ASSERT_NO_FATAL_FAILURE(FirstRun(&sc));
  const size_t first_run_log = ReadFile(sc.dir().File("paws.log")).size();

  auto streams = Scenario::DefaultStreams();
  streams.push_back({"c-beta", "beta", "audit"});
  ASSERT_TRUE(sc.SetStreams(streams).ok());
  std::remove(sc.dir().File("status.port").c_str());  // the next run writes its own
  const WallTime restarted = Clock::System()->Now();
  auto paws = sc.StartPaws();
  ASSERT_TRUE(paws.ok());

  // The row exists at once: created by registration at start-up, before
  // grace could have passed, at (1, 0) or already past its first cycles.
  std::optional<StreamRow> row;
  ASSERT_TRUE(Eventually(
      [&] {
        auto r = sc.Row("c-beta", "audit");
        if (r.ok()) row = *r;
        return row.has_value();
      },
      seconds(10)))
      << sc.PawsLog();
  EXPECT_EQ(row->epoch, 1);
  EXPECT_GE(row->first_seen, restarted - seconds(1));
  EXPECT_LT(row->first_seen, restarted + kGrace) << "created at start-up, not seeded after grace";
  std::string log = ReadFile(sc.dir().File("paws.log")).substr(first_run_log);
  EXPECT_NE(log.find("registered collector c-beta stream audit"), std::string::npos) << log;
  EXPECT_NE(log.find("1 new streams registered"), std::string::npos) << log;
  {
    auto [code, report] = Check(sc);
    nlohmann::json audit = FindStream(report, "c-beta", "audit");
    ASSERT_TRUE(audit.is_object()) << report.dump(2);
    EXPECT_EQ(audit["class"], "ok") << audit.dump();
    EXPECT_TRUE(audit["healthy"].get<bool>()) << audit.dump();
    EXPECT_TRUE(audit["code"].is_null()) << audit.dump();
  }

  Status caught_up = sc.WaitCaughtUp(seconds(60));  // all five streams
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  // The daemon's own check, run after grace has passed: every stream ok.
  nlohmann::json status;
  ASSERT_TRUE(Eventually(
      [&] {
        status = DaemonStatus(sc);
        if (!status.is_object() || !status["checked_at"].is_string()) return false;
        auto at = ParseRfc3339(status["checked_at"].get<std::string>());
        return at.ok() && *at > restarted + kGrace + seconds(1);
      },
      seconds(20)))
      << status.dump(2);
  EXPECT_TRUE(status["healthy"].get<bool>()) << status.dump(2);
  EXPECT_EQ(FindStream(status, "c-beta", "audit")["class"], "ok") << status.dump(2);
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(seconds(30)), 0);

  log = ReadFile(sc.dir().File("paws.log"));
  EXPECT_EQ(log.find(std::string("[") + codes::kStreamNeverStarted + "]"), std::string::npos)
      << log;
  EXPECT_EQ(log.find(std::string("[") + codes::kRepairSeeded + "]"), std::string::npos) << log;
  // Collected from collection_start, with no gap, like the streams that
  // were there from the start.
  auto verify = sc.Verify();
  ASSERT_TRUE(verify.ok()) << verify.status().ToString();
  EXPECT_EQ(verify->missing, 0) << verify->detail;
  EXPECT_EQ(verify->not_served, 0) << verify->detail;
  EXPECT_EQ(verify->duplicates, 0) << verify->detail;
  auto final_row = sc.Row("c-beta", "audit");
  ASSERT_TRUE(final_row.ok() && final_row->has_value());
  auto expected = ExpectedUpToCheckpoint(sc, **final_row, "beta");
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  EXPECT_GE(expected->size(), 5u * kRate) << "five minutes of history";
  EXPECT_EQ(SinkIds(sc, "c-beta", "audit"), *expected);
  auto [code, report] = Check(sc);
  EXPECT_EQ(code, 0) << report.dump(2);
}

// DESIGN.md, Health check: "unexpected | a row for a stream not in
// collector_streams | report only | retire it"; docs/health.md: retired =
// the epoch bumped and the row marked RETIRED, no longer polled; retired
// streams are not listed by the check.
TEST(Streams, ARemovedStreamIsRetiredAndNoLongerPolledWhileTheOthersGoOn) {
  Scenario sc(FastOptions());
  ASSERT_TRUE(sc.Setup().ok());
  ASSERT_NO_FATAL_FAILURE(FirstRun(&sc));
  auto before = sc.Row("c-beta", "drive");
  ASSERT_TRUE(before.ok() && before->has_value());
  const size_t first_run_log = ReadFile(sc.dir().File("paws.log")).size();

  std::vector<Scenario::StreamSpec> streams;
  for (const auto& s : Scenario::DefaultStreams()) {
    if (s.stream != "drive") streams.push_back(s);
  }
  ASSERT_TRUE(sc.SetStreams(streams).ok());
  // Before the restart, with the edited config: reported, not unhealthy.
  {
    auto [code, report] = Check(sc);
    EXPECT_EQ(code, 0) << report.dump(2);
    nlohmann::json drive = FindStream(report, "c-beta", "drive");
    ASSERT_TRUE(drive.is_object()) << report.dump(2);
    EXPECT_EQ(drive["class"], "unexpected") << drive.dump();
    EXPECT_EQ(drive["code"], codes::kStreamUnexpected) << drive.dump();
    EXPECT_TRUE(drive["healthy"].get<bool>()) << drive.dump();
    EXPECT_TRUE(FindCollector(report, "c-beta")["healthy"].get<bool>()) << report.dump(2);
  }

  const int64_t requests_before_restart = Requests(sc, "beta", "drive");
  ASSERT_GE(requests_before_restart, 0);
  auto paws = sc.StartPaws();
  ASSERT_TRUE(paws.ok());
  const std::string retired = std::string("[") + codes::kRepairRetired +
                              "] collector c-beta stream drive: retired, no longer collected";
  std::string log;
  ASSERT_TRUE(Eventually(
      [&] {
        log = ReadFile(sc.dir().File("paws.log")).substr(first_run_log);
        return log.find(retired) != std::string::npos;
      },
      seconds(15)))
      << log;
  EXPECT_NE(log.find(std::string("[") + codes::kStreamUnexpected +
                     "] collector c-beta: stream drive is not in collector_streams"),
            std::string::npos)
      << log;
  auto row = sc.Row("c-beta", "drive");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->last_status, kStreamStatusRetired);
  EXPECT_EQ((*row)->epoch, (*before)->epoch + 1) << "the retire bumps the epoch";

  // The first health check runs before any worker: drive is retired before
  // a cycle of it can start, and its message is dropped by the fence.
  ASSERT_TRUE(Eventually(
      [&] {
        auto live = sc.LiveMessagesPerStream();
        return live.ok() && live->count("c-beta/drive") == 0;
      },
      seconds(3 * kPollSec)))
      << sc.PawsLog();
  const int64_t requests = Requests(sc, "beta", "drive");
  EXPECT_EQ(requests, requests_before_restart) << "drive polled after the restart";
  auto served = sc.fake()->Served("beta", "drive");
  ASSERT_TRUE(served.ok());
  row = sc.Row("c-beta", "drive");
  ASSERT_TRUE(row.ok() && row->has_value());
  const StreamRow retired_row = **row;

  // Several poll intervals: each remaining stream commits three more cycles.
  std::map<std::string, int64_t> seq;
  for (const auto& s : streams) {
    auto r = sc.Row(s.collector, s.stream);
    ASSERT_TRUE(r.ok() && r->has_value());
    seq[s.stream] = (*r)->seq;
  }
  ASSERT_TRUE(Eventually(
      [&] {
        for (const auto& s : streams) {
          auto r = sc.Row(s.collector, s.stream);
          if (!r.ok() || !r->has_value() || (*r)->seq < seq[s.stream] + 3) return false;
        }
        return true;
      },
      seconds(6 * kPollSec)))
      << sc.PawsLog();
  EXPECT_EQ(Requests(sc, "beta", "drive"), requests) << "drive polled after its retire";
  auto served_after = sc.fake()->Served("beta", "drive");
  ASSERT_TRUE(served_after.ok());
  EXPECT_EQ(served_after->size(), served->size());
  row = sc.Row("c-beta", "drive");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ(**row, retired_row) << "the retired row does not change";
  auto live = sc.LiveMessagesPerStream();
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(live->count("c-beta/drive"), 0u);

  // Once retired, the check no longer lists it, and all is healthy.
  {
    auto [code, report] = Check(sc);
    EXPECT_EQ(code, 0) << report.dump(2);
    EXPECT_TRUE(FindStream(report, "c-beta", "drive").is_null()) << report.dump(2);
    EXPECT_EQ(FindCollector(report, "c-beta")["streams"].size(), 2u) << report.dump(2);
  }
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(seconds(30)), 0);

  // `paws status` still shows the row, not configured, RETIRED.
  std::string out, err;
  ASSERT_EQ(RunPaws({"status", "--config", sc.config_path(), "--json"}, {}, &out, &err), 0) << err;
  auto status = nlohmann::json::parse(out, nullptr, false);
  bool listed = false;
  for (const auto& s : status["streams"]) {
    if (s["collector_id"] != "c-beta" || s["stream"] != "drive") continue;
    listed = true;
    EXPECT_FALSE(s["configured"].get<bool>()) << s.dump();
    EXPECT_EQ(s["last_status"], kStreamStatusRetired) << s.dump();
  }
  EXPECT_TRUE(listed) << out;

  // The other streams kept collecting with no gap; drive's events up to
  // where it stopped are all in the sink.
  auto verify = sc.Verify();
  ASSERT_TRUE(verify.ok()) << verify.status().ToString();
  EXPECT_EQ(verify->missing, 0) << verify->detail;
  EXPECT_EQ(verify->duplicates, 0) << verify->detail;
  auto expected = ExpectedUpToCheckpoint(sc, retired_row, "beta");
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  std::set<std::string> in_sink = SinkIds(sc, "c-beta", "drive");
  for (const auto& id : *expected) {
    ASSERT_TRUE(in_sink.count(id)) << "drive lost " << id << " before its retire";
  }
}

}  // namespace
}  // namespace paws::testing
