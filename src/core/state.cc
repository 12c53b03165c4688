#include "paws/state.h"

#include <nlohmann/json.hpp>

#include "paws/codes.h"

namespace paws {
namespace {

using nlohmann::json;

Status BadField(const std::string& what) {
  return Status::InvalidArgument("state message: " + what, codes::kMessageBadField);
}

// Reads an optional non-negative integer field.
Status ReadCount(const json& j, const char* key, int64_t* out, bool* present) {
  auto it = j.find(key);
  *present = it != j.end();
  if (!*present) return Status::Ok();
  if (!it->is_number_integer() || it->get<int64_t>() < 0) {
    return BadField(std::string("\"") + key + "\" must be a non-negative integer, got " +
                    it->dump());
  }
  *out = it->get<int64_t>();
  return Status::Ok();
}

}  // namespace

Result<StateMessage> ParseStateMessage(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status::InvalidArgument("state message is not valid JSON", codes::kMessageNotJson);
  }
  if (!j.is_object()) {
    return Status::InvalidArgument("state message is not a JSON object", codes::kMessageNotJson);
  }
  auto st = j.find("priv_collector_state");
  if (st == j.end() || st->is_null()) {
    return Status::InvalidArgument("state message has no \"priv_collector_state\"",
                                   codes::kMessageNoState);
  }
  if (!st->is_object()) {
    return BadField("\"priv_collector_state\" must be an object, got " +
                    std::string(st->type_name()));
  }
  StateMessage m;
  m.state_json = st->dump();
  int64_t retry = 0;
  bool present = false;
  PAWS_RETURN_IF_ERROR(ReadCount(j, "retry_count", &retry, &present));
  if (retry > 1000000) return BadField("\"retry_count\" is out of range");
  m.retry_count = static_cast<int>(retry);

  auto cid = j.find("collector_id");
  if (cid == j.end()) {
    // The upstream form: adopted as (0, 1) while the stream has no row.
    if (j.contains("epoch") || j.contains("seq")) {
      return BadField("\"epoch\"/\"seq\" without \"collector_id\"");
    }
    m.legacy = true;
    m.epoch = 0;
    m.seq = 1;
    return m;
  }
  if (!cid->is_string() || cid->get<std::string>().empty()) {
    return BadField("\"collector_id\" must be a non-empty string");
  }
  m.collector_id = cid->get<std::string>();
  bool has_epoch = false, has_seq = false;
  PAWS_RETURN_IF_ERROR(ReadCount(j, "epoch", &m.epoch, &has_epoch));
  PAWS_RETURN_IF_ERROR(ReadCount(j, "seq", &m.seq, &has_seq));
  if (!has_epoch || !has_seq) return BadField("\"epoch\" and \"seq\" are required");
  if (m.seq < 1) return BadField("\"seq\" must be at least 1");
  return m;
}

std::string SerializeStateMessage(const StateMessage& m) {
  json j;
  j["collector_id"] = m.collector_id;
  j["epoch"] = m.epoch;
  j["seq"] = m.seq;
  j["retry_count"] = m.retry_count;
  json st = json::parse(m.state_json, nullptr, false);
  j["priv_collector_state"] = st.is_discarded() ? json::object() : st;
  return j.dump();
}

std::string StateStringField(const std::string& state_json, const std::string& field) {
  json j = json::parse(state_json, nullptr, false);
  if (!j.is_object()) return "";
  auto it = j.find(field);
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

std::string_view RecordStatusName(RecordStatus s) {
  switch (s) {
    case RecordStatus::kIncomplete: return "INCOMPLETE";
    case RecordStatus::kComplete: return "COMPLETE";
    case RecordStatus::kFailed: return "FAILED";
  }
  return "INCOMPLETE";
}

Result<RecordStatus> ParseRecordStatus(std::string_view name) {
  if (name == "INCOMPLETE") return RecordStatus::kIncomplete;
  if (name == "COMPLETE") return RecordStatus::kComplete;
  if (name == "FAILED") return RecordStatus::kFailed;
  return Status::InvalidArgument("unknown record status \"" + std::string(name) + "\"",
                                 codes::kStoreCorrupt);
}

}  // namespace paws
