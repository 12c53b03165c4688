#include "core/metrics.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "paws/state.h"

namespace paws {

Metrics::Entry& Metrics::Find(const std::string& collector, const std::string& stream) {
  std::pair<std::string_view, std::string_view> key(collector, stream);
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) return *it->second;
  }
  std::unique_lock<std::shared_mutex> lock(mu_);
  auto& slot = entries_[std::pair<std::string, std::string>(collector, stream)];
  if (!slot) slot = std::make_unique<Entry>();
  return *slot;
}

void Metrics::CountCycle(const std::string& collector, const std::string& stream,
                         CycleOutcome outcome) {
  int i = static_cast<int>(outcome);
  if (i < 0 || i >= kCycleOutcomeCount) return;
  Find(collector, stream).cycles[i].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::CountEvents(const std::string& collector, const std::string& stream, int64_t n) {
  if (n <= 0) return;
  Find(collector, stream).events.fetch_add(n, std::memory_order_relaxed);
}

void Metrics::CountRepair(const std::string& collector, const std::string& stream,
                          std::string_view code) {
  Entry& e = Find(collector, stream);
  std::lock_guard<std::mutex> lock(e.repairs_mu);
  ++e.repairs[std::string(code)];
}

Metrics::Snapshot Metrics::TakeSnapshot() const {
  Snapshot out;
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto& [key, e] : entries_) {
    StreamCounts& c = out.streams[key];
    for (int i = 0; i < kCycleOutcomeCount; ++i) {
      c.cycles[i] = e->cycles[i].load(std::memory_order_relaxed);
    }
    c.events = e->events.load(std::memory_order_relaxed);
    std::lock_guard<std::mutex> repairs_lock(e->repairs_mu);
    c.repairs = e->repairs;
  }
  return out;
}

