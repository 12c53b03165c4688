#include "tools/fake_saas/fake_service.h"
#include "tools/fake_saas/services/auth0.h"
#include "tools/fake_saas/services/carbonblack.h"
#include "tools/fake_saas/services/salesforce.h"
#include "tools/fake_saas/services/gsuite.h"
#include "tools/fake_saas/services/o365.h"

namespace paws {

// One line per service, in the order they are tried.
void AddFakeServices(FakeApi* api) {
  api->AddService(MakeFakeAuth0Service());
  api->AddService(MakeFakeCarbonBlackService());
  api->AddService(MakeFakeSalesforceService());
  api->AddService(MakeFakeGsuiteService());
  api->AddService(MakeFakeO365Service());
}

}  // namespace paws
