#include <cassert>

#include "paws/registry.h"
#include "sources/fake/fake_source.h"

namespace paws {

void RegisterBuiltinSources(SourceRegistry* registry) {
  Status s = registry->Register("fake", &MakeFakeSource);
  // Only a second call on the same registry can fail, which is a bug.
  assert(s.ok());
  (void)s;
}

}  // namespace paws
