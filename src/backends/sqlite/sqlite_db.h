#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "paws/clock.h"
#include "paws/result.h"

namespace paws::sqlite {

// One connection to a paws database file: the schema, the pragmas, a cache
// of prepared statements and the mutex that serialises their use. Every
// table of a backend lives in this one file and goes through this one
// connection, so in-process callers queue on a std::mutex rather than on
// SQLite's busy handler; the busy timeout only covers other processes.
//
// SQLiteCpp reports errors by throwing; Write and Run catch everything and
// return a Status, so no exception leaves this class. Thread-safe.
class Db {
 public:
  // Opens (creating it, and its parent directories, if needed) the database
  // at `path` and brings its schema to the current version. Returns
  // kInternal with codes::kStoreCorrupt naming the path when the file is not
  // a paws database or is corrupt, kUnavailable when it is busy or cannot be
  // read, kInternal with codes::kStoreUnavailable otherwise.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, Duration busy_timeout);
  ~Db();

  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs `fn` holding the connection inside BEGIN IMMEDIATE ... COMMIT and
  // returns after the commit. The effects of `fn` are kept when it returns
  // Ok or kConflict (a conditional write that lost must return before
  // writing anything it does not mean to keep) and undone on any other
  // Status or on an exception, which becomes a Status annotated with `what`.
  //
  // Group commit: writers that arrive while a transaction is under way are
  // run together in the next one, each inside its own savepoint, so a
  // commit (and its WAL pages and locks) is shared by all of them. Every
  // writer still sees the effects of those before it, as if alone.
  Status Write(std::string_view what, const std::function<Status()>& fn);
  // Runs every fn of `fns` in one transaction: element i of the result is
  // what fns[i] returned, and its effects are kept or undone as Write keeps
  // or undoes them, each fn on its own. If the transaction as a whole fails,
  // every element is that failure and nothing is kept.
  //
  // Each fn may run twice: when one returns a Status other than Ok and
  // kConflict (or throws), everything done so far is undone and all of
  // `fns` are run again, each in a savepoint. So a fn must set its outputs
  // afresh on every run, and must not act outside the database.
  std::vector<Status> WriteEach(std::string_view what,
                                const std::vector<std::function<Status()>>& fns);
  // Runs `fn` holding the connection, each statement in its own implicit
  // transaction: for reads and single-statement writes.
  Status Run(std::string_view what, const std::function<Status()>& fn);
  // Runs `fn` holding the connection inside one read transaction (BEGIN
  // DEFERRED ... COMMIT): every statement sees the same snapshot, and the
  // WAL read lock is taken once. Returns what `fn` returned, or the error
  // (an exception becomes a Status annotated with `what`). REQUIRES: `fn`
  // only reads.
  Status Read(std::string_view what, const std::function<Status()>& fn);

  // The cached statement for `sql`, reset and ready to bind. `sql` must be a
  // string with static storage: the cache is keyed by its address.
  // REQUIRES: called from inside Write or Run.
  SQLite::Statement& Prepare(const char* sql);
  // Rows changed by the last INSERT/UPDATE/DELETE. REQUIRES: as Prepare.
  int Changes();

  // In-process wake-ups for Receive: a counter bumped by every send.
  uint64_t sends();
  void NotifySend();
  // Waits until sends() != seen or `max` (real time) has passed.
  void WaitForSend(uint64_t seen, std::chrono::nanoseconds max);

  const std::string& path() const { return path_; }

 private:
  // A caller of Write waiting for its turn or for its group's commit.
  struct Writer {
    std::string_view what;
    const std::function<Status()>* fn;
    Status result;
    bool done = false;
    std::condition_variable cv;
  };

  explicit Db(std::string path) : path_(std::move(path)) {}
  Status Init(Duration busy_timeout);
  Status ToStatus(const std::exception& e, std::string_view what) const;
  void ResetUsed();
  // Runs `group` in one transaction, setting each writer's result.
  // REQUIRES: mu_ held.
  void WriteGroup(const std::vector<Writer*>& group);
  // Runs one writer of a group, inside a savepoint unless it is `alone`.
  void WriteOne(Writer* w, bool alone);
  // WriteEach with a savepoint around each fn: the slow path.
  std::vector<Status> WriteEachSavepoints(std::string_view what,
                                          const std::vector<std::function<Status()>>& fns);

  const std::string path_;

  std::mutex mu_;  // guards everything below
  std::unique_ptr<SQLite::Database> conn_;
  // Declared after conn_: statements must be finalized before it closes.
  std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> stmts_;
  std::vector<SQLite::Statement*> used_;  // reset when the caller is done

  std::mutex writers_mu_;  // guards writers_ and every Writer in it
  std::deque<Writer*> writers_;  // the front one leads the next group

  std::mutex wake_mu_;
  std::condition_variable wake_;
  uint64_t sends_ = 0;
};

}  // namespace paws::sqlite
