// The DynamoDB store against the local DynamoDB server (dynalite, started
// by SharedAwsLocalServers): the store conformance suite on a fresh table
// per test (the queue is a MemoryQueue: the SQS queue has its own tests),
// an upstream-shaped record, and racing claims. Everything skips, with the
// reason, when the server cannot start.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "backends/aws/dynamodb_item.h"
#include "backends/aws/dynamodb_store.h"
#include "backends/aws/dynamodb_table.h"
#include "backends/memory/memory_backend.h"
#include "paws/codes.h"
#include "testing/aws_local_servers.h"
#include "testing/backend_conformance.h"

namespace paws::aws {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// Why the server is not there, or "" when it is.
std::string Endpoint(std::string* why) {
  auto* servers = testing_aws::SharedAwsLocalServers(why);
  return servers == nullptr ? "" : servers->endpoints().dynamodb;
}

// A table name no other test (or run) uses.
std::string FreshTableName() {
  static std::atomic<int> n{0};
  return "paws-test-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

// A client on the local server, a fresh state table and the store on it.
// Deletes the table when destroyed.
class LocalStore {
 public:
  static std::unique_ptr<LocalStore> Make(std::string* why) {
    std::string endpoint = Endpoint(why);
    if (endpoint.empty()) return nullptr;
    auto s = std::unique_ptr<LocalStore>(new LocalStore(endpoint));
    auto done = EnsureStateTable(*s->client_, s->table_, [](Duration d) {
      std::this_thread::sleep_for(d);  // only if the server is slow
    });
    if (!done.ok()) {
      *why = "EnsureStateTable: " + done.status().ToString();
      return nullptr;
    }
    DynamoDbStoreOptions o;
    o.table = s->table_;
    auto store = DynamoDbStore::Make(s->client_.get(), o);
    if (!store.ok()) {
      *why = store.status().ToString();
      return nullptr;
    }
    s->store_ = std::move(store).value();
    return s;
  }

  ~LocalStore() { (void)client_->Call("DeleteTable", json{{"TableName", table_}}); }

  DynamoDbStore* store() { return store_.get(); }
  AwsJsonClient& client() { return *client_; }
  const std::string& table() const { return table_; }

 private:
  explicit LocalStore(const std::string& endpoint)
      : http_(MakeCurlHttpClient()), table_(FreshTableName()) {
    AwsCredentials creds;
    creds.access_key_id = "AKIDLOCAL";
    creds.secret_access_key = Secret("local");
    client_ = std::make_unique<AwsJsonClient>(DynamoDbService(endpoint), "us-east-1", creds,
                                              RetryPolicy{}, ClientDeps::Real(http_.get()));
  }

  std::unique_ptr<HttpClient> http_;
  std::string table_;
  std::unique_ptr<AwsJsonClient> client_;
  std::unique_ptr<DynamoDbStore> store_;
};

// The conformance suites' Backend: this store and an in-memory queue.
class DynamoDbMemoryQueueBackend : public Backend {
 public:
  DynamoDbMemoryQueueBackend(std::unique_ptr<LocalStore> store, Clock* clock)
      : store_(std::move(store)), queue_(clock, std::chrono::hours(24 * 4)) {}
  StateQueue* queue() override { return &queue_; }
  StateStore* store() override { return store_->store(); }

 private:
  std::unique_ptr<LocalStore> store_;
  memory::MemoryQueue queue_;
};

void Skip(const std::string& why) { GTEST_SKIP() << "local DynamoDB server not started: " << why; }

// The suites' fixture cannot skip from its factory directly: the factory
// records the skip and returns a stand-in (memory) backend, so that SetUp
// succeeds and GoogleTest, seeing the skip, does not run the test body.
std::unique_ptr<Backend> MakeBackend(FakeClock* clock) {
  std::string why;
  if (Endpoint(&why).empty()) {
    Skip(why);
    return std::make_unique<memory::MemoryBackend>(MemoryOptions{}, clock);
  }
  auto s = LocalStore::Make(&why);
  if (s == nullptr) {
    ADD_FAILURE() << "local DynamoDB: " << why;
    return nullptr;
  }
  return std::make_unique<DynamoDbMemoryQueueBackend>(std::move(s), clock);
}

class DynamoDbLocalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (Endpoint(&why).empty()) GTEST_SKIP() << "local DynamoDB server not started: " << why;
    local_ = LocalStore::Make(&why);
    ASSERT_NE(local_, nullptr) << why;
  }
  std::unique_ptr<LocalStore> local_;
  FakeClock clock_;
};

