#include "backends/aws/dynamodb_store.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <random>
#include <thread>
#include <tuple>

#include "backends/aws/dynamodb_item.h"
#include "paws/codes.h"

namespace paws::aws {
namespace {

using nlohmann::json;

// Bounds of the loops over pages and re-reads.
constexpr int kMaxPages = 100000;
constexpr int kAcquireRounds = 3;
constexpr size_t kBatchGetMax = 100;  // DynamoDB's limit per BatchGetItem

// Expressions name every attribute as "#Name" (several of ours, such as
// Status and Stream, are DynamoDB reserved words); this fills
// ExpressionAttributeNames with exactly the names the expressions use, as
// DynamoDB rejects unused ones.
void AddAttributeNames(json& req) {
  json names = json::object();
  for (const char* field : {"UpdateExpression", "ConditionExpression", "KeyConditionExpression",
                            "FilterExpression", "ProjectionExpression"}) {
    auto it = req.find(field);
    if (it == req.end() || !it->is_string()) continue;
    const std::string& e = it->get_ref<const std::string&>();
    for (size_t i = e.find('#'); i != std::string::npos; i = e.find('#', i + 1)) {
      size_t j = i + 1;
      while (j < e.size() && (std::isalnum(static_cast<unsigned char>(e[j])) || e[j] == '_')) ++j;
      if (j > i + 1) names[e.substr(i, j - i)] = e.substr(i + 1, j - i - 1);
    }
  }
  if (!names.empty()) req["ExpressionAttributeNames"] = names;
}

// The value at a path of object keys, or null when any step is missing or
// not an object (a malformed answer must not throw).
json Path(const json& j, std::initializer_list<std::string> keys) {
  const json* at = &j;
  for (const auto& k : keys) {
    if (!at->is_object()) return json();
    auto it = at->find(k);
    if (it == at->end()) return json();
    at = &*it;
  }
  return *at;
}

// `s` with any byte sequence that is not UTF-8 replaced by U+FFFD: error
// texts come from remote APIs, and one bad byte must not cost the failure
// its record.
std::string Utf8(const std::string& s) {
  std::string quoted = json(s).dump(-1, ' ', false, json::error_handler_t::replace);
  return json::parse(quoted).get<std::string>();
}

bool ValidTableName(const std::string& t) {
  if (t.size() < 3 || t.size() > 255) return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

Status Lost(const std::string& what, const std::string& collector_id, const std::string& stream) {
  return Status::Conflict(what + ": condition failed for stream " + collector_id + "/" + stream);
}

std::string KeyText(const std::string& collector_id, const std::string& stream) {
  return collector_id + "/" + stream;
}

}  // namespace

Result<std::unique_ptr<DynamoDbStore>> DynamoDbStore::Make(AwsJsonClient* client,
                                                           DynamoDbStoreOptions options) {
  if (client == nullptr) {
    return Status::InvalidArgument("dynamodb store: no client", codes::kConfigInvalid);
  }
  if (!ValidTableName(options.table)) {
    return Status::InvalidArgument(
        "dynamodb store: table name \"" + options.table +
            "\" is not a DynamoDB table name (3-255 of a-z, A-Z, 0-9, '_', '-', '.')",
        codes::kConfigInvalid);
  }
  if (options.unprocessed_retries < 0) options.unprocessed_retries = 0;
  return std::unique_ptr<DynamoDbStore>(new DynamoDbStore(client, std::move(options)));
}

DynamoDbStore::DynamoDbStore(AwsJsonClient* client, DynamoDbStoreOptions options)
    : client_(client), options_(std::move(options)) {
  if (!options_.sleep) options_.sleep = [](Duration d) { std::this_thread::sleep_for(d); };
}

std::string DynamoDbStore::NewWriteId() {
  if (options_.new_write_id) return options_.new_write_id();
  thread_local std::mt19937_64 gen{std::random_device{}()};
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(gen()),
                static_cast<unsigned long long>(gen()));
  return buf;
}

Result<json> DynamoDbStore::Call(const std::string& op, const json& req, CallInfo* info) {
  json full = req;
  full["TableName"] = options_.table;
  AddAttributeNames(full);
  return RawCall(op, full, info);
}

Result<json> DynamoDbStore::RawCall(const std::string& op, const json& req, CallInfo* info) {
  Result<json> r = Status::Internal("not called");
  try {
    r = client_->Call(op, req, info);
  } catch (const nlohmann::json::exception& e) {
    // A string that is not UTF-8 (a key from a bad config, say) cannot be
    // sent: an error, never an exception out of the store.
    return Status::InvalidArgument("dynamodb table " + options_.table + ": " + op +
                                       ": the request cannot be encoded: " + e.what(),
                                   codes::kAwsRejected);
  }
  if (r.ok() || r.status().code() == StatusCode::kConflict) return r;
  // A missing table must not read as "no such row" (RecordFailure's
  // kNotFound means exactly that).
  if (r.status().code() == StatusCode::kNotFound) {
    return Status::InvalidArgument("dynamodb table " + options_.table +
                                       " not found (run paws aws init): " + r.status().message(),
                                   codes::kAwsRejected);
  }
  return r.status().Annotate("dynamodb table " + options_.table);
}

Result<json> DynamoDbStore::GetItem(const json& key) {
  PAWS_ASSIGN_OR_RETURN(json resp, Call("GetItem", {{"Key", key}, {"ConsistentRead", true}}));
  auto it = resp.find("Item");
  if (it == resp.end() || !it->is_object()) return json();
  return *it;
}

Result<json> DynamoDbStore::FencedWrite(const std::string& op, const json& req, const json& key,
                                        const std::string& write_id) {
  CallInfo info;
  auto r = Call(op, req, &info);
  if (r.ok() || r.status().code() != StatusCode::kConflict || !info.ambiguous_retry) return r;
  // An earlier attempt may have applied this very write, making the last
  // attempt's condition fail: our WriteId on the row says it did.
  PAWS_ASSIGN_OR_RETURN(json item, GetItem(key));
  if (!item.is_null() && WriteIdOf(item) == write_id) return json{{"Attributes", item}};
  return r.status();
}

Status DynamoDbStore::Paginate(const std::string& op, json req,
                               const std::function<Status(const json&)>& each) {
  req["ConsistentRead"] = true;
  for (int page = 0; page < kMaxPages; ++page) {
    PAWS_ASSIGN_OR_RETURN(json resp, Call(op, req));
    if (auto items = resp.find("Items"); items != resp.end() && items->is_array()) {
      for (const auto& item : *items) PAWS_RETURN_IF_ERROR(each(item));
    }
    auto next = resp.find("LastEvaluatedKey");
    if (next == resp.end() || !next->is_object() || next->empty()) return Status::Ok();
    req["ExclusiveStartKey"] = *next;
  }
  return Status::Internal("dynamodb table " + options_.table + ": " + op + " returned more than " +
                              std::to_string(kMaxPages) + " pages",
                          codes::kStoreCorrupt);
}

// --- stream rows ---

Result<std::optional<StreamRow>> DynamoDbStore::GetStream(const std::string& collector_id,
                                                          const std::string& stream) {
  PAWS_ASSIGN_OR_RETURN(json item, GetItem(StreamKey(collector_id, stream)));
  if (item.is_null()) return std::optional<StreamRow>();
  PAWS_ASSIGN_OR_RETURN(StreamRow row, DecodeStreamRow(item, options_.table));
  return std::optional<StreamRow>(std::move(row));
}

std::vector<Result<std::optional<StreamRow>>> DynamoDbStore::GetStreams(
    const std::vector<std::pair<std::string, std::string>>& keys) {
  using Key = std::pair<std::string, std::string>;  // (CollectorId, MessageId)
  // BatchGetItem refuses duplicate keys: ask for each once.
  std::map<Key, std::optional<Result<std::optional<StreamRow>>>> got;
  for (const auto& [c, s] : keys) got[{c, kStreamKeyPrefix + s}];
  std::vector<Key> unique;
  for (const auto& [k, v] : got) unique.push_back(k);
  for (size_t start = 0; start < unique.size(); start += kBatchGetMax) {
    json pending = json::array();
    for (size_t i = start; i < std::min(unique.size(), start + kBatchGetMax); ++i) {
      pending.push_back(RecordKey(unique[i].first, unique[i].second));
    }
    Status failed;
    for (int round = 0; round <= options_.unprocessed_retries && !pending.empty(); ++round) {
      if (round > 0) options_.sleep(options_.unprocessed_backoff * (1 << std::min(round - 1, 10)));
      json req = {
          {"RequestItems", {{options_.table, {{"Keys", pending}, {"ConsistentRead", true}}}}}};
      auto resp = RawCall("BatchGetItem", req, nullptr);
      if (!resp.ok()) {
        failed = resp.status();
        break;
      }
      const json items = Path(*resp, {"Responses", options_.table});
      for (const auto& item : items.is_array() ? items : json::array()) {
        auto row = DecodeStreamRow(item, options_.table);
        if (!row.ok()) {
          // Which key it was is in the message; give it to every key of the
          // batch that has no answer yet.
          failed = row.status();
          break;
        }
        got[{row->collector_id, kStreamKeyPrefix + row->stream}].emplace(
            std::optional<StreamRow>(std::move(row).value()));
      }
      if (!failed.ok()) break;
      const json left = Path(*resp, {"UnprocessedKeys", options_.table, "Keys"});
      pending = left.is_array() ? left : json::array();
    }
    if (failed.ok() && !pending.empty()) {
      failed = Status::Unavailable("dynamodb table " + options_.table + ": BatchGetItem left " +
                                       std::to_string(pending.size()) + " keys unprocessed after " +
                                       std::to_string(options_.unprocessed_retries) + " retries",
                                   codes::kStoreUnavailable);
    }
    for (size_t i = start; i < std::min(unique.size(), start + kBatchGetMax); ++i) {
      auto& slot = got[unique[i]];
      if (slot) continue;
      if (failed.ok()) {
        slot.emplace(std::optional<StreamRow>());  // no such row
      } else {
        slot.emplace(failed);
      }
    }
  }
  std::vector<Result<std::optional<StreamRow>>> out;
  out.reserve(keys.size());
  for (const auto& [c, s] : keys) out.push_back(*got[{c, kStreamKeyPrefix + s}]);
  return out;
}

Result<std::vector<StreamRow>> DynamoDbStore::ListStreams(const std::string& collector_id) {
  std::vector<StreamRow> out;
  json req = {
      {"KeyConditionExpression", "#CollectorId = :c AND begins_with(#MessageId, :p)"},
      {"ExpressionAttributeValues", {{":c", S(collector_id)}, {":p", S(kStreamKeyPrefix)}}}};
  PAWS_RETURN_IF_ERROR(Paginate("Query", req, [&](const json& item) -> Status {
    PAWS_ASSIGN_OR_RETURN(StreamRow row, DecodeStreamRow(item, options_.table));
    out.push_back(std::move(row));
    return Status::Ok();
  }));
  // The sort key orders them already ("STREAM#" + name sorts as the name);
  // sorting again costs nothing and does not rely on it.
  std::sort(out.begin(), out.end(),
            [](const StreamRow& a, const StreamRow& b) { return a.stream < b.stream; });
  return out;
}

Result<std::vector<StreamRow>> DynamoDbStore::ListAllStreams() {
  // Administration only (paws status, migrate). This and
  // PurgeExpiredRecords are the store's only Scans, and neither is on the
  // path of a cycle or of the health check (which uses ListStreams).
  std::vector<StreamRow> out;
  json req = {{"FilterExpression", "begins_with(#MessageId, :p)"},
              {"ExpressionAttributeValues", {{":p", S(kStreamKeyPrefix)}}}};
  PAWS_RETURN_IF_ERROR(Paginate("Scan", req, [&](const json& item) -> Status {
    PAWS_ASSIGN_OR_RETURN(StreamRow row, DecodeStreamRow(item, options_.table));
    out.push_back(std::move(row));
    return Status::Ok();
  }));
  std::sort(out.begin(), out.end(), [](const StreamRow& a, const StreamRow& b) {
    return std::tie(a.collector_id, a.stream) < std::tie(b.collector_id, b.stream);
  });
  return out;
}

Status DynamoDbStore::CreateStream(const StreamRow& row) {
  const std::string id = NewWriteId();
  json req = {{"Item", EncodeStreamRow(row, id)},
              {"ConditionExpression", "attribute_not_exists(#MessageId)"}};
  auto r = FencedWrite("PutItem", req, StreamKey(row.collector_id, row.stream), id);
  if (r.status().code() == StatusCode::kConflict) {
    return Status::Conflict("create stream: " + KeyText(row.collector_id, row.stream) +
                            " already exists");
  }
  return r.status();
}

Status DynamoDbStore::ClaimStream(const ClaimUpdate& u) {
  const json key = StreamKey(u.collector_id, u.stream);
  const std::string id = NewWriteId();
  json req = {{"Key", key},
              {"UpdateExpression",
               "SET #Seq = :s, #Checkpoint = :cp, #LastSuccess = :now, #LastStatus = :ok, "
               "#RetryCount = :zero, #DueAt = :due, #WriteId = :w"},
              {"ConditionExpression", "#Epoch = :e AND #Seq = :sm1"},
              {"ExpressionAttributeValues",
               {{":s", N(u.seq)},
                {":cp", S(u.checkpoint)},
                {":now", NText(EpochSeconds(u.now))},
                {":ok", S(kStreamStatusOk)},
                {":zero", N(0)},
                {":due", NText(EpochSeconds(u.due_at))},
                {":w", S(id)},
                {":e", N(u.epoch)},
                {":sm1", N(u.seq - 1)}}}};
  auto r = FencedWrite("UpdateItem", req, key, id);
  if (r.status().code() != StatusCode::kConflict) return r.status();
  if (u.epoch != 0 || u.seq != 1) return Lost("claim", u.collector_id, u.stream);
  // Adoption of a legacy message: (0, 1) creates the row when there is none.
  StreamRow row;
  row.collector_id = u.collector_id;
  row.stream = u.stream;
  row.epoch = 0;
  row.seq = 1;
  row.checkpoint = u.checkpoint;
  row.last_success = u.now;
  row.last_attempt = u.now;
  row.last_status = kStreamStatusOk;
  row.due_at = u.due_at;
  row.first_seen = u.now;
  const std::string put_id = NewWriteId();
  json put = {{"Item", EncodeStreamRow(row, put_id)},
              {"ConditionExpression", "attribute_not_exists(#MessageId)"}};
  auto created = FencedWrite("PutItem", put, key, put_id);
  if (created.status().code() == StatusCode::kConflict) {
    return Lost("claim", u.collector_id, u.stream);
  }
  return created.status();
}

Result<int> DynamoDbStore::RecordFailure(const FailureUpdate& u) {
  const json key = StreamKey(u.collector_id, u.stream);
  const std::string id = NewWriteId();
  json req = {
      {"Key", key},
      {"UpdateExpression",
       "SET #LastError = :err, #LastErrorAt = :now, #RetryCount = #RetryCount + :one, "
       "#LastStatus = :failing, #DueAt = :due, #WriteId = :w"},
      {"ConditionExpression", "attribute_exists(#MessageId) AND #Epoch = :e AND #Seq = :sm1"},
      {"ExpressionAttributeValues",
       {{":err", S(Utf8(u.error))},
        {":now", NText(EpochSeconds(u.now))},
        {":one", N(1)},
        {":failing", S(kStreamStatusFailing)},
        {":due", NText(EpochSeconds(u.due_at))},
        {":w", S(id)},
        {":e", N(u.epoch)},
        {":sm1", N(u.seq - 1)}}},
      {"ReturnValues", "UPDATED_NEW"}};
  auto r = FencedWrite("UpdateItem", req, key, id);
  if (r.ok()) {
    json attrs = (*r)["Attributes"];
    if (!attrs.is_object()) attrs = json::object();
    attrs.update(key);  // so that an error names the row
    PAWS_ASSIGN_OR_RETURN(int64_t count,
                          ReadIntegerAttribute(attrs, attr::kRetryCount, options_.table));
    return static_cast<int>(count);
  }
  if (r.status().code() != StatusCode::kConflict) return r.status();
  // Tell "no row" (an unadopted legacy message) from a lost fence.
  PAWS_ASSIGN_OR_RETURN(json item, GetItem(key));
  if (item.is_null()) {
    return Status::NotFound("record failure: no row for " + KeyText(u.collector_id, u.stream));
  }
  return Lost("record failure", u.collector_id, u.stream);
}

Status DynamoDbStore::UpdateAt(const char* what, const std::string& collector_id,
                               const std::string& stream, int64_t epoch, int64_t seq,
                               const std::string& set_expression, json values) {
  const json key = StreamKey(collector_id, stream);
  const std::string id = NewWriteId();
  values[":w"] = S(id);
  values[":ce"] = N(epoch);
  values[":cs"] = N(seq);
  json req = {{"Key", key},
              {"UpdateExpression", set_expression + ", #WriteId = :w"},
              {"ConditionExpression", "#Epoch = :ce AND #Seq = :cs"},
              {"ExpressionAttributeValues", values}};
  auto r = FencedWrite("UpdateItem", req, key, id);
  if (r.status().code() == StatusCode::kConflict) return Lost(what, collector_id, stream);
  return r.status();
}

Status DynamoDbStore::BumpEpoch(const std::string& collector_id, const std::string& stream,
                                int64_t expected_epoch, int64_t expected_seq, WallTime due_at) {
  return UpdateAt("bump epoch", collector_id, stream, expected_epoch, expected_seq,
                  "SET #Epoch = :ne, #DueAt = :due",
                  {{":ne", N(expected_epoch + 1)}, {":due", NText(EpochSeconds(due_at))}});
}

Status DynamoDbStore::SetStreamStatus(const std::string& collector_id, const std::string& stream,
                                      int64_t expected_epoch, int64_t expected_seq,
                                      const std::string& status) {
  return UpdateAt("set stream status", collector_id, stream, expected_epoch, expected_seq,
                  "SET #LastStatus = :st", {{":st", S(status)}});
}

// --- state records ---

namespace {

Status NotARecordId(const std::string& what, const std::string& message_id) {
  return Status::InvalidArgument(what + ": message id \"" + message_id +
                                     "\" is reserved for stream rows (prefix " + kStreamKeyPrefix +
                                     ")",
                                 codes::kMessageBadField);
}

}  // namespace

Result<AcquireOutcome> DynamoDbStore::AcquireRecord(const StateRecord& rec, Duration lease) {
  if (IsStreamKey(rec.message_id)) return NotARecordId("acquire record", rec.message_id);
  const std::string id = NewWriteId();
  bool acquired = false;
  bool try_put = true;
  for (int round = 0; round < kAcquireRounds && !acquired; ++round) {
    if (try_put) {
      json put = {{"Item", EncodeNewRecord(rec, id)},
                  {"ConditionExpression", "attribute_not_exists(#MessageId)"}};
      auto r = Call("PutItem", put);
      if (r.ok()) {
        acquired = true;
        break;
      }
      if (r.status().code() != StatusCode::kConflict) return r.status();
    }
    PAWS_ASSIGN_OR_RETURN(std::optional<AcquireOutcome> outcome,
                          TryAcquireExisting(rec, lease, id, &try_put));
    if (!outcome) continue;  // changed under us: read again
    if (*outcome != AcquireOutcome::kAcquired) return *outcome;
    acquired = true;
  }
  // Still contended after every round: someone else is busy with it.
  if (!acquired) return AcquireOutcome::kHeldElsewhere;
  TouchLastAttempt(rec);
  return AcquireOutcome::kAcquired;
}

Result<std::optional<AcquireOutcome>> DynamoDbStore::TryAcquireExisting(const StateRecord& rec,
                                                                        Duration lease,
                                                                        const std::string& id,
                                                                        bool* try_put) {
  const json key = RecordKey(rec.collector_id, rec.message_id);
  PAWS_ASSIGN_OR_RETURN(json item, GetItem(key));
  *try_put = item.is_null();  // deleted since (purged): insert again
  if (item.is_null()) return std::optional<AcquireOutcome>();
  // Our own earlier write whose answer was lost (ambiguous retry).
  if (WriteIdOf(item) == id) return std::optional<AcquireOutcome>(AcquireOutcome::kAcquired);
  PAWS_ASSIGN_OR_RETURN(StateRecord have, DecodeRecord(item, options_.table));
  if (have.status == RecordStatus::kComplete) {
    return std::optional<AcquireOutcome>(AcquireOutcome::kAlreadyComplete);
  }
  if (have.status == RecordStatus::kIncomplete && rec.updated - have.updated < lease) {
    return std::optional<AcquireOutcome>(AcquireOutcome::kHeldElsewhere);
  }
  // Re-take it on condition that nobody did since we read it: Status and
  // Updated exactly as read (the number as stored, compared numerically).
  std::string set = "SET #Status = :inc, #Updated = :u, #ExpireDate = :x, #WriteId = :w";
  json values = {{":inc", S(std::string(RecordStatusName(RecordStatus::kIncomplete)))},
                 {":u", NText(EpochSeconds(rec.updated))},
                 {":x", N(EpochSecondsFloor(rec.expire_date))},
                 {":w", S(id)},
                 {":os", item[attr::kStatus]},
                 {":ou", item[attr::kUpdated]}};
  if (!rec.stream.empty()) {
    set += ", #Stream = if_not_exists(#Stream, :s)";
    values[":s"] = S(rec.stream);
  }
  json req = {{"Key", key},
              {"UpdateExpression", set + " REMOVE #Reason"},
              {"ConditionExpression", "#Status = :os AND #Updated = :ou"},
              {"ExpressionAttributeValues", values}};
  auto r = Call("UpdateItem", req);
  if (r.ok()) return std::optional<AcquireOutcome>(AcquireOutcome::kAcquired);
  if (r.status().code() == StatusCode::kConflict) return std::optional<AcquireOutcome>();
  return r.status();
}

void DynamoDbStore::TouchLastAttempt(const StateRecord& rec) {
  // A separate write: DynamoDB's TransactWriteItems could put it with the
  // record's, but this update must not create a row (legacy adoption has
  // none yet) and the local test server (dynalite) has no transactions.
  // It carries no WriteId: it is not a fenced write, and changing the
  // WriteId would hide from a concurrent claim that its write applied.
  // Failures are ignored: the record is ours either way, and failing the
  // acquisition would strand the message for a whole lease over a
  // health-check hint.
  json req = {{"Key", StreamKey(rec.collector_id, rec.stream)},
              {"UpdateExpression", "SET #LastAttempt = :now"},
              {"ConditionExpression", "attribute_exists(#MessageId)"},
              {"ExpressionAttributeValues", {{":now", NText(EpochSeconds(rec.updated))}}}};
  (void)Call("UpdateItem", req);
}

Result<std::optional<StateRecord>> DynamoDbStore::GetRecord(const std::string& collector_id,
                                                            const std::string& message_id) {
  if (IsStreamKey(message_id)) return std::optional<StateRecord>();
  PAWS_ASSIGN_OR_RETURN(json item, GetItem(RecordKey(collector_id, message_id)));
  if (item.is_null()) return std::optional<StateRecord>();
  PAWS_ASSIGN_OR_RETURN(StateRecord rec, DecodeRecord(item, options_.table));
  return std::optional<StateRecord>(std::move(rec));
}

Status DynamoDbStore::SetRecordStatus(const std::string& collector_id,
                                      const std::string& message_id, const std::string& stream,
                                      RecordStatus status, WallTime now,
                                      const std::string& reason) {
  if (IsStreamKey(message_id)) return NotARecordId("set record status", message_id);
  // An upsert: creates the record (with an empty Cid, as the other
  // backends do) when it is gone.
  std::string set =
      "SET #Status = :st, #Updated = :u, #ExpireDate = :x, #Cid = if_not_exists(#Cid, :cid)";
  json values = {{":st", S(std::string(RecordStatusName(status)))},
                 {":u", NText(EpochSeconds(now))},
                 {":x", N(EpochSecondsFloor(now + kStateRecordTtl))},
                 {":cid", S("")}};
  if (!stream.empty()) {
    set += ", #Stream = if_not_exists(#Stream, :s)";
    values[":s"] = S(stream);
  }
  if (reason.empty()) {
    set += " REMOVE #Reason";
  } else {
    set += ", #Reason = :r";
    values[":r"] = S(Utf8(reason));
  }
  json req = {{"Key", RecordKey(collector_id, message_id)},
              {"UpdateExpression", set},
              {"ExpressionAttributeValues", values}};
  return Call("UpdateItem", req).status();
}

Result<std::vector<StateRecord>> DynamoDbStore::ListRecords(const std::string& collector_id) {
  std::vector<StateRecord> out;
  json req = {{"KeyConditionExpression", "#CollectorId = :c"},
              {"ExpressionAttributeValues", {{":c", S(collector_id)}}}};
  PAWS_RETURN_IF_ERROR(Paginate("Query", req, [&](const json& item) -> Status {
    auto key = item.find(attr::kMessageId);
    if (key != item.end() && key->is_object() && key->contains("S") && (*key)["S"].is_string() &&
        IsStreamKey((*key)["S"].get<std::string>())) {
      return Status::Ok();
    }
    PAWS_ASSIGN_OR_RETURN(StateRecord rec, DecodeRecord(item, options_.table));
    out.push_back(std::move(rec));
    return Status::Ok();
  }));
  return out;  // in MessageId order: the sort key's
}

Result<int64_t> DynamoDbStore::PurgeExpiredRecords(WallTime now) {
  // In production DynamoDB's TTL deletes expired records (paws aws init
  // enables it on ExpireDate); this exists for the StateStore interface and
  // paws administration. With the Scan of ListAllStreams, the store's only
  // Scans; neither is on a cycle's path.
  //
  // ExpireDate is whole seconds (TTL's unit): compare with `now` rounded
  // down, so a record is never deleted before it has expired.
  const json cutoff = N(EpochSecondsFloor(now));
  std::vector<json> keys;
  json scan = {{"FilterExpression", "#ExpireDate < :now AND NOT begins_with(#MessageId, :p)"},
               {"ProjectionExpression", "#CollectorId, #MessageId"},
               {"ExpressionAttributeValues", {{":now", cutoff}, {":p", S(kStreamKeyPrefix)}}}};
  PAWS_RETURN_IF_ERROR(Paginate("Scan", scan, [&](const json& item) {
    keys.push_back(item);
    return Status::Ok();
  }));
  int64_t n = 0;
  for (const json& key : keys) {
    json del = {{"Key", key},
                {"ConditionExpression", "#ExpireDate < :now"},
                {"ExpressionAttributeValues", {{":now", cutoff}}}};
    auto r = Call("DeleteItem", del);
    if (r.ok()) {
      ++n;
    } else if (r.status().code() != StatusCode::kConflict) {  // re-taken since: kept
      return r.status();
    }
  }
  return n;
}

}  // namespace paws::aws
