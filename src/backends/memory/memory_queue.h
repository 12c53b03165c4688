#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "paws/clock.h"
#include "paws/queue.h"

namespace paws::memory {

// A StateQueue held in process memory with SQS semantics: per-message
// delay, visibility timeout, a fresh receipt on every delivery, retention
// counted from the first send, and a dead-letter list. Expired messages are
// dropped lazily at the start of every operation. Wall time comes from the
// injected clock; Receive's `wait` is real time. Thread-safe.
class MemoryQueue : public StateQueue {
 public:
  // `clock` is not owned and must outlive the queue.
  MemoryQueue(Clock* clock, Duration retention);

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

 private:
  struct Message {
    std::string id;
    std::string body;
    WallTime sent_at;
    WallTime visible_at;
    std::string receipt;  // of the latest delivery; empty before the first
    int receive_count = 0;
  };
  using Messages = std::map<uint64_t, Message>;  // by send order

  // Drops every message older than the retention. Returns how many.
  int64_t PurgeLocked(WallTime now);
  void EraseLocked(Messages::iterator it);
  void SetVisibleAtLocked(Message* m, uint64_t seq, WallTime at);
  // The message whose current receipt is `receipt`, or messages_.end().
  // `*gone` tells a message that no longer exists from a stale receipt.
  Messages::iterator FindByReceiptLocked(const std::string& receipt, bool* gone);
  std::vector<QueueMessage> TakeLocked(int max, Duration visibility, WallTime now);

  Clock* const clock_;
  const Duration retention_;

  std::mutex mu_;
  std::condition_variable sent_;  // notified by Send
  uint64_t next_seq_ = 1;
  Messages messages_;
  std::unordered_map<std::string, uint64_t> by_id_;
  std::set<std::pair<WallTime, uint64_t>> by_due_;   // (visible_at, seq)
  std::set<std::pair<WallTime, uint64_t>> by_sent_;  // (sent_at, seq)
  std::vector<DeadLetter> dead_;
};

}  // namespace paws::memory
