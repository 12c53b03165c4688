#include "core/health.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "paws/codes.h"

namespace paws {
namespace {

std::string Since(const std::optional<StreamRow>& row) {
  if (!row) return "-";
  return FormatRfc3339(row->last_success ? *row->last_success : row->first_seen);
}

}  // namespace

std::string_view StreamClassName(StreamClass c) {
  switch (c) {
    case StreamClass::kOk: return "ok";
    case StreamClass::kFailing: return "failing";
    case StreamClass::kStuck: return "stuck";
    case StreamClass::kCeased: return "ceased";
    case StreamClass::kNeverStarted: return "never_started";
    case StreamClass::kUnexpected: return "unexpected";
  }
  return "unknown";
}

HealthChecker::HealthChecker(Backend* backend, std::vector<CollectorSpec> specs,
                             const CollectorSet* collectors, Clock* clock, HealthOptions options)
    : backend_(backend),
      specs_(std::move(specs)),
      collectors_(collectors),
      clock_(clock),
      options_(options) {}

Duration HealthChecker::StallAfter(const CollectorSpec& spec) const {
  return spec.stall_after.value_or(options_.stall_after);
}
Duration HealthChecker::Grace(const CollectorSpec& spec) const {
  return spec.grace.value_or(options_.grace);
}

// Runs once per collector over up to a million streams (bench/health_bench.cc):
// the rows of a collector are matched by binary search on their stream name
// and moved into the report, not copied, and nothing else is allocated per
// stream but the report itself.
Result<HealthReport> HealthChecker::Check() {
  HealthReport report;
  report.at = clock_->Now();
  report.collectors.reserve(specs_.size());
  const auto by_stream = [](const StreamRow& a, const StreamRow& b) { return a.stream < b.stream; };
  std::vector<int> refs;         // per row: mentions in collector_streams
  std::vector<std::ptrdiff_t> found;  // per configured stream: its row, or -1
  for (const CollectorSpec& spec : specs_) {
    PAWS_ASSIGN_OR_RETURN(std::vector<StreamRow> rows, backend_->store()->ListStreams(spec.id));
    if (!std::is_sorted(rows.begin(), rows.end(), by_stream)) {
      std::sort(rows.begin(), rows.end(), by_stream);
    }
    // The collector's first sighting: its oldest row, else when this
    // checker first met it without any.
    WallTime first_seen = report.at;
    {
      std::lock_guard<std::mutex> lock(mu_);
      first_seen = first_seen_.try_emplace(spec.id, report.at).first->second;
    }
    for (const auto& r : rows) first_seen = std::min(first_seen, r.first_seen);
    CollectorHealth c{spec.id, spec.type, true, "", "", {}};
    c.streams.reserve(spec.streams.size());
    // First find every configured stream's row (the search needs the
    // names intact), then move the rows into the report; a stream listed
    // twice gets copies until its last mention.
    refs.assign(rows.size(), 0);
    found.clear();
    for (const auto& stream : spec.streams) {
      auto it = std::lower_bound(
          rows.begin(), rows.end(), stream,
          [](const StreamRow& r, const std::string& s) { return r.stream < s; });
      const bool hit = it != rows.end() && it->stream == stream;
      found.push_back(hit ? it - rows.begin() : -1);
      if (hit) ++refs[it - rows.begin()];
    }
    for (size_t k = 0; k < spec.streams.size(); ++k) {
      std::optional<StreamRow> row;
      if (found[k] >= 0) {
        int& n = refs[found[k]];
        row = --n > 0 ? rows[found[k]] : std::move(rows[found[k]]);
        if (n == 0) n = -1;  // configured, and taken
      }
      c.streams.push_back(Classify(spec, spec.streams[k], std::move(row), first_seen, report.at));
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      StreamRow& r = rows[i];
      if (refs[i] != 0 || r.last_status == kStreamStatusRetired) continue;
      std::string message = fmt::format("stream {} is not in collector_streams (last success {})",
                                        r.stream, Since(r));
      std::string stream = r.stream;
      c.streams.push_back(StreamHealth{spec.id, std::move(stream), StreamClass::kUnexpected, true,
                                       codes::kStreamUnexpected, std::move(message),
                                       std::move(r)});
    }
    Summarize(&c);
    report.healthy = report.healthy && c.healthy;
    report.collectors.push_back(std::move(c));
  }
  return report;
}

StreamHealth HealthChecker::Classify(const CollectorSpec& spec, const std::string& stream,
                                     std::optional<StreamRow> found,
                                     WallTime collector_first_seen, WallTime now) const {
  StreamHealth h{spec.id, stream, StreamClass::kOk, true, "", "", std::move(found)};
  const std::optional<StreamRow>& row = h.row;
  const Duration stall = StallAfter(spec);
  if (!row) {
    WallTime until = collector_first_seen + Grace(spec);
    if (now <= until) {
      h.message = "waiting for its first cycle (grace until " + FormatRfc3339(until) + ")";
      return h;
    }
    h.cls = StreamClass::kNeverStarted;
    h.code = codes::kStreamNeverStarted;
    h.message = fmt::format("stream {} never started: no state since the collector was first "
                            "seen at {}",
                            stream, FormatRfc3339(collector_first_seen));
  } else if (row->last_status == kStreamStatusRetired) {
    // Retired once, back in collector_streams: collect it again from its
    // checkpoint.
    h.cls = StreamClass::kCeased;
    h.code = codes::kStreamCeased;
    h.message = fmt::format("stream {} ceased: it was retired and is configured again; no "
                            "collection since {}",
                            stream, Since(row));
  } else if (now <= row->due_at + stall) {
    if (row->last_success) {
      h.message.reserve(40);
      h.message.append("last success ").append(FormatRfc3339(*row->last_success));
    } else {
      h.message = "registered, first cycle due";
    }
    return h;
  } else if (row->last_error_at && now - *row->last_error_at <= stall) {
    h.cls = StreamClass::kFailing;
    h.code = codes::kStreamFailing;
    h.message = fmt::format("stream {} failing: no collection since {}, {} retries, last error: {}",
                            stream, Since(row), row->retry_count, row->last_error);
  } else if (row->last_attempt && now - *row->last_attempt <= stall) {
    h.cls = StreamClass::kStuck;
    h.code = codes::kStreamStuck;
    h.message = fmt::format("stream {} stuck: no collection since {}, attempts (last at {}) never "
                            "finish",
                            stream, Since(row), FormatRfc3339(*row->last_attempt));
  } else {
    h.cls = StreamClass::kCeased;
    h.code = codes::kStreamCeased;
    h.message = fmt::format("stream {} ceased: no collection since {}", stream, Since(row));
    if (!row->last_error.empty()) h.message += ", last error: " + row->last_error;
  }
  h.healthy = false;
  return h;
}

void HealthChecker::Summarize(CollectorHealth* c) const {
  int configured = 0, failing = 0, stuck = 0, stopped = 0, unhealthy = 0, bad_credential = 0;
  for (const auto& s : c->streams) {
    if (s.cls == StreamClass::kUnexpected) continue;
    ++configured;
    if (s.healthy) continue;
    ++unhealthy;
    failing += s.cls == StreamClass::kFailing;
    stuck += s.cls == StreamClass::kStuck;
    stopped += s.cls == StreamClass::kCeased || s.cls == StreamClass::kNeverStarted;
    if (s.cls == StreamClass::kFailing && s.row &&
        s.row->last_error.find(codes::kApiUnauthenticated) != std::string::npos) {
      ++bad_credential;
    }
  }
  if (unhealthy == 0) return;
  c->healthy = false;
  if (bad_credential == configured) {
    c->code = codes::kCollectorCredential;
    c->message = fmt::format("collector {}: the API rejects its credential: all {} streams failing "
                             "with {}",
                             c->collector_id, configured, codes::kApiUnauthenticated);
  } else if (failing == configured) {
    c->code = codes::kCollectorFailing;
    c->message = fmt::format("collector {}: all {} streams failing", c->collector_id, configured);
  } else if (stuck == configured) {
    c->code = codes::kCollectorCrashLoop;
    c->message = fmt::format("collector {}: all {} streams stuck: cycles start and never finish "
                             "(crash loop, out of memory, timeouts)",
                             c->collector_id, configured);
  } else if (stopped == configured) {
    c->code = codes::kCollectorStopped;
    c->message = fmt::format("collector {}: no stream is collecting ({} ceased or never started)",
                             c->collector_id, configured);
  } else {
    c->code = codes::kCollectorUnhealthy;
    c->message = fmt::format("collector {}: {} of {} streams unhealthy", c->collector_id,
                             unhealthy, configured);
  }
}

void HealthChecker::SetProcessStart(WallTime t) {
  std::map<std::string, WallTime> after;
  for (const CollectorSpec& spec : specs_) after[spec.id] = t + StallAfter(spec);
  std::lock_guard<std::mutex> lock(mu_);
  reseed_after_ = std::move(after);
}

// A daemon that was down looks, at start, as if every stream had ceased:
// overdue and no attempt. Its own workers try them first; only a stream
// that still has not moved once the process has run stall_after is lost.
bool HealthChecker::ReseedDeferred(const std::string& collector_id, WallTime now) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = reseed_after_.find(collector_id);
  return it != reseed_after_.end() && now < it->second;
}

