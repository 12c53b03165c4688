#pragma once

#include <string>

#include "paws/options.h"
#include "paws/result.h"

namespace paws::cli {

// Exit codes of every verb (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command ran and failed (or found a problem)
inline constexpr int kExitUsage = 2;    // bad command line or configuration: nothing was done

struct CommonFlags {
  std::string config;     // -c FILE; empty: none
  bool from_env = false;  // --from-env: add the collector of the upstream variables
  bool json = false;
  bool dry_run = false;
};

// The configuration of a verb: the file of -c (or the defaults), plus, with
// --from-env, the collector of the upstream PAWS environment variables
// (src/config/upstream_env.h). Neither -c nor --from-env is a usage error
// (kInvalidArgument, PAWS000106). `read_secrets` false: no secret is read.
Result<Config> LoadConfig(const CommonFlags& flags, bool read_secrets);

int RunCommand(const CommonFlags& flags);
int StatusCommand(const CommonFlags& flags);
int RegisterCommand(const CommonFlags& flags);
// Exit 0 when every stream is healthy, 1 when any is not, 2 when the check
// could not run (bad configuration, store unavailable).
int CheckCommand(const CommonFlags& flags);
// Exit 0 when every repair was done (or, dry, would be attempted), 1 when
// any failed, 2 when the check could not run.
int RepairCommand(const CommonFlags& flags);

}  // namespace paws::cli