namespace {

using Key = std::pair<std::string, std::string>;

std::string EscapeLabel(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char ch : v) {
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string StreamLabels(const Key& k) {
  return fmt::format("collector=\"{}\",stream=\"{}\"", EscapeLabel(k.first),
                     EscapeLabel(k.second));
}

// Seconds since the epoch with millisecond precision, never in exponent form.
std::string Seconds(WallTime t) {
  int64_t ms = ToUnixMillis(t);
  std::string sign = ms < 0 ? "-" : "";
  int64_t mag = ms < 0 ? -ms : ms;
  return fmt::format("{}{}.{:03}", sign, mag / 1000, mag % 1000);
}

std::string SecondsOf(Duration d) { return Seconds(WallTime(d)); }

// Writes the HELP and TYPE lines of a family.
void Family(std::string* out, std::string_view name, std::string_view type,
            std::string_view help) {
  *out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void Sample(std::string* out, std::string_view name, std::string_view labels,
            std::string_view value) {
  if (labels.empty()) {
    *out += fmt::format("{} {}\n", name, value);
  } else {
    *out += fmt::format("{}{{{}}} {}\n", name, labels, value);
  }
}

// The cursor of a checkpoint: its "since", RFC 3339 or a number of Unix
// seconds. Checkpoints are written by sources; anything else is ignored.
std::optional<WallTime> CheckpointCursor(const std::string& checkpoint) {
  if (checkpoint.empty()) return std::nullopt;
  auto j = nlohmann::json::parse(checkpoint, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto it = j.find("since");
  if (it == j.end()) return std::nullopt;
  if (it->is_string()) {
    auto t = ParseRfc3339(it->get<std::string>());
    if (t.ok()) return *t;
    return std::nullopt;
  }
  if (it->is_number()) {
    double secs = it->get<double>();
    if (!std::isfinite(secs)) return std::nullopt;
    return FromUnixMillis(static_cast<int64_t>(std::llround(secs * 1000)));
  }
  return std::nullopt;
}

std::optional<WallTime> Cursor(const StreamRow& row) {
  if (auto c = CheckpointCursor(row.checkpoint)) return c;
  return row.last_success;
}

constexpr StreamClass kAllClasses[] = {StreamClass::kOk,     StreamClass::kFailing,
                                       StreamClass::kStuck,  StreamClass::kCeased,
                                       StreamClass::kNeverStarted, StreamClass::kUnexpected};

void RenderHealth(std::string* out, const HealthReport& latest, WallTime now) {
  Family(out, "paws_health_check_timestamp_seconds", "gauge",
         "When the latest health check ran (Unix seconds; 0 before the first).");
  Sample(out, "paws_health_check_timestamp_seconds", "", Seconds(latest.at));

  Family(out, "paws_collector_healthy", "gauge",
         "1 when every stream of the collector is healthy, else 0.");
  for (const auto& c : latest.collectors) {
    Sample(out, "paws_collector_healthy",
           fmt::format("collector=\"{}\"", EscapeLabel(c.collector_id)), c.healthy ? "1" : "0");
  }

  Family(out, "paws_stream_healthy", "gauge", "1 when the stream is healthy, else 0.");
  for (const auto& c : latest.collectors) {
    for (const auto& s : c.streams) {
      Sample(out, "paws_stream_healthy", StreamLabels({c.collector_id, s.stream}),
             s.healthy ? "1" : "0");
    }
  }

  Family(out, "paws_stream_class", "gauge",
         "The health class of the stream: 1 for the current class, 0 for the others.");
  for (const auto& c : latest.collectors) {
    for (const auto& s : c.streams) {
      std::string base = StreamLabels({c.collector_id, s.stream});
      for (StreamClass k : kAllClasses) {
        Sample(out, "paws_stream_class",
               fmt::format("{},class=\"{}\"", base, StreamClassName(k)), s.cls == k ? "1" : "0");
      }
    }
  }

  Family(out, "paws_stream_last_success_timestamp_seconds", "gauge",
         "When the stream last committed a cycle (Unix seconds).");
  for (const auto& c : latest.collectors) {
    for (const auto& s : c.streams) {
      if (!s.row || !s.row->last_success) continue;
      Sample(out, "paws_stream_last_success_timestamp_seconds",
             StreamLabels({c.collector_id, s.stream}), Seconds(*s.row->last_success));
    }
  }

  Family(out, "paws_stream_collection_delay_seconds", "gauge",
         "How far behind now the stream's cursor is (checkpoint since, else last success).");
  for (const auto& c : latest.collectors) {
    for (const auto& s : c.streams) {
      if (!s.row) continue;
      auto cursor = Cursor(*s.row);
      if (!cursor) continue;
      Sample(out, "paws_stream_collection_delay_seconds",
             StreamLabels({c.collector_id, s.stream}),
             SecondsOf(std::chrono::duration_cast<Duration>(now - *cursor)));
    }
  }

  Family(out, "paws_stream_retry_count", "gauge",
         "Consecutive failed cycles of the stream (the row's RetryCount).");
  for (const auto& c : latest.collectors) {
    for (const auto& s : c.streams) {
      if (!s.row) continue;
      Sample(out, "paws_stream_retry_count", StreamLabels({c.collector_id, s.stream}),
             std::to_string(s.row->retry_count));
    }
  }
}

void RenderCounters(std::string* out, const Metrics::Snapshot& snapshot,
                    const HealthReport& latest) {
  // Every stream of either source, in (collector, stream) order.
  std::map<Key, Metrics::StreamCounts> all = snapshot.streams;
  for (const auto& c : latest.collectors) {
    for (const auto& s : c.streams) all.try_emplace(Key(c.collector_id, s.stream));
  }

  Family(out, "paws_cycles_total", "counter", "Cycles of the stream, by result.");
  for (const auto& [k, counts] : all) {
    std::string base = StreamLabels(k);
    for (int i = 0; i < kCycleOutcomeCount; ++i) {
      Sample(out, "paws_cycles_total",
             fmt::format("{},result=\"{}\"", base,
                         CycleOutcomeName(static_cast<CycleOutcome>(i))),
             std::to_string(counts.cycles[i]));
    }
  }

  Family(out, "paws_events_total", "counter", "Events of the stream written to the sink.");
  for (const auto& [k, counts] : all) {
    Sample(out, "paws_events_total", StreamLabels(k), std::to_string(counts.events));
  }

  Family(out, "paws_repairs_total", "counter", "Repairs of the stream, by repair code.");
  for (const auto& [k, counts] : all) {
    for (const auto& [code, n] : counts.repairs) {
      Sample(out, "paws_repairs_total",
             fmt::format("{},code=\"{}\"", StreamLabels(k), EscapeLabel(code)),
             std::to_string(n));
    }
  }

  Family(out, "paws_stale_messages_total", "counter",
         "State messages of the stream dropped as stale by the fence.");
  for (const auto& [k, counts] : all) {
    Sample(out, "paws_stale_messages_total", StreamLabels(k),
           std::to_string(counts.Cycles(CycleOutcome::kStale)));
  }
}

}  // namespace

std::string RenderPrometheus(const Metrics::Snapshot& snapshot, const HealthReport& latest,
                             WallTime now) {
  std::string out;
  RenderHealth(&out, latest, now);
  RenderCounters(&out, snapshot, latest);
  return out;
}

}  // namespace paws
