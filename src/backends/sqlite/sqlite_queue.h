#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "paws/clock.h"
#include "paws/queue.h"

namespace paws::sqlite {

class Db;

// The StateQueue of the SQLite backend: tables `queue` and `dead_letters`
// of the shared database. Expired messages are deleted when Receive meets
// them and by Counts, ListAll and PurgeExpired; before that they are never
// delivered, and their receipts no longer work. Thread-safe; other
// processes may use the same file at the same time.
class SqliteQueue : public StateQueue {
 public:
  // Neither is owned; both must outlive the queue.
  SqliteQueue(Db* db, Clock* clock, Duration retention);

  Result<std::string> Send(const std::string& body, Duration delay) override;
  Result<std::vector<QueueMessage>> Receive(int max, Duration visibility,
                                            Duration wait) override;
  Status Delete(const std::string& receipt) override;
  Status ChangeVisibility(const std::string& receipt, Duration visibility) override;
  Status MoveToDeadLetter(const std::string& receipt, const std::string& reason) override;
  Result<int64_t> PurgeExpired() override;
  Duration retention() const override { return retention_; }
  Result<std::vector<QueueMessage>> ListAll() override;
  Result<std::vector<Status>> RewriteMessages(
      const std::vector<MessageRewrite>& rewrites) override;
  Result<std::vector<DeadLetter>> ListDeadLetters() override;
  Result<QueueCounts> Counts() override;

  // Building blocks of the backend's transactions. They throw
  // SQLite::Exception on database errors.
  // REQUIRES: called from inside db->Write; the caller calls
  // db->NotifySend() after a committed SendLocked.
  std::string SendLocked(const std::string& body, Duration delay);
  Status DeleteLocked(const std::string& receipt);

 private:
  // One attempt: takes what is deliverable now, without waiting.
  Result<std::vector<QueueMessage>> TryReceive(int max, Duration visibility);
  int64_t PurgeLocked(int64_t now_ms);
  int64_t OldestKeptMs(int64_t now_ms) const;

  Db* const db_;
  Clock* const clock_;
  const Duration retention_;
  // The last receive filled its batch: skip the read-only probe (TryReceive).
  std::atomic<bool> busy_{false};
};

}  // namespace paws::sqlite
