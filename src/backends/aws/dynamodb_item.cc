#include "backends/aws/dynamodb_item.h"

#include <cstdlib>
#include <limits>

#include "paws/codes.h"

namespace paws::aws {
namespace {

using nlohmann::json;

// Parses a decimal number with optional fraction and exponent and returns
// it times 10^scale, truncated towards zero; *inexact tells whether digits
// were dropped. Done on the digits, never through a double, so that epoch
// milliseconds survive exactly.
std::optional<int64_t> ParseScaled(const std::string& s, int scale, bool* inexact) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  std::string digits;
  int frac = 0;
  bool point = false, any = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      any = true;
      if (!(digits.empty() && c == '0')) digits.push_back(c);
      if (point) ++frac;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (!any) return std::nullopt;
  long exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
    if (i == s.size()) return std::nullopt;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9' || exp > 1000) return std::nullopt;
      exp = exp * 10 + (s[i] - '0');
    }
    if (eneg) exp = -exp;
  }
  if (i != s.size()) return std::nullopt;
  long shift = exp - frac + scale;
  *inexact = false;
  if (shift < 0) {
    size_t drop = static_cast<size_t>(-shift);
    if (drop >= digits.size()) {
      *inexact = !digits.empty();
      digits.clear();
    } else {
      *inexact = digits.find_first_not_of('0', digits.size() - drop) != std::string::npos;
      digits.resize(digits.size() - drop);
    }
    shift = 0;
  }
  if (digits.size() + static_cast<size_t>(shift) > 19) return std::nullopt;
  digits.append(static_cast<size_t>(shift), '0');
  unsigned __int128 v = 0;
  for (char c : digits) v = v * 10 + static_cast<unsigned>(c - '0');
  if (v > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  int64_t out = static_cast<int64_t>(v);
  return neg ? -out : out;
}

std::string Quote(const std::string& s) {
  constexpr size_t kMax = 64;
  return "\"" + (s.size() > kMax ? s.substr(0, kMax) + "..." : s) + "\"";
}

// Reads attributes of one item and says, when one is wrong, which table,
// key and attribute it was.
class ItemReader {
 public:
  ItemReader(const json& item, const std::string& table) : item_(item), table_(table) {}

  Status Corrupt(const char* name, const std::string& what) const {
    std::string key;
    for (const char* k : {attr::kCollectorId, attr::kMessageId}) {
      auto it = item_.find(k);
      std::string v = "?";
      if (it != item_.end() && it->is_object() && it->contains("S") && (*it)["S"].is_string()) {
        v = (*it)["S"].get<std::string>();
      }
      key += std::string(key.empty() ? "" : ", ") + k + "=" + v;
    }
    return Status::Internal(
        "dynamodb table " + table_ + " item (" + key + "): attribute " + name + ": " + what,
        codes::kStoreCorrupt);
  }

  // The value of type `type` ("S" or "N"), nullopt when the attribute is
  // absent (or NULL).
  Result<std::optional<std::string>> Raw(const char* name, const char* type) const {
    auto it = item_.find(name);
    if (it == item_.end()) return std::optional<std::string>();
    if (!it->is_object()) return Corrupt(name, "not an attribute value");
    if (it->contains("NULL")) return std::optional<std::string>();
    auto v = it->find(type);
    if (v == it->end() || !v->is_string()) {
      return Corrupt(name, std::string("not of type ") + type + ": " + Quote(it->dump()));
    }
    return std::optional<std::string>(v->get<std::string>());
  }

  Result<std::string> Str(const char* name, bool required) const {
    PAWS_ASSIGN_OR_RETURN(auto v, Raw(name, "S"));
    if (!v && required) return Corrupt(name, "missing");
    return v.value_or("");
  }

  Result<int64_t> Int(const char* name) const {
    PAWS_ASSIGN_OR_RETURN(auto v, Raw(name, "N"));
    if (!v) return Corrupt(name, "missing");
    auto n = ParseInteger(*v);
    if (!n) return Corrupt(name, "not an integer: " + Quote(*v));
    return *n;
  }

