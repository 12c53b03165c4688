// Unit tests of the DynamoDB store without a server: the item layout, and
// the requests sent and errors returned for scripted answers.
#include "backends/aws/dynamodb_store.h"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <vector>

#include "backends/aws/dynamodb_item.h"
#include "backends/aws/dynamodb_table.h"
#include "paws/codes.h"

namespace paws::aws {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kConditionFailed[] =
    R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
    R"("message":"The conditional request failed"})";

// Answers requests from a script and keeps what was sent (as in
// aws_client_test.cc).
class ScriptedHttp : public HttpClient {
 public:
  void Answer(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    script_.push_back(r);
  }
  void Answer(const json& body) { Answer(200, body.dump()); }

  Result<HttpResponse> Send(const HttpRequest& req) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent.push_back(req);
    if (script_.empty()) return Status::Unavailable("no answer scripted");
    auto r = script_.front();
    script_.pop_front();
    return r;
  }

  // The operation ("PutItem") and JSON body of request i.
  std::string Op(size_t i) const {
    for (const auto& [k, v] : sent.at(i).headers) {
      if (k == "X-Amz-Target") return v.substr(v.find('.') + 1);
    }
    return "";
  }
  json Body(size_t i) const { return json::parse(sent.at(i).body); }

  std::vector<HttpRequest> sent;

 private:
  std::mutex mu_;
  std::deque<Result<HttpResponse>> script_;
};

class DynamoDbStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ClientDeps deps;
    deps.http = &http_;
    deps.signing_clock = &clock_;
    deps.sleep = [this](Duration d) { sleeps_.push_back(d); };
    deps.uniform = [] { return 0.0; };
    AwsCredentials creds;
    creds.access_key_id = "AKIDLOCAL";
    creds.secret_access_key = Secret("local");
    client_ = std::make_unique<AwsJsonClient>(DynamoDbService("http://127.0.0.1:9"), "us-east-1",
                                              creds, RetryPolicy{}, deps);
    DynamoDbStoreOptions o;
    o.table = "States";
    o.sleep = [this](Duration d) { sleeps_.push_back(d); };
    o.new_write_id = [] { return std::string("w-mine"); };
    auto s = DynamoDbStore::Make(client_.get(), o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  json RowItem(const std::string& write_id = "w-other") {
    StreamRow row;
    row.collector_id = "c1";
    row.stream = "a";
    row.epoch = 1;
    row.seq = 4;
    row.retry_count = 2;
    row.due_at = clock_.Now();
    row.first_seen = clock_.Now();
    return EncodeStreamRow(row, write_id);
  }

  ScriptedHttp http_;
  FakeClock clock_;
  std::vector<Duration> sleeps_;
  std::unique_ptr<AwsJsonClient> client_;
  std::unique_ptr<DynamoDbStore> store_;
};

// --- the layout ---

TEST(DynamoDbItemTest, TimesAreEpochSecondsWithMilliseconds) {
  EXPECT_EQ(EpochSeconds(FromUnixMillis(1767225600123)), "1767225600.123");
  EXPECT_EQ(EpochSeconds(FromUnixMillis(1767225600000)), "1767225600.000");
  EXPECT_EQ(EpochSeconds(FromUnixMillis(5)), "0.005");
  EXPECT_EQ(EpochSeconds(FromUnixMillis(-1)), "-0.001");
  EXPECT_EQ(EpochSecondsFloor(FromUnixMillis(1767225600999)), 1767225600);
  EXPECT_EQ(EpochSecondsFloor(FromUnixMillis(-1)), -1);
}

