#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "backends/aws/aws_client.h"
#include "paws/store.h"

namespace paws::aws {

struct DynamoDbStoreOptions {
  // The table. Default: upstream's "PawsCollectorStates".
  std::string table = "PawsCollectorStates";
  // How many times BatchGetItem's UnprocessedKeys are asked for again
  // before the keys left fail with kUnavailable. Default: 5.
  int unprocessed_retries = 5;
  // Back-off before asking again for unprocessed keys: this times 2^n.
  // Default: 50 ms.
  Duration unprocessed_backoff = std::chrono::milliseconds(50);
  // Waits between those retries. Default (null): a thread sleep.
  std::function<void(Duration)> sleep;
  // Makes the WriteId of a conditional write. Default (null): 128 random
  // bits in hex from a per-thread generator.
  std::function<std::string()> new_write_id;
};

// The StateStore of the aws backend: state records and stream rows in one
// DynamoDB table (DESIGN.md, "Backends"), keyed (CollectorId, MessageId),
// stream rows under MessageId "STREAM#<stream>". Layout: dynamodb_item.h.
//
// One request per operation in the common case (AcquireRecord of a new
// record: two). All reads are strongly consistent. Every conditional write
// of a stream row stores a fresh WriteId; when a write fails its condition
// after a retry whose first answer was lost (CallInfo::ambiguous_retry), the
// row is read back and the write counts as applied if the WriteId is ours,
// so a lost answer never turns a won claim into a lost one.
//
// Errors, besides those of StateStore: whatever AwsJsonClient returns
// (kUnavailable, kUnauthenticated, kInvalidArgument with PAWS000604, and
// kNotFound turned into kInvalidArgument naming the table when the table is
// missing); kInternal with PAWS000602 naming the table, key and attribute
// when an item in the table is malformed. Thread-safe.
class DynamoDbStore : public StateStore {
 public:
  // `client` speaks to DynamoDB, is not owned and must outlive the store.
  // kInvalidArgument when the client is null or the table name is not a
  // valid DynamoDB table name.
  static Result<std::unique_ptr<DynamoDbStore>> Make(AwsJsonClient* client,
                                                     DynamoDbStoreOptions options);

  Result<std::optional<StreamRow>> GetStream(const std::string& collector_id,
                                             const std::string& stream) override;
  std::vector<Result<std::optional<StreamRow>>> GetStreams(
      const std::vector<std::pair<std::string, std::string>>& keys) override;
  Result<std::vector<StreamRow>> ListStreams(const std::string& collector_id) override;
  Result<std::vector<StreamRow>> ListAllStreams() override;
  Status CreateStream(const StreamRow& row) override;
  Status ClaimStream(const ClaimUpdate& u) override;
  Result<int> RecordFailure(const FailureUpdate& u) override;
  Status BumpEpoch(const std::string& collector_id, const std::string& stream,
                   int64_t expected_epoch, int64_t expected_seq, WallTime due_at) override;
  Status SetStreamStatus(const std::string& collector_id, const std::string& stream,
                         int64_t expected_epoch, int64_t expected_seq,
                         const std::string& status) override;

  Result<AcquireOutcome> AcquireRecord(const StateRecord& rec, Duration lease) override;
  Result<std::optional<StateRecord>> GetRecord(const std::string& collector_id,
                                               const std::string& message_id) override;
  Status SetRecordStatus(const std::string& collector_id, const std::string& message_id,
                         const std::string& stream, RecordStatus status, WallTime now,
                         const std::string& reason) override;
  Result<std::vector<StateRecord>> ListRecords(const std::string& collector_id) override;
  Result<int64_t> PurgeExpiredRecords(WallTime now) override;

  const std::string& table() const { return options_.table; }

 private:
  DynamoDbStore(AwsJsonClient* client, DynamoDbStoreOptions options);

  // Call with TableName and ExpressionAttributeNames added.
  Result<nlohmann::json> Call(const std::string& op, const nlohmann::json& req,
                              CallInfo* info = nullptr);
  // The client's Call with the table's context on errors, a missing table
  // as kInvalidArgument, and no exception.
  Result<nlohmann::json> RawCall(const std::string& op, const nlohmann::json& req, CallInfo* info);
  // GetItem, strongly consistent; null json when absent.
  Result<nlohmann::json> GetItem(const nlohmann::json& key);
  // A conditional write of a stream row carrying `write_id`. When it fails
  // its condition after an ambiguous retry, reads the row back: Ok with the
  // item read when the WriteId is ours, else kConflict. `attrs` of the Ok
  // result are the call's Attributes (ReturnValues) or the row read back.
  Result<nlohmann::json> FencedWrite(const std::string& op, const nlohmann::json& req,
                                     const nlohmann::json& key, const std::string& write_id);
  // UpdateItem of a stream row's attributes on condition Epoch = epoch AND
  // Seq = seq; kConflict naming `what` when it fails.
  Status UpdateAt(const char* what, const std::string& collector_id, const std::string& stream,
                  int64_t epoch, int64_t seq, const std::string& set_expression,
                  nlohmann::json values);
  // Query or Scan, following LastEvaluatedKey; calls `each` for each item.
  Status Paginate(const std::string& op, nlohmann::json req,
                  const std::function<Status(const nlohmann::json&)>& each);
  // The re-take of an existing record in AcquireRecord; nullopt when its
  // condition failed (someone changed the record since it was read).
  // *try_put is set when the record was gone (insert it again).
  Result<std::optional<AcquireOutcome>> TryAcquireExisting(const StateRecord& rec, Duration lease,
                                                           const std::string& write_id,
                                                           bool* try_put);
  void TouchLastAttempt(const StateRecord& rec);
  std::string NewWriteId();

  AwsJsonClient* client_;
  DynamoDbStoreOptions options_;
};

}  // namespace paws::aws
