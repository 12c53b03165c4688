#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/collector_set.h"
#include "paws/backend.h"
#include "paws/clock.h"
#include "paws/options.h"

namespace paws {

// The classes of DESIGN.md's health check.
enum class StreamClass { kOk, kFailing, kStuck, kCeased, kNeverStarted, kUnexpected };
std::string_view StreamClassName(StreamClass c);  // "ok", "failing", ...

struct StreamHealth {
  std::string collector_id;
  std::string stream;
  StreamClass cls = StreamClass::kOk;
  bool healthy = true;     // ok, and unexpected (reported, not unhealthy)
  std::string code;        // stable code; empty when ok
  std::string message;     // one line for operators; never a secret
  std::optional<StreamRow> row;
};

struct CollectorHealth {
  std::string collector_id;
  std::string collector_type;
  bool healthy = true;
  std::string code;     // collector-level condition, empty when healthy
  std::string message;
  std::vector<StreamHealth> streams;
};

struct HealthReport {
  WallTime at;
  bool healthy = true;
  std::vector<CollectorHealth> collectors;
};

// What the repair did (or, dry, would do) for one stream.
struct RepairAction {
  std::string collector_id;
  std::string stream;
  StreamClass cls;   // what was found
  std::string code;  // kRepairReseeded, kRepairSeeded, kRepairRetired or kRepairLost
  bool done = false; // false: dry run, lost to another checker, or failed
  std::string message;
};

// Classifies every configured stream from the stream rows alone (never the
// state records: the cost is O(streams)) and repairs what it finds
// (DESIGN.md, Health check and Repair). Several checkers may run against one
// store at once: every repair is conditional on what was read, so exactly
// one of them wins. Thread-safe.
class HealthChecker {
 public:
  // Not owned; all outlive the checker. `collectors` may be null: then
  // Repair cannot seed never_started streams (it reports them).
  HealthChecker(Backend* backend, std::vector<CollectorSpec> specs,
                const CollectorSet* collectors, Clock* clock, HealthOptions options);

  // Reads the rows of every configured collector and classifies them.
  // Errors: the store's (kUnavailable, ...): the check could not run.
  Result<HealthReport> Check();

  // Acts on a report: re-seeds ceased streams from their checkpoint with the
  // epoch bumped, seeds never_started ones from the source's initial state,
  // retires unexpected ones. With `dry_run`, only says what it would do.
  std::vector<RepairAction> Repair(const HealthReport& report, bool dry_run);

  // For a daemon: when its process started. Repair then leaves ceased
  // streams alone until the process has run their stall_after, so that a
  // restart after downtime does not re-seed streams whose messages are
  // still queued. (`paws repair` does not set it: it repairs at once.)
  void SetProcessStart(WallTime t);

 private:
  StreamHealth Classify(const CollectorSpec& spec, const std::string& stream,
                        std::optional<StreamRow> row, WallTime collector_first_seen,
                        WallTime now) const;
  void Summarize(CollectorHealth* c) const;
  bool ReseedDeferred(const std::string& collector_id, WallTime now) const;
  RepairAction Reseed(const StreamHealth& s, bool dry_run);
  RepairAction Seed(const StreamHealth& s, bool dry_run);
  RepairAction Retire(const StreamHealth& s, bool dry_run);
  Duration StallAfter(const CollectorSpec& spec) const;
  Duration Grace(const CollectorSpec& spec) const;

  Backend* backend_;
  std::vector<CollectorSpec> specs_;
  const CollectorSet* collectors_;
  Clock* clock_;
  HealthOptions options_;
  // When this checker first saw a collector that had no row at all: the
  // start of its grace when the store holds nothing older.
  mutable std::mutex mu_;
  std::map<std::string, WallTime> first_seen_;
  // Per collector: no re-seed before this time (SetProcessStart).
  std::map<std::string, WallTime> reseed_after_;
};

}  // namespace paws
