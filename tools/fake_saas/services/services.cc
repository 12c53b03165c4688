#include "tools/fake_saas/fake_service.h"

namespace paws {

// One line per service, in the order they are tried.
void AddFakeServices(FakeApi* api) { (void)api; }

}  // namespace paws
