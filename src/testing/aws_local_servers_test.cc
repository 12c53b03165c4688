#include "testing/aws_local_servers.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "paws/http.h"

namespace paws::testing_aws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kNoNode[] = "node not found on PATH";

int PortOf(const std::string& endpoint) {
  return std::atoi(endpoint.substr(endpoint.rfind(':') + 1).c_str());
}

// True when a TCP connect to 127.0.0.1:port is refused.
bool Refuses(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  close(fd);
  return rc != 0 && err == ECONNREFUSED;
}

// Asks `pred` up to 100 times, 100 ms apart.
template <typename Pred>
bool Within10s(Pred pred) {
  for (int i = 0; i < 100; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

// A request of the AWS JSON 1.0 protocol with a well-formed but unsigned
// Authorization header (the local servers do not check signatures).
HttpRequest AwsJson(const std::string& endpoint, const std::string& service,
                    const std::string& target, const std::string& body) {
  HttpRequest req;
  req.method = "POST";
  req.url = endpoint + "/";
  req.body = body;
  req.timeout = std::chrono::seconds(10);
  req.headers = {
      {"Content-Type", "application/x-amz-json-1.0"},
      {"X-Amz-Target", target},
      {"X-Amz-Date", "20260101T000000Z"},
      {"Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/" + service +
                            "/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"},
  };
  return req;
}

HttpRequest Dynamo(const AwsLocalEndpoints& ep, const std::string& op, const std::string& body) {
  return AwsJson(ep.dynamodb, "dynamodb", "DynamoDB_20120810." + op, body);
}
HttpRequest Sqs(const AwsLocalEndpoints& ep, const std::string& op, const std::string& body) {
  return AwsJson(ep.sqs, "sqs", "AmazonSQS." + op, body);
}

json Body(const HttpResponse& res) {
  return json::parse(res.body, nullptr, /*allow_exceptions=*/false);
}

// A directory removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "paws-aws-test-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  void Write(const std::string& rel, const std::string& content) const {
    fs::create_directories(fs::path(path_ + "/" + rel).parent_path());
    std::ofstream(path_ + "/" + rel) << content;
  }

 private:
  std::string path_;
};

// A servers directory whose servers.mjs is `script`, with stand-ins for the
// npm packages so that Start() gets as far as running it.
AwsLocalServersOptions FakeServers(const TempDir& dir, const std::string& script) {
  dir.Write("servers.mjs", script);
  dir.Write("node_modules/dynalite/package.json", "{}");
  dir.Write("node_modules/fauxqs/package.json", "{}");
  AwsLocalServersOptions options;
  options.dir = dir.path();
  options.start_timeout_ms = 2000;
  return options;
}

class AwsLocalServersTest : public ::testing::Test {
 protected:
  std::unique_ptr<HttpClient> http_ = MakeCurlHttpClient();
};

TEST_F(AwsLocalServersTest, DynamoDbListsNoTablesAndSqsQueueUrlsPointAtLoopback) {
  std::string why;
  AwsLocalServers* servers = SharedAwsLocalServers(&why);
  if (servers == nullptr) GTEST_SKIP() << "local AWS servers unavailable: " << why;
  const AwsLocalEndpoints& ep = servers->endpoints();

  auto tables = http_->Send(Dynamo(ep, "ListTables", "{}"));
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  EXPECT_EQ(tables->status, 200) << tables->body;
  EXPECT_EQ(Body(*tables), json::parse(R"({"TableNames":[]})"));

  auto created = http_->Send(Sqs(ep, "CreateQueue", R"({"QueueName":"t"})"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_EQ(created->status, 200) << created->body;
  std::string url = Body(*created).value("QueueUrl", "");
  EXPECT_EQ(url, ep.sqs + "/000000000000/t");

  auto listed = http_->Send(Sqs(ep, "ListQueues", "{}"));
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->status, 200) << listed->body;
  EXPECT_EQ(Body(*listed)["QueueUrls"], json::array({url}));

  // The returned URL is the one to send messages to.
  json send = {{"QueueUrl", url}, {"MessageBody", "hello"}};
  auto sent = http_->Send(Sqs(ep, "SendMessage", send.dump()));
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(sent->status, 200) << sent->body;
  json recv = {{"QueueUrl", url}, {"MaxNumberOfMessages", 1}, {"WaitTimeSeconds", 0}};
  auto got = http_->Send(Sqs(ep, "ReceiveMessage", recv.dump()));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->status, 200) << got->body;
  json messages = Body(*got)["Messages"];
  ASSERT_EQ(messages.size(), 1u) << got->body;
  EXPECT_EQ(messages[0].value("Body", ""), "hello");
}

