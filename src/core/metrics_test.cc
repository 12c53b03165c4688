#include "core/metrics.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "paws/codes.h"

namespace paws {
namespace {

using namespace codes;

WallTime At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

// One sample line: name{labels} value.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// A parser of the Prometheus text format (0.0.4) strict enough to catch
// what a scraper would reject: it fails the test on any malformed line.
struct Parsed {
  std::map<std::string, std::string> types;  // family -> TYPE
  std::set<std::string> helps;
  std::vector<Sample> samples;

  // The value of the one sample with this name and exactly these labels.
  std::optional<double> Get(const std::string& name,
                            const std::map<std::string, std::string>& labels) const {
    std::optional<double> found;
    for (const auto& s : samples) {
      if (s.name == name && s.labels == labels) {
        EXPECT_FALSE(found.has_value()) << "duplicate series " << name;
        found = s.value;
      }
    }
    return found;
  }
};

bool ValidName(const std::string& n) {
  static const std::regex re("[a-zA-Z_:][a-zA-Z0-9_:]*");
  return std::regex_match(n, re);
}

// Reads `{k="v",...}` starting at text[*pos] == '{', unescaping values.
bool ParseLabels(const std::string& text, size_t* pos, std::map<std::string, std::string>* out) {
  static const std::regex label_name("[a-zA-Z_][a-zA-Z0-9_]*");
  size_t i = *pos + 1;
  while (i < text.size() && text[i] != '}') {
    size_t eq = text.find('=', i);
    if (eq == std::string::npos) return false;
    std::string key = text.substr(i, eq - i);
    if (!std::regex_match(key, label_name)) return false;
    if (eq + 1 >= text.size() || text[eq + 1] != '"') return false;
    std::string value;
    size_t j = eq + 2;
    for (; j < text.size() && text[j] != '"'; ++j) {
      if (text[j] == '\n') return false;
      if (text[j] != '\\') {
        value += text[j];
        continue;
      }
      if (++j >= text.size()) return false;
      if (text[j] == 'n') value += '\n';
      else if (text[j] == '\\' || text[j] == '"') value += text[j];
      else return false;
    }
    if (j >= text.size()) return false;
    if (out->count(key)) return false;
    (*out)[key] = value;
    i = j + 1;
    if (i < text.size() && text[i] == ',') ++i;
  }
  if (i >= text.size()) return false;
  *pos = i + 1;
  return true;
}

void ParseInto(const std::string& text, Parsed* out) {
  Parsed& p = *out;
  EXPECT_TRUE(text.empty() || text.back() == '\n') << "the last line must end with \\n";
  std::istringstream in(text);
  std::string line;
  std::string current_family;
  std::set<std::string> finished;  // families whose samples are over
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    SCOPED_TRACE("line " + std::to_string(n) + ": " + line);
    ASSERT_FALSE(line.empty()) << "no empty lines";
    if (line[0] == '#') {
      std::istringstream words(line);
      std::string hash, kind, name;
      words >> hash >> kind >> name;
      ASSERT_TRUE(kind == "HELP" || kind == "TYPE");
      ASSERT_TRUE(ValidName(name));
      if (kind == "TYPE") {
        std::string type;
        words >> type;
        ASSERT_TRUE(type == "counter" || type == "gauge" || type == "untyped" ||
                    type == "histogram" || type == "summary");
        ASSERT_FALSE(p.types.count(name)) << "second TYPE for " << name;
        if (!current_family.empty()) finished.insert(current_family);
        current_family = name;
        p.types[name] = type;
      } else {
        ASSERT_FALSE(p.helps.count(name)) << "second HELP for " << name;
        p.helps.insert(name);
      }
      continue;
    }
    Sample s;
    size_t pos = 0;
    while (pos < line.size() && line[pos] != '{' && line[pos] != ' ') ++pos;
    s.name = line.substr(0, pos);
    ASSERT_TRUE(ValidName(s.name));
    if (pos < line.size() && line[pos] == '{') {
      ASSERT_TRUE(ParseLabels(line, &pos, &s.labels));
    }
    ASSERT_TRUE(pos < line.size() && line[pos] == ' ');
    std::string value = line.substr(pos + 1);
    ASSERT_EQ(value.find(' '), std::string::npos) << "no timestamps expected";
    char* end = nullptr;
    s.value = std::strtod(value.c_str(), &end);
    ASSERT_TRUE(!value.empty() && *end == '\0') << "value " << value;
    ASSERT_TRUE(p.types.count(s.name)) << "sample before its TYPE line";
    ASSERT_EQ(s.name, current_family) << "samples of a family must be contiguous";
    ASSERT_FALSE(finished.count(s.name));
    p.samples.push_back(std::move(s));
  }
}

// Fails the test (fatally) on the first malformed line.
Parsed ParseExposition(const std::string& text) {
  Parsed p;
  ParseInto(text, &p);
  return p;
}

StreamRow Row(const std::string& collector, const std::string& stream) {
  StreamRow r;
  r.collector_id = collector;
  r.stream = stream;
  r.epoch = 2;
  r.seq = 7;
  return r;
}

// Collector c1: s1 ok with an RFC 3339 cursor, s2 ceased with no checkpoint
// cursor; collector "we\"ird" with a stream whose name needs escaping and no row.
HealthReport Report() {
  HealthReport r;
  r.at = At("2026-01-14T12:00:00.250Z");
  r.healthy = false;

  CollectorHealth c1;
  c1.collector_id = "c1";
  c1.collector_type = "salesforce";
  c1.healthy = false;
  StreamHealth s1;
  s1.collector_id = "c1";
  s1.stream = "LoginHistory";
  s1.row = Row("c1", "LoginHistory");
  s1.row->last_success = At("2026-01-14T11:59:00Z");
  s1.row->checkpoint = R"({"stream":"LoginHistory","since":"2026-01-14T11:58:30Z"})";
  StreamHealth s2;
  s2.collector_id = "c1";
  s2.stream = "EventLogFile";
  s2.cls = StreamClass::kCeased;
  s2.healthy = false;
  s2.code = kStreamCeased;
  s2.row = Row("c1", "EventLogFile");
  s2.row->last_success = At("2026-01-14T10:00:00Z");
  s2.row->checkpoint = R"({"stream":"EventLogFile"})";
  s2.row->retry_count = 3;
  c1.streams = {s1, s2};

  CollectorHealth c2;
  c2.collector_id = "we\"ird";
  c2.collector_type = "okta";
  c2.healthy = false;
  StreamHealth s3;
  s3.collector_id = c2.collector_id;
  s3.stream = "a\\b\nc";
  s3.cls = StreamClass::kNeverStarted;
  s3.healthy = false;
  c2.streams = {s3};

  r.collectors = {c1, c2};
  return r;
}

TEST(MetricsTest, CountsPerStream) {
  Metrics m;
  m.CountCycle("c1", "s1", CycleOutcome::kCommitted);
  m.CountCycle("c1", "s1", CycleOutcome::kCommitted);
  m.CountCycle("c1", "s1", CycleOutcome::kStale);
  m.CountCycle("c1", "s2", CycleOutcome::kFailed);
  m.CountEvents("c1", "s1", 40);
  m.CountEvents("c1", "s1", 2);
  m.CountEvents("c1", "s1", 0);
  m.CountRepair("c1", "s2", kRepairReseeded);
  m.CountRepair("c1", "s2", kRepairReseeded);
  m.CountRepair("c1", "s2", kRepairLost);

  Metrics::Snapshot snap = m.TakeSnapshot();
  ASSERT_EQ(snap.streams.size(), 2u);
  const auto& s1 = snap.streams.at({"c1", "s1"});
  EXPECT_EQ(s1.Cycles(CycleOutcome::kCommitted), 2);
  EXPECT_EQ(s1.Cycles(CycleOutcome::kStale), 1);
  EXPECT_EQ(s1.Cycles(CycleOutcome::kFailed), 0);
  EXPECT_EQ(s1.events, 42);
  EXPECT_TRUE(s1.repairs.empty());
  const auto& s2 = snap.streams.at({"c1", "s2"});
  EXPECT_EQ(s2.Cycles(CycleOutcome::kFailed), 1);
  EXPECT_EQ(s2.repairs.at(kRepairReseeded), 2);
  EXPECT_EQ(s2.repairs.at(kRepairLost), 1);
}

TEST(MetricsTest, ConcurrentCountsAreAllKept) {
  Metrics m;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string stream = "s" + std::to_string(i % 7);
        m.CountCycle("c", stream, CycleOutcome::kCommitted);
        m.CountEvents("c", stream, 1);
        if (i % 1000 == 0) m.CountRepair("c", stream, kRepairReseeded);
        if (t == 0 && i % 500 == 0) (void)m.TakeSnapshot();
      }
    });
  }
  for (auto& t : threads) t.join();
  int64_t cycles = 0, events = 0, repairs = 0;
  for (const auto& [k, c] : m.TakeSnapshot().streams) {
    cycles += c.Cycles(CycleOutcome::kCommitted);
    events += c.events;
    for (const auto& [code, n] : c.repairs) repairs += n;
  }
  EXPECT_EQ(cycles, kThreads * kPerThread);
  EXPECT_EQ(events, kThreads * kPerThread);
  EXPECT_EQ(repairs, kThreads * 5);
}

