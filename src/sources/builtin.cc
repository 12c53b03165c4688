#include <cassert>

#include "paws/registry.h"
#include "sources/auth0/auth0_source.h"
#include "sources/carbonblack/carbonblack_source.h"
#include "sources/fake/fake_source.h"
#include "sources/gsuite/gsuite_source.h"
#include "sources/http_json/http_json_source.h"
#include "sources/okta/okta_source.h"
#include "sources/o365/o365_source.h"
#include "sources/salesforce/salesforce_source.h"

namespace paws {

void RegisterBuiltinSources(SourceRegistry* registry) {
  Status s = registry->Register("fake", &MakeFakeSource);
  if (s.ok()) s = registry->Register("auth0", &MakeAuth0Source);
  if (s.ok()) s = registry->Register("carbonblack", &MakeCarbonBlackSource);
  if (s.ok()) s = registry->Register("okta", &MakeOktaSource);
  if (s.ok()) s = registry->Register("o365", &MakeO365Source);
  if (s.ok()) s = registry->Register("salesforce", &MakeSalesforceSource);
  if (s.ok()) s = registry->Register("gsuite", &MakeGsuiteSource);
  if (s.ok()) s = registry->Register("http_json", &MakeHttpJsonSource);
  // Only a second call on the same registry can fail, which is a bug.
  assert(s.ok());
  (void)s;
}

}  // namespace paws
