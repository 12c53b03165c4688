#include "tests/integration/scenario.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "backends/open_backend.h"
#include "tests/integration/expected_events.h"

namespace paws::testing {
namespace {

std::string Key(const std::string& collector, const std::string& stream) {
  return collector + "/" + stream;
}

Result<std::unique_ptr<Backend>> OpenStoreAt(const std::string& path) {
  StoreOptions o;
  o.backend = "sqlite";
  o.path = path;
  return OpenBackend(o, Clock::System());
}

}  // namespace

Result<std::unique_ptr<Backend>> Scenario::OpenStore() const {
  if (on_aws()) return OpenAwsStore();
  return OpenStoreAt(dir_.File("paws.db"));
}

std::vector<Scenario::StreamSpec> Scenario::DefaultStreams() {
  return {{"c-alpha", "alpha", "system"},
          {"c-beta", "beta", "login"},
          {"c-beta", "beta", "admin"},
          {"c-beta", "beta", "drive"}};
}

Status Scenario::Setup() {
  PAWS_ASSIGN_OR_RETURN(fake_, FakeSaas::Start(dir_, opts_.rate_per_minute));
  // Start on a whole minute so windows line up with the API's event grid.
  auto now_ms = ToUnixMillis(Clock::System()->Now());
  auto start_ms = (now_ms / 60000 - opts_.history_minutes) * 60000;
  start_ = FormatRfc3339(FromUnixMillis(start_ms));
  config_path_ = dir_.File("paws.toml");
  streams_ = opts_.streams.empty() ? DefaultStreams() : opts_.streams;
  WriteConfig();
  if (on_aws()) return InitAws();
  return Status::Ok();
}

Status Scenario::SetStreams(std::vector<StreamSpec> streams) {
  if (!fake_) return Status::Internal("SetStreams before Setup");
  streams_ = std::move(streams);
  WriteConfig();
  return Status::Ok();
}

void Scenario::WriteConfig() { WriteFile(config_path_, ConfigText("paws.log", "status.port")); }

std::string Scenario::ConfigText(const std::string& log, const std::string& port_file) {
  std::string store = on_aws() ? AwsStoreToml()
                               : "backend = \"sqlite\"\npath = \"paws.db\"\n" + opts_.store_toml;
  std::string toml = fmt::format(R"([store]
{store}
[runtime]
workers = {workers}
visibility_timeout = "2s"
receive_wait = "200ms"
{runtime}

[sink]
type = "jsonl"
path = "events.jsonl"

[log]
level = "info"
path = "{log}"

[status]
port = 0
port_file = "{port_file}"
)",
                                 fmt::arg("workers", opts_.workers), fmt::arg("store", store),
                                 fmt::arg("log", log), fmt::arg("port_file", port_file),
                                 fmt::arg("runtime", opts_.runtime_toml.empty()
                                                         ? "min_backoff = \"1s\"\nmax_backoff = \"2s\""
                                                         : opts_.runtime_toml));
  std::map<std::string, std::vector<std::string>> streams;
  std::map<std::string, std::string> tenants;
  config_.collectors.clear();
  for (const auto& s : streams_) {
    streams[s.collector].push_back(s.stream);
    tenants[s.collector] = s.tenant;
  }
  for (const auto& [collector, list] : streams) {
    std::string arr;
    for (const auto& s : list) arr += (arr.empty() ? "\"" : ", \"") + s + "\"";
    toml += fmt::format(R"(
[[collector]]
id = "{id}"
type = "fake"
endpoint = "{endpoint}"
cid = "cid-{id}"
poll_interval = {poll}
streams = [{streams}]
secret_env = "PAWS_IT_TOKEN"
max_pages_per_cycle = {pages}
collection_start = "{start}"{takeover}{upstream_queue}
[collector.params]
limit = "{limit}"
)",
                        fmt::arg("id", collector), fmt::arg("endpoint", fake_->Endpoint(tenants[collector])),
                        fmt::arg("poll", opts_.poll_interval_sec), fmt::arg("streams", arr),
                        fmt::arg("pages", opts_.max_pages), fmt::arg("start", start_),
                        fmt::arg("limit", opts_.page_limit),
                        fmt::arg("takeover", opts_.takeover.count(collector) ? "\ntakeover = true" : ""),
                        fmt::arg("upstream_queue",
                                 opts_.upstream_queues.count(collector)
                                     ? "\nupstream_queue = \"" + opts_.upstream_queues.at(collector) + "\""
                                     : std::string()));
    CollectorSpec spec;
    spec.id = collector;
    spec.type = "fake";
    spec.streams = list;
    spec.params["tenant"] = tenants[collector];
    config_.collectors.push_back(spec);
  }
  toml += opts_.extra_toml;
  return toml;
}