TEST(DynamoDbItemTest, ParsesEveryFormOfNumberExactly) {
  EXPECT_EQ(ParseEpochSecondsToMillis("1767225600.123"), 1767225600123);
  EXPECT_EQ(ParseEpochSecondsToMillis("1767225600.1"), 1767225600100);  // as DynamoDB returns
  EXPECT_EQ(ParseEpochSecondsToMillis("1767225600"), 1767225600000);    // upstream's integers
  EXPECT_EQ(ParseEpochSecondsToMillis("1.7672256001E+9"), 1767225600100);
  EXPECT_EQ(ParseEpochSecondsToMillis("1767225600.12399"), 1767225600123);
  EXPECT_EQ(ParseEpochSecondsToMillis("-0.5"), -500);
  for (const char* bad : {"", "abc", "1.2.3", "1e", "12x", "-", "1E+99", "99999999999999999999"}) {
    EXPECT_FALSE(ParseEpochSecondsToMillis(bad).has_value()) << bad;
  }
  EXPECT_EQ(ParseInteger("7"), 7);
  EXPECT_EQ(ParseInteger("1E+1"), 10);
  EXPECT_EQ(ParseInteger("-3"), -3);
  EXPECT_FALSE(ParseInteger("1.5").has_value());
  EXPECT_FALSE(ParseInteger("seven").has_value());
}

TEST(DynamoDbItemTest, StreamRowRoundTripsAndHasNoExpireDate) {
  FakeClock clock;
  StreamRow row;
  row.collector_id = "c1";
  row.stream = "LoginHistory";
  row.epoch = 3;
  row.seq = 9;
  row.checkpoint = R"({"since":"x"})";
  row.last_success = clock.Now() + milliseconds(1);
  row.last_status = kStreamStatusFailing;
  row.last_error = "";
  row.last_error_at = clock.Now() + milliseconds(999);
  row.retry_count = 4;
  row.due_at = clock.Now() + milliseconds(1234);
  row.first_seen = clock.Now();
  json item = EncodeStreamRow(row, "w1");
  EXPECT_EQ(item["MessageId"], json({{"S", "STREAM#LoginHistory"}}));
  EXPECT_EQ(item["Stream"], json({{"S", "LoginHistory"}}));
  EXPECT_EQ(item["DueAt"], json({{"N", "1767225601.234"}}));
  EXPECT_EQ(item["WriteId"], json({{"S", "w1"}}));
  EXPECT_FALSE(item.contains("ExpireDate"));
  EXPECT_FALSE(item.contains("LastAttempt"));  // nullopt: absent
  auto back = DecodeStreamRow(item, "T");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, row);
}

TEST(DynamoDbItemTest, ReadsAnUpstreamRecord) {
  // As the Node.js collectors write it: integer seconds, no Stream.
  json item = json::parse(R"({"CollectorId":{"S":"c1"},"MessageId":{"S":"m-1"},
      "Cid":{"S":"1234"},"Updated":{"N":"1767225600"},"ExpireDate":{"N":"1768435200"},
      "Status":{"S":"COMPLETE"}})");
  auto rec = DecodeRecord(item, "T");
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->cid, "1234");
  EXPECT_EQ(rec->stream, "");
  EXPECT_EQ(rec->reason, "");
  EXPECT_EQ(rec->status, RecordStatus::kComplete);
  EXPECT_EQ(ToUnixMillis(rec->updated), 1767225600000);
  EXPECT_EQ(ToUnixMillis(rec->expire_date), 1768435200000);
}

TEST(DynamoDbItemTest, NewRecordHasIntegerExpireDate) {
  StateRecord rec;
  rec.collector_id = "c1";
  rec.message_id = "m1";
  rec.updated = FromUnixMillis(1767225600123);
  rec.expire_date = rec.updated + kStateRecordTtl;
  rec.stream = "a";
  json item = EncodeNewRecord(rec, "w");
  EXPECT_EQ(item["Updated"], json({{"N", "1767225600.123"}}));
  EXPECT_EQ(item["ExpireDate"], json({{"N", "1768435200"}}));
  EXPECT_EQ(item["Status"], json({{"S", "INCOMPLETE"}}));
  EXPECT_FALSE(item.contains("Cid"));  // empty: left out
  EXPECT_FALSE(item.contains("Reason"));
}

