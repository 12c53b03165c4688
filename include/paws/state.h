#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "paws/clock.h"
#include "paws/result.h"

namespace paws {

// One state message: the state of the next cycle of one stream, fenced by
// (epoch, seq). Wire form (DESIGN.md, Vocabulary):
//   {"collector_id": "...", "epoch": 1, "seq": 7, "retry_count": 0,
//    "priv_collector_state": {"stream": "...", "since": "...", ...}}
// The upstream form {"priv_collector_state", "retry_count"} is accepted on
// parse: `legacy` is set, collector_id is empty and (epoch, seq) = (0, 1).
struct StateMessage {
  std::string collector_id;
  int64_t epoch = 0;
  int64_t seq = 0;
  int retry_count = 0;
  std::string state_json;  // priv_collector_state, a serialized JSON object
  bool legacy = false;

  // An adoption message: an upstream body, or one upgraded from it by
  // `paws migrate` ((0, 1) with a collector_id). It is taken only while its
  // stream has no row; once the stream has one, it is stale.
  bool adopting() const { return legacy || (epoch == 0 && seq == 1); }

  bool operator==(const StateMessage&) const = default;
};

// Parses a message body. Returns kInvalidArgument with a stable code
// (PAWS000201 not JSON, PAWS000202 no state, PAWS000203 bad field) naming
// what is wrong. Never throws.
Result<StateMessage> ParseStateMessage(const std::string& body);

// The wire form above. Always the new form.
std::string SerializeStateMessage(const StateMessage& m);

// Reads a string field of a state object ("" when absent or not a string).
std::string StateStringField(const std::string& state_json, const std::string& field);

// Status of a state record, as in PawsCollectorStates.
enum class RecordStatus { kIncomplete, kComplete, kFailed };
std::string_view RecordStatusName(RecordStatus s);  // "INCOMPLETE", ...
Result<RecordStatus> ParseRecordStatus(std::string_view name);

// One row of PawsCollectorStates per received message.
struct StateRecord {
  std::string collector_id;  // CollectorId (partition key)
  std::string message_id;    // MessageId (sort key)
  std::string cid;           // Cid
  WallTime expire_date;      // ExpireDate (TTL)
  WallTime updated;          // Updated
  RecordStatus status = RecordStatus::kIncomplete;
  std::string stream;        // Stream; empty for legacy records
  std::string reason;        // why it FAILED, if it did

  bool operator==(const StateRecord&) const = default;
};

// How long a state record lives (ExpireDate = Updated + this).
inline constexpr Duration kStateRecordTtl = std::chrono::hours(24 * 14);

// LastStatus of a stream row.
inline constexpr const char* kStreamStatusNew = "NEW";          // registered, no cycle yet
inline constexpr const char* kStreamStatusOk = "OK";
inline constexpr const char* kStreamStatusFailing = "FAILING";
inline constexpr const char* kStreamStatusRetired = "RETIRED";  // removed from the config

// One row per (collector, stream): the fence and the checkpoint.
struct StreamRow {
  std::string collector_id;
  std::string stream;
  int64_t epoch = 0;
  int64_t seq = 0;
  std::string checkpoint;                // state of the next cycle (JSON)
  std::optional<WallTime> last_success;
  std::optional<WallTime> last_attempt;
  std::string last_status = kStreamStatusNew;
  std::string last_error;
  std::optional<WallTime> last_error_at;
  int retry_count = 0;
  WallTime due_at;
  WallTime first_seen;

  bool operator==(const StreamRow&) const = default;
};

}  // namespace paws
