// The aws part of Scenario: a table and a queue of the scenario's own on the
// local DynamoDB and SQS servers, dummy credentials for the daemons and for
// the test's own view of the store.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "backends/aws/aws_backend.h"
#include "tests/integration/scenario.h"

namespace paws::testing {
namespace {

// The local servers check signatures only for form: any key pair will do.
// Nothing here is a secret.
const std::map<std::string, std::string>& DummyAwsEnv() {
  static const auto* env = new std::map<std::string, std::string>{
      {"AWS_ACCESS_KEY_ID", "AKIDPAWSINTEGRATION"},
      {"AWS_SECRET_ACCESS_KEY", "paws-integration-dummy-secret"},
      {"AWS_REGION", "us-east-1"}};
  return *env;
}

// A table and queue name unique to the scenario: its temporary directory's
// random suffix ("paws-it-Ab12Cd"), letters and digits only.
std::string UniqueName(const TempDir& dir) {
  return std::filesystem::path(dir.path()).filename().string();
}

}  // namespace

std::string Scenario::AwsStoreToml() const {
  const std::string name = UniqueName(dir_);
  return fmt::format(R"(backend = "aws"
{store}
[store.aws]
table = "{name}"
queue = "{name}"
dynamodb_endpoint = "{dynamodb}"
sqs_endpoint = "{sqs}"
)",
                     fmt::arg("store", opts_.store_toml), fmt::arg("name", name),
                     fmt::arg("dynamodb", opts_.aws->dynamodb), fmt::arg("sqs", opts_.aws->sqs));
}

std::map<std::string, std::string> Scenario::AwsChildEnv() const { return DummyAwsEnv(); }

Status Scenario::InitAws() {
  std::string out, err;
  int code = RunPaws({"aws", "init", "-c", config_path_}, ChildEnv(), &out, &err);
  if (code != 0) {
    return Status::Internal(fmt::format("paws aws init -c {} exited {}: {}{}", config_path_, code,
                                        out, err));
  }
  return Status::Ok();
}

Result<std::unique_ptr<Backend>> Scenario::OpenAwsStore() const {
  StoreOptions o;
  o.backend = "aws";
  o.aws.table = o.aws.queue = UniqueName(dir_);
  o.aws.dynamodb_endpoint = opts_.aws->dynamodb;
  o.aws.sqs_endpoint = opts_.aws->sqs;
  // The same variables as the daemons', without touching this process's
  // environment (tests run in parallel threads of one binary).
  aws::AwsEnv env;
  env.getenv = [](const std::string& name) -> std::optional<std::string> {
    auto it = DummyAwsEnv().find(name);
    if (it == DummyAwsEnv().end()) return std::nullopt;
    return it->second;
  };
  env.read_file = [](const std::string&) -> Result<std::string> {
    return Status::NotFound("No such file or directory");
  };
  PAWS_ASSIGN_OR_RETURN(auto backend, aws::MakeAwsBackend(o, Clock::System(), env));
  return std::unique_ptr<Backend>(std::move(backend));
}

// SQS lists only visible messages, and the local server updates its count
// of delayed messages only when it is asked for messages. With no daemon
// running, every message is visible once its delay has passed (at most the
// poll interval, or a retry's back-off: a few seconds in these scenarios;
// SQS delays are whole seconds, rounded up) and every in-flight one once
// its visibility timeout (2 s) has: wait that long, list, then check that
// the queue counts nothing delayed.
Result<std::vector<QueueMessage>> Scenario::ListAllOnAws(Backend* backend) {
  const auto wait = std::chrono::seconds(std::max(opts_.poll_interval_sec, 3) + 3);
  std::this_thread::sleep_for(wait);
  PAWS_ASSIGN_OR_RETURN(auto all, backend->queue()->ListAll());
  PAWS_ASSIGN_OR_RETURN(QueueCounts counts, backend->queue()->Counts());
  if (counts.delayed != 0) {
    return Status::DeadlineExceeded(
        fmt::format("the queue still holds {} delayed messages {} s after the call: is a daemon "
                    "still running?",
                    counts.delayed, wait.count()));
  }
  return all;
}

}  // namespace paws::testing
