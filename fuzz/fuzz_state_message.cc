// libFuzzer target: a state message body as a worker receives it (DESIGN.md,
// "One cycle", step 1), with the legacy upgrade of every collector type.
//
// Invariants, each a finding when broken:
// - a body that does not parse gives kInvalidArgument with PAWS000201..203;
// - for a body that parses, every type of the registry names a stream for a
//   single-stream type (its own name);
// - a parsed message re-serializes to a body that parses back to the same
//   message, and that body is a fixed point of Serialize(Parse(.)). A
//   legacy message is compared as the upgraded form (collector_id set,
//   legacy cleared, still (0, 1)), which is what `paws migrate` writes.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "paws/codes.h"
#include "paws/collector_types.h"
#include "paws/state.h"

namespace {

using paws::fuzz::Fail;

std::string Describe(const paws::StateMessage& m) {
  return "collector_id=" + m.collector_id + " epoch=" + std::to_string(m.epoch) +
         " seq=" + std::to_string(m.seq) + " retry_count=" + std::to_string(m.retry_count) +
         " legacy=" + (m.legacy ? "true" : "false") + " state=" + m.state_json;
}

void CheckStreams(const paws::StateMessage& m) {
  for (const paws::CollectorType& type : paws::CollectorTypes()) {
    std::string stream = paws::StreamOfState(type, m.state_json);
    if (!type.has_streams && stream.empty()) {
      Fail("single-stream type " + type.name + " gives no stream", Describe(m));
    }
  }
}

void CheckRoundTrip(const paws::StateMessage& parsed) {
  paws::StateMessage expected = parsed;
  if (expected.legacy) {
    expected.collector_id = "fuzz-collector";
    expected.legacy = false;
    if (!expected.adopting()) Fail("upgraded legacy message is not adopting", Describe(expected));
  }
  std::string wire = paws::SerializeStateMessage(expected);
  paws::Result<paws::StateMessage> again = paws::ParseStateMessage(wire);
  if (!again.ok()) {
    Fail("serialized message does not parse", again.status().ToString() + "\nwire: " + wire);
  }
  if (!(*again == expected)) {
    Fail("round trip changed the message",
         "before: " + Describe(expected) + "\nafter:  " + Describe(*again) + "\nwire: " + wire);
  }
  std::string wire2 = paws::SerializeStateMessage(*again);
  if (wire2 != wire) Fail("serialization is not stable", wire + "\n" + wire2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  paws::Result<paws::StateMessage> parsed = paws::ParseStateMessage(body);
  if (!parsed.ok()) {
    paws::fuzz::CheckError(parsed.status(),
                           {paws::codes::kMessageNotJson, paws::codes::kMessageNoState,
                            paws::codes::kMessageBadField});
    return 0;
  }
  CheckStreams(*parsed);
  CheckRoundTrip(*parsed);
  return 0;
}
