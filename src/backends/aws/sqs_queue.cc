#include "backends/aws/sqs_queue.h"

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include "paws/codes.h"

namespace paws::aws {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr int kMaxBatch = 10;               // entries per SQS batch request
constexpr size_t kMaxBatchBytes = 262144;   // 256 KiB per request
constexpr int64_t kMaxWaitSeconds = 20;     // SQS's longest long poll
constexpr int kScanRounds = 1000;           // bound of ListAll-style scans
constexpr int kScanIdleRounds = 3;          // rounds with nothing new that end a scan
constexpr Duration kDeadLetterHold = seconds(60);
constexpr Duration kRewriteHold = seconds(30);

// Whole seconds, rounded up (SQS takes integer seconds); 0 for d <= 0.
int64_t CeilSeconds(Duration d) {
  if (d.count() <= 0) return 0;
  return (d.count() + 999) / 1000;
}

json NumberAttribute(int64_t v) {
  return json{{"DataType", "Number"}, {"StringValue", std::to_string(v)}};
}
json StringAttribute(const std::string& v) {
  return json{{"DataType", "String"}, {"StringValue", v}};
}

bool ParseInt64(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && p == end;
}

Status Malformed(const std::string& what) {
  return Status::Internal("sqs: malformed answer: " + what, codes::kStoreUnavailable);
}

// A string field of `j`, or nullptr when absent or not a string.
const std::string* StringField(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

// The StringValue of message attribute `name`, or nullptr.
const std::string* MessageAttribute(const json& m, const char* name) {
  auto attrs = m.find("MessageAttributes");
  if (attrs == m.end() || !attrs->is_object()) return nullptr;
  auto a = attrs->find(name);
  if (a == attrs->end() || !a->is_object()) return nullptr;
  return StringField(*a, "StringValue");
}

// Reads a numeric attribute (`value` may be null: absent). -1 when absent.
Result<int64_t> NumberOf(const std::string* value, const std::string& what) {
  if (value == nullptr) return int64_t{-1};
  int64_t v = 0;
  if (!ParseInt64(*value, &v)) {
    return Malformed(what + " is not a number: \"" + value->substr(0, 64) + "\"");
  }
  return v;
}

// The status of one Failed entry of a batch answer.
Status EntryFailure(const std::string& op, const json& f) {
  const std::string* code = StringField(f, "Code");
  const std::string* msg = StringField(f, "Message");
  std::string text = "sqs " + op + ": " + (code ? *code : std::string("failed")) +
                     (msg ? ": " + *msg : std::string());
  if (code && (*code == "ReceiptHandleIsInvalid" || *code == "InvalidReceiptHandle")) {
    return Status::NotFound(text);
  }
  auto sender = f.find("SenderFault");
  if (sender != f.end() && sender->is_boolean() && !sender->get<bool>()) {
    return Status::Unavailable(text, codes::kStoreUnavailable);
  }
  return Status::InvalidArgument(text, codes::kAwsRejected);
}

}  // namespace

SqsQueue::SqsQueue(AwsJsonClient* client, std::string queue_url, std::string dead_letter_url,
                   Duration retention, Clock* clock, SqsQueueOptions options)
    : client_(client),
      url_(std::move(queue_url)),
      dead_url_(std::move(dead_letter_url)),
      retention_(retention),
      clock_(clock),
      options_(options) {}

json SqsQueue::Entry(const std::string& body, Duration delay, WallTime sent_at) {
  json e{{"MessageBody", body}};
  json attrs{{"paws_sent_at", NumberAttribute(ToUnixMillis(sent_at))}};
  if (delay > options_.max_native_delay) {
    // SQS cannot delay this long: delay as far as it can and let Receive
    // hide the message again until paws_due_at.
    e["DelaySeconds"] = CeilSeconds(options_.max_native_delay);
    attrs["paws_due_at"] = NumberAttribute(ToUnixMillis(clock_->Now() + delay));
  } else {
    e["DelaySeconds"] = CeilSeconds(delay);
  }
  e["MessageAttributes"] = std::move(attrs);
  return e;
}

Result<std::string> SqsQueue::Send(const std::string& body, Duration delay) {
  json req = Entry(body, delay, clock_->Now());
  req["QueueUrl"] = url_;
  PAWS_ASSIGN_OR_RETURN(json resp, client_->Call("SendMessage", req));
  const std::string* id = StringField(resp, "MessageId");
  if (id == nullptr) return Malformed("SendMessage answer has no MessageId");
  return *id;
}

std::vector<Result<std::string>> SqsQueue::SendBatch(
    const std::vector<std::pair<std::string, Duration>>& messages) {
  std::vector<Result<std::string>> out(messages.size(),
                                       Malformed("SendMessageBatch: no result for the entry"));
  const WallTime now = clock_->Now();
  // Indexes still to send; after the first pass, those SQS failed without
  // blaming the sender (sent once more).
  std::vector<size_t> pending(messages.size());
  for (size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  for (int pass = 0; pass < 2 && !pending.empty(); ++pass) {
    std::vector<size_t> retry;
    size_t next = 0;
    while (next < pending.size()) {
      json entries = json::array();
      std::vector<size_t> group;
      size_t bytes = 0;
      while (next < pending.size() && group.size() < kMaxBatch) {
        const size_t i = pending[next];
        json e = Entry(messages[i].first, messages[i].second, now);
        const size_t size = e.dump().size();
        if (!group.empty() && bytes + size > kMaxBatchBytes) break;
        e["Id"] = "m" + std::to_string(i);
        entries.push_back(std::move(e));
        group.push_back(i);
        bytes += size;
        ++next;
      }
      auto resp = client_->Call("SendMessageBatch", json{{"QueueUrl", url_}, {"Entries", entries}});
      if (!resp.ok()) {
        for (size_t i : group) out[i] = resp.status();
        continue;
      }
      auto index_of = [&](const json& e) -> long {
        const std::string* id = StringField(e, "Id");
        if (id == nullptr || id->size() < 2) return -1;
        int64_t i = -1;
        if (!ParseInt64(id->substr(1), &i)) return -1;
        return std::find(group.begin(), group.end(), static_cast<size_t>(i)) == group.end()
                   ? -1
                   : static_cast<long>(i);
      };
      for (const char* key : {"Successful", "Failed"}) {
        auto list = resp->find(key);
        if (list == resp->end() || !list->is_array()) continue;
        for (const json& e : *list) {
          long i = index_of(e);
          if (i < 0) continue;
          if (std::string(key) == "Successful") {
            const std::string* id = StringField(e, "MessageId");
            out[i] = id ? Result<std::string>(*id)
                        : Result<std::string>(Malformed("SendMessageBatch entry has no MessageId"));
            continue;
          }
          Status st = EntryFailure("SendMessageBatch", e);
          out[i] = st;
          if (pass == 0 && st.code() == StatusCode::kUnavailable) retry.push_back(i);
        }
      }
    }
    pending = std::move(retry);
  }
  return out;
}

std::vector<Status> SqsQueue::DeleteBatch(const std::vector<std::string>& receipts) {
  std::vector<Status> out(receipts.size(),
                          Malformed("DeleteMessageBatch: no result for the entry"));
  for (size_t start = 0; start < receipts.size(); start += kMaxBatch) {
    const size_t end = std::min(receipts.size(), start + kMaxBatch);
    json entries = json::array();
    for (size_t i = start; i < end; ++i) {
      entries.push_back(json{{"Id", "d" + std::to_string(i)}, {"ReceiptHandle", receipts[i]}});
    }
    auto resp =
        client_->Call("DeleteMessageBatch", json{{"QueueUrl", url_}, {"Entries", entries}});
    for (size_t i = start; i < end && !resp.ok(); ++i) out[i] = resp.status();
    if (!resp.ok()) continue;
    for (const char* key : {"Successful", "Failed"}) {
      auto list = resp->find(key);
      if (list == resp->end() || !list->is_array()) continue;
      for (const json& e : *list) {
        const std::string* id = StringField(e, "Id");
        int64_t i = -1;
        if (id == nullptr || id->size() < 2 || !ParseInt64(id->substr(1), &i)) continue;
        if (i < static_cast<int64_t>(start) || i >= static_cast<int64_t>(end)) continue;
        if (std::string(key) == "Successful") {
          out[i] = Status::Ok();
          Forget(receipts[i]);
        } else {
          out[i] = EntryFailure("DeleteMessageBatch", e);
        }
      }
    }
  }
  return out;
}

Result<std::vector<SqsQueue::Received>> SqsQueue::ReceiveRaw(const std::string& url, int max,
                                                             Duration visibility,
                                                             Duration wait) {
  const int64_t wait_s = std::min(CeilSeconds(wait), kMaxWaitSeconds);
  const json names = json::array({"ApproximateReceiveCount", "SentTimestamp"});
  json req{{"QueueUrl", url},
           {"MaxNumberOfMessages", std::min(max, kMaxBatch)},
           {"VisibilityTimeout", CeilSeconds(std::min(visibility, options_.max_visibility))},
           {"WaitTimeSeconds", wait_s},
           {"MessageSystemAttributeNames", names},
           {"AttributeNames", names},  // the older name of the same field
           {"MessageAttributeNames", json::array({"All"})}};
  PAWS_ASSIGN_OR_RETURN(json resp, client_->Call("ReceiveMessage", req, nullptr,
                                                 seconds(wait_s) + seconds(10)));
  std::vector<Received> out;
  auto list = resp.find("Messages");
  if (list == resp.end() || list->is_null()) return out;
  if (!list->is_array()) return Malformed("ReceiveMessage: Messages is not a list");
  for (size_t k = 0; k < list->size(); ++k) {
    const json& m = (*list)[k];
    const std::string where = "ReceiveMessage: message " + std::to_string(k);
    if (!m.is_object()) return Malformed(where + " is not an object");
    Received r;
    for (auto [field, dst] : {std::pair{"MessageId", &r.m.id},
                              std::pair{"ReceiptHandle", &r.m.receipt},
                              std::pair{"Body", &r.m.body}}) {
      const std::string* v = StringField(m, field);
      if (v == nullptr) return Malformed(where + " has no " + field);
      *dst = *v;
    }
    const std::string of = " of message " + r.m.id;
    const json* sys = nullptr;
    if (auto a = m.find("Attributes"); a != m.end() && a->is_object()) sys = &*a;
    PAWS_ASSIGN_OR_RETURN(
        int64_t count,
        NumberOf(sys ? StringField(*sys, "ApproximateReceiveCount") : nullptr,
                 "attribute ApproximateReceiveCount" + of));
    r.m.receive_count = count < 0 ? 0 : static_cast<int>(std::min<int64_t>(count, INT32_MAX));
    PAWS_ASSIGN_OR_RETURN(int64_t sent_ms, NumberOf(MessageAttribute(m, "paws_sent_at"),
                                                    "message attribute paws_sent_at" + of));
    if (sent_ms < 0) {
      PAWS_ASSIGN_OR_RETURN(sent_ms, NumberOf(sys ? StringField(*sys, "SentTimestamp") : nullptr,
                                              "attribute SentTimestamp" + of));
    }
    if (sent_ms < 0) return Malformed(where + " has neither paws_sent_at nor SentTimestamp");
    r.m.sent_at = FromUnixMillis(sent_ms);
    PAWS_ASSIGN_OR_RETURN(r.due_at_ms, NumberOf(MessageAttribute(m, "paws_due_at"),
                                                "message attribute paws_due_at" + of));
    PAWS_ASSIGN_OR_RETURN(r.dead_at_ms, NumberOf(MessageAttribute(m, "paws_dead_at"),
                                                 "message attribute paws_dead_at" + of));
    if (const std::string* v = MessageAttribute(m, "paws_reason")) r.reason = *v;
    if (const std::string* v = MessageAttribute(m, "paws_original_id")) r.original_id = *v;
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<QueueMessage>> SqsQueue::Receive(int max, Duration visibility,
                                                    Duration wait) {
  if (max <= 0) {
    return Status::InvalidArgument("sqs Receive: max must be positive, got " +
                                   std::to_string(max));
  }
  PAWS_ASSIGN_OR_RETURN(std::vector<Received> got, ReceiveRaw(url_, max, visibility, wait));
  const int64_t now_ms = ToUnixMillis(clock_->Now());
  std::vector<QueueMessage> out;
  for (Received& r : got) {
    if (r.due_at_ms > now_ms) {
      // A delay longer than SQS's own: hide it again for what remains. If
      // this fails the message merely shows up again after `visibility`
      // and is hidden then.
      Duration rest = std::min(Duration(r.due_at_ms - now_ms), options_.max_visibility);
      (void)ChangeVisibility(r.m.receipt, rest);
      continue;
    }
    Remember(r.m);
    out.push_back(std::move(r.m));
  }
  return out;
}

Status SqsQueue::DeleteOn(const std::string& url, const std::string& receipt) {
  auto resp = client_->Call("DeleteMessage", json{{"QueueUrl", url}, {"ReceiptHandle", receipt}});
  return resp.ok() ? Status::Ok() : resp.status();
}

Status SqsQueue::Delete(const std::string& receipt) {
  PAWS_RETURN_IF_ERROR(DeleteOn(url_, receipt));
  Forget(receipt);
  return Status::Ok();
}

Status SqsQueue::ChangeVisibility(const std::string& receipt, Duration visibility) {
  CallInfo info;
  auto resp = client_->Call("ChangeMessageVisibility",
                            json{{"QueueUrl", url_},
                                 {"ReceiptHandle", receipt},
                                 {"VisibilityTimeout",
                                  CeilSeconds(std::min(visibility, options_.max_visibility))}},
                            &info);
  if (resp.ok()) return Status::Ok();
  // SQS answers a receipt of a message no longer in flight with
  // MessageNotInflight, or InvalidParameterValue naming the ReceiptHandle.
  const std::string& msg = resp.status().message();
  if (info.error_type == "MessageNotInflight" ||
      (info.error_type == "InvalidParameterValue" &&
       msg.find("ReceiptHandle") != std::string::npos)) {
    return Status::NotFound(msg);
  }
  return resp.status();
}

Status SqsQueue::MoveToDeadLetter(const std::string& receipt, const std::string& reason) {
  Remembered r;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = receipts_.find(receipt);
    if (it == receipts_.end()) {
      return Status::NotFound(
          "sqs MoveToDeadLetter: unknown receipt (only receipts this process received, and "
          "not yet deleted, can be moved)");
    }
    r = it->second;
  }
  // Proves the receipt is still the message's latest delivery and keeps the
  // message hidden while it is copied.
  if (Status held = ChangeVisibility(receipt, kDeadLetterHold); !held.ok()) {
    if (held.code() == StatusCode::kNotFound) Forget(receipt);
    return held;
  }
  json attrs{{"paws_reason", StringAttribute(reason.empty() ? "-" : reason)},
             {"paws_original_id", StringAttribute(r.id)},
             {"paws_dead_at", NumberAttribute(ToUnixMillis(clock_->Now()))},
             {"paws_sent_at", NumberAttribute(ToUnixMillis(r.sent_at))}};
  auto sent = client_->Call("SendMessage", json{{"QueueUrl", dead_url_},
                                                {"MessageBody", r.body},
                                                {"MessageAttributes", attrs}});
  if (!sent.ok()) return sent.status().Annotate("sqs MoveToDeadLetter");
  Status deleted = DeleteOn(url_, receipt);
  // kNotFound here: the receipt went stale between the check and the
  // delete. The dead letter stays recorded; if the message comes back it is
  // dead-lettered again. A duplicate dead letter is harmless to an
  // operator, a lost one is not, so nothing is undone.
  if (deleted.ok() || deleted.code() == StatusCode::kNotFound) {
    Forget(receipt);
    return Status::Ok();
  }
  return deleted.Annotate("sqs MoveToDeadLetter (dead letter recorded)");
}

Result<int64_t> SqsQueue::PurgeExpired() {
  // SQS deletes messages older than the queue's MessageRetentionPeriod by
  // itself and does not say how many.
  return int64_t{0};
}

Result<std::vector<SqsQueue::Received>> SqsQueue::Scan(const std::string& url,
                                                       Duration visibility) {
  std::vector<Received> out;
  std::unordered_set<std::string> seen;
  int idle = 0;
  for (int round = 0; round < kScanRounds && idle < kScanIdleRounds; ++round) {
    PAWS_ASSIGN_OR_RETURN(std::vector<Received> got,
                          ReceiveRaw(url, kMaxBatch, visibility, Duration(0)));
    bool fresh = false;
    for (Received& r : got) {
      if (!seen.insert(r.m.id).second) continue;
      fresh = true;
      out.push_back(std::move(r));
    }
    idle = fresh ? 0 : idle + 1;
  }
  return out;
}

Result<std::vector<QueueMessage>> SqsQueue::ListAll() {
  PAWS_ASSIGN_OR_RETURN(std::vector<Received> got, Scan(url_, Duration(0)));
  std::vector<QueueMessage> out;
  for (Received& r : got) {
    r.m.receipt.clear();
    out.push_back(std::move(r.m));
  }
  std::stable_sort(out.begin(), out.end(), [](const QueueMessage& a, const QueueMessage& b) {
    return a.sent_at < b.sent_at;
  });
  return out;
}

Result<std::vector<Status>> SqsQueue::RewriteMessages(
    const std::vector<MessageRewrite>& rewrites) {
  std::vector<Status> out;
  std::unordered_map<std::string, std::vector<size_t>> wanted;
  for (size_t i = 0; i < rewrites.size(); ++i) {
    out.push_back(Status::NotFound("sqs: message " + rewrites[i].message_id +
                                   " is not among the visible messages"));
    wanted[rewrites[i].message_id].push_back(i);
  }
  std::vector<std::string> held;  // receipts of messages taken but not rewritten
  Status failed;
  int idle = 0;
  for (int round = 0; round < kScanRounds && idle < kScanIdleRounds && !wanted.empty(); ++round) {
    auto got = ReceiveRaw(url_, kMaxBatch, kRewriteHold, Duration(0));
    if (!got.ok()) {
      failed = got.status();
      break;
    }
    idle = got->empty() ? idle + 1 : 0;
    for (Received& r : *got) {
      auto it = wanted.find(r.m.id);
      if (it == wanted.end()) {
        held.push_back(r.m.receipt);
        continue;
      }
      // The last rewrite of an id wins; earlier ones of the same id share
      // its result.
      const std::string& body = rewrites[it->second.back()].body;
      json req = Entry(body, Duration(0), r.m.sent_at);
      req["QueueUrl"] = url_;
      auto sent = client_->Call("SendMessage", req);
      Status st = sent.ok() ? DeleteOn(url_, r.m.receipt) : sent.status();
      if (!sent.ok()) held.push_back(r.m.receipt);
      for (size_t i : it->second) out[i] = st;
      wanted.erase(it);
    }
  }
  // Give back what was taken only to look at it.
  for (const std::string& receipt : held) (void)ChangeVisibility(receipt, Duration(0));
  if (!failed.ok()) return failed;
  return out;
}

Result<std::vector<DeadLetter>> SqsQueue::ListDeadLetters() {
  PAWS_ASSIGN_OR_RETURN(std::vector<Received> got, Scan(dead_url_, Duration(0)));
  std::vector<std::pair<DeadLetter, WallTime>> sorted;
  for (Received& r : got) {
    DeadLetter d;
    d.id = r.original_id.empty() ? r.m.id : r.original_id;
    d.body = std::move(r.m.body);
    d.reason = std::move(r.reason);
    d.at = r.dead_at_ms >= 0 ? FromUnixMillis(r.dead_at_ms) : r.m.sent_at;
    sorted.emplace_back(std::move(d), r.m.sent_at);
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.at, a.second) < std::tie(b.first.at, b.second);
  });
  std::vector<DeadLetter> out;
  for (auto& [d, sent] : sorted) out.push_back(std::move(d));
  return out;
}

Result<QueueCounts> SqsQueue::Counts() {
  const json names = json::array({"ApproximateNumberOfMessages",
                                  "ApproximateNumberOfMessagesDelayed",
                                  "ApproximateNumberOfMessagesNotVisible"});
  int64_t n[2][3] = {};
  const std::string* urls[2] = {&url_, &dead_url_};
  for (int q = 0; q < 2; ++q) {
    PAWS_ASSIGN_OR_RETURN(json resp,
                          client_->Call("GetQueueAttributes",
                                        json{{"QueueUrl", *urls[q]}, {"AttributeNames", names}}));
    auto attrs = resp.find("Attributes");
    if (attrs == resp.end() || !attrs->is_object()) {
      return Malformed("GetQueueAttributes of " + *urls[q] + " has no Attributes");
    }
    for (int k = 0; k < 3; ++k) {
      const std::string name = names[k].get<std::string>();
      const std::string what = "attribute " + name + " of " + *urls[q];
      PAWS_ASSIGN_OR_RETURN(int64_t v, NumberOf(StringField(*attrs, name.c_str()), what));
      if (v < 0) return Malformed("GetQueueAttributes: " + what + " is missing");
      n[q][k] = v;
    }
  }
  QueueCounts c;
  c.visible = n[0][0];
  c.delayed = n[0][1];
  c.in_flight = n[0][2];
  c.dead = n[1][0] + n[1][1] + n[1][2];
  return c;
}

void SqsQueue::Remember(const QueueMessage& m) {
  std::lock_guard<std::mutex> lock(mu_);
  receipts_[m.receipt] = Remembered{m.id, m.body, m.sent_at};
  receipt_order_.push_back(m.receipt);
  // The order list holds at most remembered_receipts entries (forgotten
  // ones included), so both it and the map stay bounded.
  while (receipt_order_.size() > std::max<size_t>(options_.remembered_receipts, 1)) {
    receipts_.erase(receipt_order_.front());
    receipt_order_.pop_front();
  }
}

void SqsQueue::Forget(const std::string& receipt) {
  std::lock_guard<std::mutex> lock(mu_);
  receipts_.erase(receipt);
}

}  // namespace paws::aws
