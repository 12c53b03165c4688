#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "paws/collector.h"
#include "paws/options.h"
#include "paws/result.h"

namespace paws {

// A collector described the upstream PAWS way: the Lambda environment
// variables of one collector (docs/migration.md). The same variables come
// from the process environment (`--from-env`) or from a [[collector]] table
// of the configuration file written in that form.
//
// Variables: collector_id (required), customer_id, paws_type_name
// (required, a type of include/paws/collector_types.h), paws_endpoint
// (required; "https://" is added when it has no scheme, as upstream
// endpoints often have none), paws_poll_interval (seconds, default 60),
// collector_streams (a JSON array; wins over the type's legacy list
// variable; single-stream types use [type]), paws_collector_param_string_1
// and _2 (the legacy list, or the params key the type maps them to),
// paws_collection_start_ts (RFC 3339), paws_api_client_id,
// paws_api_auth_type (accepted; no source of paws uses it),
// paws_max_pages_per_invocation, and the secret: paws_secret (its value)
// or paws_secret_file (a file holding it).
//
// A variable set to the empty string counts as not set, as in the upstream
// collectors (an unused CloudFormation parameter is an empty variable).
struct UpstreamVariables {
  // The value of a variable, or nullopt when it is not set.
  std::function<std::optional<std::string>(const std::string& name)> get;
  // How a variable is named in messages: "environment variable X" or
  // "paws.toml: collector[2].X (line 7)".
  std::function<std::string(const std::string& name)> describe;
};

// One variable CollectorFromUpstream reads.
struct UpstreamVariable {
  std::string name;
  // Whether a [[collector]] table may give it as a TOML integer (a number
  // of seconds or pages) rather than a string.
  bool integer = false;
};

// Every variable CollectorFromUpstream reads, in the order above: the keys
// of a [[collector]] table in upstream form (besides secret_env,
// secret_file, stall_after and grace, which the loader reads itself).
const std::vector<UpstreamVariable>& KnownUpstreamVariables();

// Builds one collector from upstream variables. The collector is marked
// `takeover`: its streams are adopted from their upstream state messages,
// not registered (DESIGN.md, Registration). Secret files are read through
// `env` (unless env.read_secrets is false). Errors are kInvalidArgument
// with codes::kConfigInvalid (or kSecretMissing) naming the variable and
// its value (never a secret's).
Result<CollectorSpec> CollectorFromUpstream(const UpstreamVariables& vars, const ConfigEnv& env);

// The configuration of `--from-env`: `base` (a loaded file, or defaults)
// with the collector of the process environment (env.getenv) added; its
// messages name "environment variable X". An id that is already in `base`
// is an error. A secret from paws_secret is recorded as secret_env =
// "paws_secret" (CollectorSpec::secret_env), one from paws_secret_file as
// its secret_file.
Result<Config> AddCollectorFromEnv(Config base, const ConfigEnv& env);

}  // namespace paws
