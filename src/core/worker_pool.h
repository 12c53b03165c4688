#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "core/cycle.h"
#include "paws/options.h"
#include "paws/queue.h"

namespace paws {

// N threads, each receiving a batch of state messages and running a cycle
// on each. Stop() lets every cycle under way finish (so none is left half
// committed), hands the messages received but not started back to the
// queue, and joins. Start and Stop are called from one thread.
class WorkerPool {
 public:
  // Not owned; both outlive the pool.
  WorkerPool(StateQueue* queue, CycleRunner* runner, const RuntimeOptions& options);
  ~WorkerPool();

  void Start();
  void Stop();

 private:
  void Loop();
  // Waits up to `d` of real time or until Stop.
  void Pause(Duration d);

  StateQueue* queue_;
  CycleRunner* runner_;
  RuntimeOptions options_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::thread> threads_;
};

}  // namespace paws
