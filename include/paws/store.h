#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "paws/clock.h"
#include "paws/result.h"
#include "paws/state.h"

namespace paws {

// Outcome of the dedup step (DESIGN.md, cycle step 3).
enum class AcquireOutcome {
  kAcquired,         // inserted as INCOMPLETE, or re-taken from a FAILED/abandoned record
  kHeldElsewhere,    // INCOMPLETE and updated less than the lease ago: leave the message
  kAlreadyComplete,  // COMPLETE: delete the message
};

// Step 5, the claim: Seq = seq, Checkpoint = checkpoint, LastSuccess = now,
// LastStatus = OK, RetryCount = 0, DueAt = due_at, on condition
// Epoch = epoch AND Seq = seq - 1. When no row exists and (epoch, seq) is
// (0, 1) (an adopted legacy message), the claim creates the row.
struct ClaimUpdate {
  std::string collector_id;
  std::string stream;
  int64_t epoch = 0;
  int64_t seq = 0;
  std::string checkpoint;
  WallTime now;
  WallTime due_at;
};

// The error path: LastError, LastErrorAt = now, RetryCount + 1,
// LastStatus = FAILING, DueAt = due_at, on condition Epoch = epoch AND
// Seq = seq - 1. The cycle passes the row's own DueAt: a failure does not
// reschedule the stream, so one that keeps failing becomes overdue.
struct FailureUpdate {
  std::string collector_id;
  std::string stream;
  int64_t epoch = 0;
  int64_t seq = 0;
  std::string error;
  WallTime now;
  WallTime due_at;
};

// The state records (one per received message) and the stream rows (one per
// collector and stream) of DESIGN.md. Every conditional write either applies
// entirely or returns kConflict and changes nothing. Transient backend
// failures return kUnavailable. Implementations are thread-safe.
class StateStore {
 public:
  virtual ~StateStore() = default;

  // --- stream rows ---

  // Returns the row, or nullopt when there is none.
  virtual Result<std::optional<StreamRow>> GetStream(const std::string& collector_id,
                                                     const std::string& stream) = 0;
  // GetStream for each (collector id, stream) of `keys`, in order; element
  // i is the result for keys[i]. Backends that can read them all in one
  // transaction do (SQLite): one snapshot, and one lock round for the whole
  // batch. Default: GetStream for each.
  virtual std::vector<Result<std::optional<StreamRow>>> GetStreams(
      const std::vector<std::pair<std::string, std::string>>& keys);
  // The rows of one collector, ordered by stream name.
  virtual Result<std::vector<StreamRow>> ListStreams(const std::string& collector_id) = 0;
  // All rows of all collectors, ordered by (collector, stream).
  virtual Result<std::vector<StreamRow>> ListAllStreams() = 0;

  // Inserts `row` on condition that no row exists for its (collector, stream);
  // kConflict otherwise.
  virtual Status CreateStream(const StreamRow& row) = 0;

  // See ClaimUpdate. kConflict when the condition fails.
  virtual Status ClaimStream(const ClaimUpdate& u) = 0;

  // See FailureUpdate. Returns the new RetryCount; kConflict when the
  // condition fails; kNotFound when there is no row (a legacy message not
  // yet adopted: the caller goes on without recording).
  virtual Result<int> RecordFailure(const FailureUpdate& u) = 0;

  // Repair: Epoch = expected_epoch + 1 (Seq unchanged), DueAt = due_at, on
  // condition Epoch = expected_epoch AND Seq = expected_seq. kConflict when
  // the condition fails.
  virtual Status BumpEpoch(const std::string& collector_id, const std::string& stream,
                           int64_t expected_epoch, int64_t expected_seq, WallTime due_at) = 0;

  // Sets LastStatus (for example RETIRED) on condition Epoch = expected_epoch
  // AND Seq = expected_seq. kConflict when the condition fails.
  virtual Status SetStreamStatus(const std::string& collector_id, const std::string& stream,
                                 int64_t expected_epoch, int64_t expected_seq,
                                 const std::string& status) = 0;

  // --- state records ---

  // The dedup step: inserts `rec` (status INCOMPLETE) if absent. If present:
  // INCOMPLETE and rec.updated - Updated < lease -> kHeldElsewhere; COMPLETE
  // -> kAlreadyComplete; otherwise sets it INCOMPLETE, Updated = rec.updated
  // (conditionally on what was read) -> kAcquired. On kAcquired also sets
  // LastAttempt = rec.updated on the stream row (rec.collector_id,
  // rec.stream) if that row exists, in the same transaction where possible.
  virtual Result<AcquireOutcome> AcquireRecord(const StateRecord& rec, Duration lease) = 0;

  // AcquireRecord for each record, in order; element i is the result for
  // recs[i]. Backends that can make it one transaction do (each record is
  // still decided on its own). Default: AcquireRecord for each.
  virtual std::vector<Result<AcquireOutcome>> AcquireRecords(const std::vector<StateRecord>& recs,
                                                             Duration lease);

  // Returns the record, or nullopt when there is none.
  virtual Result<std::optional<StateRecord>> GetRecord(const std::string& collector_id,
                                                       const std::string& message_id) = 0;

  // Sets Status, Updated = now, ExpireDate = now + kStateRecordTtl and the
  // reason; creates the record (with `stream`) if it is gone.
  virtual Status SetRecordStatus(const std::string& collector_id, const std::string& message_id,
                                 const std::string& stream, RecordStatus status, WallTime now,
                                 const std::string& reason) = 0;

  // Records of one collector (administration and tests; O(records)).
  virtual Result<std::vector<StateRecord>> ListRecords(const std::string& collector_id) = 0;

  // Deletes records whose ExpireDate is before `now`. Returns how many.
  virtual Result<int64_t> PurgeExpiredRecords(WallTime now) = 0;
};

}  // namespace paws