TEST(DynamoDbItemTest, BadDataNamesTableKeyAttributeAndValue) {
  json row = EncodeStreamRow(StreamRow{}, "w");
  row["CollectorId"] = {{"S", "c9"}};
  row["MessageId"] = {{"S", "STREAM#x"}};
  row["Epoch"] = {{"N", "one"}};
  auto bad = DecodeStreamRow(row, "PawsCollectorStates");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
  EXPECT_EQ(bad.status().paws_code(), codes::kStoreCorrupt);
  for (const char* part : {"PawsCollectorStates", "c9", "STREAM#x", "Epoch", "one"}) {
    EXPECT_NE(bad.status().message().find(part), std::string::npos) << bad.status().ToString();
  }
  row["Epoch"] = {{"S", "1"}};  // wrong type
  EXPECT_EQ(DecodeStreamRow(row, "T").status().paws_code(), codes::kStoreCorrupt);
  row.erase("Epoch");
  EXPECT_NE(DecodeStreamRow(row, "T").status().message().find("Epoch: missing"), std::string::npos);

  json rec = json::parse(R"({"CollectorId":{"S":"c1"},"MessageId":{"S":"m-1"},
      "Updated":{"N":"1"},"ExpireDate":{"N":"2"},"Status":{"S":"DONE"}})");
  auto r = DecodeRecord(rec, "T");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().paws_code(), codes::kStoreCorrupt);
  EXPECT_NE(r.status().message().find("Status"), std::string::npos);
  EXPECT_NE(r.status().message().find("DONE"), std::string::npos);
}

// --- the requests ---

TEST_F(DynamoDbStoreTest, MakeRejectsBadOptions) {
  DynamoDbStoreOptions o;
  o.table = "a b";
  auto bad = DynamoDbStore::Make(client_.get(), o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("\"a b\""), std::string::npos);
  EXPECT_FALSE(DynamoDbStore::Make(nullptr, DynamoDbStoreOptions{}).ok());
}

TEST_F(DynamoDbStoreTest, ClaimIsOneConditionalUpdate) {
  http_.Answer(json::object());
  ASSERT_TRUE(store_->ClaimStream({"c1", "a", 2, 5, "{}", clock_.Now(), clock_.Now()}).ok());
  ASSERT_EQ(http_.sent.size(), 1u);
  EXPECT_EQ(http_.Op(0), "UpdateItem");
  json b = http_.Body(0);
  EXPECT_EQ(b["TableName"], "States");
  EXPECT_EQ(b["Key"]["MessageId"]["S"], "STREAM#a");
  EXPECT_EQ(b["ConditionExpression"], "#Epoch = :e AND #Seq = :sm1");
  EXPECT_EQ(b["ExpressionAttributeValues"][":e"]["N"], "2");
  EXPECT_EQ(b["ExpressionAttributeValues"][":sm1"]["N"], "4");
  EXPECT_EQ(b["ExpressionAttributeValues"][":w"]["S"], "w-mine");
  EXPECT_EQ(b["ExpressionAttributeNames"]["#Seq"], "Seq");
}

TEST_F(DynamoDbStoreTest, ClaimWhoseLostAnswerHadAppliedSucceeds) {
  http_.Answer(500, R"({"__type":"InternalServerError"})");  // applied, answer lost
  http_.Answer(400, kConditionFailed);                       // the retry sees our write
  http_.Answer(json{{"Item", RowItem("w-mine")}});
  EXPECT_TRUE(store_->ClaimStream({"c1", "a", 1, 5, "{}", clock_.Now(), clock_.Now()}).ok());
  ASSERT_EQ(http_.sent.size(), 3u);
  EXPECT_EQ(http_.Op(2), "GetItem");
  EXPECT_EQ(http_.Body(2)["ConsistentRead"], true);
}

TEST_F(DynamoDbStoreTest, ClaimAfterAmbiguousRetryLostToAnotherWriter) {
  http_.Answer(500, R"({"__type":"InternalServerError"})");
  http_.Answer(400, kConditionFailed);
  http_.Answer(json{{"Item", RowItem("w-other")}});
  EXPECT_EQ(store_->ClaimStream({"c1", "a", 1, 5, "{}", clock_.Now(), clock_.Now()}).code(),
            StatusCode::kConflict);
}

