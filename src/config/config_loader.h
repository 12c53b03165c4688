#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "paws/options.h"
#include "paws/result.h"
#include "paws/secret.h"

namespace paws {

// What the loader reads besides the configuration text: environment
// variables (secret_env) and files (the configuration itself, secret_file).
// Tests fill both functions with fakes; the real process uses Real().
// The functions are called only from the loading thread, during the call.
struct ConfigEnv {
  // The value of an environment variable, or nullopt when it is not set.
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  // The whole content of a file. On error, a non-ok Status whose message is
  // the reason only ("No such file or directory"); the caller names the file.
  // kNotFound when the file does not exist, kUnavailable otherwise.
  std::function<Result<std::string>(const std::string& path)> read_file;

  // False for commands that never call an API (`paws status`): secrets are
  // left empty and their variables and files are not read. Default: true.
  bool read_secrets = true;

  // The process environment and the local filesystem. read_file refuses
  // directories and files over 16 MiB.
  static ConfigEnv Real();
};

// Whether `id` is a valid collector id: non-empty, letters, digits, '.',
// '_' and '-' (a UUID is typical). The same rule for every form of a
// collector (native, upstream, environment).
bool IsValidCollectorId(std::string_view id);

// The secret held by the file at `path`, read through env.read_file:
// trailing line breaks removed; several lines are fine (a PEM key), other
// control characters are not. On error the message names the file, never
// its content: kInvalidArgument with codes::kSecretMissing (unreadable or
// empty) or codes::kConfigInvalid (control characters).
Result<Secret> ReadSecretFile(const ConfigEnv& env, const std::string& path);

// Reads and validates the configuration file at `path` (TOML, documented in
// docs/configuration.md). A [[collector]] table with paws_type_name is in the
// upstream form and is read by CollectorFromUpstream (upstream_env.h). Relative paths in the file (store.path, sink.path,
// log.path, secret_file), defaults included, are resolved against the
// directory of `path`; secrets are read through `env`.
//
// On error returns a Status whose message names the file, the key (dotted:
// "runtime.workers", "collector[2].poll_interval"), the offending value
// (never a secret or a secret file's content) and the line when known, and
// whose paws_code() is one of:
//   codes::kConfigUnreadable  the file cannot be read (the StatusCode of
//                             env.read_file: kNotFound, kUnavailable, ...)
//   codes::kConfigSyntax      not valid TOML (kInvalidArgument; line, column)
//   codes::kConfigInvalid     an unknown key or a bad value (kInvalidArgument)
//   codes::kSecretMissing     secret_env names an unset or empty variable, or
//                             secret_file cannot be read or is empty
//                             (kInvalidArgument)
// The loader never logs and never throws.
Result<Config> LoadConfigFile(const std::string& path, const ConfigEnv& env);

// As LoadConfigFile, for configuration text already read. `file_name` is
// used in messages, is stored in Config::file, and its directory is the base
// of relative paths (an empty directory leaves them as written).
Result<Config> ParseConfig(const std::string& text, const std::string& file_name,
                           const ConfigEnv& env);

}  // namespace paws