std::map<std::string, std::string> Scenario::ChildEnv() const {
  std::map<std::string, std::string> env = opts_.env;
  if (on_aws()) env.merge(AwsChildEnv());  // a variable the test set wins
  return env;
}

Result<std::unique_ptr<Process>> Scenario::StartPaws() {
  return Process::Start({PawsBinary(), "run", "--config", config_path_}, ChildEnv(),
                        dir_.File("paws.out"), dir_.File("paws.err"));
}

Result<std::unique_ptr<Process>> Scenario::StartPaws(const std::string& instance) {
  if (!fake_) return Status::Internal("StartPaws before Setup");
  std::string config = dir_.File("paws-" + instance + ".toml");
  WriteFile(config, ConfigText("paws-" + instance + ".log", "status-" + instance + ".port"));
  instances_.insert(instance);
  return Process::Start({PawsBinary(), "run", "--config", config}, ChildEnv(),
                        dir_.File("paws-" + instance + ".out"),
                        dir_.File("paws-" + instance + ".err"));
}

std::string Scenario::PawsLog() const {
  std::string log = ReadFile(dir_.File("paws.log")) + ReadFile(dir_.File("paws.err"));
  for (const auto& i : instances_) {
    std::string own = ReadFile(dir_.File("paws-" + i + ".log")) +
                      ReadFile(dir_.File("paws-" + i + ".err"));
    log += "--- " + i + ":\n" + (own.size() > 3000 ? own.substr(own.size() - 3000) : own);
  }
  return log.size() > 12000 ? log.substr(log.size() - 12000) : log;
}

Result<std::optional<StreamRow>> Scenario::Row(const std::string& collector,
                                                const std::string& stream) {
  PAWS_ASSIGN_OR_RETURN(auto backend, OpenStore());
  return backend->store()->GetStream(collector, stream);
}

Result<std::map<std::string, std::vector<StateMessage>>> Scenario::LiveMessages() {
  PAWS_ASSIGN_OR_RETURN(auto backend, OpenStore());
  std::vector<QueueMessage> all;
  if (on_aws()) {
    PAWS_ASSIGN_OR_RETURN(all, ListAllOnAws(backend.get()));
  } else {
    PAWS_ASSIGN_OR_RETURN(all, backend->queue()->ListAll());
  }
  std::map<std::string, std::vector<StateMessage>> out;
  for (const auto& m : all) {
    auto sm = ParseStateMessage(m.body);
    if (!sm.ok()) continue;
    out[Key(sm->collector_id, StateStringField(sm->state_json, "stream"))].push_back(*sm);
  }
  return out;
}

Result<std::map<std::string, int>> Scenario::LiveMessagesPerStream() {
  PAWS_ASSIGN_OR_RETURN(auto live, LiveMessages());
  std::map<std::string, int> out;
  for (const auto& [key, messages] : live) out[key] = static_cast<int>(messages.size());
  return out;
}

Result<bool> Scenario::CaughtUp() {
  PAWS_ASSIGN_OR_RETURN(auto backend, OpenStore());
  PAWS_ASSIGN_OR_RETURN(auto rows, backend->store()->ListAllStreams());
  WallTime now = Clock::System()->Now();
  std::set<std::string> configured;
  for (const auto& s : streams_) configured.insert(Key(s.collector, s.stream));
  int ready = 0;
  for (const auto& r : rows) {
    if (!configured.count(Key(r.collector_id, r.stream))) continue;
    auto cp = nlohmann::json::parse(r.checkpoint, nullptr, false);
    bool paging = cp.is_object() && cp.contains("nextPage") && !cp["nextPage"].is_null();
    if (r.seq >= 1 && r.last_status == "OK" && !paging && r.due_at > now + std::chrono::seconds(1)) {
      ++ready;
    }
  }
  return ready == static_cast<int>(configured.size());
}