TEST_F(DynamoDbStoreTest, PlainConflictIsNotReadBack) {
  http_.Answer(400, kConditionFailed);
  EXPECT_EQ(store_->ClaimStream({"c1", "a", 1, 5, "{}", clock_.Now(), clock_.Now()}).code(),
            StatusCode::kConflict);
  EXPECT_EQ(http_.sent.size(), 1u);
}

TEST_F(DynamoDbStoreTest, RecordFailureReturnsTheNewCountOrTellsWhyNot) {
  http_.Answer(json{{"Attributes", {{"RetryCount", {{"N", "3"}}}}}});
  auto n = store_->RecordFailure({"c1", "a", 1, 5, "boom", clock_.Now(), clock_.Now()});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(http_.Body(0)["ReturnValues"], "UPDATED_NEW");

  http_.Answer(400, kConditionFailed);
  http_.Answer(json::object());  // GetItem: no row
  EXPECT_EQ(
      store_->RecordFailure({"c1", "a", 1, 5, "boom", clock_.Now(), clock_.Now()}).status().code(),
      StatusCode::kNotFound);
  http_.Answer(400, kConditionFailed);
  http_.Answer(json{{"Item", RowItem()}});
  EXPECT_EQ(
      store_->RecordFailure({"c1", "a", 1, 5, "boom", clock_.Now(), clock_.Now()}).status().code(),
      StatusCode::kConflict);

  http_.Answer(json{{"Attributes", {{"RetryCount", {{"N", "x"}}}}}});
  auto bad = store_->RecordFailure({"c1", "a", 1, 5, "boom", clock_.Now(), clock_.Now()});
  EXPECT_EQ(bad.status().paws_code(), codes::kStoreCorrupt);
  EXPECT_NE(bad.status().message().find("STREAM#a"), std::string::npos);
}

TEST_F(DynamoDbStoreTest, NewRecordTakesTwoRequests) {
  http_.Answer(json::object());  // PutItem
  http_.Answer(json::object());  // LastAttempt
  StateRecord rec;
  rec.collector_id = "c1";
  rec.message_id = "m1";
  rec.stream = "a";
  rec.updated = clock_.Now();
  rec.expire_date = rec.updated + kStateRecordTtl;
  auto got = store_->AcquireRecord(rec, seconds(900));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, AcquireOutcome::kAcquired);
  ASSERT_EQ(http_.sent.size(), 2u);
  EXPECT_EQ(http_.Op(0), "PutItem");
  EXPECT_EQ(http_.Body(0)["ConditionExpression"], "attribute_not_exists(#MessageId)");
  EXPECT_EQ(http_.Op(1), "UpdateItem");
  EXPECT_EQ(http_.Body(1)["Key"]["MessageId"]["S"], "STREAM#a");
  EXPECT_EQ(http_.Body(1)["ConditionExpression"], "attribute_exists(#MessageId)");
}

TEST_F(DynamoDbStoreTest, AcquireGivesUpAsHeldAfterThreeLostRetakes) {
  StateRecord rec;
  rec.collector_id = "c1";
  rec.message_id = "m1";
  rec.updated = clock_.Now();
  rec.expire_date = rec.updated + kStateRecordTtl;
  json failed = json::parse(R"({"CollectorId":{"S":"c1"},"MessageId":{"S":"m1"},
      "Updated":{"N":"1"},"ExpireDate":{"N":"2"},"Status":{"S":"FAILED"}})");
  http_.Answer(400, kConditionFailed);  // PutItem
  for (int i = 0; i < 3; ++i) {
    http_.Answer(json{{"Item", failed}});  // GetItem
    http_.Answer(400, kConditionFailed);   // re-take lost
  }
  auto got = store_->AcquireRecord(rec, seconds(900));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, AcquireOutcome::kHeldElsewhere);
  EXPECT_EQ(http_.sent.size(), 7u);
  json retake = http_.Body(2);
  EXPECT_EQ(retake["ConditionExpression"], "#Status = :os AND #Updated = :ou");
  EXPECT_EQ(retake["ExpressionAttributeValues"][":ou"]["N"], "1");
  EXPECT_EQ(retake["ExpressionAttributeValues"][":os"]["S"], "FAILED");
}