// The error shapes the aws backend parses.
TEST_F(AwsLocalServersTest, ErrorsHaveTheAwsJsonShape) {
  std::string why;
  AwsLocalServers* servers = SharedAwsLocalServers(&why);
  if (servers == nullptr) GTEST_SKIP() << "local AWS servers unavailable: " << why;
  const AwsLocalEndpoints& ep = servers->endpoints();

  auto table = http_->Send(Dynamo(ep, "DescribeTable", R"({"TableName":"missing"})"));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->status, 400);
  EXPECT_EQ(Body(*table).value("__type", ""),
            "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException")
      << table->body;

  auto queue = http_->Send(Sqs(ep, "GetQueueUrl", R"({"QueueName":"missing"})"));
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  EXPECT_EQ(queue->status, 400);
  EXPECT_EQ(Body(*queue).value("__type", ""), "com.amazonaws.sqs#QueueDoesNotExist") << queue->body;
  EXPECT_EQ(queue->Header("x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
}

TEST_F(AwsLocalServersTest, TwoInstancesUseTheirOwnPortsAndStopOnDestruction) {
  auto a = AwsLocalServers::Start();
  if (!a.ok()) GTEST_SKIP() << "local AWS servers unavailable: " << a.status().message();
  auto b = AwsLocalServers::Start();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  AwsLocalEndpoints ea = (*a)->endpoints();
  AwsLocalEndpoints eb = (*b)->endpoints();
  std::set<int> ports = {PortOf(ea.dynamodb), PortOf(ea.sqs), PortOf(eb.dynamodb), PortOf(eb.sqs)};
  EXPECT_EQ(ports.size(), 4u) << ea.dynamodb << " " << ea.sqs << " " << eb.dynamodb << " "
                              << eb.sqs;
  for (const AwsLocalEndpoints* ep : {&ea, &eb}) {
    auto res = http_->Send(Dynamo(*ep, "ListTables", "{}"));
    ASSERT_TRUE(res.ok()) << ep->dynamodb << ": " << res.status().ToString();
    EXPECT_EQ(res->status, 200);
    auto q = http_->Send(Sqs(*ep, "ListQueues", "{}"));
    ASSERT_TRUE(q.ok()) << ep->sqs << ": " << q.status().ToString();
    EXPECT_EQ(q->status, 200);
  }

  a->reset();
  EXPECT_TRUE(Refuses(PortOf(ea.dynamodb)));
  EXPECT_TRUE(Refuses(PortOf(ea.sqs)));
  auto after = http_->Send(Dynamo(ea, "ListTables", "{}"));
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().code(), StatusCode::kUnavailable);
  // The other instance is untouched.
  auto res = http_->Send(Dynamo(eb, "ListTables", "{}"));
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 200);
}

// What keeps the servers from outliving a test binary that is killed: they
// exit when their stdin reaches EOF, with no signal.
TEST_F(AwsLocalServersTest, ServersExitWhenStdinCloses) {
  auto s = AwsLocalServers::Start();
  if (!s.ok()) GTEST_SKIP() << "local AWS servers unavailable: " << s.status().message();
  int dynamo = PortOf((*s)->endpoints().dynamodb);
  int sqs = PortOf((*s)->endpoints().sqs);
  ASSERT_FALSE(Refuses(dynamo));
  (*s)->CloseStdin();
  EXPECT_TRUE(Within10s([&] { return Refuses(dynamo) && Refuses(sqs); }));
}

TEST(AwsLocalServersStartTest, ReportsNodeMissingFromPath) {
  const char* old = getenv("PATH");
  std::string saved = old ? old : "";
  TempDir empty;
  setenv("PATH", empty.path().c_str(), 1);
  auto s = AwsLocalServers::Start();
  setenv("PATH", saved.c_str(), 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.status().message(), kNoNode);
}

TEST(AwsLocalServersStartTest, ReportsNodeModulesMissing) {
  TempDir dir;
  dir.Write("servers.mjs", "process.exit(0);\n");
  AwsLocalServersOptions options;
  options.dir = dir.path();
  auto s = AwsLocalServers::Start(options);
  ASSERT_FALSE(s.ok());
  if (s.status().message() == kNoNode) GTEST_SKIP() << kNoNode;
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.status().message(), "tests/aws/node_modules missing: run make test (npm ci)");
}

TEST(AwsLocalServersStartTest, QuotesStderrOfServersThatExitBeforeListening) {
  TempDir dir;
  auto s =
      AwsLocalServers::Start(FakeServers(dir,
                                         "process.stderr.write('cannot bind: EADDRNOTAVAIL\\n');\n"
                                         "process.exit(3);\n"));
  ASSERT_FALSE(s.ok());
  if (s.status().message() == kNoNode) GTEST_SKIP() << kNoNode;
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.status().message(),
            "servers exited with code 3 before listening: cannot bind: EADDRNOTAVAIL");
}

TEST(AwsLocalServersStartTest, GivesUpOnServersThatNeverListen) {
  TempDir dir;
  AwsLocalServersOptions options =
      FakeServers(dir, "process.stderr.write('still loading\\n');\nsetInterval(() => {}, 1000);\n");
  options.start_timeout_ms = 500;
  auto s = AwsLocalServers::Start(options);
  ASSERT_FALSE(s.ok());
  if (s.status().message() == kNoNode) GTEST_SKIP() << kNoNode;
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.status().message(), "servers did not start within 0.5 s: still loading");
}

TEST(AwsLocalServersStartTest, RejectsAFirstLineThatIsNotLoopbackEndpoints) {
  TempDir dir;
  auto s = AwsLocalServers::Start(FakeServers(
      dir,
      "console.log(JSON.stringify({dynamodb: 'http://0.0.0.0:1', sqs: 'http://127.0.0.1:2'}));\n"
      "setInterval(() => {}, 1000);\n"));
  ASSERT_FALSE(s.ok());
  if (s.status().message() == kNoNode) GTEST_SKIP() << kNoNode;
  EXPECT_EQ(s.status().code(), StatusCode::kInternal);
  EXPECT_EQ(s.status().message(),
            "servers.mjs printed an unexpected first line (\"dynamodb\" is not "
            "http://127.0.0.1:<port>): "
            "{\"dynamodb\":\"http://0.0.0.0:1\",\"sqs\":\"http://127.0.0.1:2\"}");
}

}  // namespace
}  // namespace paws::testing_aws
