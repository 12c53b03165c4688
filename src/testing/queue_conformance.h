#pragma once

#include "testing/conformance_fixture.h"

namespace paws::conformance {

// StateQueue: ids, delays, visibility and redelivery with a fresh receipt,
// stale receipts, batch size, order, retention (visible, delayed and in
// flight), dead letters, counts, Receive's real-time wait, and concurrent
// receivers.
class QueueConformanceTest : public BackendFixture {};

int LinkQueueConformance();

}  // namespace paws::conformance
