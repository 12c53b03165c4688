#include "sinks/event_lines.h"

#include <nlohmann/json.hpp>

namespace paws {

std::string FormatEventLines(const SinkBatch& batch) {
  using ordered_json = nlohmann::ordered_json;
  std::string out;
  for (const Event& e : batch.events) {
    ordered_json event = ordered_json::parse(e.raw_json, nullptr, false);
    if (event.is_discarded()) event = e.raw_json;
    ordered_json line = {{"collector_id", batch.collector_id},
                         {"type", batch.collector_type},
                         {"stream", batch.stream},
                         {"id", e.id},
                         {"ts", FormatRfc3339(e.timestamp)},
                         {"type_id", e.type_id},
                         {"event", std::move(event)}};
    out += line.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

}  // namespace paws
