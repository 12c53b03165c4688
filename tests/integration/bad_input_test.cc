// Bad input reaches paws from four sides: its configuration, the state
// messages in its queue, the API's responses, and its secrets. Each must end
// in a clear error with a stable code, no crash, and nothing lost.

#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "backends/open_backend.h"
#include "paws/codes.h"
#include "tests/integration/scenario.h"

namespace paws::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;


nlohmann::json StatusJson(const Scenario& sc) {
  std::string out, err;
  int code = RunPaws({"status", "--config", sc.config_path(), "--json"}, {}, &out, &err);
  if (code != 0) return nlohmann::json();
  return nlohmann::json::parse(out, nullptr, false);
}

nlohmann::json StreamStatus(const Scenario& sc, const std::string& collector,
                            const std::string& stream) {
  auto j = StatusJson(sc);
  if (!j.is_object()) return nlohmann::json();
  for (const auto& s : j["streams"]) {
    if (s["collector_id"] == collector && s["stream"] == stream) return s;
  }
  return nlohmann::json();
}

TEST(BadConfig, EachErrorNamesTheFileAndKeyWithAStableCode) {
  TempDir dir;
  struct Case {
    std::string text;  // empty: no file at all
    const char* code;
    const char* mentions;
  };
  const Case cases[] = {
      {"", codes::kConfigUnreadable, "missing.toml"},
      {"[store\nbackend = \"sqlite\"\n", codes::kConfigSyntax, "bad.toml"},
      {"[runtime]\nworkerz = 3\n", codes::kConfigInvalid, "workerz"},
      {"[runtime]\nworkers = \"many\"\n", codes::kConfigInvalid, "runtime.workers"},
      {"[[collector]]\nid = \"c\"\ntype = \"fake\"\nendpoint = \"http://x\"\nstreams = []\n",
       codes::kConfigInvalid, "streams"},
      {"[[collector]]\nid = \"c\"\ntype = \"nosuch\"\nendpoint = \"http://x\"\nstreams = [\"a\"]\n"
       "[store]\npath = \"db\"\n",
       codes::kUnknownType, "nosuch"},
  };
  for (const auto& c : cases) {
    std::string path = c.text.empty() ? dir.File("missing.toml") : dir.File("bad.toml");
    if (!c.text.empty()) WriteFile(path, c.text);
    std::string out, err;
    int code = RunPaws({"run", "--config", path}, {}, &out, &err, seconds(30));
    EXPECT_EQ(code, 2) << c.text << "\n" << err;
    EXPECT_NE(err.find(c.code), std::string::npos) << err;
    EXPECT_NE(err.find(c.mentions), std::string::npos) << err;
  }
  std::string out, err;
  EXPECT_EQ(RunPaws({"run"}, {}, &out, &err), 2);
  EXPECT_NE(err.find(codes::kUsage), std::string::npos) << err;
  EXPECT_EQ(RunPaws({"frobnicate"}, {}, &out, &err), 2);
}

TEST(BadMessages, PoisonBodiesAreDeadLetteredWithCodesAndNothingIsLost) {
  Scenario sc;
  ASSERT_TRUE(sc.Setup().ok());
  {
    // Registration happens at start; poison goes in before, next to the real chains.
    std::string out, err;
    ASSERT_EQ(RunPaws({"register", "--config", sc.config_path()}, {{"PAWS_IT_TOKEN", "t"}}, &out,
                      &err),
              0)
        << err;
    StoreOptions o;
    o.path = sc.dir().File("paws.db");
    auto backend = OpenBackend(o, Clock::System());
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    for (const char* body :
         {"this is not json", R"({"retry_count":1})", R"({"priv_collector_state":[1,2]})",
          R"({"collector_id":"ghost","epoch":1,"seq":1,"retry_count":0,)"
          R"("priv_collector_state":{"stream":"x"}})",
          R"({"collector_id":"c-beta","epoch":"one","seq":1,"priv_collector_state":{}})"}) {
      ASSERT_TRUE((*backend)->queue()->Send(body, Duration(0)).ok());
    }
  }
  auto paws = sc.StartPaws();
  ASSERT_TRUE(paws.ok());
  Status caught_up = sc.WaitCaughtUp(seconds(90));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  EXPECT_TRUE((*paws)->Running()) << "poison must not crash paws";
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(seconds(30)), 0);

  StoreOptions o;
  o.path = sc.dir().File("paws.db");
  auto backend = OpenBackend(o, Clock::System());
  ASSERT_TRUE(backend.ok());
  auto dead = (*backend)->queue()->ListDeadLetters();
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 5u);
  std::string reasons;
  for (const auto& d : *dead) reasons += d.reason + "\n";
  for (const char* code : {codes::kMessageNotJson, codes::kMessageNoState,
                           codes::kMessageBadField, codes::kMessageUnknownCollector}) {
    EXPECT_NE(reasons.find(code), std::string::npos) << reasons;
  }
  auto report = sc.Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->missing, 0) << report->detail;
  EXPECT_EQ(report->duplicates, 0) << report->detail;
}

