#include "sinks/event_lines.h"

#include <nlohmann/json.hpp>

namespace paws {
namespace {

using json = nlohmann::json;

// Appends `s` as a JSON string literal. Plain ASCII with nothing to escape
// (ids, type ids, names: nearly always) is copied; the rest goes through
// the JSON library, which escapes it and replaces invalid UTF-8.
void AppendString(std::string* out, const std::string& s) {
  bool plain = true;
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out->push_back('"');
    out->append(s);
    out->push_back('"');
  } else {
    out->append(json(s).dump(-1, ' ', false, json::error_handler_t::replace));
  }
}

// Appends a raw event known to be one JSON value. Line breaks in valid
// JSON can only be whitespace between tokens (inside strings they are
// escaped), so they become spaces and the event stays on its line.
void AppendJsonValue(std::string* out, const std::string& raw) {
  size_t start = out->size();
  out->append(raw);
  for (size_t i = start; i < out->size(); ++i) {
    char& c = (*out)[i];
    if (c == '\n' || c == '\r') c = ' ';
  }
}

}  // namespace

std::string FormatEventLines(const SinkBatch& batch) {
  // The fields every line of the batch shares, written once.
  std::string prefix = "{\"collector_id\":";
  AppendString(&prefix, batch.collector_id);
  prefix += ",\"type\":";
  AppendString(&prefix, batch.collector_type);
  prefix += ",\"stream\":";
  AppendString(&prefix, batch.stream);

  std::string out;
  size_t reserve = 0;
  for (const Event& e : batch.events) reserve += prefix.size() + e.raw_json.size() + 128;
  out.reserve(reserve);
  for (const Event& e : batch.events) {
    out += prefix;
    out += ",\"id\":";
    AppendString(&out, e.id);
    out += ",\"ts\":\"";
    out += FormatRfc3339(e.timestamp);
    out += "\",\"type_id\":";
    AppendString(&out, e.type_id);
    out += ",\"event\":";
    if (e.raw_is_json) {
      AppendJsonValue(&out, e.raw_json);
    } else {
      // Not known to be JSON: parsed and written back, or kept as a string.
      json event = json::parse(e.raw_json, nullptr, false);
      if (event.is_discarded()) event = e.raw_json;
      out += event.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    out += "}\n";
  }
  return out;
}

}  // namespace paws
