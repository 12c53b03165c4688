#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "paws/clock.h"
#include "paws/store.h"

namespace paws::sqlite {

class Db;

// The StateStore of the SQLite backend: tables `state_records` and
// `stream_rows` of the shared database. Each conditional write is one
// statement or one BEGIN IMMEDIATE transaction, so it holds across
// processes too. Thread-safe.
class SqliteStore : public StateStore {
 public:
  // Not owned; must outlive the store.
  explicit SqliteStore(Db* db) : db_(db) {}

  Result<std::optional<StreamRow>> GetStream(const std::string& collector_id,
                                             const std::string& stream) override;
  // One read transaction for all of them.
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
  // One transaction for all of them.
  std::vector<Result<AcquireOutcome>> AcquireRecords(const std::vector<StateRecord>& recs,
                                                     Duration lease) override;
  Result<std::optional<StateRecord>> GetRecord(const std::string& collector_id,
                                               const std::string& message_id) override;
  Status SetRecordStatus(const std::string& collector_id, const std::string& message_id,
                         const std::string& stream, RecordStatus status, WallTime now,
                         const std::string& reason) override;
  Result<std::vector<StateRecord>> ListRecords(const std::string& collector_id) override;
  Result<int64_t> PurgeExpiredRecords(WallTime now) override;

  // Building blocks of the backend's transactions, with the semantics of
  // the methods above. They throw SQLite::Exception on database errors.
  // REQUIRES: called from inside db->Write.
  Status CreateStreamLocked(const StreamRow& row);
  Status ClaimStreamLocked(const ClaimUpdate& u);
  Result<int> RecordFailureLocked(const FailureUpdate& u);
  Result<AcquireOutcome> AcquireRecordLocked(const StateRecord& rec, Duration lease);
  void SetRecordStatusLocked(const std::string& collector_id, const std::string& message_id,
                             const std::string& stream, RecordStatus status, WallTime now,
                             const std::string& reason);

 private:
  Result<std::vector<StreamRow>> SelectStreams(const char* sql, const std::string* collector_id);

  Db* const db_;
};

}  // namespace paws::sqlite
