#include "backends/aws/aws_backend.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "backends/aws/dynamodb_table.h"
#include "backends/aws/sqs_admin.h"
#include "paws/codes.h"

namespace paws::aws {
namespace {

bool IsUrl(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

Status Missing(const std::string& what, const Status& why) {
  return Status::InvalidArgument(what + " does not exist (" + why.message() +
                                     "): run `paws aws init` to create it",
                                 codes::kAwsRejected);
}

}  // namespace

Result<AwsClients> ConnectAws(const StoreOptions& options, const AwsEnv& env,
                              RetryPolicy retry) {
  AwsSettingsInput in;
  in.region = options.aws.region;
  in.profile = options.aws.profile;
  in.dynamodb_endpoint = options.aws.dynamodb_endpoint;
  in.sqs_endpoint = options.aws.sqs_endpoint;
  PAWS_ASSIGN_OR_RETURN(AwsSettings settings, ResolveAwsSettings(in, env));
  AwsClients c;
  c.http = MakeCurlHttpClient();
  c.dynamodb = std::make_unique<AwsJsonClient>(DynamoDbService(settings.dynamodb_endpoint),
                                               settings.region, settings.credentials, retry,
                                               ClientDeps::Real(c.http.get()));
  c.sqs = std::make_unique<AwsJsonClient>(SqsService(settings.sqs_endpoint), settings.region,
                                          settings.credentials, retry,
                                          ClientDeps::Real(c.http.get()));
  c.settings = std::move(settings);
  return c;
}

std::string DeadLetterQueueOf(const StoreOptions::AwsStoreOptions& aws) {
  if (!aws.dead_letter_queue.empty()) return aws.dead_letter_queue;
  std::string name = aws.queue;
  if (IsUrl(name)) {
    while (!name.empty() && name.back() == '/') name.pop_back();
    name = name.substr(name.rfind('/') + 1);
  }
  return name + kDeadLetterSuffix;
}

AwsBackend::AwsBackend(AwsClients clients, std::unique_ptr<DynamoDbStore> store,
                       std::unique_ptr<FleetQueue> queue)
    : clients_(std::move(clients)), store_(std::move(store)), queue_(std::move(queue)) {}

// The steps of Backend::CommitCycle for each commit, in the same order, but
// each step for the whole batch at once where SQS has a batch call: claim
// every stream, send every successor (SendMessageBatch), mark every record
// COMPLETE, delete every message (DeleteMessageBatch). A commit whose claim
// lost only deletes its message, as CommitCycle does; one whose step fails
// stops there and leaves its message to be redelivered.
std::vector<Status> AwsBackend::CommitCycles(const std::vector<CycleCommit>& cs) {
  std::vector<Status> out(cs.size());
  std::vector<size_t> claimed;
  std::vector<size_t> to_delete;
  for (size_t i = 0; i < cs.size(); ++i) {
    out[i] = store_->ClaimStream(cs[i].claim);
    if (out[i].ok()) {
      claimed.push_back(i);
    } else if (out[i].code() == StatusCode::kConflict) {
      to_delete.push_back(i);
    }
  }
  std::vector<std::pair<std::string, Duration>> successors;
  successors.reserve(claimed.size());
  for (size_t i : claimed) successors.emplace_back(cs[i].successor_body, cs[i].successor_delay);
  std::vector<Result<std::string>> sent = queue_->SendBatch(successors);
  for (size_t k = 0; k < claimed.size(); ++k) {
    const size_t i = claimed[k];
    if (k >= sent.size() || !sent[k].ok()) {
      out[i] = k < sent.size() ? sent[k].status() : Status::Internal("successor not sent");
      continue;
    }
    const CycleCommit& c = cs[i];
    out[i] = store_->SetRecordStatus(c.claim.collector_id, c.message_id, c.claim.stream,
                                     RecordStatus::kComplete, c.claim.now, "");
    if (out[i].ok()) to_delete.push_back(i);
  }
  std::vector<std::string> receipts;
  receipts.reserve(to_delete.size());
  for (size_t i : to_delete) receipts.push_back(cs[i].receipt);
  std::vector<Status> deleted = queue_->DeleteBatch(receipts);
  for (size_t k = 0; k < to_delete.size(); ++k) {
    const size_t i = to_delete[k];
    Status d = k < deleted.size() ? deleted[k] : Status::Internal("message not deleted");
    // A lost claim stays kConflict once its message is gone.
    if (!d.ok()) out[i] = d;
  }
  return out;
}

Result<std::unique_ptr<AwsBackend>> MakeAwsBackend(const StoreOptions& options, Clock* clock,
                                                   const AwsEnv& env) {
  PAWS_ASSIGN_OR_RETURN(AwsClients clients, ConnectAws(options, env));
  PAWS_ASSIGN_OR_RETURN(TableReport table, DescribeStateTable(*clients.dynamodb, options.aws.table));
  if (!table.exists) {
    return Missing("store.aws.table: table " + options.aws.table, Status::NotFound("not found"));
  }
  if (!table.key_schema_ok) {
    return Status::InvalidArgument("store.aws.table: table " + options.aws.table +
                                       " is not a state table: " + table.key_schema_problem,
                                   codes::kAwsRejected);
  }
  auto url = QueueUrlOf(*clients.sqs, options.aws.queue);
  if (!url.ok()) {
    if (url.status().code() != StatusCode::kNotFound) return url.status();
    return Missing("store.aws.queue: queue " + options.aws.queue, url.status());
  }
  const std::string dead_name = DeadLetterQueueOf(options.aws);
  auto dead_url = QueueUrlOf(*clients.sqs, dead_name);
  if (!dead_url.ok()) {
    if (dead_url.status().code() != StatusCode::kNotFound) return dead_url.status();
    return Missing("store.aws.dead_letter_queue: queue " + dead_name, dead_url.status());
  }
  DynamoDbStoreOptions so;
  so.table = options.aws.table;
  PAWS_ASSIGN_OR_RETURN(auto store, DynamoDbStore::Make(clients.dynamodb.get(), std::move(so)));
  std::vector<AttachedQueue> attached;
  for (const auto& [collector_id, name] : options.aws.attached) {
    auto attached_url = QueueUrlOf(*clients.sqs, name);
    if (!attached_url.ok()) {
      if (attached_url.status().code() != StatusCode::kNotFound) return attached_url.status();
      spdlog::warn("collector {}: upstream queue {} does not exist (drained and deleted?); not "
                   "attached",
                   collector_id, name);
      continue;
    }
    attached.push_back(AttachedQueue{
        collector_id, std::make_unique<SqsQueue>(clients.sqs.get(), *attached_url, *dead_url,
                                                 options.retention, clock)});
  }
  auto queue = std::make_unique<FleetQueue>(
      std::make_unique<SqsQueue>(clients.sqs.get(), *url, *dead_url, options.retention, clock),
      std::move(attached), clock);
  return std::make_unique<AwsBackend>(std::move(clients), std::move(store), std::move(queue));
}

}  // namespace paws::aws
