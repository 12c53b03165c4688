#include "backends/aws/sqs_queue.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "backends/aws/sqs_admin.h"
#include "paws/codes.h"
#include "testing/aws_local_servers.h"

namespace paws::aws {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Answers requests from a script and keeps what was sent.
class ScriptedHttp : public HttpClient {
 public:
  void Answer(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    script_.push_back(r);
  }
  void Ok(const json& body) { Answer(200, body.dump()); }
  void Error(const std::string& type, const std::string& message = "") {
    Answer(400, json{{"__type", "com.amazonaws.sqs#" + type}, {"message", message}}.dump());
  }

  Result<HttpResponse> Send(const HttpRequest& req) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent.push_back(req);
    if (script_.empty()) return Status::Unavailable("no answer scripted");
    auto r = script_.front();
    script_.pop_front();
    return r;
  }

  // The operation (X-Amz-Target without "AmazonSQS.") and JSON body of request i.
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

constexpr char kUrl[] = "http://127.0.0.1:9/000000000000/paws-state";
constexpr char kDeadUrl[] = "http://127.0.0.1:9/000000000000/paws-state-dead";

class SqsQueueTest : public ::testing::Test {
 protected:
  SqsQueueTest() : client_(SqsService("http://127.0.0.1:9"), "us-east-1", Creds(),
                           NoRetry(), Deps()) {}

  static AwsCredentials Creds() {
    AwsCredentials c;
    c.access_key_id = "AKIDLOCAL";
    c.secret_access_key = Secret("local");
    return c;
  }
  static RetryPolicy NoRetry() {
    RetryPolicy p;
    p.max_attempts = 1;
    return p;
  }
  ClientDeps Deps() {
    ClientDeps d;
    d.http = &http_;
    d.signing_clock = &clock_;
    d.sleep = [](Duration) {};
    d.uniform = [] { return 0.0; };
    return d;
  }
  std::unique_ptr<SqsQueue> Make(SqsQueueOptions o = SqsQueueOptions()) {
    return std::make_unique<SqsQueue>(&client_, kUrl, kDeadUrl, hours(96), &clock_, o);
  }
  int64_t NowMs() { return ToUnixMillis(clock_.Now()); }

  // A ReceiveMessage message as SQS answers it.
  json Message(const std::string& id, const std::string& body, int64_t sent_ms,
               int receives = 1) {
    return json{{"MessageId", id},
                {"ReceiptHandle", "rh-" + id},
                {"Body", body},
                {"Attributes",
                 {{"ApproximateReceiveCount", std::to_string(receives)},
                  {"SentTimestamp", "1700000000000"}}},
                {"MessageAttributes",
                 {{"paws_sent_at",
                   {{"DataType", "Number"}, {"StringValue", std::to_string(sent_ms)}}}}}};
  }

  ScriptedHttp http_;
  FakeClock clock_;
  AwsJsonClient client_;
};

TEST_F(SqsQueueTest, SendCarriesDelayAndSentAt) {
  http_.Ok({{"MessageId", "id-1"}});
  auto id = Make()->Send("body", milliseconds(29001));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "id-1");
  ASSERT_EQ(http_.sent.size(), 1u);
  EXPECT_EQ(http_.Op(0), "SendMessage");
  json b = http_.Body(0);
  EXPECT_EQ(b["QueueUrl"], kUrl);
  EXPECT_EQ(b["MessageBody"], "body");
  EXPECT_EQ(b["DelaySeconds"], 30);  // rounded up
  EXPECT_EQ(b["MessageAttributes"]["paws_sent_at"],
            (json{{"DataType", "Number"}, {"StringValue", std::to_string(NowMs())}}));
  EXPECT_FALSE(b["MessageAttributes"].contains("paws_due_at"));
}

