#pragma once

#include <memory>
#include <string>

#include "paws/clock.h"
#include "paws/queue.h"
#include "paws/result.h"
#include "paws/store.h"

namespace paws {

// Steps 5-7 of a successful cycle (DESIGN.md): claim, enqueue the
// successor, mark the record COMPLETE and delete the message.
struct CycleCommit {
  ClaimUpdate claim;
  std::string successor_body;
  Duration successor_delay{0};
  std::string message_id;
  std::string receipt;
};

// The error path of a cycle: record the failure on the stream row, mark the
// record FAILED, enqueue the retry of the same (epoch, seq) after a back-off,
// delete the message.
struct FailureCommit {
  FailureUpdate failure;
  std::string retry_body;
  Duration retry_delay{0};
  std::string message_id;
  std::string receipt;
};

// Registration of one stream: create its row and enqueue its first message.
struct StreamSeed {
  StreamRow row;
  std::string body;
  Duration delay{0};
};

// A queue and a store that share a consistency model. Owns both.
// Thread-safe.
//
// The default implementations of the Commit methods perform the steps in
// the order of DESIGN.md, each a separate write, which is what a backend
// without multi-item transactions (AWS) must do; the order makes every
// crash point safe. Backends that can (SQLite) override them with one
// transaction.
class Backend {
 public:
  virtual ~Backend() = default;

  virtual StateQueue* queue() = 0;
  virtual StateStore* store() = 0;

  // Returns Ok, or kConflict when the claim lost (another chain owns the
  // stream): the message is then deleted and nothing is enqueued. Other
  // errors leave the message to be redelivered.
  virtual Status CommitCycle(const CycleCommit& c);

  // CommitCycle for each, in order; element i is the result for cs[i].
  // Each commit is still all-or-nothing on its own; backends that can put
  // them all in one transaction do (SQLite), which is what makes a worker's
  // batch of cycles cheap. Default: CommitCycle for each.
  virtual std::vector<Status> CommitCycles(const std::vector<CycleCommit>& cs);

  // Returns the new retry count, or -1 when the stream has no row yet (an
  // unadopted legacy message; the retry is enqueued all the same), or
  // kConflict when the fence lost (message deleted, nothing enqueued).
  virtual Result<int> CommitFailure(const FailureCommit& f);

  // Creates the row and enqueues the body. kConflict (and nothing enqueued)
  // when the row already exists.
  virtual Status SeedStream(const StreamSeed& s);
};

}  // namespace paws
