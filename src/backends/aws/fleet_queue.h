#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "backends/aws/sqs_queue.h"
#include "paws/clock.h"
#include "paws/queue.h"

namespace paws::aws {

// An upstream PAWS state queue attached to the collector whose messages it
// holds (CollectorSpec::upstream_queue).
struct AttachedQueue {
  std::string collector_id;
  std::unique_ptr<SqsQueue> queue;  // its dead-letter URL is the shared queue's
};

// The state queue of the aws backend: the shared queue, plus the upstream
// queues attached to collectors being taken over.
//
// Everything is sent to the shared queue. Receive takes from the attached
// queues first — each at most every `idle_poll` while it has nothing, so an
// empty one costs one request per daemon per idle_poll — then from the
// shared queue. A message received from an attached queue is handed over in
// paws's form as an adoption message of that collector ((0, 1) with its
// collector_id; an upstream body names no collector), so several upstream
// collectors of one type can be taken over side by side; its successor goes
// to the shared queue, and the attached queue drains. Receipts of attached
// messages carry the queue's index ("att<i>:"), so Delete, ChangeVisibility
// and MoveToDeadLetter reach the right queue. Administration (ListAll,
// RewriteMessages, dead letters, retention) is the shared queue's; Counts
// adds the attached queues' messages. Thread-safe.
class FleetQueue : public StateQueue {
 public:
  FleetQueue(std::unique_ptr<SqsQueue> shared, std::vector<AttachedQueue> attached, Clock* clock,
             Duration idle_poll = std::chrono::seconds(10));

  Result<std::string> Send(const std::string& body, Duration delay) override;
  Result<std::vector<QueueMessage>> Receive(int max, Duration visibility,
                                            Duration wait) override;
  Status Delete(const std::string& receipt) override;
  Status ChangeVisibility(const std::string& receipt, Duration visibility) override;
  Status MoveToDeadLetter(const std::string& receipt, const std::string& reason) override;
  Result<int64_t> PurgeExpired() override { return shared_->PurgeExpired(); }
  Duration retention() const override { return shared_->retention(); }
  Result<std::vector<QueueMessage>> ListAll() override { return shared_->ListAll(); }
  Result<std::vector<Status>> RewriteMessages(
      const std::vector<MessageRewrite>& rewrites) override {
    return shared_->RewriteMessages(rewrites);
  }
  Result<std::vector<DeadLetter>> ListDeadLetters() override {
    return shared_->ListDeadLetters();
  }
  Result<QueueCounts> Counts() override;

  // SqsQueue::SendBatch on the shared queue; DeleteBatch routed by receipt.
  std::vector<Result<std::string>> SendBatch(
      const std::vector<std::pair<std::string, Duration>>& messages) {
    return shared_->SendBatch(messages);
  }
  std::vector<Status> DeleteBatch(const std::vector<std::string>& receipts);

  SqsQueue* shared() { return shared_.get(); }
  size_t attached_count() const { return attached_.size(); }

 private:
  // The queue a receipt belongs to and the receipt SQS gave.
  std::pair<SqsQueue*, std::string> Route(const std::string& receipt);
  std::vector<QueueMessage> ReceiveAttached(int max, Duration visibility);

  std::unique_ptr<SqsQueue> shared_;
  std::vector<AttachedQueue> attached_;
  Clock* const clock_;
  const Duration idle_poll_;

  std::mutex mu_;  // guards next_poll_ and next_
  std::vector<MonoTime> next_poll_;
  size_t next_ = 0;  // where the next round of attached receives starts
};

// The body of a message from the attached queue of `collector_id`: an
// upstream body becomes an adoption message of that collector; anything else
// (already paws's form, or not a state message at all) is left as it is.
std::string AdoptFromAttached(const std::string& body, const std::string& collector_id);

}  // namespace paws::aws
