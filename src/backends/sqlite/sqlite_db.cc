#include "backends/sqlite/sqlite_db.h"

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <filesystem>
#include <mutex>

#include "paws/codes.h"

namespace paws::sqlite {
namespace {

constexpr int kSchemaVersion = 1;

// Times are integer Unix milliseconds. queue.seq (the rowid) orders
// messages by send; it may be reused after a delete, which is why receipts
// also carry the message id. Receive is a range scan of queue_due.
constexpr const char* kSchema = R"sql(
CREATE TABLE queue (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  receipt TEXT,
  receive_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX queue_due ON queue (visible_at);
CREATE TABLE dead_letters (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE TABLE state_records (
  collector_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  cid TEXT NOT NULL,
  expire_date INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  status TEXT NOT NULL,
  stream TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (collector_id, message_id)
) WITHOUT ROWID;
CREATE INDEX state_records_expire ON state_records (expire_date);
CREATE TABLE stream_rows (
  collector_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  checkpoint TEXT NOT NULL,
  last_success INTEGER,
  last_attempt INTEGER,
  last_status TEXT NOT NULL,
  last_error TEXT NOT NULL,
  last_error_at INTEGER,
  retry_count INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  PRIMARY KEY (collector_id, stream)
) WITHOUT ROWID;
)sql";

constexpr const char* kBegin = "BEGIN IMMEDIATE";
constexpr const char* kBeginRead = "BEGIN DEFERRED";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kSavepoint = "SAVEPOINT w";
constexpr const char* kRelease = "RELEASE w";
constexpr const char* kRollbackTo = "ROLLBACK TO w";
// Writers committed together at most.
constexpr const char* kItemSavepoint = "SAVEPOINT item";
constexpr const char* kItemRelease = "RELEASE item";
constexpr const char* kItemRollbackTo = "ROLLBACK TO item";
constexpr size_t kMaxGroup = 32;

// SQLite counts every allocation under a global mutex unless told not to;
// paws never asks for those figures. Only possible before SQLite is first
// initialised in the process: later calls fail, harmlessly.
void ConfigureLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

int64_t QueryInt(SQLite::Database& db, const char* sql) {
  SQLite::Statement s(db, sql);
  s.executeStep();
  return s.getColumn(0).getInt64();
}

}  // namespace

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, Duration busy_timeout) {
  std::filesystem::path p(path);
  if (p.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) {
      return Status::Internal("cannot create the directory of store " + path + ": " +
                                  ec.message(),
                              codes::kStoreUnavailable);
    }
  }
  ConfigureLibrary();
  std::unique_ptr<Db> db(new Db(path));
  PAWS_RETURN_IF_ERROR(db->Init(busy_timeout));
  return db;
}

Db::~Db() {
  std::lock_guard<std::mutex> lock(mu_);
  stmts_.clear();
  used_.clear();
  conn_.reset();
}

Status Db::Init(Duration busy_timeout) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    // NOMUTEX: mu_ already serialises every use of the connection.
    conn_ = std::make_unique<SQLite::Database>(
        path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
        static_cast<int>(busy_timeout.count()));
    // Every commit appends each page it dirtied to the WAL, and a cycle
    // dirties about ten small rows: 2 KiB pages halve the bytes written
    // (applies to new files only). Must come before WAL mode is set.
    conn_->exec("PRAGMA page_size = 2048");
    // WAL lets `paws status` read while `paws run` writes; NORMAL sync loses
    // at most the last transactions on power loss, never on a killed process.
    conn_->exec("PRAGMA journal_mode = WAL");
    conn_->exec("PRAGMA synchronous = NORMAL");
    // Hot pages are rewritten many times between checkpoints; checkpointing
    // less often copies each of them back (and syncs) once per 20 MB
    // instead of per 2 MB. The file is cut back to 32 MB afterwards.
    conn_->exec("PRAGMA wal_autocheckpoint = 10000");
    conn_->exec("PRAGMA journal_size_limit = 33554432");
    conn_->exec("PRAGMA temp_store = MEMORY");
    conn_->exec("PRAGMA cache_size = -16000");
    SQLite::Transaction tx(*conn_, SQLite::TransactionBehavior::IMMEDIATE);
    int64_t version = QueryInt(*conn_, "PRAGMA user_version");
    if (version == 0) {
      if (QueryInt(*conn_, "SELECT count(*) FROM sqlite_master") != 0) {
        return Status::Internal("store " + path_ + " is an SQLite database but not a paws one",
                                codes::kStoreCorrupt);
      }
      conn_->exec(kSchema);
      conn_->exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    } else if (version > kSchemaVersion) {
      return Status::Internal("store " + path_ + " has schema version " +
                                  std::to_string(version) + ", newer than this paws (" +
                                  std::to_string(kSchemaVersion) + ")",
                              codes::kStoreCorrupt);
    }
    tx.commit();
  } catch (const std::exception& e) {
    stmts_.clear();
    conn_.reset();
    return ToStatus(e, "open store " + path_);
  }
  return Status::Ok();
}

