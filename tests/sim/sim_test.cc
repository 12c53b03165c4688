// Runs the deterministic simulation over many seeds. A failing seed is
// reproduced with: build/default/tests/sim/paws_sim --seed N --verbose
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/sim/simulation.h"

namespace paws::sim {
namespace {

int Seeds() {
  const char* env = std::getenv("PAWS_SIM_SEEDS");
  return env ? std::atoi(env) : 300;
}

TEST(Simulation, InvariantsHoldForEverySeed) {
  int failed = 0;
  for (int seed = 1; seed <= Seeds(); ++seed) {
    SimOptions o;
    o.seed = static_cast<uint64_t>(seed);
    auto r = RunSimulation(o);
    ASSERT_TRUE(r.ok()) << "seed " << seed << ": " << r.status().ToString();
    if (!r->violations.empty()) {
      ++failed;
      std::string all;
      for (const auto& v : r->violations) all += "  " + v + "\n";
      ADD_FAILURE() << "seed " << seed << " (" << r->Summary()
                    << "); reproduce: paws_sim --seed " << seed << " --verbose\n"
                    << all;
      if (failed >= 5) break;
    }
  }
}

TEST(Simulation, TheSameSeedGivesTheSameRun) {
  SimOptions o;
  o.seed = 42;
  auto a = RunSimulation(o);
  auto b = RunSimulation(o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->Summary(), b->Summary());
  EXPECT_GT(a->cycles, 100);
  EXPECT_GT(a->crashes, 0) << "faults were injected";
}

}  // namespace
}  // namespace paws::sim