TEST(RenderPrometheusTest, IsValidTextFormat) {
  Metrics m;
  m.CountCycle("c1", "LoginHistory", CycleOutcome::kCommitted);
  m.CountCycle("", "", CycleOutcome::kPoison);
  m.CountRepair("we\"ird", "a\\b\nc", kRepairSeeded);
  std::string text = RenderPrometheus(m.TakeSnapshot(), Report(), At("2026-01-14T12:00:30Z"));
  Parsed p = ParseExposition(text);
  ASSERT_FALSE(HasFatalFailure()) << text;

  // Every sample has HELP and TYPE; every family that should be there is.
  for (const auto& s : p.samples) EXPECT_TRUE(p.helps.count(s.name)) << s.name;
  for (const char* family :
       {"paws_health_check_timestamp_seconds", "paws_collector_healthy", "paws_stream_healthy",
        "paws_stream_class", "paws_stream_last_success_timestamp_seconds",
        "paws_stream_collection_delay_seconds", "paws_stream_retry_count", "paws_cycles_total",
        "paws_events_total", "paws_repairs_total", "paws_stale_messages_total"}) {
    EXPECT_TRUE(p.types.count(family)) << family;
  }
  EXPECT_EQ(p.types["paws_cycles_total"], "counter");
  EXPECT_EQ(p.types["paws_stream_healthy"], "gauge");
  // Counter names end in _total.
  for (const auto& [name, type] : p.types) {
    if (type == "counter") {
      EXPECT_TRUE(name.ends_with("_total")) << name;
    }
  }
}

