// `paws migrate --apply` on a store that holds upstream messages, upstream
// records and streams of a running collector, while `paws run` runs on it:
// the real binaries, SQLite, the fake API over loopback. What an operator
// checks afterwards: every stream collected from where its state was, none
// lost, none with two chains, and a second migrate with nothing to do.

#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <nlohmann/json.hpp>

#include "paws/state.h"
#include "tests/integration/scenario.h"

namespace paws::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr int kPollSec = 5;

// The upstream body of a fake-type stream whose first window starts at
// `since`: what an upstream queue holds for it.
std::string UpstreamBody(const std::string& stream, const std::string& since, int retry_count) {
  WallTime t = *ParseRfc3339(since);
  json state = {{"stream", stream},
                {"since", since},
                {"until", FormatRfc3339(t + seconds(kPollSec))},
                {"nextPage", nullptr},
                {"poll_interval_sec", kPollSec}};
  return json{{"priv_collector_state", state}, {"retry_count", retry_count}}.dump();
}

std::pair<int, json> Migrate(const Scenario& sc, bool apply) {
  std::vector<std::string> args = {"migrate", "--config", sc.config_path(), "--json"};
  if (apply) args.push_back("--apply");
  std::string out, err;
  int code = RunPaws(args, {}, &out, &err);
  json j = json::parse(out, nullptr, false);
  if (j.is_discarded()) ADD_FAILURE() << "not JSON: " << out << err;
  return {code, j};
}

TEST(MigrateIntegration, ApplyWhileRunningLosesNoStreamAndDoublesNone) {
  Scenario::Options opts;
  opts.history_minutes = 5;
  opts.poll_interval_sec = kPollSec;
  opts.streams = {{"c-native", "alpha", "system"},
                  {"c-take", "gamma", "login"},
                  {"c-take", "gamma", "admin"},
                  {"c-take", "gamma", "drive"}};
  opts.takeover = {"c-take"};
  opts.extra_toml = R"(
[health]
interval = "1s"
stall_after = "10s"
grace = "12s"
)";
  Scenario sc(opts);
  ASSERT_TRUE(sc.Setup().ok());
  {
    auto backend = sc.OpenStore();
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    StateQueue* q = (*backend)->queue();
    // login: upstream's state, due at once (paws run likely adopts it before
    // migrate runs), and a second chain of the same window (upstream's
    // duplicate-state bug). admin: due in 6 s, so migrate finds it queued
    // and upgrades it in place. drive: no message (seeded after the 12 s
    // grace, which outlasts every delay here, as DESIGN.md asks).
    ASSERT_TRUE(q->Send(UpstreamBody("login", sc.collection_start(), 0), Duration(0)).ok());
    ASSERT_TRUE(q->Send(UpstreamBody("login", sc.collection_start(), 1), seconds(6)).ok());
    ASSERT_TRUE(q->Send(UpstreamBody("admin", sc.collection_start(), 0), seconds(6)).ok());
    // Upstream records of c-take, without a Stream.
    WallTime now = Clock::System()->Now();
    for (int i = 0; i < 4; ++i) {
      StateRecord rec{"c-take", "upstream-" + std::to_string(i), "", now + kStateRecordTtl, now,
                      RecordStatus::kComplete, "", ""};
      ASSERT_TRUE((*backend)->store()->AcquireRecord(rec, seconds(900)).ok());
    }
  }
  auto [dry_code, dry] = Migrate(sc, /*apply=*/false);
  ASSERT_EQ(dry_code, 0);
  EXPECT_EQ(dry["upstream_messages"].size(), 3u);
  EXPECT_EQ(dry["collectors"][1]["legacy_records"], 4);
  EXPECT_TRUE(dry["applied"].is_null());

  auto paws = sc.StartPaws();
  ASSERT_TRUE(paws.ok()) << paws.status().ToString();
  auto [code, applied] = Migrate(sc, /*apply=*/true);
  ASSERT_EQ(code, 0) << applied.dump();
  ASSERT_TRUE(applied["applied"].is_object()) << applied.dump();
  // Every upstream message was upgraded, held by a worker, or already
  // taken by the runtime: all three are safe.
  int64_t accounted = applied["applied"]["upgraded"].get<int64_t>() +
                      applied["applied"]["in_flight"].get<int64_t>() +
                      applied["applied"]["gone"].get<int64_t>();
  EXPECT_EQ(accounted, static_cast<int64_t>(applied["upstream_messages"].size()));
  // admin's message (due in 6 s) was still queued: upgraded in place.
  EXPECT_GE(applied["applied"]["upgraded"].get<int64_t>(), 1) << applied.dump();

  Status caught_up = sc.WaitCaughtUp(seconds(90));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString() << sc.PawsLog();
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(std::chrono::seconds(30)), 0) << sc.PawsLog();

  // Every event of every collected window in the sink, from the upstream
  // state's window on; one live message and one chain per stream.
  auto report = sc.Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString() << sc.PawsLog();
  EXPECT_EQ(report->missing, 0) << report->detail;
  EXPECT_EQ(report->not_served, 0) << report->detail;
  EXPECT_EQ(report->duplicates, 0) << report->detail;
  // login and admin were adopted (epoch 0), not re-seeded; drive was
  // seeded by the health check.
  for (const char* stream : {"login", "admin"}) {
    auto row = sc.Row("c-take", stream);
    ASSERT_TRUE(row.ok() && row->has_value()) << stream;
    EXPECT_EQ((*row)->epoch, 0) << stream;
  }
  auto drive = sc.Row("c-take", "drive");
  ASSERT_TRUE(drive.ok() && drive->has_value());
  EXPECT_GE((*drive)->epoch, 1);
  EXPECT_NE(sc.PawsLog().find("PAWS000521"), std::string::npos);

  // A second migrate has nothing to change.
  auto [again_code, again] = Migrate(sc, /*apply=*/true);
  ASSERT_EQ(again_code, 0);
  EXPECT_EQ(again["upstream_messages"].size(), 0u) << again.dump();
  EXPECT_EQ(again["applied"]["upgraded"], 0);
  for (const auto& s : again["collectors"][1]["streams"]) EXPECT_EQ(s["state"], "row") << s;
  // The records without a Stream are still there (they expire on their own).
  EXPECT_EQ(again["collectors"][1]["legacy_records"], 4);
}