TEST_F(SqsQueueTest, DelayBeyondSqsMaximumIsSentWithDueAt) {
  http_.Ok({{"MessageId", "id-1"}});
  ASSERT_TRUE(Make()->Send("body", seconds(3600)).ok());
  json b = http_.Body(0);
  EXPECT_EQ(b["DelaySeconds"], 900);
  EXPECT_EQ(b["MessageAttributes"]["paws_due_at"]["StringValue"],
            std::to_string(NowMs() + 3600 * 1000));
}

TEST_F(SqsQueueTest, SendWithoutMessageIdInTheAnswerIsAnError) {
  http_.Ok(json::object());
  auto id = Make()->Send("body", Duration(0));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().paws_code(), codes::kStoreUnavailable);
  EXPECT_NE(id.status().message().find("MessageId"), std::string::npos);
}

TEST_F(SqsQueueTest, ReceiveAsksWithinSqsLimitsAndReadsTheMessages) {
  const int64_t sent = NowMs() - 5000;
  json other = Message("id-2", "upstream", 0, 3);
  other.erase("MessageAttributes");  // sent by someone else: SentTimestamp
  http_.Ok({{"Messages", {Message("id-1", "hello", sent), other}}});
  auto got = Make()->Receive(25, milliseconds(1500), seconds(25));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  json b = http_.Body(0);
  EXPECT_EQ(http_.Op(0), "ReceiveMessage");
  EXPECT_EQ(b["MaxNumberOfMessages"], 10);
  EXPECT_EQ(b["VisibilityTimeout"], 2);
  EXPECT_EQ(b["WaitTimeSeconds"], 20);
  EXPECT_EQ(b["MessageAttributeNames"], json::array({"All"}));
  EXPECT_EQ(http_.sent[0].timeout, seconds(30));  // the wait plus 10 s
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].id, "id-1");
  EXPECT_EQ((*got)[0].receipt, "rh-id-1");
  EXPECT_EQ((*got)[0].body, "hello");
  EXPECT_EQ((*got)[0].sent_at, FromUnixMillis(sent));
  EXPECT_EQ((*got)[0].receive_count, 1);
  EXPECT_EQ((*got)[1].sent_at, FromUnixMillis(1700000000000));
  EXPECT_EQ((*got)[1].receive_count, 3);
}

TEST_F(SqsQueueTest, ReceiveCapsVisibilityAndDoesNotWaitWhenToldNot) {
  http_.Ok(json::object());
  auto got = Make()->Receive(1, hours(13), Duration(0));
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_EQ(http_.Body(0)["VisibilityTimeout"], 43200);
  EXPECT_EQ(http_.Body(0)["WaitTimeSeconds"], 0);
  EXPECT_EQ(http_.Body(0)["MaxNumberOfMessages"], 1);
}

TEST_F(SqsQueueTest, ReceiveRejectsNonPositiveMaxWithoutAsking) {
  auto got = Make()->Receive(0, seconds(30), Duration(0));
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("0"), std::string::npos);
  EXPECT_TRUE(http_.sent.empty());
}

TEST_F(SqsQueueTest, MessageNotYetDueIsHiddenAgainNotReturned) {
  json early = Message("id-1", "later", NowMs());
  early["MessageAttributes"]["paws_due_at"] = {{"DataType", "Number"},
                                               {"StringValue", std::to_string(NowMs() + 2000500)}};
  json due = Message("id-2", "now", NowMs());
  due["MessageAttributes"]["paws_due_at"] = {{"DataType", "Number"},
                                             {"StringValue", std::to_string(NowMs())}};
  http_.Ok({{"Messages", {early, due}}});
  http_.Ok(json::object());  // ChangeMessageVisibility
  auto got = Make()->Receive(10, seconds(30), Duration(0));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].id, "id-2");
  ASSERT_EQ(http_.sent.size(), 2u);
  EXPECT_EQ(http_.Op(1), "ChangeMessageVisibility");
  EXPECT_EQ(http_.Body(1)["ReceiptHandle"], "rh-id-1");
  EXPECT_EQ(http_.Body(1)["VisibilityTimeout"], 2001);
  // Never longer than SQS allows: it is hidden again when it shows up.
  json far = Message("id-3", "much later", NowMs());
  far["MessageAttributes"]["paws_due_at"] = {{"DataType", "Number"},
                                             {"StringValue", std::to_string(NowMs() + 86400000)}};
  http_.Ok({{"Messages", {far}}});
  http_.Ok(json::object());
  ASSERT_TRUE(Make()->Receive(10, seconds(30), Duration(0))->empty());
  EXPECT_EQ(http_.Body(3)["VisibilityTimeout"], 43200);
}

