#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "backends/aws/aws_client.h"
#include "paws/clock.h"
#include "paws/queue.h"

namespace paws::aws {

struct SqsQueueOptions {
  // The longest delay SQS applies itself (DelaySeconds). Longer delays are
  // sent with this one and re-delayed on receipt. Default: 900 s (SQS's
  // maximum).
  Duration max_native_delay = std::chrono::seconds(900);
  // The longest visibility timeout asked of SQS. Default: 12 h (SQS's
  // maximum).
  Duration max_visibility = std::chrono::hours(12);
  // How many receipts Receive remembers for MoveToDeadLetter (oldest
  // forgotten first). Default: 50 000.
  size_t remembered_receipts = 50000;
};

// A StateQueue on an SQS standard queue (JSON protocol) and its dead-letter
// queue. Thread-safe. Every operation is one or a few SQS calls; errors are
// those of AwsJsonClient::Call (kUnavailable, kNotFound, kUnauthenticated,
// kInvalidArgument) plus kInternal (PAWS000601) naming the field when an
// SQS answer lacks what the API reference promises.
//
// Time: SQS keeps delays, visibility timeouts and retention on its own
// clock. The injected clock only stamps what paws records in message
// attributes: `paws_sent_at` (epoch ms; QueueMessage::sent_at, falling back
// to SQS's SentTimestamp for messages sent by others), `paws_due_at` and, on
// dead letters, `paws_dead_at`.
//
// Delays beyond max_native_delay: the message is sent with max_native_delay
// and `paws_due_at`; Receive hides such a message again while it is not due
// (ChangeMessageVisibility to the remaining time, at most max_visibility)
// instead of returning it. The message keeps its id, and its retention
// clock keeps running from the first send: the queue's retention must
// exceed the longest poll interval (`paws aws init` sets 4 days). Each
// re-delay counts as a receive in ApproximateReceiveCount.
//
// What SQS cannot do, and what this class does instead:
//   - ListAll sees only visible messages (it receives them with a zero
//     visibility timeout, which also counts as a receive): delayed and
//     in-flight messages are missing from it.
//   - RewriteMessages cannot change a body in place: it receives the
//     message, sends the new body and deletes the old one, so the message
//     gets a NEW id (its paws_sent_at, the age paws sees, is kept). Messages
//     that are not visible come back kNotFound; kConflict is never returned.
//   - Delete cannot tell a stale receipt from one of a message already gone:
//     it returns Ok for both, as SQS does (SQS may even delete a message
//     with an older receipt of it).
//   - PurgeExpired returns 0: SQS deletes messages past the retention
//     itself.
//   - Counts are SQS's approximate numbers.
class SqsQueue : public StateQueue {
 public:
  // `client` (an SqsService client) and `clock` are not owned and must
  // outlive the queue. `retention` is what the queue was created with
  // (reported by retention()).
  SqsQueue(AwsJsonClient* client, std::string queue_url, std::string dead_letter_url,
           Duration retention, Clock* clock, SqsQueueOptions options = SqsQueueOptions());

  Result<std::string> Send(const std::string& body, Duration delay) override;
  // kInvalidArgument when max <= 0. Asks for min(max, 10) messages;
  // `visibility` is rounded up to seconds and capped at max_visibility,
  // `wait` rounded up to seconds and capped at 20 s.
  Result<std::vector<QueueMessage>> Receive(int max, Duration visibility,
                                            Duration wait) override;
  Status Delete(const std::string& receipt) override;
  // kNotFound when SQS says the receipt is not (or no longer) valid.
  Status ChangeVisibility(const std::string& receipt, Duration visibility) override;
  // Needs the body, so only receipts returned by this object's Receive
  // (the latest remembered_receipts of them) work; others are kNotFound.
  // Sends the body to the dead-letter queue with `paws_reason`,
  // `paws_original_id`, `paws_dead_at` and `paws_sent_at`, then deletes the
  // original.
  Status MoveToDeadLetter(const std::string& receipt, const std::string& reason) override;
  Result<int64_t> PurgeExpired() override;
  Duration retention() const override { return retention_; }
  Result<std::vector<QueueMessage>> ListAll() override;
  Result<std::vector<Status>> RewriteMessages(
      const std::vector<MessageRewrite>& rewrites) override;
  Result<std::vector<DeadLetter>> ListDeadLetters() override;
  Result<QueueCounts> Counts() override;

  // Sends many messages with SendMessageBatch: groups of at most 10 entries
  // and 256 KiB. Element i is the message id of bodies[i] or its error; an
  // entry SQS failed without blaming the sender is retried once.
  std::vector<Result<std::string>> SendBatch(
      const std::vector<std::pair<std::string, Duration>>& messages);
  // Deletes many deliveries with DeleteMessageBatch (groups of 10).
  // Element i is the result for receipts[i] (kNotFound for an invalid
  // receipt).
  std::vector<Status> DeleteBatch(const std::vector<std::string>& receipts);

  const std::string& url() const { return url_; }
  const std::string& dead_letter_url() const { return dead_url_; }

 private:
  struct Remembered {
    std::string id;
    std::string body;
    WallTime sent_at;
  };
  // One message of a ReceiveMessage answer, with paws' attributes.
  struct Received {
    QueueMessage m;
    int64_t due_at_ms = -1;  // paws_due_at, or -1
    std::string reason;      // paws_reason (dead letters)
    std::string original_id;
    int64_t dead_at_ms = -1;
  };

  // ReceiveMessage on `url`; nothing re-delayed or remembered.
  Result<std::vector<Received>> ReceiveRaw(const std::string& url, int max,
                                           Duration visibility, Duration wait);
  // Receives visible messages of `url` repeatedly with `visibility`, each
  // once (by id): stops after 3 rounds with nothing new or 1000 rounds.
  Result<std::vector<Received>> Scan(const std::string& url, Duration visibility);
  // The SendMessage / batch entry fields of one message.
  nlohmann::json Entry(const std::string& body, Duration delay, WallTime sent_at);
  Status DeleteOn(const std::string& url, const std::string& receipt);
  void Remember(const QueueMessage& m);
  void Forget(const std::string& receipt);

  AwsJsonClient* const client_;
  const std::string url_;
  const std::string dead_url_;
  const Duration retention_;
  Clock* const clock_;
  const SqsQueueOptions options_;

  std::mutex mu_;  // guards the receipt memory
  std::unordered_map<std::string, Remembered> receipts_;
  std::deque<std::string> receipt_order_;  // oldest first; may hold forgotten ones
};

}  // namespace paws::aws
