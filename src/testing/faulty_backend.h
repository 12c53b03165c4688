#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "paws/backend.h"

namespace paws {

// What a FaultyBackend does at one write.
enum class FaultAction {
  kNone,
  kCrashBefore,  // return kUnavailable without writing: the process died before
  kCrashAfter,   // write, then return kUnavailable: it died right after
};

// A Backend over another one whose writes can "crash" (ErrorEnv-style):
// before each write it asks `plan` (with the operation's name, for example
// "ClaimStream" or "Send") what to do. A crash is a kUnavailable return; the
// caller stops there, as a dead process would, and the message is
// redelivered after its visibility timeout. The Commit methods are the
// default ordered ones, so a crash can land between any two steps of a
// commit, as on AWS. Also records every successful claim, so a simulation
// can check that no (collector, stream, epoch, seq) was claimed twice.
// Thread-compatible (the simulation is single-threaded).
class FaultyBackend : public Backend {
 public:
  using Plan = std::function<FaultAction(const char* op)>;
  using ClaimKey = std::tuple<std::string, std::string, int64_t, int64_t>;

  // `inner` is owned.
  FaultyBackend(std::unique_ptr<Backend> inner, Plan plan);
  ~FaultyBackend() override;

  StateQueue* queue() override;
  StateStore* store() override;

  // Every claim that succeeded, in order (duplicates included).
  const std::vector<ClaimKey>& claims() const;
  // Writes that crashed so far.
  int crashes() const;

 private:
  class Queue;
  class Store;
  std::unique_ptr<Backend> inner_;
  Plan plan_;  // the wrappers point at it and at crashes_
  int crashes_ = 0;
  std::unique_ptr<Queue> queue_;
  std::unique_ptr<Store> store_;
};

}  // namespace paws