TEST_F(SqsQueueTest, MalformedMessagesAreErrorsNamingTheField) {
  struct Case {
    const char* field;
    std::function<void(json&)> spoil;
  };
  std::vector<Case> cases = {
      {"ReceiptHandle", [](json& m) { m.erase("ReceiptHandle"); }},
      {"Body", [](json& m) { m.erase("Body"); }},
      {"MessageId", [](json& m) { m["MessageId"] = 7; }},
      {"ApproximateReceiveCount", [](json& m) { m["Attributes"]["ApproximateReceiveCount"] = "x"; }},
      {"paws_sent_at",
       [](json& m) { m["MessageAttributes"]["paws_sent_at"]["StringValue"] = "soon"; }},
      {"SentTimestamp", [](json& m) {
         m.erase("MessageAttributes");
         m["Attributes"].erase("SentTimestamp");
       }},
  };
  auto q = Make();
  for (const auto& c : cases) {
    json m = Message("id-1", "b", NowMs());
    c.spoil(m);
    http_.Ok({{"Messages", {m}}});
    auto got = q->Receive(10, seconds(30), Duration(0));
    ASSERT_FALSE(got.ok()) << c.field;
    EXPECT_EQ(got.status().code(), StatusCode::kInternal) << c.field;
    EXPECT_EQ(got.status().paws_code(), codes::kStoreUnavailable) << c.field;
    EXPECT_NE(got.status().message().find(c.field), std::string::npos)
        << c.field << ": " << got.status().ToString();
  }
  http_.Ok({{"Messages", "none"}});
  EXPECT_NE(q->Receive(10, seconds(30), Duration(0)).status().message().find("Messages"),
            std::string::npos);
}

TEST_F(SqsQueueTest, DeleteAndChangeVisibilityOfInvalidReceiptsAreNotFound) {
  auto q = Make();
  http_.Ok(json::object());
  EXPECT_TRUE(q->Delete("rh").ok());
  EXPECT_EQ(http_.Op(0), "DeleteMessage");
  EXPECT_EQ(http_.Body(0), (json{{"QueueUrl", kUrl}, {"ReceiptHandle", "rh"}}));
  http_.Error("ReceiptHandleIsInvalid", "bad handle");
  EXPECT_EQ(q->Delete("rh").code(), StatusCode::kNotFound);

  http_.Ok(json::object());
  EXPECT_TRUE(q->ChangeVisibility("rh", milliseconds(100)).ok());
  EXPECT_EQ(http_.Body(2)["VisibilityTimeout"], 1);
  http_.Error("MessageNotInflight");
  EXPECT_EQ(q->ChangeVisibility("rh", Duration(0)).code(), StatusCode::kNotFound);
  http_.Error("InvalidParameterValue",
              "Value rh for parameter ReceiptHandle is invalid. Reason: Message does not exist.");
  EXPECT_EQ(q->ChangeVisibility("rh", Duration(0)).code(), StatusCode::kNotFound);
  http_.Error("InvalidParameterValue", "Value 99999 for parameter VisibilityTimeout is invalid.");
  EXPECT_EQ(q->ChangeVisibility("rh", Duration(0)).code(), StatusCode::kInvalidArgument);
}

