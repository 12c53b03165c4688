// paws_sim --seed N [--steps S] [--verbose]: one run of the deterministic
// simulation; exits 1 when an invariant is violated.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "tests/sim/simulation.h"

int main(int argc, char** argv) {
  paws::sim::SimOptions o;
  CLI::App app{"paws deterministic simulation"};
  app.add_option("--seed", o.seed, "Seed")->required();
  app.add_option("--steps", o.fault_steps, "Steps with faults");
  app.add_flag("--verbose", o.verbose, "Print every step");
  CLI11_PARSE(app, argc, argv);
  auto r = paws::sim::RunSimulation(o);
  if (!r.ok()) {
    std::fprintf(stderr, "paws_sim: %s\n", r.status().ToString().c_str());
    return 2;
  }
  std::printf("seed %llu: %s\n", static_cast<unsigned long long>(o.seed), r->Summary().c_str());
  for (const auto& v : r->violations) std::printf("  %s\n", v.c_str());
  return r->violations.empty() ? 0 : 1;
}
