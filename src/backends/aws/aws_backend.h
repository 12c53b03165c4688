#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/aws/aws_client.h"
#include "backends/aws/aws_settings.h"
#include "backends/aws/dynamodb_store.h"
#include "backends/aws/fleet_queue.h"
#include "backends/aws/sqs_queue.h"
#include "paws/backend.h"
#include "paws/options.h"

namespace paws::aws {

// The two clients of one [store.aws] configuration, and what they were
// resolved from.
struct AwsClients {
  AwsSettings settings;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<AwsJsonClient> dynamodb;
  std::unique_ptr<AwsJsonClient> sqs;
};

// Resolves the settings of options.aws (aws_settings.h) and makes the
// clients, over libcurl with the real clock for signing. Nothing is sent.
Result<AwsClients> ConnectAws(const StoreOptions& options, const AwsEnv& env,
                              RetryPolicy retry = RetryPolicy{});

// The name of the dead-letter queue of options.aws: dead_letter_queue, or
// "<queue name>-dead" (the queue name is the last path segment of a URL).
std::string DeadLetterQueueOf(const StoreOptions::AwsStoreOptions& aws);

// The fleet backend: the DynamoDB table and the SQS queue of [store.aws],
// shared by any number of daemons. It has no transaction across the two,
// so commits run the steps of DESIGN.md in order, each a separate write;
// a batch of commits sends its successors and deletes its messages in SQS
// batches of ten.
class AwsBackend : public Backend {
 public:
  AwsBackend(AwsClients clients, std::unique_ptr<DynamoDbStore> store,
             std::unique_ptr<FleetQueue> queue);

  StateQueue* queue() override { return queue_.get(); }
  StateStore* store() override { return store_.get(); }
  std::vector<Status> CommitCycles(const std::vector<CycleCommit>& cs) override;

  // HTTP requests sent to DynamoDB and to SQS so far (benchmarks).
  int64_t dynamodb_requests() const { return clients_.dynamodb->requests_sent(); }
  int64_t sqs_requests() const { return clients_.sqs->requests_sent(); }
  const AwsSettings& settings() const { return clients_.settings; }
  // The clients and the table, for administration and tests.
  AwsJsonClient& dynamodb_client() { return *clients_.dynamodb; }
  AwsJsonClient& sqs_client() { return *clients_.sqs; }
  const std::string& table() const { return store_->table(); }

 private:
  AwsClients clients_;
  std::unique_ptr<DynamoDbStore> store_;
  std::unique_ptr<FleetQueue> queue_;
};

// Opens the aws backend of `options`: resolves the settings, checks that
// the table exists and finds the queue, its dead-letter queue and the
// upstream queues of options.aws.attached (a missing attached queue has
// been drained and deleted: it is left out, with a warning in the log). A missing
// table or queue is kInvalidArgument (PAWS000604) telling to run
// `paws aws init`. `clock` is not owned and must outlive the backend.
Result<std::unique_ptr<AwsBackend>> MakeAwsBackend(const StoreOptions& options, Clock* clock,
                                                   const AwsEnv& env);

}  // namespace paws::aws