// The upstream Lambda variables of a carbonblack collector, as deployed
// before collector_streams existed: the streams are in the type's legacy
// list variable.
std::map<std::string, std::string> CarbonBlackEnv() {
  return {{"collector_id", "cb-1"},
          {"customer_id", "134249387"},
          {"paws_type_name", "carbonblack"},
          {"paws_endpoint", "defense.conferdeploy.net"},
          {"paws_poll_interval", "60"},
          {"paws_collector_param_string_1", R"(["SearchAlerts", "AuditLogEvents"])"},
          {"paws_collector_param_string_2", "ORGKEY1"},
          {"paws_api_client_id", "API1"},
          {"paws_secret", "cb-s3cr3t-value"}};
}

TEST(MigrateIntegration, FromEnvReportsTheCanonicalStreamsAndNamesABadVariable) {
  TempDir dir;
  WriteFile(dir.File("paws.toml"), "[store]\npath = \"paws.db\"\n");
  std::string out, err;
  int code = RunPaws({"migrate", "--from-env", "-c", dir.File("paws.toml"), "--json"},
                     CarbonBlackEnv(), &out, &err);
  ASSERT_EQ(code, 0) << out << err;
  json j = json::parse(out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << out;
  const json& c = j["collectors"][0];
  EXPECT_EQ(c["id"], "cb-1");
  EXPECT_EQ(c["collector_streams"], json::parse(R"(["SearchAlerts", "AuditLogEvents"])"));
  EXPECT_EQ(c["takeover"], true);
  EXPECT_EQ(c["upstream_form"], true);
  // The environment cannot be rewritten: the report says what to set.
  EXPECT_EQ(j["config"]["written"], false);
  EXPECT_NE(j["config"]["note"].get<std::string>().find("collector_streams"), std::string::npos);

  // --write-config writes the native form, the secret as where it comes from.
  code = RunPaws({"migrate", "--from-env", "-c", dir.File("paws.toml"), "--apply",
                  "--write-config", dir.File("native.toml")},
                 CarbonBlackEnv(), &out, &err);
  ASSERT_EQ(code, 0) << out << err;
  std::string native = ReadFile(dir.File("native.toml"));
  EXPECT_NE(native.find(R"(streams = [ "SearchAlerts", "AuditLogEvents" ])"), std::string::npos)
      << native;
  EXPECT_NE(native.find(R"(secret_env = "paws_secret")"), std::string::npos) << native;
  EXPECT_EQ(native.find("cb-s3cr3t-value"), std::string::npos);
  code = RunPaws({"status", "-c", dir.File("native.toml"), "--json"}, CarbonBlackEnv(), &out, &err);
  EXPECT_EQ(code, 0) << out << err;

  // A stream the type does not know: exit 2, the variable and value named.
  auto bad = CarbonBlackEnv();
  bad["paws_collector_param_string_1"] = R"(["SearchAlerts", "Alerts"])";
  code = RunPaws({"migrate", "--from-env", "-c", dir.File("paws.toml")}, bad, &out, &err);
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("PAWS000103"), std::string::npos) << err;
  EXPECT_NE(err.find("paws_collector_param_string_1"), std::string::npos) << err;
  EXPECT_NE(err.find("Alerts"), std::string::npos) << err;
  EXPECT_EQ(err.find("cb-s3cr3t-value"), std::string::npos) << err;
}