std::vector<RepairAction> HealthChecker::Repair(const HealthReport& report, bool dry_run) {
  std::vector<RepairAction> out;
  int deferred = 0;
  for (const auto& c : report.collectors) {
    const bool defer = ReseedDeferred(c.collector_id, report.at);
    for (const auto& s : c.streams) {
      if (s.cls == StreamClass::kCeased && defer) {
        ++deferred;
        continue;
      }
      if (s.cls == StreamClass::kCeased) out.push_back(Reseed(s, dry_run));
      if (s.cls == StreamClass::kNeverStarted) out.push_back(Seed(s, dry_run));
      if (s.cls == StreamClass::kUnexpected) out.push_back(Retire(s, dry_run));
    }
  }
  for (const auto& a : out) {
    if (a.done) spdlog::warn("[{}] {}", a.code, a.message);
  }
  if (deferred > 0) {
    spdlog::info("{} ceased streams: not re-seeded before this process has run stall_after "
                 "(its workers try their messages first)",
                 deferred);
  }
  return out;
}

// Repair (DESIGN.md): bump the epoch on what was read and enqueue the
// checkpoint as (e+1, s+1). A crash between the two leaves the stream
// bumped and without a message: the next check finds it ceased again.
RepairAction HealthChecker::Reseed(const StreamHealth& s, bool dry_run) {
  const StreamRow& r = *s.row;
  RepairAction a{s.collector_id, s.stream, s.cls, codes::kRepairReseeded, false, ""};
  a.message = fmt::format("collector {} stream {}: re-seeded from its checkpoint as ({},{})",
                          s.collector_id, s.stream, r.epoch + 1, r.seq + 1);
  if (dry_run) return a;
  WallTime now = clock_->Now();
  Status st = backend_->store()->BumpEpoch(r.collector_id, r.stream, r.epoch, r.seq, now);
  if (st.code() == StatusCode::kConflict) {
    a.code = codes::kRepairLost;
    a.message = fmt::format("collector {} stream {}: changed since the check (another checker or "
                            "a late cycle); not repaired",
                            s.collector_id, s.stream);
    return a;
  }
  if (st.ok()) {
    StateMessage m{r.collector_id, r.epoch + 1, r.seq + 1, 0, r.checkpoint, false};
    st = backend_->queue()->Send(SerializeStateMessage(m), Duration(0)).status();
  }
  if (!st.ok()) {
    a.message += " failed: " + st.ToString();
    spdlog::error("[{}] {}", a.code, a.message);
    return a;
  }
  a.done = true;
  return a;
}