TEST_F(SqsQueueTest, MoveToDeadLetterCopiesThenDeletes) {
  auto q = Make();
  EXPECT_EQ(q->MoveToDeadLetter("rh-unknown", "why").code(), StatusCode::kNotFound);
  EXPECT_TRUE(http_.sent.empty());

  const int64_t sent = NowMs();
  http_.Ok({{"Messages", {Message("id-1", "poison", sent)}}});
  ASSERT_EQ(q->Receive(10, seconds(30), Duration(0))->size(), 1u);
  clock_.Advance(seconds(3));
  http_.Ok(json::object());                   // ChangeMessageVisibility
  http_.Ok({{"MessageId", "dead-1"}});        // SendMessage to the DLQ
  http_.Ok(json::object());                   // DeleteMessage
  ASSERT_TRUE(q->MoveToDeadLetter("rh-id-1", "PAWS000201 not JSON").ok());
  ASSERT_EQ(http_.sent.size(), 4u);
  EXPECT_EQ(http_.Op(1), "ChangeMessageVisibility");
  EXPECT_EQ(http_.Op(2), "SendMessage");
  json b = http_.Body(2);
  EXPECT_EQ(b["QueueUrl"], kDeadUrl);
  EXPECT_EQ(b["MessageBody"], "poison");
  EXPECT_EQ(b["MessageAttributes"]["paws_reason"]["StringValue"], "PAWS000201 not JSON");
  EXPECT_EQ(b["MessageAttributes"]["paws_original_id"]["StringValue"], "id-1");
  EXPECT_EQ(b["MessageAttributes"]["paws_dead_at"]["StringValue"], std::to_string(NowMs()));
  EXPECT_EQ(b["MessageAttributes"]["paws_sent_at"]["StringValue"], std::to_string(sent));
  EXPECT_EQ(http_.Op(3), "DeleteMessage");
  EXPECT_EQ(http_.Body(3)["QueueUrl"], kUrl);
  // Moved: the receipt is spent.
  EXPECT_EQ(q->MoveToDeadLetter("rh-id-1", "again").code(), StatusCode::kNotFound);
  EXPECT_EQ(http_.sent.size(), 4u);
}

TEST_F(SqsQueueTest, MoveToDeadLetterOfAStaleReceiptCopiesNothing) {
  auto q = Make();
  http_.Ok({{"Messages", {Message("id-1", "poison", NowMs())}}});
  ASSERT_EQ(q->Receive(10, seconds(30), Duration(0))->size(), 1u);
  http_.Error("MessageNotInflight");
  EXPECT_EQ(q->MoveToDeadLetter("rh-id-1", "why").code(), StatusCode::kNotFound);
  EXPECT_EQ(http_.sent.size(), 2u);  // no SendMessage
}

TEST_F(SqsQueueTest, RememberedReceiptsAreBounded) {
  SqsQueueOptions o;
  o.remembered_receipts = 2;
  auto q = Make(o);
  http_.Ok({{"Messages",
             {Message("a", "x", NowMs()), Message("b", "y", NowMs()), Message("c", "z", NowMs())}}});
  ASSERT_EQ(q->Receive(10, seconds(30), Duration(0))->size(), 3u);
  EXPECT_EQ(q->MoveToDeadLetter("rh-a", "why").code(), StatusCode::kNotFound);
  EXPECT_EQ(http_.sent.size(), 1u);
}

