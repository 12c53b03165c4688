#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "paws/clock.h"
#include "paws/result.h"

namespace paws {

// A message as received from a StateQueue.
struct QueueMessage {
  std::string id;       // stable for the life of the message
  std::string receipt;  // handle of this delivery; changes on every receive
  std::string body;
  WallTime sent_at;     // when it was first sent (retention counts from here)
  int receive_count = 0;
};

// A message that was moved out of the queue because it cannot be processed.
struct DeadLetter {
  std::string id;
  std::string body;
  std::string reason;
  WallTime at;
};

// A new body for a message already in the queue (MessageRewrite).
struct MessageRewrite {
  std::string message_id;
  std::string body;
};

struct QueueCounts {
  int64_t visible = 0;    // deliverable now
  int64_t delayed = 0;    // not yet due
  int64_t in_flight = 0;  // received, within their visibility timeout
  int64_t dead = 0;       // dead letters
};

// The delay queue that carries state messages (SQS semantics): at-least-once
// delivery, per-message delay, visibility timeout, retention. Messages older
// than the retention are deleted whether or not they were ever received.
// Implementations are thread-safe.
class StateQueue {
 public:
  virtual ~StateQueue() = default;

  // Enqueues `body`, deliverable after `delay`. Returns the message id.
  // kUnavailable on a transient failure (nothing was sent).
  virtual Result<std::string> Send(const std::string& body, Duration delay) = 0;

  // Returns up to `max` deliverable messages, each made invisible for
  // `visibility`. When none is deliverable, waits up to `wait` (real time)
  // for one; returns an empty vector when none came.
  virtual Result<std::vector<QueueMessage>> Receive(int max, Duration visibility,
                                                    Duration wait) = 0;

  // Deletes the message of this delivery. A stale receipt (the message was
  // received again since, or is gone) is not an error on delete: it returns
  // Ok, as SQS does, if the message is already gone, and kNotFound otherwise.
  virtual Status Delete(const std::string& receipt) = 0;

  // Makes the message invisible for `visibility` from now (0: visible now).
  // kNotFound if the receipt is no longer valid.
  virtual Status ChangeVisibility(const std::string& receipt, Duration visibility) = 0;

  // Moves the received message to the dead-letter area with a reason.
  // kNotFound if the receipt is no longer valid.
  virtual Status MoveToDeadLetter(const std::string& receipt, const std::string& reason) = 0;

  // Deletes messages older than the retention. Returns how many.
  // Backends also do this on their own as they go; this forces it.
  virtual Result<int64_t> PurgeExpired() = 0;

  virtual Duration retention() const = 0;

  // Every message in the queue, visible or not (administration and tests;
  // O(queue size)). Receipts are empty.
  virtual Result<std::vector<QueueMessage>> ListAll() = 0;

  // Replaces the bodies of messages that are not in flight, in place
  // (administration: `paws migrate` upgrading upstream messages). A
  // message keeps its id, delay and age; receipts of its earlier deliveries
  // stop being valid. One status per rewrite: Ok, kNotFound when the
  // message is gone, kConflict when it is in flight (received, within its
  // visibility timeout). O(queue size) per call, not per rewrite.
  virtual Result<std::vector<Status>> RewriteMessages(
      const std::vector<MessageRewrite>& rewrites) = 0;
  virtual Result<std::vector<DeadLetter>> ListDeadLetters() = 0;
  virtual Result<QueueCounts> Counts() = 0;
};

}  // namespace paws
