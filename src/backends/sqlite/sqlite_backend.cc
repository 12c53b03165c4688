#include "backends/sqlite/sqlite_backend.h"

#include "backends/sqlite/sqlite_db.h"
#include "backends/sqlite/sqlite_queue.h"
#include "backends/sqlite/sqlite_store.h"
#include "paws/codes.h"

namespace paws {
namespace sqlite {
namespace {

// Thread-safe: every method goes through the one Db.
class SqliteBackend : public Backend {
 public:
  SqliteBackend(std::unique_ptr<Db> db, const SqliteOptions& options, Clock* clock)
      : db_(std::move(db)), queue_(db_.get(), clock, options.retention), store_(db_.get()) {}

  StateQueue* queue() override { return &queue_; }
  StateStore* store() override { return &store_; }

  // Steps 5-7 as one transaction: either all of them happen or, on a lost
  // claim, only the deletion of the message.
  Status CommitCycle(const CycleCommit& c) override {
    Status st = db_->Write("commit cycle", [&] { return CommitLocked(c); });
    if (st.ok()) db_->NotifySend();
    return st;
  }

  // Many cycles in one transaction, each still all-or-nothing (a savepoint).
  std::vector<Status> CommitCycles(const std::vector<CycleCommit>& cs) override {
    std::vector<std::function<Status()>> fns;
    fns.reserve(cs.size());
    for (const auto& c : cs) fns.push_back([this, &c] { return CommitLocked(c); });
    std::vector<Status> out = db_->WriteEach("commit cycles", fns);
    db_->NotifySend();
    return out;
  }

  Result<int> CommitFailure(const FailureCommit& f) override {
    int count = -1;
    Status st = db_->Write("commit failure", [&] {
      Result<int> retries = store_.RecordFailureLocked(f.failure);
      if (retries.ok()) {
        count = *retries;
      } else if (retries.status().code() == StatusCode::kConflict) {
        PAWS_RETURN_IF_ERROR(queue_.DeleteLocked(f.receipt));
        return retries.status();
      } else if (retries.status().code() != StatusCode::kNotFound) {
        return retries.status();
      }
      store_.SetRecordStatusLocked(f.failure.collector_id, f.message_id, f.failure.stream,
                                   RecordStatus::kFailed, f.failure.now, f.failure.error);
      queue_.SendLocked(f.retry_body, f.retry_delay);
      return queue_.DeleteLocked(f.receipt);
    });
    if (!st.ok()) return st;
    db_->NotifySend();
    return count;
  }

  Status SeedStream(const StreamSeed& s) override {
    Status st = db_->Write("seed stream", [&] {
      PAWS_RETURN_IF_ERROR(store_.CreateStreamLocked(s.row));
      queue_.SendLocked(s.body, s.delay);
      return Status::Ok();
    });
    if (st.ok()) db_->NotifySend();
    return st;
  }

 private:
  Status CommitLocked(const CycleCommit& c) {
    Status claim = store_.ClaimStreamLocked(c.claim);
    if (claim.code() == StatusCode::kConflict) {
      PAWS_RETURN_IF_ERROR(queue_.DeleteLocked(c.receipt));
      return claim;
    }
    PAWS_RETURN_IF_ERROR(claim);
    queue_.SendLocked(c.successor_body, c.successor_delay);
    store_.SetRecordStatusLocked(c.claim.collector_id, c.message_id, c.claim.stream,
                                 RecordStatus::kComplete, c.claim.now, "");
    return queue_.DeleteLocked(c.receipt);
  }

  std::unique_ptr<Db> db_;
  SqliteQueue queue_;
  SqliteStore store_;
};

}  // namespace
}  // namespace sqlite

Result<std::unique_ptr<Backend>> MakeSqliteBackend(const SqliteOptions& options, Clock* clock) {
  if (clock == nullptr) return Status::InvalidArgument("sqlite backend: no clock");
  if (options.path.empty()) {
    return Status::InvalidArgument("sqlite backend: store.path is empty", codes::kConfigInvalid);
  }
  if (options.retention <= Duration(0)) {
    return Status::InvalidArgument("sqlite backend: store.retention must be positive",
                                   codes::kConfigInvalid);
  }
  PAWS_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Db> db,
                        sqlite::Db::Open(options.path, options.busy_timeout));
  return std::unique_ptr<Backend>(new sqlite::SqliteBackend(std::move(db), options, clock));
}

}  // namespace paws