TEST_F(SqsQueueTest, SendBatchGroupsByTenAndBySizeInInputOrder) {
  std::vector<std::pair<std::string, Duration>> msgs;
  for (int i = 0; i < 12; ++i) msgs.emplace_back("m" + std::to_string(i), seconds(i));
  msgs.emplace_back(std::string(200000, 'a'), Duration(0));  // 12
  msgs.emplace_back(std::string(200000, 'b'), Duration(0));  // 13: over 256 KiB with 12
  auto ok_for = [](std::vector<int> ids) {
    json s = json::array();
    for (int i : ids) s.push_back({{"Id", "m" + std::to_string(i)}, {"MessageId", "id" + std::to_string(i)}});
    return s;
  };
  // Group 1: 0..9, answered out of order, 3 failed retryably, 4 by the sender.
  json failed = json::array({{{"Id", "m3"}, {"SenderFault", false}, {"Code", "InternalError"}},
                             {{"Id", "m4"}, {"SenderFault", true}, {"Code", "InvalidMessageContents"},
                              {"Message", "Invalid characters"}}});
  http_.Ok({{"Successful", ok_for({9, 8, 7, 6, 5, 2, 1, 0})}, {"Failed", failed}});
  http_.Ok({{"Successful", ok_for({10, 11, 12})}});  // group 2
  http_.Ok({{"Successful", ok_for({13})}});          // group 3
  http_.Ok({{"Successful", ok_for({3})}});           // the retry of 3
  auto out = Make()->SendBatch(msgs);
  ASSERT_EQ(out.size(), msgs.size());
  ASSERT_EQ(http_.sent.size(), 4u);
  EXPECT_EQ(http_.Op(0), "SendMessageBatch");
  EXPECT_EQ(http_.Body(0)["Entries"].size(), 10u);
  EXPECT_EQ(http_.Body(0)["Entries"][7]["DelaySeconds"], 7);
  EXPECT_EQ(http_.Body(1)["Entries"].size(), 3u);
  EXPECT_EQ(http_.Body(2)["Entries"].size(), 1u);
  EXPECT_EQ(http_.Body(3)["Entries"].size(), 1u);
  for (int i = 0; i < 14; ++i) {
    if (i == 4) continue;
    ASSERT_TRUE(out[i].ok()) << i << " " << out[i].status().ToString();
    EXPECT_EQ(*out[i], "id" + std::to_string(i));
  }
  EXPECT_EQ(out[4].status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out[4].status().message().find("InvalidMessageContents"), std::string::npos);
}

TEST_F(SqsQueueTest, SendBatchFailureOfTheCallFailsItsEntries) {
  http_.Error("AWS.SimpleQueueService.NonExistentQueue");
  auto out = Make()->SendBatch({{"a", Duration(0)}, {"b", Duration(0)}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].status().code(), StatusCode::kNotFound);
  EXPECT_EQ(out[1].status().code(), StatusCode::kNotFound);
}

TEST_F(SqsQueueTest, DeleteBatchReportsEachReceipt) {
  std::vector<std::string> receipts;
  for (int i = 0; i < 11; ++i) receipts.push_back("r" + std::to_string(i));
  json ok = json::array();
  for (int i = 0; i < 10; ++i) {
    if (i != 5) ok.push_back({{"Id", "d" + std::to_string(i)}});
  }
  http_.Ok({{"Successful", ok},
            {"Failed", {{{"Id", "d5"}, {"SenderFault", true}, {"Code", "ReceiptHandleIsInvalid"}}}}});
  http_.Ok({{"Successful", {{{"Id", "d10"}}}}});
  auto out = Make()->DeleteBatch(receipts);
  ASSERT_EQ(out.size(), 11u);
  EXPECT_EQ(http_.Op(0), "DeleteMessageBatch");
  EXPECT_EQ(http_.Body(0)["Entries"][5], (json{{"Id", "d5"}, {"ReceiptHandle", "r5"}}));
  for (int i = 0; i < 11; ++i) {
    if (i == 5) {
      EXPECT_EQ(out[i].code(), StatusCode::kNotFound);
    } else {
      EXPECT_TRUE(out[i].ok()) << i;
    }
  }
}

