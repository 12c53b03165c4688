// Events per second from the fake SaaS API (real HTTP over loopback) through
// the okta source to the JSONL sink, beside the rate of fetching the same
// pages and writing their bytes with no parsing (the limit on this machine),
// measured in the same run.
//
//   ./build/default/bench/paws_bench --benchmark_filter=Events
//       --benchmark_counters_tabular=true
//
// Each benchmark reports `events_per_sec` and `bytes_per_sec` (bytes of
// response bodies read); compare rows of one run only. The fake API runs in
// this process on its own threads: on two cores, the source and the server
// each have one.

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "paws/codes.h"
#include "sinks/jsonl/jsonl_sink.h"
#include "sources/okta/okta_source.h"
#include "tools/fake_saas/fake_server.h"

namespace paws {
namespace {

using std::chrono::seconds;

constexpr int kPageEvents = 1000;  // the System Log API's page size
constexpr int kManyStreams = 200;
constexpr const char* kStart = "2026-01-01T00:00:00Z";  // where every benchmark starts

// The fake API on loopback, a temp directory for the sink, and a fake clock
// 30 days after the first event, so every window asked for has passed.
struct Bench {
  FakeClock clock;
  std::unique_ptr<FakeApi> api;
  std::unique_ptr<FakeServer> server;
  std::unique_ptr<HttpClient> http = MakeCurlHttpClient();
  std::string dir;

  Bench() {
    spdlog::set_level(spdlog::level::off);
    char tmpl[] = "/tmp/paws-bench-XXXXXX";
    dir = mkdtemp(tmpl);
    api = std::make_unique<FakeApi>(&clock);
    server = std::move(FakeServer::Start(api.get(), "127.0.0.1", 0)).value();
    clock.Advance(std::chrono::hours(24 * 30));
  }
  ~Bench() {
    server.reset();
    std::filesystem::remove_all(dir);
  }

  std::unique_ptr<Source> Okta(const std::string& tenant, int limit, int max_pages) {
    CollectorSpec spec;
    spec.id = "bench-" + tenant;
    spec.type = "okta";
    spec.endpoint = server->url() + "/t/" + tenant;
    spec.streams = {kOktaStream};
    spec.secret = Secret("bench-token");
    spec.max_pages_per_cycle = max_pages;
    spec.collection_start = kStart;
    spec.params["limit"] = std::to_string(limit);
    return std::move(MakeOktaSource(spec, {&clock, http.get()})).value();
  }
  std::unique_ptr<Sink> Jsonl() {
    SinkOptions o;
    o.path = dir + "/events.jsonl";
    return std::move(JsonlSink::Make(o)).value();
  }
};

struct Totals {
  int64_t events = 0;
  int64_t bytes = 0;
  void Report(benchmark::State& state) const {
    state.counters["events_per_sec"] =
        benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
    state.counters["bytes_per_sec"] =
        benchmark::Counter(static_cast<double>(bytes), benchmark::Counter::kIsRate);
  }
};

int64_t RawBytes(const PollResult& r) {
  int64_t n = 0;
  for (const Event& e : r.events) n += static_cast<int64_t>(e.raw_json.size());
  return n;
}

// One stream far behind: each iteration is one cycle of 10 pages of 1000
// events, polled and written to the JSONL sink.
void BM_EventsOneBusyStream(benchmark::State& state) {
  Bench b;
  if (!b.api->ConfigureTenant("busy", 60000, std::nullopt).ok()) return;  // one event a ms
  auto source = b.Okta("busy", kPageEvents, 10);
  auto sink = b.Jsonl();
  std::string st = *source->InitialState(kOktaStream);
  const std::string id = "bench-busy", type = "okta", stream = kOktaStream;
  Totals t;
  for (auto _ : state) {
    auto r = source->Poll(st, b.clock.MonotonicNow() + seconds(300));
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    if (Status s = sink->Write(SinkBatch{id, type, stream, r->events}); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
    t.events += static_cast<int64_t>(r->events.size());
    t.bytes += RawBytes(*r);
    st = std::move(r->next_state_json);
  }
  t.Report(state);
}
BENCHMARK(BM_EventsOneBusyStream)->UseRealTime()->Unit(benchmark::kMillisecond);

// Many collectors, each one stream of 100 events a window: each iteration
// polls every stream once (one page of 100) and writes its batch.
void BM_EventsManyStreams(benchmark::State& state) {
  Bench b;
  std::vector<std::unique_ptr<Source>> sources;
  std::vector<std::string> states, ids;
  for (int i = 0; i < kManyStreams; ++i) {
    std::string tenant = "t" + std::to_string(i);
    if (!b.api->ConfigureTenant(tenant, 100, std::nullopt).ok()) return;  // 100 a minute
    sources.push_back(b.Okta(tenant, kPageEvents, 10));
    states.push_back(*sources.back()->InitialState(kOktaStream));
    ids.push_back("bench-" + tenant);
  }
  auto sink = b.Jsonl();
  const std::string type = "okta", stream = kOktaStream;
  Totals t;
  for (auto _ : state) {
    for (int i = 0; i < kManyStreams; ++i) {
      auto r = sources[i]->Poll(states[i], b.clock.MonotonicNow() + seconds(300));
      if (!r.ok()) {
        state.SkipWithError(r.status().ToString().c_str());
        return;
      }
      if (Status s = sink->Write(SinkBatch{ids[i], type, stream, r->events}); !s.ok()) {
        state.SkipWithError(s.ToString().c_str());
        return;
      }
      t.events += static_cast<int64_t>(r->events.size());
      t.bytes += RawBytes(*r);
      states[i] = std::move(r->next_state_json);
    }
  }
  t.Report(state);
}
BENCHMARK(BM_EventsManyStreams)->UseRealTime()->Unit(benchmark::kMillisecond);

// The limit: the same pages (1000 events each, the same windows in order)
// fetched with the same HTTP client and their bodies written to a file as
// they came, with no parsing. Counts events from the window, not the body.
void BM_EventsRawFetchAndWrite(benchmark::State& state) {
  Bench b;
  if (!b.api->ConfigureTenant("busy", 60000, std::nullopt).ok()) return;
  std::string path = b.dir + "/raw.out";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    state.SkipWithError("cannot open the output file");
    return;
  }
  WallTime since = *ParseRfc3339(kStart);  // where the sources start
  const Duration page = std::chrono::milliseconds(kPageEvents);  // one event a ms
  Totals t;
  for (auto _ : state) {
    for (int p = 0; p < 10; ++p) {
      HttpRequest req;
      req.url = b.server->url() + "/t/busy/api/v1/logs?since=" + FormatRfc3339(since) +
                "&until=" + FormatRfc3339(since + page) + "&limit=1000&sortOrder=ASCENDING";
      req.headers = {{"Authorization", "SSWS bench-token"}, {"Accept", "application/json"}};
      auto res = b.http->Send(req);
      if (!res.ok() || res->status != 200) {
        state.SkipWithError("raw fetch failed");
        close(fd);
        return;
      }
      if (write(fd, res->body.data(), res->body.size()) != static_cast<ssize_t>(res->body.size())) {
        state.SkipWithError("raw write failed");
        close(fd);
        return;
      }
      t.events += kPageEvents;
      t.bytes += static_cast<int64_t>(res->body.size());
      since += page;
    }
  }
  close(fd);
  t.Report(state);
}
BENCHMARK(BM_EventsRawFetchAndWrite)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace paws
