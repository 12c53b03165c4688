#pragma once

// A collection scenario for integration tests: the fake API, a config with
// two collectors and four streams collecting 20 minutes of history in
// multi-page windows, `paws run` on SQLite (or on the aws backend against
// local DynamoDB and SQS servers), and the checks an operator would make
// afterwards.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "paws/options.h"
#include "paws/state.h"
#include "tests/integration/harness.h"

namespace paws::testing {

struct VerifyReport {
  int64_t events = 0;      // distinct event ids in the sink
  int64_t missing = 0;     // served or expected (in a collected window) but not in the sink
  int64_t not_served = 0;  // in the sink but never served by the API
  int64_t duplicates = 0;  // extra copies of ids in the sink
  std::string detail;      // per stream, for failure messages
};

// Where the local DynamoDB- and SQS-compatible servers listen
// ("http://127.0.0.1:<port>"): testing_aws::SharedAwsLocalServers().
struct AwsEndpoints {
  std::string dynamodb;
  std::string sqs;
};

class Scenario {
 public:
  // A configured stream: its collector, the fake API tenant that the
  // collector's endpoint names, and the stream.
  struct StreamSpec {
    std::string collector;
    std::string tenant;
    std::string stream;
  };
  // c-alpha (tenant alpha): system; c-beta (tenant beta): login, admin, drive.
  static std::vector<StreamSpec> DefaultStreams();

  struct Options {
    int workers = 2;
    int rate_per_minute = 20;
    int poll_interval_sec = 30;
    int history_minutes = 20;
    int page_limit = 3;
    int max_pages = 3;
    std::string store_toml;    // more lines in [store]
    std::string runtime_toml;  // more lines in [runtime] (override the defaults below)
    std::string extra_toml;    // appended to the config
    std::map<std::string, std::string> env = {{"PAWS_IT_TOKEN", "it-token"}};
    std::vector<StreamSpec> streams;  // empty: DefaultStreams()
    // Collectors written with `takeover = true`: not registered, adopted
    // from upstream messages or seeded after grace.
    std::set<std::string> takeover;
    // Set: `[store] backend = "aws"` on these servers, with a table and a
    // queue of the scenario's own (scenario_aws.cc); the daemons get dummy
    // AWS credentials and region in their environment. Unset: SQLite.
    std::optional<AwsEndpoints> aws;
    // collector -> the upstream queue (name) attached to it on aws
    // (`upstream_queue`).
    std::map<std::string, std::string> upstream_queues;
  };

  Scenario() : Scenario(Options{}) {}
  explicit Scenario(Options o) : opts_(std::move(o)) {}

  // Starts the fake API and writes the config; on aws also runs
  // `paws aws init` on it (its exit code and stderr in the error).
  Status Setup();
  Result<std::unique_ptr<Process>> StartPaws();
  // Another daemon on the same store, sink and collectors, with a log and a
  // status port file of its own: paws-<instance>.log, status-<instance>.port
  // (its config: paws-<instance>.toml, written now).
  Result<std::unique_ptr<Process>> StartPaws(const std::string& instance);
  // Rewrites the config with `streams` configured instead, everything else
  // (collection_start included) unchanged; a collector left without
  // streams is left out. CaughtUp and Verify then check these streams.
  // REQUIRES: Setup() succeeded; paws is not running.
  Status SetStreams(std::vector<StreamSpec> streams);

  // The store of the scenario (the SQLite file, or the table and queue on
  // the local servers), opened beside paws.
  Result<std::unique_ptr<Backend>> OpenStore() const;
  // The stream row as the store has it now.
  Result<std::optional<StreamRow>> Row(const std::string& collector, const std::string& stream);
  // (collector/stream) -> number of its messages in the queue now. On aws,
  // SQS lists only visible messages, so this first waits the poll interval
  // plus 3 s, until every message can be visible: REQUIRES no daemon
  // running; kDeadlineExceeded when the queue still counts delayed ones.
  Result<std::map<std::string, int>> LiveMessagesPerStream();
  // Every configured stream has committed a cycle and waits for a window
  // that has not ended yet.
  Result<bool> CaughtUp();
  // Polls CaughtUp every 100 ms for at most `limit`; kInternal with the
  // tail of the log when the streams did not catch up in time.
  Status WaitCaughtUp(std::chrono::seconds limit);
  // Compares the sink with the API's record and with the windows collected,
  // and checks each stream's chain: exactly one live message, and COMPLETE
  // records for the cycles claimed (== seq on SQLite, which commits in one
  // transaction; <= seq on aws, where a kill between claim and completion
  // leaves a record INCOMPLETE, and the live message is (epoch, seq + 1)).
  // REQUIRES no daemon running on aws (see LiveMessagesPerStream).
  Result<VerifyReport> Verify();

  int workers() const { return opts_.workers; }
  int MaxEventsPerCycle() const { return opts_.page_limit * opts_.max_pages; }
  // The tail of every daemon's log and stderr.
  std::string PawsLog() const;
  bool on_aws() const { return opts_.aws.has_value(); }
  const std::string& config_path() const { return config_path_; }
  const TempDir& dir() const { return dir_; }
  FakeSaas* fake() { return fake_.get(); }
  const Config& config() const { return config_; }
  const std::vector<StreamSpec>& streams() const { return streams_; }
  const std::string& collection_start() const { return start_; }  // RFC 3339

 private:
  Options opts_;
  TempDir dir_;
  std::unique_ptr<FakeSaas> fake_;
  std::string config_path_;
  std::string start_;  // collection_start, RFC 3339
  Config config_;      // what the test expects the file to say
  std::vector<StreamSpec> streams_;  // configured now
  std::set<std::string> instances_;  // of StartPaws(instance)

  void WriteConfig();
  // The config file's text, logging to `log` and writing the status port
  // to `port_file` (both relative to the config's directory).
  std::string ConfigText(const std::string& log, const std::string& port_file);
  // The daemons' environment: opts_.env, plus the AWS variables on aws.
  std::map<std::string, std::string> ChildEnv() const;
  // (collector/stream) -> its messages in the queue (see LiveMessagesPerStream).
  Result<std::map<std::string, std::vector<StateMessage>>> LiveMessages();

  // scenario_aws.cc: the aws part.
  std::string AwsStoreToml() const;  // [store] backend and [store.aws]
  std::map<std::string, std::string> AwsChildEnv() const;
  Status InitAws();  // `paws aws init`
  Result<std::unique_ptr<Backend>> OpenAwsStore() const;
  // ListAll once every message can be visible (LiveMessagesPerStream).
  Result<std::vector<QueueMessage>> ListAllOnAws(Backend* backend);
};

}  // namespace paws::testing