// A record as the Node.js collectors leave it in PawsCollectorStates:
// integer seconds, no Stream, no Reason.
TEST_F(DynamoDbLocalTest, ReadsAndRetakesAnUpstreamRecord) {
  json item = json::parse(R"({"CollectorId":{"S":"c1"},"MessageId":{"S":"0b6c2f1e-upstream"},
      "Cid":{"S":"134235452"},"Updated":{"N":"1767225000"},"ExpireDate":{"N":"1768434600"},
      "Status":{"S":"FAILED"}})");
  ASSERT_TRUE(
      local_->client().Call("PutItem", json{{"TableName", local_->table()}, {"Item", item}}).ok());
  auto got = local_->store()->GetRecord("c1", "0b6c2f1e-upstream");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->cid, "134235452");
  EXPECT_EQ((*got)->stream, "");
  EXPECT_EQ((*got)->status, RecordStatus::kFailed);
  EXPECT_EQ(ToUnixMillis((*got)->updated), 1767225000000);
  EXPECT_EQ(ToUnixMillis((*got)->expire_date), 1768434600000);
  auto listed = local_->store()->ListRecords("c1");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0], **got);

  // Taken over by a paws cycle: re-taken (FAILED), given its stream.
  StateRecord rec;
  rec.collector_id = "c1";
  rec.message_id = "0b6c2f1e-upstream";
  rec.cid = "134235452";
  rec.updated = clock_.Now();
  rec.expire_date = rec.updated + kStateRecordTtl;
  rec.stream = "LoginHistory";
  auto acquired = local_->store()->AcquireRecord(rec, seconds(900));
  ASSERT_TRUE(acquired.ok()) << acquired.status().ToString();
  EXPECT_EQ(*acquired, AcquireOutcome::kAcquired);
  EXPECT_EQ(*local_->store()->GetRecord("c1", rec.message_id), rec);
}

TEST_F(DynamoDbLocalTest, CorruptRowIsReportedNotCrashed) {
  StreamRow row;
  row.collector_id = "c1";
  row.stream = "a";
  json item = EncodeStreamRow(row, "w");
  item["Epoch"] = {{"S", "not a number"}};
  ASSERT_TRUE(
      local_->client().Call("PutItem", json{{"TableName", local_->table()}, {"Item", item}}).ok());
  auto got = local_->store()->GetStream("c1", "a");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().paws_code(), codes::kStoreCorrupt);
  EXPECT_NE(got.status().message().find(local_->table()), std::string::npos);
  EXPECT_NE(got.status().message().find("Epoch"), std::string::npos);
}

// Eight daemons (each its own client and connections) race to claim the
// same (epoch, seq): exactly one wins.
TEST_F(DynamoDbLocalTest, EightRacingClaimersOneWinner) {
  constexpr int kThreads = 8;
  StreamRow row;
  row.collector_id = "c1";
  row.stream = "a";
  row.epoch = 1;
  row.due_at = row.first_seen = clock_.Now();
  ASSERT_TRUE(local_->store()->CreateStream(row).ok());
  std::string endpoint = Endpoint(nullptr);
  std::vector<std::unique_ptr<HttpClient>> https;
  std::vector<std::unique_ptr<AwsJsonClient>> clients;
  std::vector<std::unique_ptr<DynamoDbStore>> stores;
  for (int i = 0; i < kThreads; ++i) {
    https.push_back(MakeCurlHttpClient());
    AwsCredentials creds;
    creds.access_key_id = "AKIDLOCAL";
    creds.secret_access_key = Secret("local");
    clients.push_back(std::make_unique<AwsJsonClient>(DynamoDbService(endpoint), "us-east-1", creds,
                                                      RetryPolicy{},
                                                      ClientDeps::Real(https.back().get())));
    DynamoDbStoreOptions o;
    o.table = local_->table();
    stores.push_back(std::move(DynamoDbStore::Make(clients.back().get(), o)).value());
  }
  std::vector<StatusCode> codes(kThreads);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  WallTime now = clock_.Now();
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (!go.load()) std::this_thread::yield();
      codes[i] =
          stores[i]->ClaimStream({"c1", "a", 1, 1, "winner " + std::to_string(i), now, now}).code();
    });
  }
  while (ready.load() < kThreads) std::this_thread::yield();
  go = true;
  for (auto& t : threads) t.join();
  int wins = 0, winner = -1;
  for (int i = 0; i < kThreads; ++i) {
    if (codes[i] == StatusCode::kOk) {
      ++wins;
      winner = i;
    } else {
      EXPECT_EQ(codes[i], StatusCode::kConflict) << i;
    }
  }
  ASSERT_EQ(wins, 1);
  auto got = local_->store()->GetStream("c1", "a");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->seq, 1);
  EXPECT_EQ((*got)->checkpoint, "winner " + std::to_string(winner));
}

TEST_F(DynamoDbLocalTest, EnsureStateTableFindsTheTableItMade) {
  auto again = EnsureStateTable(local_->client(), local_->table(), [](Duration) {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_FALSE(again->empty());
  EXPECT_EQ((*again)[0], "table " + local_->table() + " exists: key schema ok");
  auto report = DescribeStateTable(local_->client(), local_->table());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->exists);
  EXPECT_EQ(report->status, "ACTIVE");
  EXPECT_TRUE(report->key_schema_ok);
  EXPECT_EQ(report->billing_mode, "PAY_PER_REQUEST");
}

}  // namespace
}  // namespace paws::aws

namespace paws::conformance {
[[maybe_unused]] static const int dynamodb_store_linked = LinkStoreConformance();

// Only the store suite: the queue is memory's, whose suites run elsewhere.
INSTANTIATE_TEST_SUITE_P(DynamoDb, StoreConformanceTest,
                         ::testing::Values(BackendParam{"dynamodb", &paws::aws::MakeBackend}),
                         BackendParamName);
}  // namespace paws::conformance