TEST(BadResponses, MalformedApiResponsesFailTheStreamWithACodeThenItResumesWithNoGap) {
  Scenario sc;
  ASSERT_TRUE(sc.Setup().ok());
  ASSERT_TRUE(
      sc.fake()->SetFault(R"({"tenant":"beta","stream":"login","kind":"malformed"})").ok());
  auto paws = sc.StartPaws();
  ASSERT_TRUE(paws.ok());
  nlohmann::json login;
  bool failing = Eventually(
      [&] {
        login = StreamStatus(sc, "c-beta", "login");
        return login.is_object() && login.value("last_status", "") == "FAILING" &&
               login.value("retry_count", 0) >= 2;
      },
      seconds(60));
  ASSERT_TRUE(failing) << login.dump() << sc.PawsLog();
  EXPECT_NE(login["last_error"].get<std::string>().find(codes::kApiMalformed), std::string::npos)
      << login.dump();
  EXPECT_TRUE((*paws)->Running());
  ASSERT_TRUE(sc.fake()->ClearFaults().ok());
  Status caught_up = sc.WaitCaughtUp(seconds(90));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(seconds(30)), 0);
  auto report = sc.Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->missing, 0) << report->detail;
  EXPECT_EQ(report->duplicates, 0) << report->detail;
}

TEST(Secrets, TheSecretNeverAppearsInLogsStatusOrErrors) {
  const std::string secret = "s3cr3t-Tok3n-9f8e7d6c5b4a";
  Scenario::Options opts;
  opts.env = {{"PAWS_IT_TOKEN", secret}};
  Scenario sc(opts);
  ASSERT_TRUE(sc.Setup().ok());
  // beta accepts only the secret (so the test proves it was sent); alpha
  // refuses every request, so errors are logged and recorded.
  ASSERT_TRUE(sc.fake()->AdminPost("/admin/config", R"({"tenant":"beta","token":")" + secret +
                                                        R"("})").ok());
  ASSERT_TRUE(sc.fake()->SetFault(R"({"tenant":"alpha","kind":"401"})").ok());
  auto paws = sc.StartPaws();
  ASSERT_TRUE(paws.ok());
  nlohmann::json alpha;
  ASSERT_TRUE(Eventually(
      [&] {
        alpha = StreamStatus(sc, "c-alpha", "system");
        return alpha.is_object() && alpha.value("retry_count", 0) >= 2;
      },
      seconds(60)))
      << alpha.dump() << sc.PawsLog();
  EXPECT_NE(alpha["last_error"].get<std::string>().find(codes::kApiUnauthenticated),
            std::string::npos);
  auto beta = StreamStatus(sc, "c-beta", "login");
  EXPECT_GE(beta.value("seq", 0), 1) << "beta collects with the secret";
  std::string table, err;
  ASSERT_EQ(RunPaws({"status", "--config", sc.config_path()}, {}, &table, &err), 0);
  (*paws)->Signal(SIGTERM);
  ASSERT_EQ((*paws)->Wait(seconds(30)), 0);
  std::string everything = ReadFile(sc.dir().File("paws.log")) +
                           ReadFile(sc.dir().File("paws.err")) +
                           ReadFile(sc.dir().File("paws.out")) + table + err +
                           StatusJson(sc).dump() + ReadFile(sc.dir().File("paws.db")) +
                           ReadFile(sc.dir().File("paws.db-wal"));
  EXPECT_EQ(everything.find(secret), std::string::npos);
  EXPECT_NE(everything.find(codes::kApiUnauthenticated), std::string::npos);
}

}  // namespace
}  // namespace paws::testing
