#pragma once

#include <functional>
#include <optional>
#include <string>

#include "backends/aws/sigv4.h"
#include "paws/result.h"

namespace paws::aws {

// Where the settings come from: the process environment and files. Tests
// fill both with fakes; the functions are called only during
// ResolveAwsSettings, from the calling thread.
struct AwsEnv {
  // The value of an environment variable, or nullopt when it is not set.
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  // Whole file; kNotFound when it does not exist (message: the reason only,
  // "No such file or directory"; the caller names the file).
  std::function<Result<std::string>(const std::string& path)> read_file;
  // The process environment and the local filesystem (files over 16 MiB and
  // directories are refused).
  static AwsEnv Real();
};

// What the configuration says ([store.aws]); empty = not set.
struct AwsSettingsInput {
  std::string region;
  std::string profile;
  std::string dynamodb_endpoint;
  std::string sqs_endpoint;
};

// Everything the aws backend needs to sign and address its requests.
struct AwsSettings {
  std::string region;
  AwsCredentials credentials;
  // For status/logs, never the key: "environment",
  // "/root/.aws/credentials [profile prod]", "/root/.aws/config [profile prod]".
  std::string credentials_source;
  std::string dynamodb_endpoint;  // absolute URL, no trailing slash
  std::string sqs_endpoint;
};

// Resolves region, credentials and endpoints the way the AWS SDKs and CLI
// do (docs/configuration.md, "[store.aws]"), reading only through `env`.
//
// Profile: in.profile, else AWS_PROFILE, else "default". The shared
// credentials file is AWS_SHARED_CREDENTIALS_FILE (default
// $HOME/.aws/credentials; its sections are the profile names), the config
// file AWS_CONFIG_FILE (default $HOME/.aws/config; sections
// "[profile <name>]", and "[default]" for the default profile). A leading
// "~/" in either variable is $HOME. A file that does not exist is skipped.
//
// Credentials, the first source that has them: AWS_ACCESS_KEY_ID +
// AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); the profile's section of the
// credentials file; the profile's section of the config file (keys
// aws_access_key_id, aws_secret_access_key, aws_session_token).
// Region: in.region, AWS_REGION, AWS_DEFAULT_REGION, region in the profile's
// config-file section. Endpoints: in.*_endpoint, AWS_ENDPOINT_URL_DYNAMODB /
// AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL, else the public endpoint of the
// region ("https://dynamodb.<region>.amazonaws.com", ".com.cn" for cn-*).
// An environment variable set to the empty string counts as not set.
//
// Errors (the message names the variable, key or file and line, and the
// offending value unless it may be a secret; the secret key and the session
// token never appear in any message):
//   kUnauthenticated, codes::kAwsCredentials: no credentials in any source;
//     the message lists where it looked.
//   kInvalidArgument, codes::kAwsCredentials: half a key pair (in the
//     environment or in a file section), an explicitly named profile that is
//     in neither file, a malformed line in either file ("<path>:<line>: ...",
//     never quoting the line).
//   <read_file's code> (kUnavailable for the real env), codes::kAwsCredentials:
//     a file exists but cannot be read.
//   kInvalidArgument, codes::kConfigInvalid: no region, a region that is not
//     lower-case letters, digits and '-', or an endpoint that is not an
//     absolute http:// or https:// URL with a host and without query or
//     fragment; one holding '@' (user info: a password) is refused without
//     showing it.
// Never throws (except std::bad_alloc) and never logs.
Result<AwsSettings> ResolveAwsSettings(const AwsSettingsInput& in, const AwsEnv& env);

}  // namespace paws::aws
