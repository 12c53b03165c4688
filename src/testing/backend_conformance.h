#pragma once

#include "testing/conformance_fixture.h"
#include "testing/queue_conformance.h"
#include "testing/store_conformance.h"

// Conformance suites that every Backend must pass (as arrow's
// GenericFileSystemTest): QueueConformanceTest (queue_conformance.cc),
// StoreConformanceTest (store_conformance.cc) and BackendConformanceTest
// (below). A backend's test instantiates all three at global scope:
//
//   PAWS_INSTANTIATE_CONFORMANCE(Memory, (::paws::conformance::BackendParam{
//       "memory", [](::paws::FakeClock* clock) { return ...; }}));
//
// Each test gets a fresh, empty backend from the factory and its own
// FakeClock. The tests never sleep to wait for logic; the only real-time
// waits exercise Receive's `wait`, bounded by about 2 s.
namespace paws::conformance {

// The Commit methods of Backend: each step's effect, and what a lost
// condition leaves behind.
class BackendConformanceTest : public BackendFixture {};

// Referenced by PAWS_INSTANTIATE_CONFORMANCE so that the linker keeps the
// objects defining the tests (they live in a static library).
int LinkConformanceSuites();

}  // namespace paws::conformance

#define PAWS_INSTANTIATE_CONFORMANCE(prefix, param)                                        \
  namespace paws::conformance {                                                           \
  [[maybe_unused]] static const int prefix##_conformance_linked = LinkConformanceSuites(); \
  INSTANTIATE_TEST_SUITE_P(prefix, QueueConformanceTest, ::testing::Values param,          \
                           BackendParamName);                                             \
  INSTANTIATE_TEST_SUITE_P(prefix, StoreConformanceTest, ::testing::Values param,          \
                           BackendParamName);                                             \
  INSTANTIATE_TEST_SUITE_P(prefix, BackendConformanceTest, ::testing::Values param,        \
                           BackendParamName);                                             \
  }
