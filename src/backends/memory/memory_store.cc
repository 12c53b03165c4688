#include "backends/memory/memory_store.h"

namespace paws::memory {
namespace {

Status Lost(const std::string& what, const std::string& collector_id,
            const std::string& stream) {
  return Status::Conflict(what + ": condition failed for stream " + collector_id + "/" + stream);
}

}  // namespace

Result<std::optional<StreamRow>> MemoryStore::GetStream(const std::string& collector_id,
                                                        const std::string& stream) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find({collector_id, stream});
  if (it == streams_.end()) return std::optional<StreamRow>();
  return std::optional<StreamRow>(it->second);
}

Result<std::vector<StreamRow>> MemoryStore::ListStreams(const std::string& collector_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StreamRow> out;
  for (auto it = streams_.lower_bound({collector_id, ""});
       it != streams_.end() && it->first.first == collector_id; ++it) {
    out.push_back(it->second);
  }
  return out;
}

Result<std::vector<StreamRow>> MemoryStore::ListAllStreams() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StreamRow> out;
  out.reserve(streams_.size());
  for (const auto& [key, row] : streams_) out.push_back(row);
  return out;
}

Status MemoryStore::CreateStream(const StreamRow& row) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!streams_.emplace(Key{row.collector_id, row.stream}, row).second) {
    return Status::Conflict("create stream: " + row.collector_id + "/" + row.stream +
                            " already exists");
  }
  return Status::Ok();
}

StreamRow* MemoryStore::FindAtLocked(const std::string& collector_id, const std::string& stream,
                                     int64_t epoch, int64_t seq) {
  auto it = streams_.find({collector_id, stream});
  if (it == streams_.end() || it->second.epoch != epoch || it->second.seq != seq) return nullptr;
  return &it->second;
}

Status MemoryStore::ClaimStream(const ClaimUpdate& u) {
  std::lock_guard<std::mutex> lock(mu_);
  StreamRow* row = FindAtLocked(u.collector_id, u.stream, u.epoch, u.seq - 1);
  if (row == nullptr) {
    // Adoption of a legacy message: (0, 1) creates the row.
    bool absent = streams_.find({u.collector_id, u.stream}) == streams_.end();
    if (!absent || u.epoch != 0 || u.seq != 1) return Lost("claim", u.collector_id, u.stream);
    StreamRow fresh;
    fresh.collector_id = u.collector_id;
    fresh.stream = u.stream;
    fresh.epoch = 0;
    fresh.first_seen = u.now;
    fresh.last_attempt = u.now;
    row = &streams_.emplace(Key{u.collector_id, u.stream}, std::move(fresh)).first->second;
  }
  row->seq = u.seq;
  row->checkpoint = u.checkpoint;
  row->last_success = u.now;
  row->last_status = kStreamStatusOk;
  row->retry_count = 0;
  row->due_at = u.due_at;
  return Status::Ok();
}

Result<int> MemoryStore::RecordFailure(const FailureUpdate& u) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find({u.collector_id, u.stream});
  if (it == streams_.end()) {
    return Status::NotFound("record failure: no row for " + u.collector_id + "/" + u.stream);
  }
  StreamRow& row = it->second;
  if (row.epoch != u.epoch || row.seq != u.seq - 1) {
    return Lost("record failure", u.collector_id, u.stream);
  }
  row.last_error = u.error;
  row.last_error_at = u.now;
  row.retry_count += 1;
  row.last_status = kStreamStatusFailing;
  row.due_at = u.due_at;
  return row.retry_count;
}

Status MemoryStore::BumpEpoch(const std::string& collector_id, const std::string& stream,
                              int64_t expected_epoch, int64_t expected_seq, WallTime due_at) {
  std::lock_guard<std::mutex> lock(mu_);
  StreamRow* row = FindAtLocked(collector_id, stream, expected_epoch, expected_seq);
  if (row == nullptr) return Lost("bump epoch", collector_id, stream);
  row->epoch = expected_epoch + 1;
  row->due_at = due_at;
  return Status::Ok();
}

Status MemoryStore::SetStreamStatus(const std::string& collector_id, const std::string& stream,
                                    int64_t expected_epoch, int64_t expected_seq,
                                    const std::string& status) {
  std::lock_guard<std::mutex> lock(mu_);
  StreamRow* row = FindAtLocked(collector_id, stream, expected_epoch, expected_seq);
  if (row == nullptr) return Lost("set stream status", collector_id, stream);
  row->last_status = status;
  return Status::Ok();
}

Result<AcquireOutcome> MemoryStore::AcquireRecord(const StateRecord& rec, Duration lease) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = records_.emplace(Key{rec.collector_id, rec.message_id}, rec);
  StateRecord& have = it->second;
  if (inserted) {
    have.status = RecordStatus::kIncomplete;
  } else if (have.status == RecordStatus::kComplete) {
    return AcquireOutcome::kAlreadyComplete;
  } else if (have.status == RecordStatus::kIncomplete && rec.updated - have.updated < lease) {
    return AcquireOutcome::kHeldElsewhere;
  } else {
    have.status = RecordStatus::kIncomplete;
    have.updated = rec.updated;
    have.expire_date = rec.expire_date;
    have.reason.clear();
    if (have.stream.empty()) have.stream = rec.stream;
  }
  auto row = streams_.find({rec.collector_id, rec.stream});
  if (row != streams_.end()) row->second.last_attempt = rec.updated;
  return AcquireOutcome::kAcquired;
}

Result<std::optional<StateRecord>> MemoryStore::GetRecord(const std::string& collector_id,
                                                          const std::string& message_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find({collector_id, message_id});
  if (it == records_.end()) return std::optional<StateRecord>();
  return std::optional<StateRecord>(it->second);
}

Status MemoryStore::SetRecordStatus(const std::string& collector_id,
                                    const std::string& message_id, const std::string& stream,
                                    RecordStatus status, WallTime now,
                                    const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = records_.try_emplace(Key{collector_id, message_id});
  StateRecord& r = it->second;
  if (inserted) {
    r.collector_id = collector_id;
    r.message_id = message_id;
  }
  if (r.stream.empty()) r.stream = stream;
  r.status = status;
  r.updated = now;
  r.expire_date = now + kStateRecordTtl;
  r.reason = reason;
  return Status::Ok();
}

Result<std::vector<StateRecord>> MemoryStore::ListRecords(const std::string& collector_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StateRecord> out;
  for (auto it = records_.lower_bound({collector_id, ""});
       it != records_.end() && it->first.first == collector_id; ++it) {
    out.push_back(it->second);
  }
  return out;
}

Result<int64_t> MemoryStore::PurgeExpiredRecords(WallTime now) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (auto it = records_.begin(); it != records_.end();) {
    if (it->second.expire_date < now) {
      it = records_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

}  // namespace paws::memory