  Result<std::optional<WallTime>> Time(const char* name, bool required) const {
    PAWS_ASSIGN_OR_RETURN(auto v, Raw(name, "N"));
    if (!v) {
      if (required) return Corrupt(name, "missing");
      return std::optional<WallTime>();
    }
    auto ms = ParseEpochSecondsToMillis(*v);
    if (!ms) return Corrupt(name, "not epoch seconds: " + Quote(*v));
    return std::optional<WallTime>(FromUnixMillis(*ms));
  }

  Result<WallTime> RequiredTime(const char* name) const {
    PAWS_ASSIGN_OR_RETURN(auto t, Time(name, true));
    return *t;
  }

 private:
  const json& item_;
  const std::string& table_;
};

void PutTime(json& item, const char* name, const std::optional<WallTime>& t) {
  if (t) item[name] = NText(EpochSeconds(*t));
}

}  // namespace

json S(const std::string& s) { return json{{"S", s}}; }
json N(int64_t n) { return json{{"N", std::to_string(n)}}; }
json NText(const std::string& number) { return json{{"N", number}}; }

std::string EpochSeconds(WallTime t) {
  int64_t ms = ToUnixMillis(t);
  const char* sign = ms < 0 ? "-" : "";
  // Magnitude first so that -1 ms is "-0.001", not "0.-01".
  uint64_t mag = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  std::string frac = std::to_string(mag % 1000);
  return sign + std::to_string(mag / 1000) + "." + std::string(3 - frac.size(), '0') + frac;
}

