#pragma once

#include <string>

namespace paws::cli {

// Exit codes of every verb (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command ran and failed (or found a problem)
inline constexpr int kExitUsage = 2;    // bad command line or configuration: nothing was done

struct CommonFlags {
  std::string config;
  bool json = false;
  bool dry_run = false;
};

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