TEST(MigrateIntegration, AFileInUpstreamFormIsRewrittenInPlaceOnceWithTheOldOneKept) {
  TempDir dir;
  const std::string upstream = R"([store]
path = "paws.db"

# an upstream carbonblack collector
[[collector]]
collector_id = "cb-1"
paws_type_name = "carbonblack"
paws_endpoint = "defense.conferdeploy.net"
paws_collector_param_string_1 = '["SearchAlerts"]'
paws_collector_param_string_2 = "ORGKEY1"
secret_env = "CB_SECRET"
)";
  WriteFile(dir.File("paws.toml"), upstream);
  std::map<std::string, std::string> env = {{"CB_SECRET", "cb-s3cr3t-value"}};
  std::string out, err;
  int code = RunPaws({"migrate", "-c", dir.File("paws.toml"), "--apply", "--json"}, env, &out,
                     &err);
  ASSERT_EQ(code, 0) << out << err;
  json j = json::parse(out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << out;
  EXPECT_EQ(j["config"]["written"], true) << out;
  EXPECT_EQ(ReadFile(dir.File("paws.toml.bak")), upstream);
  std::string native = ReadFile(dir.File("paws.toml"));
  EXPECT_EQ(native.find("paws_type_name"), std::string::npos) << native;
  EXPECT_NE(native.find(R"(secret_env = "CB_SECRET")"), std::string::npos) << native;
  EXPECT_NE(native.find("takeover = true"), std::string::npos) << native;
  EXPECT_EQ(native.find("cb-s3cr3t-value"), std::string::npos);

  // Twice: the file is native now, and nothing is written.
  code = RunPaws({"migrate", "-c", dir.File("paws.toml"), "--apply", "--json"}, env, &out, &err);
  ASSERT_EQ(code, 0) << out << err;
  j = json::parse(out, nullptr, false);
  EXPECT_EQ(j["config"]["written"], false) << out;
  EXPECT_EQ(j["config"]["upstream_form"], false) << out;
  EXPECT_EQ(ReadFile(dir.File("paws.toml")), native);
  EXPECT_EQ(ReadFile(dir.File("paws.toml.bak")), upstream);
}

}  // namespace
}  // namespace paws::testing