Status Db::ToStatus(const std::exception& e, std::string_view what) const {
  std::string msg = std::string(what) + ": " + e.what();
  const auto* se = dynamic_cast<const SQLite::Exception*>(&e);
  if (se == nullptr) return Status::Internal(msg, codes::kStoreUnavailable);
  switch (se->getErrorCode()) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
      return Status::Unavailable(msg, codes::kStoreUnavailable);
    case SQLITE_CANTOPEN:
      return Status::Unavailable("cannot open store " + path_ + ": " + e.what(),
                                 codes::kStoreUnavailable);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Internal(
          "store " + path_ + " is not a paws database or is corrupt (" + msg + ")",
          codes::kStoreCorrupt);
    default:
      return Status::Internal(msg, codes::kStoreUnavailable);
  }
}

Status Db::Write(std::string_view what, const std::function<Status()>& fn) {
  Writer w;
  w.what = what;
  w.fn = &fn;
  std::unique_lock<std::mutex> queue(writers_mu_);
  writers_.push_back(&w);
  while (!w.done && writers_.front() != &w) w.cv.wait(queue);
  if (w.done) return w.result;  // a leader ran and committed it
  // Leader: take everyone waiting, up to a bound that keeps one
  // transaction (and the wait of its first writer) short.
  std::vector<Writer*> group;
  for (Writer* other : writers_) {
    if (group.size() == kMaxGroup) break;
    group.push_back(other);
  }
  queue.unlock();
  {
    std::lock_guard<std::mutex> lock(mu_);
    WriteGroup(group);
  }
  queue.lock();
  for (size_t i = 0; i < group.size(); ++i) {
    writers_.pop_front();
    group[i]->done = true;
    if (group[i] != &w) group[i]->cv.notify_one();
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  return w.result;
}

void Db::WriteGroup(const std::vector<Writer*>& group) {
  sqlite3* handle = conn_->getHandle();
  try {
    Prepare(kBegin).exec();
    ResetUsed();
  } catch (const std::exception& e) {
    ResetUsed();
    for (Writer* w : group) w->result = ToStatus(e, w->what);
    return;
  }
  bool any_kept = false;
  for (Writer* w : group) {
    WriteOne(w, group.size() == 1);
    if (sqlite3_get_autocommit(handle)) {
      // An error (disk full, I/O) made SQLite abandon the whole
      // transaction: nothing of this group survives.
      Status lost = w->result.ok() || w->result.code() == StatusCode::kConflict
                        ? Status::Unavailable("transaction aborted", codes::kStoreUnavailable)
                        : w->result;
      for (Writer* x : group) x->result = lost.Annotate(x->what);
      return;
    }
    any_kept = any_kept || w->result.ok() || w->result.code() == StatusCode::kConflict;
  }
  try {
    if (any_kept) {
      Prepare(kCommit).exec();
    } else {
      conn_->tryExec("ROLLBACK");
    }
    ResetUsed();
  } catch (const std::exception& e) {
    ResetUsed();
    conn_->tryExec("ROLLBACK");
    for (Writer* w : group) w->result = ToStatus(e, w->what);
  }
}

void Db::WriteOne(Writer* w, bool alone) {
  if (alone) {
    // No savepoint needed: a failure rolls the whole transaction back.
    try {
      w->result = (*w->fn)();
    } catch (const std::exception& e) {
      w->result = ToStatus(e, w->what);
    }
    ResetUsed();
    return;
  }
  try {
    Prepare(kSavepoint).exec();
    ResetUsed();
    w->result = (*w->fn)();
    ResetUsed();
    if (w->result.ok() || w->result.code() == StatusCode::kConflict) {
      Prepare(kRelease).exec();
    } else {
      Prepare(kRollbackTo).exec();
      Prepare(kRelease).exec();
    }
    ResetUsed();
  } catch (const std::exception& e) {
    ResetUsed();
    w->result = ToStatus(e, w->what);
    if (!sqlite3_get_autocommit(conn_->getHandle())) {
      conn_->tryExec("ROLLBACK TO w; RELEASE w");
    }
  }
}

std::vector<Status> Db::WriteEach(std::string_view what,
                                  const std::vector<std::function<Status()>>& fns) {
  // Fast path: no savepoints (a SAVEPOINT/RELEASE pair around each item was
  // about a tenth of the cost of a batch of cycles). That is only right
  // while every item keeps its effects (Ok or kConflict); the first that
  // must be undone abandons the whole attempt, with everything written so
  // far, and the group is run again with a savepoint per item. Failing
  // items are rare (a stale receipt, a store error): so is the second run.
  std::vector<Status> results(fns.size());
  bool undo = false;
  Status all = Write(what, [&]() -> Status {
    for (size_t i = 0; i < fns.size(); ++i) {
      Status r;
      try {
        r = fns[i]();
      } catch (const std::exception& e) {
        r = ToStatus(e, what);
      }
      ResetUsed();
      if (!r.ok() && r.code() != StatusCode::kConflict) {
        undo = true;
        return r;  // not Ok: Write undoes all of this writer's effects
      }
      results[i] = std::move(r);
    }
    return Status::Ok();
  });
  if (undo) return WriteEachSavepoints(what, fns);
  if (!all.ok()) {
    for (auto& r : results) r = all;
  }
  return results;
}

std::vector<Status> Db::WriteEachSavepoints(std::string_view what,
                                            const std::vector<std::function<Status()>>& fns) {
  std::vector<Status> results(fns.size());
  Status all = Write(what, [&]() -> Status {
    for (size_t i = 0; i < fns.size(); ++i) {
      Prepare(kItemSavepoint).exec();
      ResetUsed();
      Status r;
      try {
        r = fns[i]();
      } catch (const std::exception& e) {
        r = ToStatus(e, what);
      }
      ResetUsed();
      // An I/O error may have made SQLite abandon the whole transaction.
      if (sqlite3_get_autocommit(conn_->getHandle())) {
        return r.ok() ? Status::Unavailable("transaction aborted", codes::kStoreUnavailable) : r;
      }
      if (!r.ok() && r.code() != StatusCode::kConflict) Prepare(kItemRollbackTo).exec();
      Prepare(kItemRelease).exec();
      ResetUsed();
      results[i] = std::move(r);
    }
    return Status::Ok();
  });
  if (!all.ok()) {
    for (auto& r : results) r = all;
  }
  return results;
}

Status Db::Run(std::string_view what, const std::function<Status()>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    Status s = fn();
    ResetUsed();
    return s;
  } catch (const std::exception& e) {
    ResetUsed();
    return ToStatus(e, what);
  }
}

