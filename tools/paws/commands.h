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
};

int RunCommand(const CommonFlags& flags);
int StatusCommand(const CommonFlags& flags);
int RegisterCommand(const CommonFlags& flags);

}  // namespace paws::cli
