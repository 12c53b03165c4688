#include "backends/sqlite/sqlite_queue.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <unordered_map>

#include "backends/sqlite/sqlite_db.h"
#include "core/ids.h"

namespace paws::sqlite {
namespace {

constexpr const char* kInsert =
    "INSERT INTO queue (id, body, sent_at, visible_at, receipt, receive_count) "
    "VALUES (?1, ?2, ?3, ?4, NULL, 0)";
constexpr const char* kAnyDue = "SELECT 1 FROM queue WHERE visible_at <= ?1 LIMIT 1";
constexpr const char* kDue =
    "SELECT seq, id, body, sent_at, receive_count FROM queue WHERE visible_at <= ?1 "
    "ORDER BY visible_at, seq LIMIT ?2";
constexpr const char* kDeliver =
    "UPDATE queue SET visible_at = ?1, receipt = ?2, receive_count = receive_count + 1 "
    "WHERE seq = ?3";
constexpr const char* kDeleteSeq = "DELETE FROM queue WHERE seq = ?1";
constexpr const char* kDeleteByReceipt =
    "DELETE FROM queue WHERE seq = ?1 AND receipt = ?2";
constexpr const char* kExists = "SELECT 1 FROM queue WHERE seq = ?1 AND id = ?2";
constexpr const char* kChangeVisibility =
    "UPDATE queue SET visible_at = ?1 WHERE seq = ?2 AND receipt = ?3 AND sent_at >= ?4";
constexpr const char* kSelectByReceipt =
    "SELECT id, body FROM queue WHERE seq = ?1 AND receipt = ?2 AND sent_at >= ?3";
constexpr const char* kInsertDead =
    "INSERT INTO dead_letters (id, body, reason, at) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kPurge = "DELETE FROM queue WHERE sent_at < ?1";
constexpr const char* kListAll =
    "SELECT id, body, sent_at, receive_count FROM queue ORDER BY seq";
constexpr const char* kListForRewrite =
    "SELECT seq, id, visible_at, receive_count FROM queue ORDER BY seq";
constexpr const char* kRewrite = "UPDATE queue SET body = ?1, receipt = NULL WHERE seq = ?2";
constexpr const char* kListDead = "SELECT id, body, reason, at FROM dead_letters ORDER BY seq";
constexpr const char* kCounts =
    "SELECT coalesce(sum(visible_at <= ?1), 0), "
    "coalesce(sum(visible_at > ?1 AND receive_count = 0), 0), "
    "coalesce(sum(visible_at > ?1 AND receive_count > 0), 0) FROM queue";
constexpr const char* kCountDead = "SELECT count(*) FROM dead_letters";

constexpr auto kPollSlice = std::chrono::milliseconds(10);

// Message ids are UUID v7 (time-ordered): the id is the key of its state
// record, and ids that grow with time put the records a batch inserts side
// by side at the end of the state_records B-tree instead of on as many pages
// as there are records: half the WAL pages written per cycle.

// "<seq>:<id>:<nonce>": seq finds the row, id tells a message that is gone
// (even if its seq were reused) from one received again since.
std::string NewReceipt(int64_t seq, const std::string& id) {
  char nonce[20];
  std::snprintf(nonce, sizeof(nonce), "%016llx", static_cast<unsigned long long>(Random64()));
  return std::to_string(seq) + ":" + id + ":" + nonce;
}

bool ParseReceipt(const std::string& receipt, int64_t* seq, std::string* id) {
  auto a = receipt.find(':');
  auto b = receipt.rfind(':');
  if (a == std::string::npos || a == 0 || b == a) return false;
  try {
    size_t used = 0;
    *seq = std::stoll(receipt.substr(0, a), &used);
    if (used != a) return false;
  } catch (const std::exception&) {
    return false;
  }
  *id = receipt.substr(a + 1, b - a - 1);
  return true;
}

int64_t Millis(Duration d) { return std::max<int64_t>(d.count(), 0); }

}  // namespace

SqliteQueue::SqliteQueue(Db* db, Clock* clock, Duration retention)
    : db_(db), clock_(clock), retention_(retention) {}

int64_t SqliteQueue::OldestKeptMs(int64_t now_ms) const { return now_ms - retention_.count(); }

std::string SqliteQueue::SendLocked(const std::string& body, Duration delay) {
  int64_t now = ToUnixMillis(clock_->Now());
  std::string id = NewUuidV7(now);
  SQLite::Statement& s = db_->Prepare(kInsert);
  s.bind(1, id);
  s.bind(2, body);
  s.bind(3, now);
  s.bind(4, now + Millis(delay));
  s.exec();
  return id;
}

Result<std::string> SqliteQueue::Send(const std::string& body, Duration delay) {
  std::string id;
  PAWS_RETURN_IF_ERROR(db_->Run("send", [&] {
    id = SendLocked(body, delay);
    return Status::Ok();
  }));
  db_->NotifySend();
  return id;
}

Result<std::vector<QueueMessage>> SqliteQueue::Receive(int max, Duration visibility,
                                                       Duration wait) {
  if (max < 1) return Status::InvalidArgument("receive: max must be at least 1");
  // The wait is real time. A Send in this process wakes us at once; one in
  // another process (or a delay running out) is seen at the next poll.
  const auto deadline = Clock::System()->MonotonicNow() + wait;
  for (;;) {
    uint64_t seen = db_->sends();
    PAWS_ASSIGN_OR_RETURN(std::vector<QueueMessage> got, TryReceive(max, visibility));
    auto left = deadline - Clock::System()->MonotonicNow();
    if (!got.empty() || left <= decltype(left)::zero()) return got;
    db_->WaitForSend(seen, std::min<std::chrono::nanoseconds>(left, kPollSlice));
  }
}

Result<std::vector<QueueMessage>> SqliteQueue::TryReceive(int max, Duration visibility) {
  const int64_t now = ToUnixMillis(clock_->Now());
  // An idle poll only reads: no write lock taken, nothing written. Under
  // load that read is one transaction more per batch for nothing, so after
  // a receive that filled its batch the next one goes straight to the
  // write; the first that comes back short makes the next poll read first
  // again, so an idle queue costs at most one empty write transaction.
  std::vector<QueueMessage> out;
  if (!busy_.load(std::memory_order_relaxed)) {
    bool any = false;
    PAWS_RETURN_IF_ERROR(db_->Run("receive", [&] {
      SQLite::Statement& s = db_->Prepare(kAnyDue);
      s.bind(1, now);
      any = s.executeStep();
      return Status::Ok();
    }));
    if (!any) return out;
  }
  PAWS_RETURN_IF_ERROR(db_->Write("receive", [&] {
    struct Row {
      int64_t seq;
      std::string id, body;
      int64_t sent_at;
      int receive_count;
    };
    const int64_t oldest_kept = OldestKeptMs(now);
    // Expired messages met on the way are deleted and the scan goes on, so
    // the loop ends: every pass delivers or deletes what it read.
    for (;;) {
      int want = max - static_cast<int>(out.size());
      std::vector<Row> rows;
      SQLite::Statement& due = db_->Prepare(kDue);
      due.bind(1, now);
      due.bind(2, want);
      while (due.executeStep()) {
        rows.push_back(Row{due.getColumn(0).getInt64(), due.getColumn(1).getString(),
                           due.getColumn(2).getString(), due.getColumn(3).getInt64(),
                           due.getColumn(4).getInt()});
      }
      due.tryReset();
      bool expired = false;
      for (Row& r : rows) {
        if (r.sent_at < oldest_kept) {
          SQLite::Statement& del = db_->Prepare(kDeleteSeq);
          del.bind(1, r.seq);
          del.exec();
          expired = true;
          continue;
        }
        std::string receipt = NewReceipt(r.seq, r.id);
        SQLite::Statement& upd = db_->Prepare(kDeliver);
        upd.bind(1, now + Millis(visibility));
        upd.bind(2, receipt);
        upd.bind(3, r.seq);
        upd.exec();
        out.push_back(QueueMessage{std::move(r.id), std::move(receipt), std::move(r.body),
                                   FromUnixMillis(r.sent_at), r.receive_count + 1});
      }
      if (!expired || static_cast<int>(rows.size()) < want) break;
    }
    return Status::Ok();
  }));
  busy_.store(static_cast<int>(out.size()) == max, std::memory_order_relaxed);
  return out;
}

Status SqliteQueue::DeleteLocked(const std::string& receipt) {
  int64_t seq = 0;
  std::string id;
  if (!ParseReceipt(receipt, &seq, &id)) return Status::NotFound("delete: not a receipt");
  SQLite::Statement& del = db_->Prepare(kDeleteByReceipt);
  del.bind(1, seq);
  del.bind(2, receipt);
  if (del.exec() > 0) return Status::Ok();
  // As SQS: a receipt of a message that is gone is fine, one of a message
  // received again since is not.
  SQLite::Statement& exists = db_->Prepare(kExists);
  exists.bind(1, seq);
  exists.bind(2, id);
  if (exists.executeStep()) return Status::NotFound("delete: receipt is stale");
  return Status::Ok();
}

Status SqliteQueue::Delete(const std::string& receipt) {
  Status result;
  PAWS_RETURN_IF_ERROR(db_->Run("delete", [&] {
    result = DeleteLocked(receipt);
    return Status::Ok();
  }));
  return result;
}

Status SqliteQueue::ChangeVisibility(const std::string& receipt, Duration visibility) {
  int64_t seq = 0;
  std::string id;
  if (!ParseReceipt(receipt, &seq, &id)) {
    return Status::NotFound("change visibility: not a receipt");
  }
  const int64_t now = ToUnixMillis(clock_->Now());
  PAWS_RETURN_IF_ERROR(db_->Run("change visibility", [&] {
    SQLite::Statement& s = db_->Prepare(kChangeVisibility);
    s.bind(1, now + Millis(visibility));
    s.bind(2, seq);
    s.bind(3, receipt);
    s.bind(4, OldestKeptMs(now));
    if (s.exec() == 0) return Status::NotFound("change visibility: receipt is not valid");
    return Status::Ok();
  }));
  if (visibility <= Duration(0)) db_->NotifySend();
  return Status::Ok();
}

Status SqliteQueue::MoveToDeadLetter(const std::string& receipt, const std::string& reason) {
  int64_t seq = 0;
  std::string id;
  if (!ParseReceipt(receipt, &seq, &id)) return Status::NotFound("dead letter: not a receipt");
  const int64_t now = ToUnixMillis(clock_->Now());
  return db_->Write("dead letter", [&] {
    SQLite::Statement& get = db_->Prepare(kSelectByReceipt);
    get.bind(1, seq);
    get.bind(2, receipt);
    get.bind(3, OldestKeptMs(now));
    if (!get.executeStep()) return Status::NotFound("dead letter: receipt is not valid");
    std::string body = get.getColumn(1).getString();
    get.tryReset();
    SQLite::Statement& ins = db_->Prepare(kInsertDead);
    ins.bind(1, id);
    ins.bind(2, body);
    ins.bind(3, reason);
    ins.bind(4, now);
    ins.exec();
    SQLite::Statement& del = db_->Prepare(kDeleteSeq);
    del.bind(1, seq);
    del.exec();
    return Status::Ok();
  });
}

int64_t SqliteQueue::PurgeLocked(int64_t now_ms) {
  SQLite::Statement& s = db_->Prepare(kPurge);
  s.bind(1, OldestKeptMs(now_ms));
  return s.exec();
}

Result<int64_t> SqliteQueue::PurgeExpired() {
  int64_t n = 0;
  const int64_t now = ToUnixMillis(clock_->Now());
  PAWS_RETURN_IF_ERROR(db_->Run("purge queue", [&] {
    n = PurgeLocked(now);
    return Status::Ok();
  }));
  return n;
}

Result<std::vector<QueueMessage>> SqliteQueue::ListAll() {
  std::vector<QueueMessage> out;
  const int64_t now = ToUnixMillis(clock_->Now());
  PAWS_RETURN_IF_ERROR(db_->Write("list queue", [&] {
    PurgeLocked(now);
    SQLite::Statement& s = db_->Prepare(kListAll);
    while (s.executeStep()) {
      out.push_back(QueueMessage{s.getColumn(0).getString(), "", s.getColumn(1).getString(),
                                 FromUnixMillis(s.getColumn(2).getInt64()),
                                 s.getColumn(3).getInt()});
    }
    return Status::Ok();
  }));
  return out;
}

// One scan finds the messages (the queue has no index on id: Send and
// Receive never need one), then each is updated by its seq.
Result<std::vector<Status>> SqliteQueue::RewriteMessages(
    const std::vector<MessageRewrite>& rewrites) {
  std::vector<Status> out;
  const int64_t now = ToUnixMillis(clock_->Now());
  PAWS_RETURN_IF_ERROR(db_->Write("rewrite messages", [&] {
    out.assign(rewrites.size(), Status::Ok());
    PurgeLocked(now);
    struct Found {
      int64_t seq;
      bool in_flight;
    };
    std::unordered_map<std::string, Found> found;
    for (const MessageRewrite& r : rewrites) found.emplace(r.message_id, Found{-1, false});
    SQLite::Statement& list = db_->Prepare(kListForRewrite);
    while (list.executeStep()) {
      auto it = found.find(list.getColumn(1).getString());
      if (it == found.end()) continue;
      it->second.seq = list.getColumn(0).getInt64();
      it->second.in_flight = list.getColumn(3).getInt() > 0 && list.getColumn(2).getInt64() > now;
    }
    for (size_t i = 0; i < rewrites.size(); ++i) {
      const Found& f = found.at(rewrites[i].message_id);
      if (f.seq < 0) {
        out[i] = Status::NotFound("rewrite: no message " + rewrites[i].message_id);
      } else if (f.in_flight) {
        out[i] = Status::Conflict("rewrite: message " + rewrites[i].message_id + " is in flight");
      } else {
        SQLite::Statement& s = db_->Prepare(kRewrite);
        s.bind(1, rewrites[i].body);
        s.bind(2, f.seq);
        s.exec();
      }
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<DeadLetter>> SqliteQueue::ListDeadLetters() {
  std::vector<DeadLetter> out;
  PAWS_RETURN_IF_ERROR(db_->Run("list dead letters", [&] {
    SQLite::Statement& s = db_->Prepare(kListDead);
    while (s.executeStep()) {
      out.push_back(DeadLetter{s.getColumn(0).getString(), s.getColumn(1).getString(),
                               s.getColumn(2).getString(),
                               FromUnixMillis(s.getColumn(3).getInt64())});
    }
    return Status::Ok();
  }));
  return out;
}

Result<QueueCounts> SqliteQueue::Counts() {
  QueueCounts c;
  const int64_t now = ToUnixMillis(clock_->Now());
  PAWS_RETURN_IF_ERROR(db_->Write("count queue", [&] {
    PurgeLocked(now);
    SQLite::Statement& s = db_->Prepare(kCounts);
    s.bind(1, now);
    s.executeStep();
    c.visible = s.getColumn(0).getInt64();
    c.delayed = s.getColumn(1).getInt64();
    c.in_flight = s.getColumn(2).getInt64();
    SQLite::Statement& d = db_->Prepare(kCountDead);
    d.executeStep();
    c.dead = d.getColumn(0).getInt64();
    return Status::Ok();
  }));
  return c;
}

}  // namespace paws::sqlite
