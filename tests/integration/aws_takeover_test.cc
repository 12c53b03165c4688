// Taking over an upstream PAWS deployment on the aws backend: a table and
// queues populated the way upstream leaves them — records without Stream
// (written as upstream's Node.js code writes them) and upstream state
// bodies in each collector's own queue — are taken over by `paws run` with
// no stream lost, no window skipped and none collected twice.

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "backends/aws/aws_backend.h"
#include "backends/aws/sqs_admin.h"
#include "paws/codes.h"
#include "testing/aws_local_servers.h"
#include "tests/integration/scenario.h"

namespace paws::testing {
namespace {

using json = nlohmann::json;
using std::chrono::seconds;

constexpr int kPollSec = 5;

// A state as upstream's fake-type collector left it in its queue: no
// collector_id, no epoch or seq.
std::string UpstreamBody(const std::string& stream, const std::string& since) {
  WallTime t = *ParseRfc3339(since);
  json state = {{"stream", stream},
                {"since", since},
                {"until", FormatRfc3339(t + seconds(kPollSec))},
                {"nextPage", nullptr},
                {"poll_interval_sec", kPollSec}};
  return json{{"priv_collector_state", state}, {"retry_count", 0}}.dump();
}

// A state record exactly as upstream's checkStateSqsMessage writes it:
// whole seconds, no Stream.
json UpstreamRecord(const std::string& table, const std::string& collector,
                    const std::string& message_id) {
  const int64_t now = ToUnixMillis(Clock::System()->Now()) / 1000;
  return {{"TableName", table},
          {"Item",
           {{"CollectorId", {{"S", collector}}},
            {"MessageId", {{"S", message_id}}},
            {"Cid", {{"S", "cid-" + collector}}},
            {"Updated", {{"N", std::to_string(now - 600)}}},
            {"Status", {{"S", "COMPLETE"}}},
            {"ExpireDate", {{"N", std::to_string(now + 14 * 86400)}}}}}};
}

TEST(AwsTakeover, UpstreamTableAndQueuesAreTakenOverWithNoStreamLost) {
  std::string why;
  testing_aws::AwsLocalServers* servers = testing_aws::SharedAwsLocalServers(&why);
  if (servers == nullptr) GTEST_SKIP() << "local DynamoDB/SQS servers unavailable: " << why;

  // Two upstream collectors of one type with the same stream names, each
  // with its own upstream queue: only the attachment can tell their
  // bodies apart.
  const std::string tag = std::to_string(::getpid());
  const std::map<std::string, std::string> upstream_queue = {{"c-up-a", "upstream-a-" + tag},
                                                             {"c-up-b", "upstream-b-" + tag}};
  Scenario::Options opts;
  opts.aws = AwsEndpoints{servers->endpoints().dynamodb, servers->endpoints().sqs};
  opts.history_minutes = 5;
  opts.poll_interval_sec = kPollSec;
  opts.streams = {{"c-up-a", "gamma", "login"},
                  {"c-up-a", "gamma", "admin"},
                  {"c-up-b", "delta", "login"},
                  {"c-up-b", "delta", "admin"},
                  {"c-up-b", "delta", "drive"}};
  opts.takeover = {"c-up-a", "c-up-b"};
  opts.upstream_queues = upstream_queue;
  opts.extra_toml = R"(
[health]
interval = "1s"
stall_after = "10s"
grace = "15s"
)";
  Scenario sc(opts);
  Status setup = sc.Setup();
  ASSERT_TRUE(setup.ok()) << setup.ToString();

