#pragma once

#include <string>
#include <vector>

#include "paws/clock.h"
#include "paws/result.h"
#include "paws/status.h"

namespace paws {

// One collected event.
struct Event {
  std::string id;       // the service's unique id of the event
  WallTime timestamp;   // when it happened, per the service
  std::string type_id;  // the service's event type
  std::string raw_json; // the event exactly as the service returned it
  // True when the source has checked that raw_json is one JSON value in
  // valid UTF-8 (it parsed it): sinks then write it without parsing it
  // again. When false, sinks check it, and keep text that is not JSON as a
  // string.
  bool raw_is_json = false;
};

// What one poll produced.
struct PollResult {
  std::vector<Event> events;
  std::string next_state_json;  // the state of the next cycle
  Duration next_delay{0};       // when the next cycle is due (0: at once)
  // What the operator must know about a poll that succeeded, each with its
  // code: for example PAWS000308, a window the API no longer serves in full
  // (events before its limit cannot be collected). Logged as warnings by the
  // cycle once the poll is committed.
  std::vector<Status> warnings;
};

// Polls one collector's API. One instance per collector; Poll is called
// concurrently for different streams and must be thread-safe.
class Source {
 public:
  virtual ~Source() = default;

  // The state of the first cycle of `stream`. kInvalidArgument when the
  // stream is not one this source can collect.
  virtual Result<std::string> InitialState(const std::string& stream) = 0;

  // Collects what `state_json` points at, giving up at `deadline`. Errors:
  // kUnauthenticated (bad credential), kRateLimited (with retry-after),
  // kUnavailable (5xx, transport), kInvalidArgument (malformed state or
  // response, with a stable code), kDeadlineExceeded.
  virtual Result<PollResult> Poll(const std::string& state_json, MonoTime deadline) = 0;
};

}  // namespace paws
