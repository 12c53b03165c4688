#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "paws/clock.h"
#include "paws/store.h"

namespace paws::memory {

// A StateStore held in process memory: two ordered maps under one mutex,
// so every conditional write is trivially atomic. Thread-safe.
class MemoryStore : public StateStore {
 public:
  MemoryStore() = default;

  Result<std::optional<StreamRow>> GetStream(const std::string& collector_id,
                                             const std::string& stream) override;
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

 private:
  using Key = std::pair<std::string, std::string>;

  // The row when it exists and is at (epoch, seq), else null.
  StreamRow* FindAtLocked(const std::string& collector_id, const std::string& stream,
                          int64_t epoch, int64_t seq);

  std::mutex mu_;
  std::map<Key, StreamRow> streams_;     // (collector, stream)
  std::map<Key, StateRecord> records_;   // (collector, message id)
};

}  // namespace paws::memory
