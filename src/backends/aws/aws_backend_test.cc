// The aws backend as `paws run` opens it — the DynamoDB store and the SQS
// queue behind one Backend — through all three conformance suites against
// the local servers (dynalite, fauxqs), each test on a fresh table and
// queue; and what MakeAwsBackend says when the table or queue is missing.

#include "backends/aws/aws_backend.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <memory>
#include <string>

#include "backends/aws/dynamodb_table.h"
#include "backends/aws/sqs_admin.h"
#include "paws/codes.h"
#include "paws/state.h"
#include "testing/aws_local_servers.h"
#include "testing/backend_conformance.h"

namespace paws::aws {
namespace {

using std::chrono::seconds;

// Credentials in the environment, nothing in files.
AwsEnv LocalEnv() {
  AwsEnv env;
  env.getenv = [](const std::string& name) -> std::optional<std::string> {
    static const std::map<std::string, std::string> vars = {
        {"AWS_ACCESS_KEY_ID", "AKIDLOCAL"},
        {"AWS_SECRET_ACCESS_KEY", "local-secret"},
        {"AWS_REGION", "us-east-1"}};
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  env.read_file = [](const std::string&) -> Result<std::string> {
    return Status::NotFound("No such file or directory");
  };
  return env;
}

// [store] for a fresh table and queue on the local servers; empty
// endpoints when they cannot start (`why` says why).
StoreOptions FreshOptions(std::string* why) {
  StoreOptions o;
  o.backend = "aws";
  testing_aws::AwsLocalServers* servers = testing_aws::SharedAwsLocalServers(why);
  if (servers == nullptr) return o;
  static std::atomic<int> n{0};
  const std::string suffix = std::to_string(::getpid()) + "-" + std::to_string(++n);
  o.aws.table = "paws-backend-" + suffix;
  o.aws.queue = "paws-backend-" + suffix;
  o.aws.dynamodb_endpoint = servers->endpoints().dynamodb;
  o.aws.sqs_endpoint = servers->endpoints().sqs;
  return o;
}

// Creates the table and queues of `o` as `paws aws init` does.
Status Init(const StoreOptions& o) {
  PAWS_ASSIGN_OR_RETURN(AwsClients c, ConnectAws(o, LocalEnv()));
  PAWS_RETURN_IF_ERROR(EnsureStateTable(*c.dynamodb, o.aws.table, [](Duration) {}).status());
  return EnsureStateQueue(*c.sqs, o.aws.queue, seconds(900), o.retention).status();
}

std::unique_ptr<Backend> MakeFreshAwsBackend(FakeClock* clock) {
  std::string why;
  StoreOptions o = FreshOptions(&why);
  if (o.aws.dynamodb_endpoint.empty()) {
    [&] { GTEST_SKIP() << "local DynamoDB/SQS servers unavailable: " << why; }();
    return nullptr;
  }
  Status init = Init(o);
  EXPECT_TRUE(init.ok()) << init.ToString();
  auto b = MakeAwsBackend(o, clock, LocalEnv());
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  if (!b.ok()) return nullptr;
  return std::move(*b);
}

class AwsBackendOpenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_ = FreshOptions(&why_);
    if (options_.aws.dynamodb_endpoint.empty()) {
      GTEST_SKIP() << "local DynamoDB/SQS servers unavailable: " << why_;
    }
  }
  std::string why_;
  StoreOptions options_;
  FakeClock clock_;
};

TEST_F(AwsBackendOpenTest, AMissingTableTellsToRunInit) {
  auto b = MakeAwsBackend(options_, &clock_, LocalEnv());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().paws_code(), codes::kAwsRejected);
  EXPECT_NE(b.status().message().find("store.aws.table: table " + options_.aws.table),
            std::string::npos)
      << b.status().message();
  EXPECT_NE(b.status().message().find("paws aws init"), std::string::npos);
}