int64_t EpochSecondsFloor(WallTime t) {
  int64_t ms = ToUnixMillis(t);
  return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

std::optional<int64_t> ParseEpochSecondsToMillis(const std::string& number) {
  bool inexact = false;
  return ParseScaled(number, 3, &inexact);
}

std::optional<int64_t> ParseInteger(const std::string& number) {
  bool inexact = false;
  auto v = ParseScaled(number, 0, &inexact);
  if (inexact) return std::nullopt;
  return v;
}

json StreamKey(const std::string& collector_id, const std::string& stream) {
  return json{{attr::kCollectorId, S(collector_id)},
              {attr::kMessageId, S(kStreamKeyPrefix + stream)}};
}

json RecordKey(const std::string& collector_id, const std::string& message_id) {
  return json{{attr::kCollectorId, S(collector_id)}, {attr::kMessageId, S(message_id)}};
}

bool IsStreamKey(const std::string& message_id) {
  return message_id.rfind(kStreamKeyPrefix, 0) == 0;
}

json EncodeStreamRow(const StreamRow& row, const std::string& write_id) {
  json item = StreamKey(row.collector_id, row.stream);
  item[attr::kStream] = S(row.stream);
  item[attr::kEpoch] = N(row.epoch);
  item[attr::kSeq] = N(row.seq);
  item[attr::kRetryCount] = N(row.retry_count);
  item[attr::kCheckpoint] = S(row.checkpoint);
  item[attr::kLastStatus] = S(row.last_status);
  item[attr::kLastError] = S(row.last_error);
  PutTime(item, attr::kLastSuccess, row.last_success);
  PutTime(item, attr::kLastAttempt, row.last_attempt);
  PutTime(item, attr::kLastErrorAt, row.last_error_at);
  item[attr::kDueAt] = NText(EpochSeconds(row.due_at));
  item[attr::kFirstSeen] = NText(EpochSeconds(row.first_seen));
  item[attr::kWriteId] = S(write_id);
  return item;
}

Result<StreamRow> DecodeStreamRow(const json& item, const std::string& table) {
  ItemReader r(item, table);
  StreamRow row;
  PAWS_ASSIGN_OR_RETURN(row.collector_id, r.Str(attr::kCollectorId, true));
  PAWS_ASSIGN_OR_RETURN(std::string key, r.Str(attr::kMessageId, true));
  if (!IsStreamKey(key)) return r.Corrupt(attr::kMessageId, "not a stream row key");
  // The key is the truth; Stream repeats it for readers of the table.
  row.stream = key.substr(std::string(kStreamKeyPrefix).size());
  PAWS_ASSIGN_OR_RETURN(row.epoch, r.Int(attr::kEpoch));
  PAWS_ASSIGN_OR_RETURN(row.seq, r.Int(attr::kSeq));
  PAWS_ASSIGN_OR_RETURN(int64_t retries, r.Int(attr::kRetryCount));
  if (retries < 0 || retries > std::numeric_limits<int>::max()) {
    return r.Corrupt(attr::kRetryCount, "out of range: " + std::to_string(retries));
  }
  row.retry_count = static_cast<int>(retries);
  PAWS_ASSIGN_OR_RETURN(row.checkpoint, r.Str(attr::kCheckpoint, true));
  PAWS_ASSIGN_OR_RETURN(row.last_status, r.Str(attr::kLastStatus, true));
  PAWS_ASSIGN_OR_RETURN(row.last_error, r.Str(attr::kLastError, false));
  PAWS_ASSIGN_OR_RETURN(row.last_success, r.Time(attr::kLastSuccess, false));
  PAWS_ASSIGN_OR_RETURN(row.last_attempt, r.Time(attr::kLastAttempt, false));
  PAWS_ASSIGN_OR_RETURN(row.last_error_at, r.Time(attr::kLastErrorAt, false));
  PAWS_ASSIGN_OR_RETURN(row.due_at, r.RequiredTime(attr::kDueAt));
  PAWS_ASSIGN_OR_RETURN(row.first_seen, r.RequiredTime(attr::kFirstSeen));
  return row;
}

json EncodeNewRecord(const StateRecord& rec, const std::string& write_id) {
  json item = RecordKey(rec.collector_id, rec.message_id);
  if (!rec.cid.empty()) item[attr::kCid] = S(rec.cid);
  item[attr::kUpdated] = NText(EpochSeconds(rec.updated));
  item[attr::kExpireDate] = N(EpochSecondsFloor(rec.expire_date));
  item[attr::kStatus] = S(std::string(RecordStatusName(RecordStatus::kIncomplete)));
  if (!rec.stream.empty()) item[attr::kStream] = S(rec.stream);
  item[attr::kWriteId] = S(write_id);
  return item;
}

Result<StateRecord> DecodeRecord(const json& item, const std::string& table) {
  ItemReader r(item, table);
  StateRecord rec;
  PAWS_ASSIGN_OR_RETURN(rec.collector_id, r.Str(attr::kCollectorId, true));
  PAWS_ASSIGN_OR_RETURN(rec.message_id, r.Str(attr::kMessageId, true));
  PAWS_ASSIGN_OR_RETURN(rec.cid, r.Str(attr::kCid, false));
  PAWS_ASSIGN_OR_RETURN(rec.expire_date, r.RequiredTime(attr::kExpireDate));
  PAWS_ASSIGN_OR_RETURN(rec.updated, r.RequiredTime(attr::kUpdated));
  PAWS_ASSIGN_OR_RETURN(std::string status, r.Str(attr::kStatus, true));
  auto parsed = ParseRecordStatus(status);
  if (!parsed.ok()) return r.Corrupt(attr::kStatus, "unknown status " + Quote(status));
  rec.status = *parsed;
  PAWS_ASSIGN_OR_RETURN(rec.stream, r.Str(attr::kStream, false));
  PAWS_ASSIGN_OR_RETURN(rec.reason, r.Str(attr::kReason, false));
  return rec;
}

Result<int64_t> ReadIntegerAttribute(const json& item, const char* name, const std::string& table) {
  return ItemReader(item, table).Int(name);
}

std::string WriteIdOf(const json& item) {
  auto it = item.find(attr::kWriteId);
  if (it == item.end() || !it->is_object()) return "";
  auto s = it->find("S");
  return s != it->end() && s->is_string() ? s->get<std::string>() : "";
}

}  // namespace paws::aws