RepairAction HealthChecker::Seed(const StreamHealth& s, bool dry_run) {
  RepairAction a{s.collector_id, s.stream, s.cls, codes::kRepairSeeded, false, ""};
  a.message = fmt::format("collector {} stream {}: seeded from the source's initial state",
                          s.collector_id, s.stream);
  const CollectorSet::Entry* entry = collectors_ ? collectors_->Find(s.collector_id) : nullptr;
  if (dry_run) return a;
  if (entry == nullptr) {
    a.message += " failed: no source for the collector";
    return a;
  }
  auto initial = entry->source->InitialState(s.stream);
  Status st = initial.status();
  if (initial.ok()) {
    WallTime now = clock_->Now();
    StreamSeed seed;
    seed.row.collector_id = s.collector_id;
    seed.row.stream = s.stream;
    seed.row.epoch = 1;
    seed.row.checkpoint = *initial;
    seed.row.due_at = seed.row.first_seen = now;
    seed.body = SerializeStateMessage({s.collector_id, 1, 1, 0, *initial, false});
    st = backend_->SeedStream(seed);
  }
  if (st.code() == StatusCode::kConflict) {
    a.code = codes::kRepairLost;
    a.message = fmt::format("collector {} stream {}: has a row now; not seeded", s.collector_id,
                            s.stream);
    return a;
  }
  if (!st.ok()) {
    a.message += " failed: " + st.ToString();
    spdlog::error("[{}] {}", a.code, a.message);
    return a;
  }
  a.done = true;
  return a;
}

// Retiring bumps the epoch first, so that a cycle of the old chain still
// under way can no longer claim (and so un-retire) the stream.
RepairAction HealthChecker::Retire(const StreamHealth& s, bool dry_run) {
  const StreamRow& r = *s.row;
  RepairAction a{s.collector_id, s.stream, s.cls, codes::kRepairRetired, false, ""};
  a.message = fmt::format("collector {} stream {}: retired, no longer collected", s.collector_id,
                          s.stream);
  if (dry_run) return a;
  WallTime now = clock_->Now();
  Status st = backend_->store()->BumpEpoch(r.collector_id, r.stream, r.epoch, r.seq, now);
  if (st.ok()) {
    st = backend_->store()->SetStreamStatus(r.collector_id, r.stream, r.epoch + 1, r.seq,
                                            kStreamStatusRetired);
  }
  if (st.code() == StatusCode::kConflict) {
    a.code = codes::kRepairLost;
    a.message = fmt::format("collector {} stream {}: changed since the check; not retired",
                            s.collector_id, s.stream);
    return a;
  }
  if (!st.ok()) {
    a.message += " failed: " + st.ToString();
    spdlog::error("[{}] {}", a.code, a.message);
    return a;
  }
  a.done = true;
  return a;
}

}  // namespace paws
