// The fleet of DESIGN.md, "Backends": three `paws run` daemons share one
// DynamoDB table and one SQS queue (the local dynalite and fauxqs servers),
// collecting twelve collectors from the fake API. One daemon is SIGKILLed
// and restarted again and again while they collect, a stream's state
// message is deleted by hand, and the health checks of all three run.
// What an operator would check afterwards: every event of every collected
// window in the sink, one chain per stream, one repair for the one lost
// message.

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <random>
#include <sstream>
#include <thread>

#include "paws/codes.h"
#include "paws/http.h"
#include "testing/aws_local_servers.h"
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

// Twelve collectors, one stream each, each on a tenant of its own.
std::vector<Scenario::StreamSpec> TwelveCollectors() {
  const char* kStreams[] = {"login", "admin", "drive", "system"};
  std::vector<Scenario::StreamSpec> out;
  for (int i = 1; i <= 12; ++i) {
    char collector[16], tenant[16];
    std::snprintf(collector, sizeof collector, "c-%02d", i);
    std::snprintf(tenant, sizeof tenant, "t%02d", i);
    out.push_back({collector, tenant, kStreams[i % 4]});
  }
  return out;
}

// When the daemon's health check last ran (Unix seconds), from its
// /metrics; -1 when it cannot be read.
double HealthCheckedAt(HttpClient* http, const Scenario& sc, const std::string& instance) {
  int port = std::atoi(ReadFile(sc.dir().File("status-" + instance + ".port")).c_str());
  if (port <= 0) return -1;
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  auto resp = http->Send(req);
  if (!resp.ok() || resp->status != 200) return -1;
  std::istringstream in(resp->body);
  std::string line;
  const std::string name = "paws_health_check_timestamp_seconds ";
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) == 0) return std::strtod(line.c_str() + name.size(), nullptr);
  }
  return -1;
}

class Fleet {
 public:
  explicit Fleet(Scenario* sc) : sc_(sc) {}
  ~Fleet() {
    for (auto& [name, p] : daemons_) {
      if (p) p->Signal(SIGCONT);  // a failed assertion may leave them stopped
    }
  }
  Status Start(const std::string& name) {
    std::remove(sc_->dir().File("status-" + name + ".port").c_str());
    PAWS_ASSIGN_OR_RETURN(daemons_[name], sc_->StartPaws(name));
    return Status::Ok();
  }
  Process* operator[](const std::string& name) { return daemons_[name].get(); }
  void SignalAll(int sig) {
    for (auto& [name, p] : daemons_) p->Signal(sig);
  }
  // Every daemon's log, all runs.
  std::string Logs() const {
    std::string all;
    for (const auto& [name, p] : daemons_) all += ReadFile(sc_->dir().File("paws-" + name + ".log"));
    return all;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, p] : daemons_) out.push_back(name);
    return out;
  }

 private:
  Scenario* sc_;
  std::map<std::string, std::unique_ptr<Process>> daemons_;
};

