#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "paws/backend.h"
#include "paws/collector.h"
#include "paws/result.h"

namespace paws {

// What `paws migrate` finds for one configured stream (docs/migration.md).
struct MigrationStream {
  std::string stream;
  // "row" (the stream has its row), "adoption" (no row; an upstream or
  // upgraded message will adopt it), "none" (no row, no message), or
  // "unconfigured" (a row for a stream not in collector_streams).
  std::string state;
  int64_t epoch = 0;  // of the row, or of the adopting message
  int64_t seq = 0;
  std::string message_id;  // the adopting message, for "adoption"
  std::string action;      // what paws will do, in words
};

struct MigrationCollector {
  std::string id;
  std::string type;
  bool type_known = false;  // in the collector-type registry
  bool has_source = false;  // some source implements the type
  bool takeover = false;
  bool upstream_form = false;        // described by upstream variables
  std::vector<std::string> streams;  // the canonical collector_streams
  int64_t legacy_records = 0;        // state records without a Stream
  std::vector<MigrationStream> stream_states;
};

// An upstream-format message waiting in the queue.
struct MigrationMessage {
  std::string message_id;
  std::string collector_id;  // empty when no collector owns it
  std::string stream;
  // "adopt" (it will adopt its stream), "stale" (the stream already has a
  // row), "duplicate" (another message adopts the stream first: upstream's
  // duplicate-state bug), or "unowned" (no single collector fits).
  std::string action;
  std::string reason;    // for "unowned"
  std::string new_body;  // the upgraded body; empty for "unowned"
};

struct MigrationPlan {
  std::vector<MigrationCollector> collectors;
  std::vector<MigrationMessage> messages;  // upstream-format ones only
  int64_t messages_scanned = 0;
  int64_t records_scanned = 0;
};

// Called as the scan goes: what is being scanned ("messages",
// "records of <collector>"), how many are done, and the total (-1 unknown).
using MigrationProgress = std::function<void(const std::string& what, int64_t done, int64_t total)>;

// Reads the store and the queue and says what `paws migrate --apply` would
// change and what the runtime will then do. Writes nothing. `has_source`
// tells whether a source type is implemented.
Result<MigrationPlan> PlanMigration(const std::vector<CollectorSpec>& specs,
                                    const std::function<bool(const std::string&)>& has_source,
                                    Backend* backend, const MigrationProgress& progress);

struct MigrationApplied {
  int64_t upgraded = 0;   // upstream bodies rewritten in the new form
  int64_t in_flight = 0;  // being processed now: the runtime takes them as they are
  int64_t gone = 0;       // processed (or expired) since the plan was made
};

// Rewrites every owned upstream message of `plan` in the new form, as an
// adoption message ((0, 1) with its collector_id and a "stream" field), in
// place: its delay and age are kept. The runtime treats it exactly as the
// upstream body it replaces, so this is safe while `paws run` runs. Errors
// only when the queue cannot be written at all.
Result<MigrationApplied> ApplyMigration(const MigrationPlan& plan, StateQueue* queue,
                                        const MigrationProgress& progress);

}  // namespace paws
