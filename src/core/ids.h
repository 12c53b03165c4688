#pragma once

#include <cstdint>
#include <string>

namespace paws {

// 64 random bits from a per-thread generator seeded from the OS (no lock).
uint64_t Random64();

// A random UUID v4 (122 random bits): what SQS message ids look like, and
// unique across processes sharing a store.
std::string NewUuidV4();

// A random UUID v7 (RFC 9562): `unix_ms` in the top 48 bits, then 74 random
// bits. Ids that grow with time keep the rows keyed by them side by side in
// a B-tree; still unique across processes.
std::string NewUuidV7(int64_t unix_ms);

}  // namespace paws
