#include "core/ids.h"

#include <cstdio>
#include <random>

namespace paws {

uint64_t Random64() {
  thread_local std::mt19937_64 gen([] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }());
  return gen();
}

namespace {

// 128 bits as 8-4-4-4-12 lower-case hex, with the RFC 9562 variant set.
std::string FormatUuid(uint64_t hi, uint64_t lo) {
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                static_cast<unsigned long long>(hi & 0xFFFF),
                static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

}  // namespace

std::string NewUuidV4() { return FormatUuid((Random64() & ~0xF000ull) | 0x4000ull, Random64()); }

std::string NewUuidV7(int64_t unix_ms) {
  return FormatUuid((static_cast<uint64_t>(unix_ms) << 16) | 0x7000ull | (Random64() & 0xFFFull),
                    Random64());
}

}  // namespace paws
