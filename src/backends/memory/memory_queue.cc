#include "backends/memory/memory_queue.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/ids.h"

namespace paws::memory {
namespace {


// A receipt names its message, so that a stale receipt of a message that is
// gone can be told from one of a message that was received again.
std::string NewReceipt(const std::string& id) {
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(Random64()));
  return id + "#" + buf;
}

constexpr auto kWaitSlice = std::chrono::milliseconds(20);

}  // namespace

MemoryQueue::MemoryQueue(Clock* clock, Duration retention)
    : clock_(clock), retention_(retention) {}

Result<std::string> MemoryQueue::Send(const std::string& body, Duration delay) {
  WallTime now = clock_->Now();
  std::string id = NewUuidV4();
  {
    std::lock_guard<std::mutex> lock(mu_);
    PurgeLocked(now);
    uint64_t seq = next_seq_++;
    Message m{id, body, now, now + std::max(delay, Duration(0)), "", 0};
    by_due_.emplace(m.visible_at, seq);
    by_sent_.emplace(m.sent_at, seq);
    by_id_.emplace(id, seq);
    messages_.emplace(seq, std::move(m));
  }
  sent_.notify_all();
  return id;
}

Result<std::vector<QueueMessage>> MemoryQueue::Receive(int max, Duration visibility,
                                                       Duration wait) {
  if (max < 1) return Status::InvalidArgument("receive: max must be at least 1");
  // The wait is real time: a fake clock does not move while we wait, but a
  // Send from another thread (or a delay running out on a real clock) does
  // end it. Waking every slice covers the cases nobody notifies.
  const auto deadline = Clock::System()->MonotonicNow() + wait;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    WallTime now = clock_->Now();
    PurgeLocked(now);
    std::vector<QueueMessage> out = TakeLocked(max, visibility, now);
    auto left = deadline - Clock::System()->MonotonicNow();
    if (!out.empty() || left <= decltype(left)::zero()) return out;
    sent_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(left, kWaitSlice));
  }
}

std::vector<QueueMessage> MemoryQueue::TakeLocked(int max, Duration visibility, WallTime now) {
  std::vector<QueueMessage> out;
  while (static_cast<int>(out.size()) < max && !by_due_.empty() &&
         by_due_.begin()->first <= now) {
    uint64_t seq = by_due_.begin()->second;
    Message& m = messages_.at(seq);
    m.receipt = NewReceipt(m.id);
    ++m.receive_count;
    SetVisibleAtLocked(&m, seq, now + std::max(visibility, Duration(0)));
    out.push_back(QueueMessage{m.id, m.receipt, m.body, m.sent_at, m.receive_count});
  }
  return out;
}

Status MemoryQueue::Delete(const std::string& receipt) {
  std::lock_guard<std::mutex> lock(mu_);
  PurgeLocked(clock_->Now());
  bool gone = false;
  auto it = FindByReceiptLocked(receipt, &gone);
  if (gone) return Status::Ok();
  if (it == messages_.end()) return Status::NotFound("delete: receipt is stale");
  EraseLocked(it);
  return Status::Ok();
}

Status MemoryQueue::ChangeVisibility(const std::string& receipt, Duration visibility) {
  std::lock_guard<std::mutex> lock(mu_);
  WallTime now = clock_->Now();
  PurgeLocked(now);
  bool gone = false;
  auto it = FindByReceiptLocked(receipt, &gone);
  if (it == messages_.end()) return Status::NotFound("change visibility: receipt is not valid");
  SetVisibleAtLocked(&it->second, it->first, now + std::max(visibility, Duration(0)));
  if (visibility <= Duration(0)) sent_.notify_all();
  return Status::Ok();
}

Status MemoryQueue::MoveToDeadLetter(const std::string& receipt, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  WallTime now = clock_->Now();
  PurgeLocked(now);
  bool gone = false;
  auto it = FindByReceiptLocked(receipt, &gone);
  if (it == messages_.end()) return Status::NotFound("dead letter: receipt is not valid");
  dead_.push_back(DeadLetter{it->second.id, it->second.body, reason, now});
  EraseLocked(it);
  return Status::Ok();
}

Result<int64_t> MemoryQueue::PurgeExpired() {
  std::lock_guard<std::mutex> lock(mu_);
  return PurgeLocked(clock_->Now());
}

Result<std::vector<QueueMessage>> MemoryQueue::ListAll() {
  std::lock_guard<std::mutex> lock(mu_);
  PurgeLocked(clock_->Now());
  std::vector<QueueMessage> out;
  out.reserve(messages_.size());
  for (const auto& [seq, m] : messages_) {
    out.push_back(QueueMessage{m.id, "", m.body, m.sent_at, m.receive_count});
  }
  return out;
}

Result<std::vector<Status>> MemoryQueue::RewriteMessages(
    const std::vector<MessageRewrite>& rewrites) {
  std::lock_guard<std::mutex> lock(mu_);
  const WallTime now = clock_->Now();
  PurgeLocked(now);
  std::vector<Status> out;
  out.reserve(rewrites.size());
  for (const MessageRewrite& r : rewrites) {
    auto it = by_id_.find(r.message_id);
    if (it == by_id_.end()) {
      out.push_back(Status::NotFound("rewrite: no message " + r.message_id));
      continue;
    }
    Message& m = messages_.at(it->second);
    if (m.receive_count > 0 && m.visible_at > now) {
      out.push_back(Status::Conflict("rewrite: message " + r.message_id + " is in flight"));
      continue;
    }
    m.body = r.body;
    m.receipt.clear();
    out.push_back(Status::Ok());
  }
  return out;
}

Result<std::vector<DeadLetter>> MemoryQueue::ListDeadLetters() {
  std::lock_guard<std::mutex> lock(mu_);
  return dead_;
}

Result<QueueCounts> MemoryQueue::Counts() {
  std::lock_guard<std::mutex> lock(mu_);
  WallTime now = clock_->Now();
  PurgeLocked(now);
  QueueCounts c;
  for (const auto& [seq, m] : messages_) {
    if (m.visible_at <= now) {
      ++c.visible;
    } else if (m.receive_count == 0) {
      ++c.delayed;
    } else {
      ++c.in_flight;
    }
  }
  c.dead = static_cast<int64_t>(dead_.size());
  return c;
}

int64_t MemoryQueue::PurgeLocked(WallTime now) {
  int64_t n = 0;
  WallTime oldest_kept = now - retention_;
  while (!by_sent_.empty() && by_sent_.begin()->first < oldest_kept) {
    EraseLocked(messages_.find(by_sent_.begin()->second));
    ++n;
  }
  return n;
}

void MemoryQueue::EraseLocked(Messages::iterator it) {
  by_due_.erase({it->second.visible_at, it->first});
  by_sent_.erase({it->second.sent_at, it->first});
  by_id_.erase(it->second.id);
  messages_.erase(it);
}

void MemoryQueue::SetVisibleAtLocked(Message* m, uint64_t seq, WallTime at) {
  by_due_.erase({m->visible_at, seq});
  m->visible_at = at;
  by_due_.emplace(at, seq);
}

MemoryQueue::Messages::iterator MemoryQueue::FindByReceiptLocked(const std::string& receipt,
                                                                 bool* gone) {
  *gone = false;
  auto hash = receipt.rfind('#');
  if (hash == std::string::npos) return messages_.end();
  auto id = by_id_.find(receipt.substr(0, hash));
  if (id == by_id_.end()) {
    *gone = true;
    return messages_.end();
  }
  auto it = messages_.find(id->second);
  return it->second.receipt == receipt ? it : messages_.end();
}

}  // namespace paws::memory
