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
  return Status::Ok();
}

Status Scenario::SetStreams(std::vector<StreamSpec> streams) {
  if (!fake_) return Status::Internal("SetStreams before Setup");
  streams_ = std::move(streams);
  WriteConfig();
  return Status::Ok();
}

void Scenario::WriteConfig() {
  std::string toml = fmt::format(R"([store]
backend = "sqlite"
path = "paws.db"
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
path = "paws.log"

[status]
port = 0
port_file = "status.port"
)",
                                 fmt::arg("workers", opts_.workers),
                                 fmt::arg("store", opts_.store_toml),
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
collection_start = "{start}"{takeover}
[collector.params]
limit = "{limit}"
)",
                        fmt::arg("id", collector), fmt::arg("endpoint", fake_->Endpoint(tenants[collector])),
                        fmt::arg("poll", opts_.poll_interval_sec), fmt::arg("streams", arr),
                        fmt::arg("pages", opts_.max_pages), fmt::arg("start", start_),
                        fmt::arg("limit", opts_.page_limit),
                        fmt::arg("takeover", opts_.takeover.count(collector) ? "\ntakeover = true" : ""));
    CollectorSpec spec;
    spec.id = collector;
    spec.type = "fake";
    spec.streams = list;
    spec.params["tenant"] = tenants[collector];
    config_.collectors.push_back(spec);
  }
  toml += opts_.extra_toml;
  WriteFile(config_path_, toml);
}

Result<std::unique_ptr<Process>> Scenario::StartPaws() {
  return Process::Start({PawsBinary(), "run", "--config", config_path_}, opts_.env,
                        dir_.File("paws.out"), dir_.File("paws.err"));
}

std::string Scenario::PawsLog() const {
  std::string log = ReadFile(dir_.File("paws.log")) + ReadFile(dir_.File("paws.err"));
  return log.size() > 6000 ? log.substr(log.size() - 6000) : log;
}

Result<std::optional<StreamRow>> Scenario::Row(const std::string& collector,
                                                const std::string& stream) {
  PAWS_ASSIGN_OR_RETURN(auto backend, OpenStoreAt(dir_.File("paws.db")));
  return backend->store()->GetStream(collector, stream);
}

Result<std::map<std::string, int>> Scenario::LiveMessagesPerStream() {
  PAWS_ASSIGN_OR_RETURN(auto backend, OpenStoreAt(dir_.File("paws.db")));
  PAWS_ASSIGN_OR_RETURN(auto all, backend->queue()->ListAll());
  std::map<std::string, int> out;
  for (const auto& m : all) {
    auto sm = ParseStateMessage(m.body);
    if (!sm.ok()) continue;
    ++out[Key(sm->collector_id, StateStringField(sm->state_json, "stream"))];
  }
  return out;
}

Result<bool> Scenario::CaughtUp() {
  PAWS_ASSIGN_OR_RETURN(auto backend, OpenStoreAt(dir_.File("paws.db")));
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
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    PAWS_ASSIGN_OR_RETURN(bool done, CaughtUp());
    if (done) return Status::Ok();
    if (std::chrono::steady_clock::now() > deadline) {
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
  PAWS_ASSIGN_OR_RETURN(auto backend, OpenStoreAt(dir_.File("paws.db")));
  PAWS_ASSIGN_OR_RETURN(auto live, LiveMessagesPerStream());
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
    PAWS_ASSIGN_OR_RETURN(auto records, backend->store()->ListRecords(s.collector));
    int64_t complete = 0;
    for (const auto& r : records) {
      complete += (r.stream == s.stream && r.status == RecordStatus::kComplete) ? 1 : 0;
    }
    if (complete != row->seq) {
      return Status::Internal(fmt::format("{}: seq {} but {} COMPLETE records", key, row->seq,
                                          complete));
    }
    if (live[key] != 1) {
      return Status::Internal(fmt::format("{}: {} live messages at the end", key, live[key]));
    }
    rep.events += static_cast<int64_t>(got.size());
    rep.missing += missing;
    rep.not_served += not_served;
    rep.duplicates += dups;
    rep.detail += fmt::format("{}: expected {} served {} sink {} missing {} dups {} seq {}\n", key,
                              expected.size(), served.size(), got.size(), missing, dups, row->seq);
  }
  return rep;
}

}  // namespace paws::testing
