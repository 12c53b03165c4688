#pragma once

#include "testing/conformance_fixture.h"

namespace paws::conformance {

// StateStore: every conditional write's success and kConflict path (with
// nothing changed on conflict), the (0, 1) adoption claim, RecordFailure,
// AcquireRecord's outcomes and LastAttempt, record upserts and purges, and
// racing writers.
class StoreConformanceTest : public BackendFixture {};

int LinkStoreConformance();

}  // namespace paws::conformance
