#include "tests/integration/expected_events.h"

#include "tools/fake_saas/fake_events.h"

namespace paws::testing {

std::set<std::string> ExpectedEventIds(const std::string& tenant, const std::string& stream,
                                       int rate_per_minute, WallTime from, WallTime to) {
  const int64_t period = 60000 / rate_per_minute;
  std::set<std::string> ids;
  int64_t end = FakeFirstIndexAtOrAfter(ToUnixMillis(to), period);
  for (int64_t k = FakeFirstIndexAtOrAfter(ToUnixMillis(from), period); k < end; ++k) {
    ids.insert(FakeEventId(tenant, stream, k));
  }
  return ids;
}

}  // namespace paws::testing
