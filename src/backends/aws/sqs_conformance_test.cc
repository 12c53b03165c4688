// The queue and backend conformance suites on SqsQueue (against the local
// SQS server, fauxqs) with a MemoryStore beside it. Each test gets a fresh
// queue and dead-letter queue. SQS keeps time on its server, so the suites
// run with server_time: short real delays, and the few skips they explain.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include "backends/aws/aws_client.h"
#include "backends/aws/sqs_admin.h"
#include "backends/aws/sqs_queue.h"
#include "backends/memory/memory_store.h"
#include "paws/http.h"
#include "testing/aws_local_servers.h"
#include "testing/backend_conformance.h"

namespace paws::aws {
namespace {

// An SqsQueue on its own fresh queue, and a MemoryStore (the DynamoDB
// store is tested on its own).
class SqsMemoryBackend : public Backend {
 public:
  SqsMemoryBackend(std::unique_ptr<AwsJsonClient> client, std::unique_ptr<SqsQueue> queue)
      : client_(std::move(client)), queue_(std::move(queue)) {}
  StateQueue* queue() override { return queue_.get(); }
  StateStore* store() override { return &store_; }

 private:
  std::unique_ptr<AwsJsonClient> client_;
  std::unique_ptr<SqsQueue> queue_;
  memory::MemoryStore store_;
};

HttpClient* SharedHttp() {
  static std::unique_ptr<HttpClient> http = MakeCurlHttpClient();
  return http.get();
}

void Skip(const std::string& why) { GTEST_SKIP() << "local SQS server unavailable: " << why; }

std::unique_ptr<Backend> MakeSqsBackend(FakeClock* clock) {
  std::string why;
  testing_aws::AwsLocalServers* servers = testing_aws::SharedAwsLocalServers(&why);
  if (servers == nullptr) {
    Skip(why);
    return nullptr;
  }
  AwsCredentials creds;
  creds.access_key_id = "AKIDLOCAL";
  creds.secret_access_key = Secret("local");
  auto client = std::make_unique<AwsJsonClient>(SqsService(servers->endpoints().sqs),
                                                "us-east-1", creds, RetryPolicy{},
                                                ClientDeps::Real(SharedHttp()));
  static std::atomic<int> n{0};
  const std::string name =
      "paws-conformance-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
  const Duration retention = std::chrono::hours(24 * 4);
  auto lines = EnsureStateQueue(*client, name, std::chrono::seconds(900), retention);
  EXPECT_TRUE(lines.ok()) << lines.status().ToString();
  auto url = QueueUrlOf(*client, name);
  auto dead = QueueUrlOf(*client, name + kDeadLetterSuffix);
  EXPECT_TRUE(url.ok() && dead.ok()) << url.status().ToString() << dead.status().ToString();
  if (!lines.ok() || !url.ok() || !dead.ok()) return nullptr;
  auto queue = std::make_unique<SqsQueue>(client.get(), *url, *dead, retention, clock);
  return std::make_unique<SqsMemoryBackend>(std::move(client), std::move(queue));
}

}  // namespace
}  // namespace paws::aws

PAWS_INSTANTIATE_CONFORMANCE(Sqs, (::paws::conformance::BackendParam{
                                      "sqs", ::paws::aws::MakeSqsBackend, true}))
