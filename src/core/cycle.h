#pragma once

#include <optional>
#include <random>
#include <vector>
#include <string>

#include "core/collector_set.h"
#include "core/counters.h"
#include "paws/backend.h"
#include "paws/clock.h"
#include "paws/options.h"
#include "paws/queue.h"
#include "paws/sink.h"

namespace paws {

// What became of one received message.
enum class CycleOutcome {
  kCommitted,     // polled, sent, claimed, successor enqueued, message deleted
  kFailed,        // poll or sink error: retry enqueued with back-off, message deleted
  kStale,         // fenced out (or successor recovery done): message deleted
  kDuplicate,     // already COMPLETE (deleted) or held by another worker (left alone)
  kClaimLost,     // another chain owns the stream: message deleted
  kPoison,        // unreadable: moved to the dead-letter area
  kBackendError,  // the store or queue failed: the message will be redelivered
  kDeferred,      // its batch ran out of lease before its poll: handed back untouched
};
std::string_view CycleOutcomeName(CycleOutcome o);

// Told of the outcome of every message a runner processes (for metrics).
// Called on worker threads; must be thread-safe and cheap.
class CycleObserver {
 public:
  virtual ~CycleObserver() = default;
  // `collector` and `stream` are empty when not known (an unreadable body);
  // `events` is what a committed cycle sent to the sink, else 0.
  virtual void OnCycle(const std::string& collector, const std::string& stream,
                       CycleOutcome outcome, int64_t events) = 0;
};

// Runs the cycle of DESIGN.md on one received message. Holds no state of
// its own between messages besides counters, so one runner serves all
// worker threads. Thread-safe. Never throws.
class CycleRunner {
 public:
  // None of the pointers is owned; all outlive the runner.
  CycleRunner(Backend* backend, const CollectorSet* collectors, Sink* sink, Clock* clock,
              const RuntimeOptions& options, CycleCounters* counters);

  // Runs the cycle on one message.
  CycleOutcome Process(const QueueMessage& m);
  // Runs the cycles of a received batch step by step together: their
  // dedup writes are one transaction and so are their commits, on backends
  // that can. Element i is the outcome of batch[i].
  std::vector<CycleOutcome> ProcessBatch(const std::vector<QueueMessage>& batch);

  // Not owned; may be null. Set before the first Process.
  void set_observer(CycleObserver* observer) { observer_ = observer; }
  // Seeds the back-off jitter (a deterministic simulation sets it; the
  // default seed comes from the OS). Set before the first Process.
  void set_jitter_seed(uint64_t seed) { rng_.seed(seed); }

  // The back-off before retry number `retry` (1-based), without jitter.
  static Duration Backoff(const RuntimeOptions& options, int retry);

 private:
  // A message that passed the fence, on its way through the cycle.
  struct Work {
    const QueueMessage* m;
    StateMessage sm;
    const CollectorSet::Entry* entry;
    std::string stream;
    WallTime due_at;  // the row's DueAt: a failure does not move it
    PollResult polled;
  };
  // A message parsed, with its collector and stream (step 1).
  struct Parsed {
    const QueueMessage* m;
    StateMessage sm;
    const CollectorSet::Entry* entry;
    std::string stream;
  };
  // `label` gets the collector and stream as soon as they are known.
  std::optional<Parsed> Parse(const QueueMessage& m, CycleOutcome* outcome,
                              std::pair<std::string, std::string>* label);
  std::optional<Work> CheckFence(Parsed p, const Result<std::optional<StreamRow>>& row,
                                 CycleOutcome* outcome);
  void RunSteps(std::vector<Work>* work, const std::vector<size_t>& index,
                std::vector<CycleOutcome>* out, std::vector<int64_t>* events);
  CycleOutcome Defer(const Work& w);
  CycleCommit MakeCommit(const Work& w);
  CycleOutcome Committed(const Work& w, const Status& st);
  CycleOutcome Poison(const QueueMessage& m, const std::string& collector_id,
                      const Status& why);
  Result<std::string> ResolveStream(const StateMessage& sm, const CollectorSpec& spec);
  CycleOutcome Fence(const QueueMessage& m, const StateMessage& sm, const std::string& stream,
                     const StreamRow& row);
  CycleOutcome Fail(const Work& w, const Status& error);
  Duration Jittered(Duration d);

  Backend* backend_;
  const CollectorSet* collectors_;
  Sink* sink_;
  Clock* clock_;
  RuntimeOptions options_;
  CycleCounters* counters_;
  CycleObserver* observer_ = nullptr;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

}  // namespace paws