TEST_F(SqsQueueTest, CountsReadBothQueues) {
  http_.Ok({{"Attributes",
             {{"ApproximateNumberOfMessages", "3"},
              {"ApproximateNumberOfMessagesDelayed", "2"},
              {"ApproximateNumberOfMessagesNotVisible", "1"}}}});
  http_.Ok({{"Attributes",
             {{"ApproximateNumberOfMessages", "4"},
              {"ApproximateNumberOfMessagesDelayed", "0"},
              {"ApproximateNumberOfMessagesNotVisible", "1"}}}});
  auto c = Make()->Counts();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->visible, 3);
  EXPECT_EQ(c->delayed, 2);
  EXPECT_EQ(c->in_flight, 1);
  EXPECT_EQ(c->dead, 5);
  EXPECT_EQ(http_.Body(1)["QueueUrl"], kDeadUrl);

  http_.Ok({{"Attributes",
             {{"ApproximateNumberOfMessages", "many"},
              {"ApproximateNumberOfMessagesDelayed", "0"},
              {"ApproximateNumberOfMessagesNotVisible", "1"}}}});
  auto bad = Make()->Counts();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("attribute ApproximateNumberOfMessages of "),
            std::string::npos)
      << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("is not a number: \"many\""), std::string::npos);
}

TEST_F(SqsQueueTest, PurgeExpiredLeavesItToSqs) {
  auto n = Make()->PurgeExpired();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  EXPECT_TRUE(http_.sent.empty());
  EXPECT_EQ(Make()->retention(), hours(96));
}

TEST_F(SqsQueueTest, EnsureCreatesQueueAndDeadLetterQueue) {
  http_.Error("AWS.SimpleQueueService.NonExistentQueue");  // GetQueueUrl paws-state-dead
  http_.Ok({{"QueueUrl", kDeadUrl}});                        // CreateQueue
  http_.Error("QueueDoesNotExist");                          // GetQueueUrl paws-state
  http_.Ok({{"QueueUrl", kUrl}});                            // CreateQueue
  auto lines = EnsureStateQueue(client_, "paws-state", seconds(900), hours(96));
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ(*lines, (std::vector<std::string>{
                        "created dead-letter queue paws-state-dead (retention 14 days)",
                        "created queue paws-state (visibility 900 s, retention 4 days)"}));
  EXPECT_EQ(http_.Body(1), (json{{"QueueName", "paws-state-dead"},
                                 {"Attributes", {{"MessageRetentionPeriod", "1209600"}}}}));
  EXPECT_EQ(http_.Body(3), (json{{"QueueName", "paws-state"},
                                 {"Attributes",
                                  {{"MessageRetentionPeriod", "345600"},
                                   {"VisibilityTimeout", "900"}}}}));
}

TEST_F(SqsQueueTest, EnsureChecksAnExistingQueueWithoutChangingIt) {
  http_.Ok({{"QueueUrl", kDeadUrl}});
  http_.Ok({{"Attributes", {{"MessageRetentionPeriod", "1209600"}}}});
  http_.Ok({{"QueueUrl", kUrl}});
  http_.Ok({{"Attributes", {{"VisibilityTimeout", "30"}, {"MessageRetentionPeriod", "345600"}}}});
  auto lines = EnsureStateQueue(client_, "paws-state", seconds(900), hours(96));
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ(*lines, (std::vector<std::string>{
                        "queue paws-state exists: visibility 30 s, retention 4 days",
                        "warning: queue paws-state has visibility timeout 30 s, paws expects "
                        "900 s (not changed)"}));
  for (size_t i = 0; i < http_.sent.size(); ++i) EXPECT_NE(http_.Op(i), "CreateQueue");
  EXPECT_NE(http_.Op(3), "SetQueueAttributes");
}

TEST_F(SqsQueueTest, EnsureRejectsBadSettingsNamingTheValue) {
  auto r = EnsureStateQueue(client_, "paws-state", seconds(900), seconds(30));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().paws_code(), codes::kConfigInvalid);
  EXPECT_NE(r.status().message().find("retention 30 s"), std::string::npos);
  r = EnsureStateQueue(client_, "paws-state", hours(13), hours(96));
  EXPECT_NE(r.status().message().find("visibility timeout 46800 s"), std::string::npos);
  r = EnsureStateQueue(client_, "paws state!", seconds(900), hours(96));
  EXPECT_NE(r.status().message().find("\"paws state!\""), std::string::npos);
  EXPECT_TRUE(http_.sent.empty());
}

