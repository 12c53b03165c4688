#include "backends/sqlite/sqlite_store.h"

#include "backends/sqlite/sqlite_db.h"

namespace paws::sqlite {
namespace {

#define PAWS_STREAM_COLS                                                                  \
  "collector_id, stream, epoch, seq, checkpoint, last_success, last_attempt, last_status, " \
  "last_error, last_error_at, retry_count, due_at, first_seen"
#define PAWS_RECORD_COLS "collector_id, message_id, cid, expire_date, updated, status, stream, reason"

constexpr const char* kGetStream =
    "SELECT " PAWS_STREAM_COLS " FROM stream_rows WHERE collector_id = ?1 AND stream = ?2";
constexpr const char* kListStreams =
    "SELECT " PAWS_STREAM_COLS " FROM stream_rows WHERE collector_id = ?1 ORDER BY stream";
constexpr const char* kListAllStreams =
    "SELECT " PAWS_STREAM_COLS " FROM stream_rows ORDER BY collector_id, stream";
constexpr const char* kInsertStream =
    "INSERT INTO stream_rows (" PAWS_STREAM_COLS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT DO NOTHING";
constexpr const char* kClaim =
    "UPDATE stream_rows SET seq = ?1, checkpoint = ?2, last_success = ?3, last_status = ?4, "
    "retry_count = 0, due_at = ?5 "
    "WHERE collector_id = ?6 AND stream = ?7 AND epoch = ?8 AND seq = ?9";
constexpr const char* kFail =
    "UPDATE stream_rows SET last_error = ?1, last_error_at = ?2, retry_count = retry_count + 1, "
    "last_status = ?3, due_at = ?4 "
    "WHERE collector_id = ?5 AND stream = ?6 AND epoch = ?7 AND seq = ?8 RETURNING retry_count";
constexpr const char* kStreamExists =
    "SELECT 1 FROM stream_rows WHERE collector_id = ?1 AND stream = ?2";
constexpr const char* kBump =
    "UPDATE stream_rows SET epoch = epoch + 1, due_at = ?1 "
    "WHERE collector_id = ?2 AND stream = ?3 AND epoch = ?4 AND seq = ?5";
constexpr const char* kSetStatus =
    "UPDATE stream_rows SET last_status = ?1 "
    "WHERE collector_id = ?2 AND stream = ?3 AND epoch = ?4 AND seq = ?5";
constexpr const char* kTouchAttempt =
    "UPDATE stream_rows SET last_attempt = ?1 WHERE collector_id = ?2 AND stream = ?3";

constexpr const char* kInsertRecord =
    "INSERT INTO state_records (" PAWS_RECORD_COLS
    ") VALUES (?1, ?2, ?3, ?4, ?5, 'INCOMPLETE', ?6, '') ON CONFLICT DO NOTHING";
constexpr const char* kRecordState =
    "SELECT status, updated FROM state_records WHERE collector_id = ?1 AND message_id = ?2";
constexpr const char* kRetake =
    "UPDATE state_records SET status = 'INCOMPLETE', updated = ?1, expire_date = ?2, "
    "reason = '', stream = CASE WHEN stream = '' THEN ?3 ELSE stream END "
    "WHERE collector_id = ?4 AND message_id = ?5";
constexpr const char* kUpsertRecord =
    "INSERT INTO state_records (" PAWS_RECORD_COLS
    ") VALUES (?1, ?2, '', ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (collector_id, message_id) DO UPDATE SET status = excluded.status, "
    "updated = excluded.updated, expire_date = excluded.expire_date, reason = excluded.reason, "
    "stream = CASE WHEN state_records.stream = '' THEN excluded.stream "
    "ELSE state_records.stream END";
constexpr const char* kGetRecord = "SELECT " PAWS_RECORD_COLS
                                   " FROM state_records WHERE collector_id = ?1 AND "
                                   "message_id = ?2";
constexpr const char* kListRecords = "SELECT " PAWS_RECORD_COLS
                                     " FROM state_records WHERE collector_id = ?1 "
                                     "ORDER BY message_id";
constexpr const char* kPurgeRecords = "DELETE FROM state_records WHERE expire_date < ?1";

int64_t Ms(WallTime t) { return ToUnixMillis(t); }

void BindOptionalTime(SQLite::Statement& s, int index, const std::optional<WallTime>& t) {
  if (t) {
    s.bind(index, Ms(*t));
  } else {
    s.bind(index);
  }
}

std::optional<WallTime> OptionalTime(const SQLite::Statement& s, int index) {
  if (s.isColumnNull(index)) return std::nullopt;
  return FromUnixMillis(s.getColumn(index).getInt64());
}

StreamRow ReadStream(const SQLite::Statement& s) {
  StreamRow r;
  r.collector_id = s.getColumn(0).getString();
  r.stream = s.getColumn(1).getString();
  r.epoch = s.getColumn(2).getInt64();
  r.seq = s.getColumn(3).getInt64();
  r.checkpoint = s.getColumn(4).getString();
  r.last_success = OptionalTime(s, 5);
  r.last_attempt = OptionalTime(s, 6);
  r.last_status = s.getColumn(7).getString();
  r.last_error = s.getColumn(8).getString();
  r.last_error_at = OptionalTime(s, 9);
  r.retry_count = s.getColumn(10).getInt();
  r.due_at = FromUnixMillis(s.getColumn(11).getInt64());
  r.first_seen = FromUnixMillis(s.getColumn(12).getInt64());
  return r;
}

Result<StateRecord> ReadRecord(const SQLite::Statement& s) {
  StateRecord r;
  r.collector_id = s.getColumn(0).getString();
  r.message_id = s.getColumn(1).getString();
  r.cid = s.getColumn(2).getString();
  r.expire_date = FromUnixMillis(s.getColumn(3).getInt64());
  r.updated = FromUnixMillis(s.getColumn(4).getInt64());
  PAWS_ASSIGN_OR_RETURN(r.status, ParseRecordStatus(s.getColumn(5).getString()));
  r.stream = s.getColumn(6).getString();
  r.reason = s.getColumn(7).getString();
  return r;
}

Status Lost(const char* what, const std::string& collector_id, const std::string& stream) {
  return Status::Conflict(std::string(what) + ": condition failed for stream " + collector_id +
                          "/" + stream);
}

}  // namespace

// --- stream rows ---

Result<std::optional<StreamRow>> SqliteStore::GetStream(const std::string& collector_id,
                                                        const std::string& stream) {
  std::optional<StreamRow> out;
  PAWS_RETURN_IF_ERROR(db_->Run("get stream", [&] {
    SQLite::Statement& s = db_->Prepare(kGetStream);
    s.bind(1, collector_id);
    s.bind(2, stream);
    if (s.executeStep()) out = ReadStream(s);
    return Status::Ok();
  }));
  return out;
}

std::vector<Result<std::optional<StreamRow>>> SqliteStore::GetStreams(
    const std::vector<std::pair<std::string, std::string>>& keys) {
  std::vector<std::optional<StreamRow>> rows(keys.size());
  Status st = db_->Read("get streams", [&] {
    for (size_t i = 0; i < keys.size(); ++i) {
      SQLite::Statement& s = db_->Prepare(kGetStream);
      s.bind(1, keys[i].first);
      s.bind(2, keys[i].second);
      if (s.executeStep()) rows[i] = ReadStream(s);
    }
    return Status::Ok();
  });
  std::vector<Result<std::optional<StreamRow>>> out;
  out.reserve(keys.size());
  for (auto& row : rows) {
    if (st.ok()) {
      out.emplace_back(std::move(row));
    } else {
      out.emplace_back(st);
    }
  }
  return out;
}

Result<std::vector<StreamRow>> SqliteStore::SelectStreams(const char* sql,
                                                          const std::string* collector_id) {
  std::vector<StreamRow> out;
  PAWS_RETURN_IF_ERROR(db_->Run("list streams", [&] {
    SQLite::Statement& s = db_->Prepare(sql);
    if (collector_id != nullptr) s.bind(1, *collector_id);
    // A collector has a handful of streams: one allocation instead of four
    // or five moves of the rows read so far.
    if (collector_id != nullptr) out.reserve(16);
    while (s.executeStep()) out.push_back(ReadStream(s));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<StreamRow>> SqliteStore::ListStreams(const std::string& collector_id) {
  return SelectStreams(kListStreams, &collector_id);
}

Result<std::vector<StreamRow>> SqliteStore::ListAllStreams() {
  return SelectStreams(kListAllStreams, nullptr);
}

Status SqliteStore::CreateStreamLocked(const StreamRow& row) {
  SQLite::Statement& s = db_->Prepare(kInsertStream);
  s.bind(1, row.collector_id);
  s.bind(2, row.stream);
  s.bind(3, row.epoch);
  s.bind(4, row.seq);
  s.bind(5, row.checkpoint);
  BindOptionalTime(s, 6, row.last_success);
  BindOptionalTime(s, 7, row.last_attempt);
  s.bind(8, row.last_status);
  s.bind(9, row.last_error);
  BindOptionalTime(s, 10, row.last_error_at);
  s.bind(11, row.retry_count);
  s.bind(12, Ms(row.due_at));
  s.bind(13, Ms(row.first_seen));
  if (s.exec() == 0) {
    return Status::Conflict("create stream: " + row.collector_id + "/" + row.stream +
                            " already exists");
  }
  return Status::Ok();
}

Status SqliteStore::CreateStream(const StreamRow& row) {
  return db_->Run("create stream", [&] { return CreateStreamLocked(row); });
}

Status SqliteStore::ClaimStreamLocked(const ClaimUpdate& u) {
  SQLite::Statement& s = db_->Prepare(kClaim);
  s.bind(1, u.seq);
  s.bind(2, u.checkpoint);
  s.bind(3, Ms(u.now));
  s.bind(4, kStreamStatusOk);
  s.bind(5, Ms(u.due_at));
  s.bind(6, u.collector_id);
  s.bind(7, u.stream);
  s.bind(8, u.epoch);
  s.bind(9, u.seq - 1);
  if (s.exec() > 0) return Status::Ok();
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
  if (!CreateStreamLocked(row).ok()) return Lost("claim", u.collector_id, u.stream);
  return Status::Ok();
}

Status SqliteStore::ClaimStream(const ClaimUpdate& u) {
  return db_->Write("claim stream", [&] { return ClaimStreamLocked(u); });
}

Result<int> SqliteStore::RecordFailureLocked(const FailureUpdate& u) {
  SQLite::Statement& s = db_->Prepare(kFail);
  s.bind(1, u.error);
  s.bind(2, Ms(u.now));
  s.bind(3, kStreamStatusFailing);
  s.bind(4, Ms(u.due_at));
  s.bind(5, u.collector_id);
  s.bind(6, u.stream);
  s.bind(7, u.epoch);
  s.bind(8, u.seq - 1);
  if (s.executeStep()) {
    int count = s.getColumn(0).getInt();
    s.tryReset();
    return count;
  }
  SQLite::Statement& e = db_->Prepare(kStreamExists);
  e.bind(1, u.collector_id);
  e.bind(2, u.stream);
  if (!e.executeStep()) {
    return Status::NotFound("record failure: no row for " + u.collector_id + "/" + u.stream);
  }
  return Lost("record failure", u.collector_id, u.stream);
}

Result<int> SqliteStore::RecordFailure(const FailureUpdate& u) {
  int count = 0;
  Status st = db_->Write("record failure", [&] {
    Result<int> r = RecordFailureLocked(u);
    if (!r.ok()) return r.status();
    count = *r;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return count;
}

Status SqliteStore::BumpEpoch(const std::string& collector_id, const std::string& stream,
                              int64_t expected_epoch, int64_t expected_seq, WallTime due_at) {
  return db_->Run("bump epoch", [&] {
    SQLite::Statement& s = db_->Prepare(kBump);
    s.bind(1, Ms(due_at));
    s.bind(2, collector_id);
    s.bind(3, stream);
    s.bind(4, expected_epoch);
    s.bind(5, expected_seq);
    return s.exec() > 0 ? Status::Ok() : Lost("bump epoch", collector_id, stream);
  });
}

Status SqliteStore::SetStreamStatus(const std::string& collector_id, const std::string& stream,
                                    int64_t expected_epoch, int64_t expected_seq,
                                    const std::string& status) {
  return db_->Run("set stream status", [&] {
    SQLite::Statement& s = db_->Prepare(kSetStatus);
    s.bind(1, status);
    s.bind(2, collector_id);
    s.bind(3, stream);
    s.bind(4, expected_epoch);
    s.bind(5, expected_seq);
    return s.exec() > 0 ? Status::Ok() : Lost("set stream status", collector_id, stream);
  });
}

// --- state records ---

Result<AcquireOutcome> SqliteStore::AcquireRecord(const StateRecord& rec, Duration lease) {
  AcquireOutcome outcome = AcquireOutcome::kAcquired;
  PAWS_RETURN_IF_ERROR(db_->Write("acquire record", [&] {
    PAWS_ASSIGN_OR_RETURN(outcome, AcquireRecordLocked(rec, lease));
    return Status::Ok();
  }));
  return outcome;
}

std::vector<Result<AcquireOutcome>> SqliteStore::AcquireRecords(
    const std::vector<StateRecord>& recs, Duration lease) {
  std::vector<AcquireOutcome> outcomes(recs.size(), AcquireOutcome::kAcquired);
  std::vector<std::function<Status()>> fns;
  fns.reserve(recs.size());
  for (size_t i = 0; i < recs.size(); ++i) {
    fns.push_back([&, i]() -> Status {
      PAWS_ASSIGN_OR_RETURN(outcomes[i], AcquireRecordLocked(recs[i], lease));
      return Status::Ok();
    });
  }
  std::vector<Status> st = db_->WriteEach("acquire records", fns);
  std::vector<Result<AcquireOutcome>> out;
  out.reserve(recs.size());
  for (size_t i = 0; i < recs.size(); ++i) {
    if (st[i].ok()) {
      out.emplace_back(outcomes[i]);
    } else {
      out.emplace_back(st[i]);
    }
  }
  return out;
}

Result<AcquireOutcome> SqliteStore::AcquireRecordLocked(const StateRecord& rec, Duration lease) {
  SQLite::Statement& ins = db_->Prepare(kInsertRecord);
  ins.bind(1, rec.collector_id);
  ins.bind(2, rec.message_id);
  ins.bind(3, rec.cid);
  ins.bind(4, Ms(rec.expire_date));
  ins.bind(5, Ms(rec.updated));
  ins.bind(6, rec.stream);
  if (ins.exec() == 0) {
    // Decided on what this transaction read: nobody can change it before
    // we commit.
    SQLite::Statement& get = db_->Prepare(kRecordState);
    get.bind(1, rec.collector_id);
    get.bind(2, rec.message_id);
    get.executeStep();
    PAWS_ASSIGN_OR_RETURN(RecordStatus status, ParseRecordStatus(get.getColumn(0).getString()));
    WallTime updated = FromUnixMillis(get.getColumn(1).getInt64());
    get.tryReset();
    if (status == RecordStatus::kComplete) return AcquireOutcome::kAlreadyComplete;
    if (status == RecordStatus::kIncomplete && rec.updated - updated < lease) {
      return AcquireOutcome::kHeldElsewhere;
    }
    SQLite::Statement& re = db_->Prepare(kRetake);
    re.bind(1, Ms(rec.updated));
    re.bind(2, Ms(rec.expire_date));
    re.bind(3, rec.stream);
    re.bind(4, rec.collector_id);
    re.bind(5, rec.message_id);
    re.exec();
  }
  SQLite::Statement& touch = db_->Prepare(kTouchAttempt);
  touch.bind(1, Ms(rec.updated));
  touch.bind(2, rec.collector_id);
  touch.bind(3, rec.stream);
  touch.exec();
  return AcquireOutcome::kAcquired;
}

Result<std::optional<StateRecord>> SqliteStore::GetRecord(const std::string& collector_id,
                                                          const std::string& message_id) {
  std::optional<StateRecord> out;
  PAWS_RETURN_IF_ERROR(db_->Run("get record", [&] {
    SQLite::Statement& s = db_->Prepare(kGetRecord);
    s.bind(1, collector_id);
    s.bind(2, message_id);
    if (s.executeStep()) {
      PAWS_ASSIGN_OR_RETURN(out, ReadRecord(s));
    }
    return Status::Ok();
  }));
  return out;
}

void SqliteStore::SetRecordStatusLocked(const std::string& collector_id,
                                        const std::string& message_id,
                                        const std::string& stream, RecordStatus status,
                                        WallTime now, const std::string& reason) {
  SQLite::Statement& s = db_->Prepare(kUpsertRecord);
  s.bind(1, collector_id);
  s.bind(2, message_id);
  s.bind(3, Ms(now + kStateRecordTtl));
  s.bind(4, Ms(now));
  s.bind(5, std::string(RecordStatusName(status)));
  s.bind(6, stream);
  s.bind(7, reason);
  s.exec();
}

Status SqliteStore::SetRecordStatus(const std::string& collector_id,
                                    const std::string& message_id, const std::string& stream,
                                    RecordStatus status, WallTime now,
                                    const std::string& reason) {
  return db_->Run("set record status", [&] {
    SetRecordStatusLocked(collector_id, message_id, stream, status, now, reason);
    return Status::Ok();
  });
}

Result<std::vector<StateRecord>> SqliteStore::ListRecords(const std::string& collector_id) {
  std::vector<StateRecord> out;
  PAWS_RETURN_IF_ERROR(db_->Run("list records", [&] {
    SQLite::Statement& s = db_->Prepare(kListRecords);
    s.bind(1, collector_id);
    while (s.executeStep()) {
      PAWS_ASSIGN_OR_RETURN(StateRecord r, ReadRecord(s));
      out.push_back(std::move(r));
    }
    return Status::Ok();
  }));
  return out;
}

Result<int64_t> SqliteStore::PurgeExpiredRecords(WallTime now) {
  int64_t n = 0;
  PAWS_RETURN_IF_ERROR(db_->Run("purge records", [&] {
    SQLite::Statement& s = db_->Prepare(kPurgeRecords);
    s.bind(1, Ms(now));
    n = s.exec();
    return Status::Ok();
  }));
  return n;
}

}  // namespace paws::sqlite
