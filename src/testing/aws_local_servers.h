#pragma once

// Local DynamoDB- and SQS-compatible servers (dynalite and fauxqs from npm,
// tests/aws) for the tests of the aws backend: one node process running
// tests/aws/servers.mjs, listening on two free loopback ports.

#include <sys/types.h>

#include <memory>
#include <string>

#include "paws/result.h"

#ifndef PAWS_AWS_SERVERS_DIR
#error "PAWS_AWS_SERVERS_DIR is set by linking paws_aws_local_servers (src/testing/CMakeLists.txt)"
#endif

namespace paws::testing_aws {

// Where a test sends its requests: "http://127.0.0.1:<port>", no trailing
// slash. SQS QueueUrls returned by the server point at the same address.
struct AwsLocalEndpoints {
  std::string dynamodb;
  std::string sqs;
};

struct AwsLocalServersOptions {
  // The directory holding servers.mjs and its node_modules.
  // Default: tests/aws of the source tree.
  std::string dir = PAWS_AWS_SERVERS_DIR;
  // How long to wait for both servers to listen. Default: 20 s.
  int start_timeout_ms = 20000;
};

// One running node process serving both APIs. Not thread-safe to destroy
// while another thread uses endpoints(); the servers themselves take
// concurrent requests.
class AwsLocalServers {
 public:
  // Starts `node <dir>/servers.mjs` and waits for its endpoints. On failure
  // returns kUnavailable whose message is the reason a test prints when it
  // skips, one of:
  //   "node not found on PATH"
  //   "tests/aws/node_modules missing: run make test (npm ci)"
  //   "servers did not start within 20 s: <stderr tail>"
  //   "servers exited with code N before listening: <stderr tail>"
  // and kInternal when the process cannot be created or its first line is
  // not the endpoints JSON (the message quotes the line). No process is left
  // running on error. Sets no_proxy so that curl reaches 127.0.0.1 directly.
  static Result<std::unique_ptr<AwsLocalServers>> Start(
      const AwsLocalServersOptions& options = AwsLocalServersOptions());

  // Stops the servers: closes their stdin and sends SIGTERM, waits up to
  // 5 s, then SIGKILL; reaps the process. Afterwards both ports refuse
  // connections. Does nothing in a forked child of the process that started
  // them.
  ~AwsLocalServers();
  AwsLocalServers(const AwsLocalServers&) = delete;
  AwsLocalServers& operator=(const AwsLocalServers&) = delete;

  const AwsLocalEndpoints& endpoints() const { return endpoints_; }
  pid_t pid() const { return pid_; }

  // Closes the pipe to the servers' stdin and sends nothing else: what the
  // death of this process does. The servers then exit on their own.
  void CloseStdin();

 private:
  AwsLocalServers() = default;

  pid_t pid_ = -1;
  pid_t owner_ = -1;    // the process that started it
  int stdin_fd_ = -1;   // write end of the child's stdin
  int stdout_fd_ = -1;  // read end of the child's stdout, kept open
  int stderr_fd_ = -1;  // unlinked temporary file holding its stderr
  AwsLocalEndpoints endpoints_;
};

// One server process shared by a whole test binary: started on first use,
// stopped when the binary exits. Thread-safe. Returns nullptr and sets
// *why (when why is not null) to the reason when it cannot start; a failed
// start is not retried.
AwsLocalServers* SharedAwsLocalServers(std::string* why);

}  // namespace paws::testing_aws
