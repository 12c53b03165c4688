#include "paws/backend.h"

namespace paws {

// Each step below is a separate write. The order is DESIGN.md's: a crash
// before the claim replays the cycle; between claim and enqueue, successor
// recovery or the health check repairs it; after the enqueue, the fence
// admits the successor exactly once.
Status Backend::CommitCycle(const CycleCommit& c) {
  Status claim = store()->ClaimStream(c.claim);
  if (claim.code() == StatusCode::kConflict) {
    PAWS_RETURN_IF_ERROR(queue()->Delete(c.receipt));
    return claim;
  }
  PAWS_RETURN_IF_ERROR(claim);
  PAWS_RETURN_IF_ERROR(queue()->Send(c.successor_body, c.successor_delay).status());
  PAWS_RETURN_IF_ERROR(store()->SetRecordStatus(c.claim.collector_id, c.message_id,
                                                c.claim.stream, RecordStatus::kComplete,
                                                c.claim.now, ""));
  return queue()->Delete(c.receipt);
}

std::vector<Status> Backend::CommitCycles(const std::vector<CycleCommit>& cs) {
  std::vector<Status> out;
  out.reserve(cs.size());
  for (const auto& c : cs) out.push_back(CommitCycle(c));
  return out;
}

std::vector<Result<std::optional<StreamRow>>> StateStore::GetStreams(
    const std::vector<std::pair<std::string, std::string>>& keys) {
  std::vector<Result<std::optional<StreamRow>>> out;
  out.reserve(keys.size());
  for (const auto& [collector_id, stream] : keys) out.push_back(GetStream(collector_id, stream));
  return out;
}

std::vector<Result<AcquireOutcome>> StateStore::AcquireRecords(
    const std::vector<StateRecord>& recs, Duration lease) {
  std::vector<Result<AcquireOutcome>> out;
  out.reserve(recs.size());
  for (const auto& r : recs) out.push_back(AcquireRecord(r, lease));
  return out;
}

Result<int> Backend::CommitFailure(const FailureCommit& f) {
  Result<int> retries = store()->RecordFailure(f.failure);
  int count = -1;
  if (retries.ok()) {
    count = *retries;
  } else if (retries.status().code() == StatusCode::kConflict) {
    PAWS_RETURN_IF_ERROR(queue()->Delete(f.receipt));
    return retries.status();
  } else if (retries.status().code() != StatusCode::kNotFound) {
    return retries.status();
  }
  PAWS_RETURN_IF_ERROR(store()->SetRecordStatus(f.failure.collector_id, f.message_id,
                                                f.failure.stream, RecordStatus::kFailed,
                                                f.failure.now, f.failure.error));
  PAWS_RETURN_IF_ERROR(queue()->Send(f.retry_body, f.retry_delay).status());
  PAWS_RETURN_IF_ERROR(queue()->Delete(f.receipt));
  return count;
}

Status Backend::SeedStream(const StreamSeed& s) {
  PAWS_RETURN_IF_ERROR(store()->CreateStream(s.row));
  return queue()->Send(s.body, s.delay).status();
}

}  // namespace paws