TEST(RenderPrometheusTest, ExactValues) {
  Metrics m;
  m.CountCycle("c1", "LoginHistory", CycleOutcome::kCommitted);
  m.CountCycle("c1", "LoginHistory", CycleOutcome::kCommitted);
  m.CountCycle("c1", "LoginHistory", CycleOutcome::kStale);
  m.CountEvents("c1", "LoginHistory", 17);
  m.CountRepair("c1", "EventLogFile", kRepairReseeded);
  m.CountCycle("c9", "gone", CycleOutcome::kFailed);  // counted, not in the report
  std::string text = RenderPrometheus(m.TakeSnapshot(), Report(), At("2026-01-14T12:00:30Z"));
  Parsed p = ParseExposition(text);
  ASSERT_FALSE(HasFatalFailure()) << text;

  using L = std::map<std::string, std::string>;
  L s1{{"collector", "c1"}, {"stream", "LoginHistory"}};
  L s2{{"collector", "c1"}, {"stream", "EventLogFile"}};
  L s3{{"collector", "we\"ird"}, {"stream", "a\\b\nc"}};
  auto with = [](L l, const char* k, const char* v) {
    l[k] = v;
    return l;
  };

  EXPECT_EQ(p.Get("paws_health_check_timestamp_seconds", {}), 1768392000.25);
  EXPECT_EQ(p.Get("paws_collector_healthy", {{"collector", "c1"}}), 0);
  EXPECT_EQ(p.Get("paws_collector_healthy", {{"collector", "we\"ird"}}), 0);
  EXPECT_EQ(p.Get("paws_stream_healthy", s1), 1);
  EXPECT_EQ(p.Get("paws_stream_healthy", s2), 0);
  EXPECT_EQ(p.Get("paws_stream_healthy", s3), 0);
  EXPECT_EQ(p.Get("paws_stream_class", with(s1, "class", "ok")), 1);
  EXPECT_EQ(p.Get("paws_stream_class", with(s1, "class", "ceased")), 0);
  EXPECT_EQ(p.Get("paws_stream_class", with(s2, "class", "ceased")), 1);
  EXPECT_EQ(p.Get("paws_stream_class", with(s3, "class", "never_started")), 1);
  int classes_of_s2 = 0;
  for (const auto& s : p.samples) {
    if (s.name == "paws_stream_class" && s.labels.at("stream") == "EventLogFile") ++classes_of_s2;
  }
  EXPECT_EQ(classes_of_s2, 6);

  EXPECT_EQ(p.Get("paws_stream_last_success_timestamp_seconds", s1), 1768391940);
  EXPECT_EQ(p.Get("paws_stream_last_success_timestamp_seconds", s2), 1768384800);
  EXPECT_FALSE(p.Get("paws_stream_last_success_timestamp_seconds", s3));  // no row
  // s1: now - checkpoint since (11:58:30); s2: no since, now - last_success.
  EXPECT_EQ(p.Get("paws_stream_collection_delay_seconds", s1), 120);
  EXPECT_EQ(p.Get("paws_stream_collection_delay_seconds", s2), 7230);
  EXPECT_FALSE(p.Get("paws_stream_collection_delay_seconds", s3));
  EXPECT_EQ(p.Get("paws_stream_retry_count", s2), 3);

  EXPECT_EQ(p.Get("paws_cycles_total", with(s1, "result", "committed")), 2);
  EXPECT_EQ(p.Get("paws_cycles_total", with(s1, "result", "stale")), 1);
  EXPECT_EQ(p.Get("paws_cycles_total", with(s1, "result", "deferred")), 0);
  for (const char* r : {"committed", "failed", "stale", "duplicate", "claim_lost", "poison",
                        "backend_error", "deferred"}) {
    EXPECT_EQ(p.Get("paws_cycles_total", with(s2, "result", r)), 0) << r;
  }
  EXPECT_EQ(p.Get("paws_cycles_total",
                  {{"collector", "c9"}, {"stream", "gone"}, {"result", "failed"}}),
            1);
  EXPECT_EQ(p.Get("paws_events_total", s1), 17);
  EXPECT_EQ(p.Get("paws_events_total", s3), 0);
  EXPECT_EQ(p.Get("paws_repairs_total", with(s2, "code", kRepairReseeded)), 1);
  EXPECT_FALSE(p.Get("paws_repairs_total", with(s1, "code", kRepairReseeded)));
  EXPECT_EQ(p.Get("paws_stale_messages_total", s1), 1);
  EXPECT_EQ(p.Get("paws_stale_messages_total", s2), 0);

  // The escaped form on the wire.
  EXPECT_NE(text.find(R"(paws_stream_healthy{collector="we\"ird",stream="a\\b\nc"} 0)"),
            std::string::npos)
      << text;
}

