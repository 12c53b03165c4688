#include "sources/common/collection_start.h"

#include "paws/codes.h"

namespace paws {

Result<WallTime> CollectionStart(const CollectorSpec& spec, WallTime now) {
  if (spec.collection_start.empty()) return now - spec.poll_interval;
  Result<WallTime> start = ParseRfc3339(spec.collection_start);
  if (!start.ok()) {
    return Status::InvalidArgument(
        "collector " + spec.id + ": collection_start: " + start.status().message(),
        codes::kConfigInvalid);
  }
  return *start;
}

}  // namespace paws