TEST_F(AwsBackendOpenTest, AMissingQueueTellsToRunInit) {
  auto c = ConnectAws(options_, LocalEnv());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(EnsureStateTable(*c->dynamodb, options_.aws.table, [](Duration) {}).ok());
  auto b = MakeAwsBackend(options_, &clock_, LocalEnv());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().paws_code(), codes::kAwsRejected);
  EXPECT_NE(b.status().message().find("store.aws.queue: queue " + options_.aws.queue),
            std::string::npos)
      << b.status().message();
}

TEST_F(AwsBackendOpenTest, BatchOfCommitsClaimsSendsAndDeletesEach) {
  ASSERT_TRUE(Init(options_).ok());
  auto opened = MakeAwsBackend(options_, &clock_, LocalEnv());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  AwsBackend& b = **opened;
  // 12 streams (more than one SQS batch), each with a received message;
  // stream 5's row is ahead, so its claim loses.
  constexpr int kStreams = 12;
  for (int i = 0; i < kStreams; ++i) {
    StreamRow r;
    r.collector_id = "c1";
    r.stream = "s" + std::to_string(i);
    r.epoch = 1;
    r.seq = i == 5 ? 1 : 0;
    r.checkpoint = "{}";
    r.due_at = clock_.Now();
    r.first_seen = clock_.Now();
    ASSERT_TRUE(b.store()->CreateStream(r).ok());
    ASSERT_TRUE(b.queue()->Send("m" + std::to_string(i), Duration(0)).ok());
  }
  std::vector<QueueMessage> got;
  for (int round = 0; round < 5 && got.size() < kStreams; ++round) {
    auto more = b.queue()->Receive(10, seconds(60), Duration(0));
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    got.insert(got.end(), more->begin(), more->end());
  }
  ASSERT_EQ(got.size(), static_cast<size_t>(kStreams));
  std::vector<CycleCommit> commits;
  for (const auto& m : got) {
    const std::string stream = "s" + m.body.substr(1);
    StateRecord rec;
    rec.collector_id = "c1";
    rec.message_id = m.id;
    rec.updated = clock_.Now();
    rec.expire_date = rec.updated + kStateRecordTtl;
    rec.stream = stream;
    ASSERT_TRUE(b.store()->AcquireRecord(rec, seconds(900)).ok());
    CycleCommit c;
    c.claim = ClaimUpdate{"c1", stream, 1, 1, R"({"next":1})", clock_.Now(), clock_.Now()};
    c.successor_body = "next-" + stream;
    c.message_id = m.id;
    c.receipt = m.receipt;
    commits.push_back(c);
  }
  const int64_t sqs_before = b.sqs_requests();
  std::vector<Status> out = b.CommitCycles(commits);
  ASSERT_EQ(out.size(), commits.size());
  for (size_t i = 0; i < out.size(); ++i) {
    const bool lost = commits[i].claim.stream == "s5";
    EXPECT_EQ(out[i].code(), lost ? StatusCode::kConflict : StatusCode::kOk)
        << commits[i].claim.stream << ": " << out[i].ToString();
    auto rec = b.store()->GetRecord("c1", commits[i].message_id);
    ASSERT_TRUE(rec.ok() && rec->has_value());
    EXPECT_EQ((*rec)->status == RecordStatus::kComplete, !lost) << commits[i].claim.stream;
  }
  // 11 successors in two SendMessageBatch calls, 12 deletes in two
  // DeleteMessageBatch calls.
  EXPECT_EQ(b.sqs_requests() - sqs_before, 4);
  std::set<std::string> bodies;
  for (int round = 0; round < 5 && bodies.size() < kStreams - 1; ++round) {
    auto more = b.queue()->Receive(10, seconds(60), Duration(0));
    ASSERT_TRUE(more.ok());
    for (const auto& m : *more) bodies.insert(m.body);
  }
  EXPECT_EQ(bodies.size(), static_cast<size_t>(kStreams - 1));
  EXPECT_EQ(bodies.count("next-s5"), 0u);
  auto counts = b.queue()->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->visible + counts->delayed, 0);
}