TEST(RenderPrometheusTest, NumericSinceAndUnreadableCheckpoints) {
  HealthReport r;
  r.at = At("2026-01-14T12:00:00Z");
  CollectorHealth c;
  c.collector_id = "c";
  for (auto [stream, checkpoint] : std::vector<std::pair<std::string, std::string>>{
           {"num", R"({"since": 1768391990})"},
           {"bad", "not json"},
           {"badsince", R"({"since": "yesterday"})"}}) {
    StreamHealth s;
    s.stream = stream;
    s.row = Row("c", stream);
    s.row->checkpoint = checkpoint;
    if (stream == "badsince") s.row->last_success = At("2026-01-14T11:59:00Z");
    c.streams.push_back(s);
  }
  r.collectors = {c};
  Parsed p = ParseExposition(RenderPrometheus({}, r, At("2026-01-14T12:00:00Z")));
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(p.Get("paws_stream_collection_delay_seconds", {{"collector", "c"}, {"stream", "num"}}),
            10);
  EXPECT_FALSE(
      p.Get("paws_stream_collection_delay_seconds", {{"collector", "c"}, {"stream", "bad"}}));
  EXPECT_EQ(
      p.Get("paws_stream_collection_delay_seconds", {{"collector", "c"}, {"stream", "badsince"}}),
      60);
}

TEST(RenderPrometheusTest, EmptyReportBeforeTheFirstCheck) {
  Parsed p = ParseExposition(RenderPrometheus({}, HealthReport{}, At("2026-01-14T12:00:00Z")));
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(p.Get("paws_health_check_timestamp_seconds", {}), 0);
  EXPECT_EQ(p.samples.size(), 1u);
}

}  // namespace
}  // namespace paws