  {
    auto opened = sc.OpenStore();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    auto* backend = dynamic_cast<aws::AwsBackend*>(opened->get());
    ASSERT_NE(backend, nullptr);
    aws::AwsJsonClient& sqs = backend->sqs_client();
    aws::AwsJsonClient& dynamodb = backend->dynamodb_client();
    // What upstream left: login due now, admin in 6 s, in each queue; b's
    // drive has no message at all (seeded after grace).
    for (const auto& [collector, queue] : upstream_queue) {
      ASSERT_TRUE(aws::EnsureStateQueue(sqs, queue, seconds(900), std::chrono::hours(96)).ok());
      auto url = aws::QueueUrlOf(sqs, queue);
      ASSERT_TRUE(url.ok()) << url.status().ToString();
      for (const auto& [stream, delay] : {std::pair{"login", 0}, std::pair{"admin", 6}}) {
        auto sent = sqs.Call("SendMessage", {{"QueueUrl", *url},
                                             {"MessageBody", UpstreamBody(stream, sc.collection_start())},
                                             {"DelaySeconds", delay}});
        ASSERT_TRUE(sent.ok()) << sent.status().ToString();
      }
      for (int i = 0; i < 3; ++i) {
        auto put = dynamodb.Call("PutItem", UpstreamRecord(backend->table(), collector,
                                                            "upstream-msg-" + std::to_string(i)));
        ASSERT_TRUE(put.ok()) << put.status().ToString();
      }
    }
  }

  auto one = sc.StartPaws();
  auto two = sc.StartPaws("two");
  ASSERT_TRUE(one.ok() && two.ok());
  Status caught_up = sc.WaitCaughtUp(seconds(120));
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString() << sc.PawsLog();
  (*one)->Signal(SIGTERM);
  (*two)->Signal(SIGTERM);
  ASSERT_EQ((*one)->Wait(seconds(30)), 0) << sc.PawsLog();
  ASSERT_EQ((*two)->Wait(seconds(30)), 0) << sc.PawsLog();

  // Every event of every window from upstream's state on reached the sink,
  // once.
  auto report = sc.Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString() << sc.PawsLog();
  EXPECT_EQ(report->missing, 0) << report->detail;
  EXPECT_EQ(report->not_served, 0) << report->detail;
  EXPECT_EQ(report->duplicates, 0) << report->detail;
  // login and admin of both collectors were adopted from their upstream
  // messages (epoch 0), each by its own collector; drive was seeded.
  for (const char* collector : {"c-up-a", "c-up-b"}) {
    for (const char* stream : {"login", "admin"}) {
      auto row = sc.Row(collector, stream);
      ASSERT_TRUE(row.ok() && row->has_value()) << collector << "/" << stream;
      EXPECT_EQ((*row)->epoch, 0) << collector << "/" << stream;
      EXPECT_GE((*row)->seq, 2) << collector << "/" << stream;
    }
  }
  auto drive = sc.Row("c-up-b", "drive");
  ASSERT_TRUE(drive.ok() && drive->has_value());
  EXPECT_GE((*drive)->epoch, 1);
  const std::string log = sc.PawsLog();
  EXPECT_NE(log.find(codes::kRepairSeeded), std::string::npos) << log;
  // Nothing was dead-lettered: no body was left without its collector.
  auto opened = sc.OpenStore();
  ASSERT_TRUE(opened.ok());
  auto counts = (*opened)->queue()->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->dead, 0) << log;
  // The upstream queues drained: successors went to the shared queue.
  auto* backend = dynamic_cast<aws::AwsBackend*>(opened->get());
  ASSERT_NE(backend, nullptr);
  for (const auto& [collector, queue] : upstream_queue) {
    auto q = aws::DescribeStateQueue(backend->sqs_client(), queue);
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(q->visible + q->delayed + q->in_flight, 0) << queue;
  }
  // Upstream's records are still read, as records without a stream.
  for (const char* collector : {"c-up-a", "c-up-b"}) {
    auto records = (*opened)->store()->ListRecords(collector);
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    int legacy = 0;
    for (const auto& r : *records) legacy += r.stream.empty() ? 1 : 0;
    EXPECT_EQ(legacy, 3) << collector;
  }
}

}  // namespace
}  // namespace paws::testing