Status Scenario::WaitCaughtUp(std::chrono::seconds limit) {
  auto deadline = Clock::System()->MonotonicNow() + limit;
  for (;;) {
    PAWS_ASSIGN_OR_RETURN(bool done, CaughtUp());
    if (done) return Status::Ok();
    if (Clock::System()->MonotonicNow() > deadline) {
      return Status::Internal("streams did not catch up in " + std::to_string(limit.count()) +
                              " s; log:\n" + PawsLog());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Result<VerifyReport> Scenario::Verify() {
  VerifyReport rep;
  PAWS_ASSIGN_OR_RETURN(auto lines, ReadSink(dir_.File("events.jsonl")));
  std::map<std::string, std::map<std::string, int>> sink;  // stream key -> id -> copies
  for (const auto& l : lines) ++sink[Key(l.collector_id, l.stream)][l.id];
  PAWS_ASSIGN_OR_RETURN(auto backend, OpenStore());
  PAWS_ASSIGN_OR_RETURN(auto live, LiveMessages());
  for (const auto& s : streams_) {
    std::string key = Key(s.collector, s.stream);
    const auto& got = sink[key];
    PAWS_ASSIGN_OR_RETURN(auto served, fake_->Served(s.tenant, s.stream));
    PAWS_ASSIGN_OR_RETURN(auto row, backend->store()->GetStream(s.collector, s.stream));
    if (!row) return Status::Internal(key + " has no stream row");
    // Every event of the windows collected so far: [start, checkpoint.since).
    auto cp = nlohmann::json::parse(row->checkpoint, nullptr, false);
    std::string since = cp.is_object() ? cp.value("since", "") : "";
    PAWS_ASSIGN_OR_RETURN(auto from, ParseRfc3339(start_));
    PAWS_ASSIGN_OR_RETURN(auto to, ParseRfc3339(since));
    auto expected = ExpectedEventIds(s.tenant, s.stream, opts_.rate_per_minute, from, to);
    int64_t missing = 0, not_served = 0, dups = 0;
    for (const auto& id : expected) missing += got.count(id) ? 0 : 1;
    for (const auto& id : served) missing += got.count(id) ? 0 : 1;
    for (const auto& [id, n] : got) {
      not_served += served.count(id) ? 0 : 1;
      dups += n - 1;
    }
    // The fence: each committed cycle claimed seq once, with its record.
    // SQLite claims and completes in one transaction; on aws a kill between
    // the claim and the completion leaves the record INCOMPLETE, but a
    // COMPLETE record beyond seq means a cycle completed without a claim
    // of its own (a second chain).
    PAWS_ASSIGN_OR_RETURN(auto records, backend->store()->ListRecords(s.collector));
    int64_t complete = 0;
    for (const auto& r : records) {
      complete += (r.stream == s.stream && r.status == RecordStatus::kComplete) ? 1 : 0;
    }
    if (on_aws() ? complete > row->seq : complete != row->seq) {
      return Status::Internal(fmt::format("{}: seq {} but {} COMPLETE records", key, row->seq,
                                          complete));
    }
    // One chain: one live message, and on aws (where the queue is read only
    // once every message is visible) the one the fence admits next.
    const auto& chain = live[key];
    if (chain.size() != 1) {
      return Status::Internal(fmt::format("{}: {} live messages at the end", key, chain.size()));
    }
    if (on_aws() && (chain[0].epoch != row->epoch || chain[0].seq != row->seq + 1)) {
      return Status::Internal(fmt::format("{}: the live message is ({},{}), the row at ({},{})",
                                          key, chain[0].epoch, chain[0].seq, row->epoch,
                                          row->seq));
    }
    rep.events += static_cast<int64_t>(got.size());
    rep.missing += missing;
    rep.not_served += not_served;
    rep.duplicates += dups;
    rep.detail += fmt::format(
        "{}: expected {} served {} sink {} missing {} dups {} epoch {} seq {} complete {}\n", key,
        expected.size(), served.size(), got.size(), missing, dups, row->epoch, row->seq, complete);
  }
  return rep;
}

}  // namespace paws::testing