TEST_F(SqsQueueTest, DescribeReportsAMissingQueue) {
  http_.Error("AWS.SimpleQueueService.NonExistentQueue");
  auto r = DescribeStateQueue(client_, "nope");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->exists);
  http_.Ok({{"Attributes", {{"VisibilityTimeout", "soon"}}}});
  auto bad = DescribeStateQueue(client_, kUrl);  // a URL: no GetQueueUrl
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("VisibilityTimeout is not a number"), std::string::npos);
  EXPECT_EQ(http_.Op(1), "GetQueueAttributes");
}

// Against the local SQS server (fauxqs), with real time.
class SqsQueueServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    testing_aws::AwsLocalServers* servers = testing_aws::SharedAwsLocalServers(&why);
    if (servers == nullptr) GTEST_SKIP() << "local SQS server unavailable: " << why;
    http_ = MakeCurlHttpClient();
    AwsCredentials creds;
    creds.access_key_id = "AKIDLOCAL";
    creds.secret_access_key = Secret("local");
    client_ = std::make_unique<AwsJsonClient>(SqsService(servers->endpoints().sqs), "us-east-1",
                                              creds, RetryPolicy{}, ClientDeps::Real(http_.get()));
  }
  // Lets `d` pass on both clocks: the FakeClock of paws and the server's.
  void Pass(Duration d) {
    clock_.Advance(d);
    std::this_thread::sleep_for(d);
  }
  std::string NewName(const std::string& stem) {
    static int n = 0;
    return stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
  }

  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<AwsJsonClient> client_;
  FakeClock clock_;
};

TEST_F(SqsQueueServerTest, DelayBeyondTheNativeMaximumArrivesLateWithItsId) {
  const std::string name = NewName("paws-redelay");
  ASSERT_TRUE(EnsureStateQueue(*client_, name, seconds(30), hours(96)).ok());
  auto url = QueueUrlOf(*client_, name);
  auto dead = QueueUrlOf(*client_, name + kDeadLetterSuffix);
  ASSERT_TRUE(url.ok() && dead.ok());
  SqsQueueOptions o;
  o.max_native_delay = seconds(1);
  SqsQueue q(client_.get(), *url, *dead, hours(96), &clock_, o);
  auto id = q.Send("late", seconds(3));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Pass(milliseconds(1500));  // SQS delivers it after 1 s; paws hides it again
  auto got = q.Receive(10, seconds(30), Duration(0));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->empty());
  Pass(milliseconds(1000));  // 2.5 s: still hidden
  EXPECT_TRUE(q.Receive(10, seconds(30), Duration(0))->empty());
  Pass(milliseconds(1500));  // 4 s: due
  got = q.Receive(10, seconds(30), Duration(0));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].id, *id);
  EXPECT_EQ((*got)[0].body, "late");
}

TEST_F(SqsQueueServerTest, EnsureIsIdempotentAndDescribeShowsTheQueue) {
  const std::string name = NewName("paws-admin");
  auto first = EnsureStateQueue(*client_, name, seconds(900), hours(96));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[1], "created queue " + name + " (visibility 900 s, retention 4 days)");
  auto second = EnsureStateQueue(*client_, name, seconds(900), hours(48));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*second, (std::vector<std::string>{
                         "queue " + name + " exists: visibility 900 s, retention 4 days",
                         "warning: queue " + name + " has retention 4 days, paws expects 2 days "
                         "(not changed)"}));
  auto report = DescribeStateQueue(*client_, name);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->exists);
  EXPECT_EQ(report->visibility_timeout_s, 900);
  EXPECT_EQ(report->retention_s, 96 * 3600);
  EXPECT_EQ(report->visible, 0);
  EXPECT_FALSE(DescribeStateQueue(*client_, name + "-missing")->exists);
}

}  // namespace
}  // namespace paws::aws