TEST(AwsFleet, ThreeDaemonsSurviveKillsAndRepairALostMessageExactlyOnce) {
  std::string why;
  testing_aws::AwsLocalServers* servers = testing_aws::SharedAwsLocalServers(&why);
  if (servers == nullptr) GTEST_SKIP() << why;

  Scenario::Options opts;
  opts.history_minutes = 10;
  opts.poll_interval_sec = 5;  // an SQS message is receivable only once due
  opts.streams = TwelveCollectors();
  opts.aws = AwsEndpoints{servers->endpoints().dynamodb, servers->endpoints().sqs};
  opts.extra_toml = R"(
[health]
interval = "1s"
stall_after = "8s"
grace = "30s"
)";
  Scenario sc(opts);
  Status setup = sc.Setup();
  ASSERT_TRUE(setup.ok()) << setup.ToString();
  Fleet fleet(&sc);
  for (const char* name : {"one", "two", "three"}) {
    Status st = fleet.Start(name);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  // Daemon "one" is killed and restarted while the fleet collects the
  // history, then again between windows once it has caught up (a kill
  // after a successor was sent but before its message was deleted leaves
  // that message to come back before the successor is due).
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pause_ms(500, 2500);
  const int kKills = 6;
  int kills_mid_collection = 0;
  for (int i = 0; i < kKills; ++i) {
    if (i == kKills / 2) {
      Status caught_up = sc.WaitCaughtUp(seconds(90));
      ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
    }
    std::this_thread::sleep_for(milliseconds(pause_ms(rng)));
    ASSERT_TRUE(fleet["one"]->Running()) << "daemon one died by itself\n" << sc.PawsLog();
    fleet["one"]->Signal(SIGKILL);
    ASSERT_EQ(fleet["one"]->Wait(seconds(10)), 128 + SIGKILL);
    auto done = sc.CaughtUp();
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    kills_mid_collection += *done ? 0 : 1;
    Status st = fleet.Start("one");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  std::printf("%d of %d kills while collecting the history\n", kills_mid_collection, kKills);
  Status caught_up = sc.WaitCaughtUp(seconds(90));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  for (const char* name : {"one", "two", "three"}) {
    ASSERT_TRUE(fleet[name]->Running()) << name << " died\n" << sc.PawsLog();
  }

  // Delete the victim's message by hand. Its successor sits delayed in SQS
  // until the stream is due, so the daemons are paused just before that
  // (no cycle of the victim can be under way then) and the hand receives
  // it once it is due; everything else it receives goes back.
  const Scenario::StreamSpec victim = sc.streams()[4];
  const std::string victim_key = victim.collector + "/" + victim.stream;
  StreamRow before;
  ASSERT_TRUE(Eventually(
      [&] {
        auto row = sc.Row(victim.collector, victim.stream);
        if (!row.ok() || !row->has_value()) return false;
        before = **row;
        return before.last_status == kStreamStatusOk &&
               before.due_at > Clock::System()->Now() + milliseconds(1500);
      },
      seconds(30)))
      << victim_key << " never idle\n"
      << sc.PawsLog();
  auto until_due = before.due_at - Clock::System()->Now() - seconds(1);
  if (until_due > Duration(0)) std::this_thread::sleep_for(until_due);
  fleet.SignalAll(SIGSTOP);
  bool deleted = false;
  {
    auto backend = sc.OpenStore();
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    auto row = (*backend)->store()->GetStream(victim.collector, victim.stream);
    ASSERT_TRUE(row.ok() && row->has_value());
    ASSERT_EQ((*row)->seq, before.seq) << "a cycle of " << victim_key << " ran before it was due";
    std::vector<std::string> held;
    const MonoTime until = Clock::System()->MonotonicNow() + seconds(30);
    for (int round = 0; round < 100 && !deleted && Clock::System()->MonotonicNow() < until;
         ++round) {
      auto got = (*backend)->queue()->Receive(10, seconds(30), seconds(1));
      if (!got.ok()) continue;
      for (const auto& m : *got) {
        auto sm = ParseStateMessage(m.body);
        bool is_victim = sm.ok() && sm->collector_id == victim.collector &&
                         StateStringField(sm->state_json, "stream") == victim.stream &&
                         sm->epoch == before.epoch && sm->seq == before.seq + 1;
        if (is_victim && !deleted) {
          deleted = (*backend)->queue()->Delete(m.receipt).ok();
        } else {
          held.push_back(m.receipt);
        }
      }
    }
    for (const auto& receipt : held) (void)(*backend)->queue()->ChangeVisibility(receipt, Duration(0));
  }
  fleet.SignalAll(SIGCONT);
  ASSERT_TRUE(deleted) << "the message of " << victim_key << " was not received in 30 s";

  // Overdue by stall_after with no attempt: ceased, and re-seeded by one of
  // the three checkers.
  const std::string repaired = std::string("[") + codes::kRepairReseeded + "] collector " +
                               victim.collector + " stream " + victim.stream;
  ASSERT_TRUE(Eventually([&] { return Count(fleet.Logs(), repaired) > 0; }, seconds(40)))
      << sc.PawsLog();
  const double repaired_at = static_cast<double>(ToUnixMillis(Clock::System()->Now())) / 1000;
  caught_up = sc.WaitCaughtUp(seconds(60));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  // All three checkers run after the repair (and find nothing more to do).
  auto http = MakeCurlHttpClient();
  for (const auto& name : fleet.names()) {
    double at = -1;
    EXPECT_TRUE(Eventually(
        [&] {
          at = HealthCheckedAt(http.get(), sc, name);
          return at > repaired_at;
        },
        seconds(15)))
        << "daemon " << name << ": last health check at " << at << ", repair at " << repaired_at;
  }
  fleet.SignalAll(SIGTERM);
  for (const auto& name : fleet.names()) {
    EXPECT_EQ(fleet[name]->Wait(seconds(30)), 0) << name << "\n" << sc.PawsLog();
  }

  std::string logs = fleet.Logs();
  EXPECT_EQ(Count(logs, std::string("[") + codes::kRepairReseeded + "]"), 1u)
      << "one repair, of " << victim_key << " only\n"
      << sc.PawsLog();
  // One chain per stream: the repaired one moved to epoch 2, no other
  // stream left epoch 1. Verify also checks that each stream has exactly
  // one message, the one its row admits next, and no COMPLETE record
  // beyond its seq.
  auto backend = sc.OpenStore();
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  for (const auto& s : sc.streams()) {
    auto row = (*backend)->store()->GetStream(s.collector, s.stream);
    ASSERT_TRUE(row.ok() && row->has_value()) << s.collector << "/" << s.stream;
    const bool is_victim = s.collector == victim.collector && s.stream == victim.stream;
    EXPECT_EQ((*row)->epoch, is_victim ? 2 : 1) << s.collector << "/" << s.stream;
  }
  auto report = sc.Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->missing, 0) << "every event of every collected window\n" << report->detail;
  EXPECT_EQ(report->not_served, 0) << report->detail;
  EXPECT_GT(report->events, 12 * 150) << report->detail;
  // Duplicates only from replayed cycles: a killed or paused daemon's
  // receive batches (10 messages per worker), each at most one cycle's
  // worth of events.
  const int replays = (kKills + 3) * sc.workers() * 10;
  EXPECT_LE(report->duplicates, replays * sc.MaxEventsPerCycle()) << report->detail;
  std::printf("%s", report->detail.c_str());
}

}  // namespace
}  // namespace paws::testing