// Two upstream collectors of one type, each with its own upstream queue,
// attached to their collectors: their bodies (which name no collector) come
// out as adoption messages of the right collector, are deleted from their
// own queue, and anything sent goes to the shared queue.
TEST_F(AwsBackendOpenTest, AttachedUpstreamQueuesAreReadAsTheirCollectors) {
  ASSERT_TRUE(Init(options_).ok());
  auto c = ConnectAws(options_, LocalEnv());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const std::string upstream_a = options_.aws.queue + "-up-a";
  const std::string upstream_b = options_.aws.queue + "-up-b";
  for (const auto& [q, since] : {std::pair{upstream_a, "2026-01-01T00:00:00Z"},
                                 std::pair{upstream_b, "2026-02-01T00:00:00Z"}}) {
    ASSERT_TRUE(EnsureStateQueue(*c->sqs, q, seconds(900), options_.retention).ok());
    auto url = QueueUrlOf(*c->sqs, q);
    ASSERT_TRUE(url.ok());
    nlohmann::json body = {{"priv_collector_state", {{"since", since}}}, {"retry_count", 2}};
    ASSERT_TRUE(c->sqs->Call("SendMessage", {{"QueueUrl", *url}, {"MessageBody", body.dump()}})
                    .ok());
  }
  options_.aws.attached = {{"okta-a", upstream_a}, {"okta-b", upstream_b}, {"gone", "nope"}};
  auto opened = MakeAwsBackend(options_, &clock_, LocalEnv());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  AwsBackend& b = **opened;
  std::map<std::string, std::string> since_of;
  std::vector<std::string> receipts;
  for (int round = 0; round < 5 && since_of.size() < 2; ++round) {
    auto got = b.queue()->Receive(10, seconds(60), Duration(0));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    for (const auto& m : *got) {
      auto sm = ParseStateMessage(m.body);
      ASSERT_TRUE(sm.ok()) << m.body;
      EXPECT_FALSE(sm->legacy);
      EXPECT_TRUE(sm->adopting());
      EXPECT_EQ(sm->retry_count, 2);
      since_of[sm->collector_id] = StateStringField(sm->state_json, "since");
      receipts.push_back(m.receipt);
    }
  }
  EXPECT_EQ(since_of, (std::map<std::string, std::string>{{"okta-a", "2026-01-01T00:00:00Z"},
                                                          {"okta-b", "2026-02-01T00:00:00Z"}}));
  auto counts = b.queue()->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->in_flight, 2);
  for (const auto& r : receipts) EXPECT_TRUE(b.queue()->Delete(r).ok());
  ASSERT_TRUE(b.queue()->Send("successor", Duration(0)).ok());
  counts = b.queue()->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->in_flight, 0);
  EXPECT_EQ(counts->visible, 1);
  for (const auto& q : {upstream_a, upstream_b}) {
    auto report = DescribeStateQueue(*c->sqs, q);
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->visible + report->in_flight + report->delayed, 0) << q;
  }
}

TEST(AdoptFromAttachedTest, OnlyUpstreamBodiesAreRewritten) {
  const std::string upstream = R"({"priv_collector_state":{"since":"x"},"retry_count":1})";
  auto sm = ParseStateMessage(AdoptFromAttached(upstream, "c9"));
  ASSERT_TRUE(sm.ok());
  EXPECT_EQ(sm->collector_id, "c9");
  EXPECT_EQ(sm->epoch, 0);
  EXPECT_EQ(sm->seq, 1);
  EXPECT_EQ(sm->retry_count, 1);
  const std::string native =
      R"({"collector_id":"other","epoch":3,"seq":4,"retry_count":0,"priv_collector_state":{}})";
  EXPECT_EQ(AdoptFromAttached(native, "c9"), native);
  EXPECT_EQ(AdoptFromAttached("not json", "c9"), "not json");
}

}  // namespace
}  // namespace paws::aws

PAWS_INSTANTIATE_CONFORMANCE(Aws, (::paws::conformance::BackendParam{
                                      "aws", ::paws::aws::MakeFreshAwsBackend, true}))
