#pragma once

// The deterministic simulation of issue 3: the runtime's cycle, worker
// batches and health check on the memory backend (ordered, AWS-like
// commits) with a fake clock and the fake API in process, driven by one
// seed. Faults are injected at every step: crashes before and after each
// write, duplicate delivery, message loss, reordering, clock jumps and API
// errors. After the faults stop it runs quietly and checks the invariants.
// Same seed, same run.

#include <cstdint>
#include <string>
#include <vector>

#include "paws/result.h"

namespace paws::sim {

struct SimOptions {
  uint64_t seed = 1;
  int fault_steps = 1500;  // steps with faults
  bool verbose = false;    // print every step to stderr
};

struct SimReport {
  std::vector<std::string> violations;  // empty: every invariant held
  int64_t cycles = 0;                   // committed cycles
  int64_t crashes = 0;                  // injected write crashes
  int64_t repairs = 0;
  int64_t events = 0;                   // distinct events in the sink
  std::string Summary() const;
};

// Runs one seed. Errors are failures of the harness itself, not violations.
Result<SimReport> RunSimulation(const SimOptions& options);

}  // namespace paws::sim
