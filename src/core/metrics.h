#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>

#include "core/cycle.h"
#include "core/health.h"
#include "paws/clock.h"

namespace paws {

// The number of CycleOutcome values (kDeferred is the last one).
inline constexpr int kCycleOutcomeCount = static_cast<int>(CycleOutcome::kDeferred) + 1;

// Counters per (collector, stream): cycles by outcome, events sent, repairs
// by code. Counters only ever grow; they live as long as the process.
//
// Thread-safe. The hot path (a cycle counts once or twice) takes a shared
// lock to find the stream's counters and adds with a relaxed atomic; only
// the first count of a new (collector, stream) takes the exclusive lock.
class Metrics {
 public:
  // A stream's counters at one moment.
  struct StreamCounts {
    std::array<int64_t, kCycleOutcomeCount> cycles{};  // indexed by CycleOutcome
    int64_t events = 0;
    std::map<std::string, int64_t> repairs;  // by repair code

    int64_t Cycles(CycleOutcome o) const { return cycles[static_cast<int>(o)]; }
  };
  // Every stream counted so far, keyed by (collector, stream).
  struct Snapshot {
    std::map<std::pair<std::string, std::string>, StreamCounts> streams;
  };

  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One cycle of the stream ended with `outcome`. A message whose collector
  // or stream could not be read (poison) is counted under whatever the
  // caller knows, possibly "".
  void CountCycle(const std::string& collector, const std::string& stream, CycleOutcome outcome);
  // `n` events of the stream reached the sink (REQUIRES: n >= 0).
  void CountEvents(const std::string& collector, const std::string& stream, int64_t n);
  // One repair of the stream, with its code (RepairAction::code).
  void CountRepair(const std::string& collector, const std::string& stream,
                   std::string_view code);

  // A consistent-enough copy for reporting: each counter is read atomically,
  // not all of them at one instant. (Named so because a member function
  // cannot share the name of the nested type Snapshot.)
  Snapshot TakeSnapshot() const;

 private:
  struct Entry {
    std::array<std::atomic<int64_t>, kCycleOutcomeCount> cycles{};
    std::atomic<int64_t> events{0};
    std::mutex repairs_mu;  // repairs are rare: a plain lock is enough
    std::map<std::string, int64_t> repairs;
  };
  // Finds by (string_view, string_view) without building a key.
  struct KeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::pair<std::string_view, std::string_view>(a.first, a.second) <
             std::pair<std::string_view, std::string_view>(b.first, b.second);
    }
  };
  Entry& Find(const std::string& collector, const std::string& stream);

  mutable std::shared_mutex mu_;
  // Entries are never removed, so a reference stays valid after unlocking.
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Entry>, KeyLess> entries_;
};

// The Prometheus text exposition format (version 0.0.4) of the counters and
// of the latest health report, as of `now`. Families, all labelled
// {collector="...",stream="..."} unless said otherwise:
//
//   paws_health_check_timestamp_seconds       gauge, no labels: latest.at
//                                             (0 when no check has run)
//   paws_collector_healthy{collector}         gauge 0/1
//   paws_stream_healthy                       gauge 0/1
//   paws_stream_class{...,class}              gauge: one series per class,
//                                             1 for the current class, 0 for
//                                             the others (a state set, so an
//                                             alert on class="ceased" never
//                                             sees its series vanish)
//   paws_stream_last_success_timestamp_seconds  gauge; absent until the
//                                             stream's first success
//   paws_stream_collection_delay_seconds      gauge: now - cursor, where the
//                                             cursor is the "since" field of
//                                             the row's checkpoint (RFC 3339,
//                                             or Unix seconds as a number)
//                                             and, without one, last_success:
//                                             everything before it is
//                                             collected. Absent when neither
//                                             is known. Negative when the
//                                             cursor is ahead of `now`.
//   paws_stream_retry_count                   gauge: the row's RetryCount
//   paws_cycles_total{...,result}             counter, result = CycleOutcomeName
//   paws_events_total                         counter
//   paws_repairs_total{...,code}              counter
//   paws_stale_messages_total                 counter (= cycles with result="stale")
//
// Streams of the report and of the snapshot both appear; counters of a
// reported stream that has not counted anything yet are 0. Label values are
// escaped (\\, \", \n). Never throws.
std::string RenderPrometheus(const Metrics::Snapshot& snapshot, const HealthReport& latest,
                             WallTime now);

}  // namespace paws
