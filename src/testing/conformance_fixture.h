#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "paws/backend.h"
#include "paws/clock.h"

// The parameter and fixture shared by the conformance suites (see
// backend_conformance.h).
namespace paws::conformance {

// Makes an empty backend reading time from `clock` (which outlives it).
// Never returns null.
using BackendFactory = std::function<std::unique_ptr<Backend>(FakeClock* clock)>;

struct BackendParam {
  std::string name;  // a valid identifier: it becomes part of test names
  BackendFactory make;
  // The queue's delays and visibility run on the server's real clock (SQS),
  // not on the test's FakeClock; ordering is best effort; retention is the
  // server's. The suites then use short durations, pass time with Pass(),
  // and skip (with the reason) what such a queue cannot do.
  bool server_time = false;
};
void PrintTo(const BackendParam& p, std::ostream* os);
std::string BackendParamName(const ::testing::TestParamInfo<BackendParam>& info);

// The fixture of the three suites.
class BackendFixture : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override;

  StateQueue* queue() { return backend_->queue(); }

  // Whether the backend's queue keeps time on its server (BackendParam).
  bool ServerTime() const { return GetParam().server_time; }
  // Lets `d` pass: advances clock_ by d and, when ServerTime(), also waits
  // d of real time so that the server's clock moves as far.
  void Pass(Duration d);
  // `exact` for a FakeClock queue, `on_server` (a second or two) for a
  // server-time one.
  Duration TimeFor(Duration exact, Duration on_server) const {
    return ServerTime() ? on_server : exact;
  }
  StateStore* store() { return backend_->store(); }

  // Sends and returns the id; fails the test on error.
  std::string Send(const std::string& body, Duration delay = Duration(0));
  // Receives without waiting; fails the test on error.
  std::vector<QueueMessage> ReceiveNow(int max = 10,
                                       Duration visibility = std::chrono::seconds(30));
  // The bodies of ListAll, in its order.
  std::vector<std::string> Bodies();
  // The bodies of the queue after something was enqueued with `delay`: on
  // a FakeClock queue, Bodies() at once; on a server-time queue, which
  // cannot list delayed messages (SQS), the bodies received after letting
  // the delay (plus 300 ms) pass.
  std::vector<std::string> Enqueued(Duration delay);
  QueueCounts Counts();
  std::optional<StreamRow> Row(const std::string& collector_id, const std::string& stream);
  std::optional<StateRecord> Record(const std::string& collector_id,
                                    const std::string& message_id);

  // A row at (epoch, seq) as registration makes it: NEW, due now.
  StreamRow MakeRow(const std::string& collector_id, const std::string& stream, int64_t epoch,
                    int64_t seq);
  // A state record as the cycle makes it before AcquireRecord.
  StateRecord MakeRecord(const std::string& collector_id, const std::string& message_id,
                         const std::string& stream);

  FakeClock clock_;
  std::unique_ptr<Backend> backend_;
};

}  // namespace paws::conformance