TEST_F(DynamoDbStoreTest, GetStreamsAsksEachKeyOnceAndRetriesUnprocessedKeys) {
  json a = RowItem();
  json unprocessed = {{"States", {{"Keys", json::array({StreamKey("c1", "b")})}}}};
  http_.Answer(
      json{{"Responses", {{"States", json::array({a})}}}, {"UnprocessedKeys", unprocessed}});
  http_.Answer(json{{"Responses", {{"States", json::array()}}}});
  auto got = store_->GetStreams({{"c1", "a"}, {"c1", "b"}, {"c1", "a"}});
  ASSERT_EQ(got.size(), 3u);
  ASSERT_TRUE(got[0].ok()) << got[0].status().ToString();
  ASSERT_TRUE(got[0]->has_value());
  EXPECT_EQ((*got[0])->seq, 4);
  ASSERT_TRUE(got[1].ok());
  EXPECT_FALSE(got[1]->has_value());
  EXPECT_EQ(*got[2], *got[0]);
  ASSERT_EQ(http_.sent.size(), 2u);
  EXPECT_EQ(http_.Body(0)["RequestItems"]["States"]["Keys"].size(), 2u);
  EXPECT_EQ(http_.Body(0)["RequestItems"]["States"]["ConsistentRead"], true);
  EXPECT_EQ(http_.Body(1)["RequestItems"]["States"]["Keys"].size(), 1u);
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(DynamoDbStoreTest, GetStreamsGivesUpOnKeysNeverProcessed) {
  json unprocessed = {{"States", {{"Keys", json::array({StreamKey("c1", "b")})}}}};
  for (int i = 0; i < 6; ++i) http_.Answer(json{{"UnprocessedKeys", unprocessed}});
  auto got = store_->GetStreams({{"c1", "b"}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(http_.sent.size(), 6u);  // the first ask and 5 retries
  EXPECT_EQ(sleeps_.size(), 5u);
}

TEST_F(DynamoDbStoreTest, MissingTableIsNamedAndNotANotFound) {
  http_.Answer(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",)"
                    R"("message":"Requested resource not found"})");
  auto got = store_->RecordFailure({"c1", "a", 1, 5, "boom", clock_.Now(), clock_.Now()});
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(got.status().paws_code(), codes::kAwsRejected);
  EXPECT_NE(got.status().message().find("States"), std::string::npos);
}

TEST_F(DynamoDbStoreTest, CorruptRowInAListIsAnErrorNotACrash) {
  json bad = RowItem();
  bad["Seq"] = {{"N", "NaN"}};
  http_.Answer(json{{"Items", json::array({bad})}});
  auto got = store_->ListStreams("c1");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().paws_code(), codes::kStoreCorrupt);
  EXPECT_EQ(http_.Op(0), "Query");
  EXPECT_EQ(http_.Body(0)["KeyConditionExpression"],
            "#CollectorId = :c AND begins_with(#MessageId, :p)");
}

TEST_F(DynamoDbStoreTest, ListStreamsFollowsPages) {
  json a = RowItem();
  json b = RowItem();
  b["MessageId"] = {{"S", "STREAM#0"}};
  http_.Answer(json{{"Items", json::array({a})}, {"LastEvaluatedKey", StreamKey("c1", "a")}});
  http_.Answer(json{{"Items", json::array({b})}});
  auto got = store_->ListStreams("c1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].stream, "0");
  EXPECT_EQ((*got)[1].stream, "a");
  EXPECT_EQ(http_.Body(1)["ExclusiveStartKey"], StreamKey("c1", "a"));
}

TEST_F(DynamoDbStoreTest, TextThatIsNotUtf8NeverThrows) {
  // An API's error text with a stray byte is still recorded.
  http_.Answer(json{{"Attributes", {{"RetryCount", {{"N", "1"}}}}}});
  auto n = store_->RecordFailure({"c1", "a", 1, 5, "bad \xff byte", clock_.Now(), clock_.Now()});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(http_.Body(0)["ExpressionAttributeValues"][":err"]["S"], "bad \xEF\xBF\xBD byte");
  // A key that cannot be sent is an error, not an exception.
  auto got = store_->GetStream("c\xff", "a");
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(http_.sent.size(), 1u);
}

TEST_F(DynamoDbStoreTest, RecordIdsOfStreamRowsAreRefused) {
  EXPECT_EQ(
      store_->SetRecordStatus("c1", "STREAM#a", "a", RecordStatus::kComplete, clock_.Now(), "")
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_TRUE(http_.sent.empty());
}

// --- table administration ---

json TableDescription(const std::string& status, const std::string& range = "MessageId") {
  return json{{"Table",
               {{"TableStatus", status},
                {"ItemCount", 5},
                {"BillingModeSummary", {{"BillingMode", "PAY_PER_REQUEST"}}},
                {"AttributeDefinitions",
                 json::array({{{"AttributeName", "CollectorId"}, {"AttributeType", "S"}},
                              {{"AttributeName", range}, {"AttributeType", "S"}}})},
                {"KeySchema", json::array({{{"AttributeName", "CollectorId"}, {"KeyType", "HASH"}},
                                           {{"AttributeName", range}, {"KeyType", "RANGE"}}})}}}};
}

constexpr char kTableMissing[] =
    R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"})";
constexpr char kUnknownOp[] = R"({"__type":"com.amazon.coral.service#UnknownOperationException"})";

TEST_F(DynamoDbStoreTest, EnsureStateTableCreatesWaitsAndEnablesTtl) {
  json ttl_off = {{"TimeToLiveDescription", {{"TimeToLiveStatus", "DISABLED"}}}};
  http_.Answer(400, kTableMissing);              // DescribeTable
  http_.Answer(json{{"TableDescription", {}}});  // CreateTable
  http_.Answer(TableDescription("CREATING"));    // DescribeTable
  http_.Answer(ttl_off);                         // DescribeTimeToLive
  http_.Answer(TableDescription("ACTIVE"));
  http_.Answer(ttl_off);
  http_.Answer(json::object());  // UpdateTimeToLive
  std::vector<Duration> waits;
  auto done = EnsureStateTable(*client_, "States", [&](Duration d) { waits.push_back(d); });
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(*done, (std::vector<std::string>{"created table States", "enabled TTL on ExpireDate"}));
  EXPECT_EQ(waits.size(), 1u);
  json create = http_.Body(1);
  EXPECT_EQ(create["BillingMode"], "PAY_PER_REQUEST");
  EXPECT_EQ(create["KeySchema"][1]["AttributeName"], "MessageId");
  EXPECT_EQ(http_.Body(6)["TimeToLiveSpecification"]["AttributeName"], "ExpireDate");
}

TEST_F(DynamoDbStoreTest, EnsureStateTableRefusesAnotherKeySchema) {
  http_.Answer(TableDescription("ACTIVE", "Id"));
  http_.Answer(json{{"TimeToLiveDescription", {{"TimeToLiveStatus", "DISABLED"}}}});
  auto done = EnsureStateTable(*client_, "States", [](Duration) {});
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(done.status().paws_code(), codes::kAwsRejected);
  EXPECT_NE(done.status().message().find("States"), std::string::npos);
  EXPECT_NE(done.status().message().find("Id RANGE S"), std::string::npos)
      << done.status().message();
  EXPECT_EQ(http_.sent.size(), 2u);  // nothing changed
}

TEST_F(DynamoDbStoreTest, DescribeToleratesAServerWithoutTtl) {
  http_.Answer(TableDescription("ACTIVE"));
  http_.Answer(400, kUnknownOp);
  auto r = DescribeStateTable(*client_, "States");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->exists);
  EXPECT_TRUE(r->key_schema_ok);
  EXPECT_FALSE(r->ttl_enabled);
  EXPECT_EQ(r->ttl_status.rfind("unknown", 0), 0u);
  EXPECT_EQ(r->billing_mode, "PAY_PER_REQUEST");
  EXPECT_EQ(r->item_count, 5);

  http_.Answer(400, kTableMissing);
  auto missing = DescribeStateTable(*client_, "States");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->exists);
}

}  // namespace
}  // namespace paws::aws
