#pragma once

#include <cstdint>
#include <string>

namespace paws {

// 64 random bits from a per-thread generator seeded from the OS (no lock).
uint64_t Random64();

// A random UUID v4 (122 random bits): what SQS message ids look like, and
// unique across processes sharing a store.
std::string NewUuidV4();

}  // namespace paws
