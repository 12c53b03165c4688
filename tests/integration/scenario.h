#pragma once

// A collection scenario for integration tests: the fake API, a config with
// two collectors and four streams collecting 20 minutes of history in
// multi-page windows, `paws run` on SQLite, and the checks an operator would
// make afterwards.

#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "paws/options.h"
#include "tests/integration/harness.h"

namespace paws::testing {

struct VerifyReport {
  int64_t events = 0;      // distinct event ids in the sink
  int64_t missing = 0;     // served or expected (in a collected window) but not in the sink
  int64_t not_served = 0;  // in the sink but never served by the API
  int64_t duplicates = 0;  // extra copies of ids in the sink
  std::string detail;      // per stream, for failure messages
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
  };

  Scenario() : Scenario(Options{}) {}
  explicit Scenario(Options o) : opts_(std::move(o)) {}

  // Starts the fake API and writes the config.
  Status Setup();
  Result<std::unique_ptr<Process>> StartPaws();
  // Rewrites the config with `streams` configured instead, everything else
  // (collection_start included) unchanged; a collector left without
  // streams is left out. CaughtUp and Verify then check these streams.
  // REQUIRES: Setup() succeeded; paws is not running.
  Status SetStreams(std::vector<StreamSpec> streams);

  // The SQLite store of the scenario, opened beside paws.
  Result<std::unique_ptr<Backend>> OpenStore() const;
  // The stream row as the store has it now.
  Result<std::optional<StreamRow>> Row(const std::string& collector, const std::string& stream);
  // (collector/stream) -> number of its messages in the queue now.
  Result<std::map<std::string, int>> LiveMessagesPerStream();
  // Every configured stream has committed a cycle and waits for a window
  // that has not ended yet.
  Result<bool> CaughtUp();
  // Polls CaughtUp every 100 ms for at most `limit`; kInternal with the
  // tail of the log when the streams did not catch up in time.
  Status WaitCaughtUp(std::chrono::seconds limit);
  // Compares the sink with the API's record and with the windows collected.
  Result<VerifyReport> Verify();

  int workers() const { return opts_.workers; }
  int MaxEventsPerCycle() const { return opts_.page_limit * opts_.max_pages; }
  std::string PawsLog() const;
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

  void WriteConfig();
};

}  // namespace paws::testing
