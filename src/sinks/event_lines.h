#pragma once

#include <string>

#include "paws/sink.h"

namespace paws {

// The JSON-lines form of a batch that the jsonl and stdout sinks write: one
// line per event, each ending in '\n':
//   {"collector_id": ..., "type": collector type, "stream": ...,
//    "id": event id, "ts": RFC 3339, "type_id": ..., "event": {...}}
// "event" is the raw event parsed back into JSON; an event whose raw text is
// not JSON is kept as a string rather than dropped. Invalid UTF-8 is
// replaced (U+FFFD). Never throws.
std::string FormatEventLines(const SinkBatch& batch);

}  // namespace paws