Status Db::Read(std::string_view what, const std::function<Status()>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    Prepare(kBeginRead).exec();
    ResetUsed();
    Status s = fn();
    ResetUsed();
    Prepare(kCommit).exec();
    ResetUsed();
    return s;
  } catch (const std::exception& e) {
    ResetUsed();
    if (!sqlite3_get_autocommit(conn_->getHandle())) conn_->tryExec("ROLLBACK");
    return ToStatus(e, what);
  }
}

SQLite::Statement& Db::Prepare(const char* sql) {
  auto& slot = stmts_[sql];
  if (!slot) slot = std::make_unique<SQLite::Statement>(*conn_, sql);
  slot->tryReset();
  used_.push_back(slot.get());
  return *slot;
}

int Db::Changes() { return sqlite3_changes(conn_->getHandle()); }

void Db::ResetUsed() {
  // A statement left mid-step would hold its read snapshot open.
  for (SQLite::Statement* s : used_) s->tryReset();
  used_.clear();
}

uint64_t Db::sends() {
  std::lock_guard<std::mutex> lock(wake_mu_);
  return sends_;
}

void Db::NotifySend() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    ++sends_;
  }
  wake_.notify_all();
}

void Db::WaitForSend(uint64_t seen, std::chrono::nanoseconds max) {
  std::unique_lock<std::mutex> lock(wake_mu_);
  wake_.wait_for(lock, max, [&] { return sends_ != seen; });
}

}  // namespace paws::sqlite
