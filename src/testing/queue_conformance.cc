#include "testing/queue_conformance.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace paws::conformance {

int LinkQueueConformance() { return 1; }

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Real = std::chrono::steady_clock;

// Server time (BackendParam::server_time): the real-time margin that takes
// the place of the exact millisecond boundary checks.
constexpr Duration kMargin = milliseconds(500);

// Why a test does not run on a server-time queue (SQS).
constexpr char kSkipRetention[] =
    "SQS enforces retention itself; its minimum is 60 s; paws aws init sets it and paws aws "
    "status shows it";
constexpr char kSkipOrder[] = "SQS standard queues do not order messages";

std::vector<std::string> BodiesOf(const std::vector<QueueMessage>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.body);
  return out;
}

}  // namespace

TEST_P(QueueConformanceTest, SendReturnsUniqueIds) {
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) ids.insert(Send("m" + std::to_string(i)));
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_EQ(ids.count(""), 0u);
}

TEST_P(QueueConformanceTest, ReceiveReturnsMessageOfThisDelivery) {
  WallTime sent = clock_.Now();
  std::string id = Send("hello");
  clock_.Advance(seconds(1));
  auto got = ReceiveNow();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, id);
  EXPECT_EQ(got[0].body, "hello");
  EXPECT_EQ(got[0].sent_at, sent);
  EXPECT_EQ(got[0].receive_count, 1);
  EXPECT_FALSE(got[0].receipt.empty());
}

TEST_P(QueueConformanceTest, EmptyReceiveWithoutWaitReturnsAtOnce) {
  auto start = Real::now();
  auto got = queue()->Receive(10, seconds(30), Duration(0));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->empty());
  EXPECT_LT(Real::now() - start, milliseconds(500));
}

TEST_P(QueueConformanceTest, ReceiveRejectsNonPositiveMax) {
  Send("a");
  auto got = queue()->Receive(0, seconds(30), Duration(0));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
}

TEST_P(QueueConformanceTest, DelayHidesMessageUntilDue) {
  const Duration delay = TimeFor(seconds(60), seconds(2));
  Send("later", delay);
  EXPECT_TRUE(ReceiveNow().empty());
  EXPECT_EQ(Counts().delayed, 1);
  EXPECT_EQ(Counts().visible, 0);
  if (!ServerTime()) {
    clock_.Advance(delay - milliseconds(1));
    EXPECT_TRUE(ReceiveNow().empty());
    clock_.Advance(milliseconds(1));
    EXPECT_EQ(Counts().visible, 1);
  } else {
    // A margin around the boundary; SQS's counts are approximate (they
    // move when the server looks), so only delivery is checked.
    Pass(delay - kMargin);
    EXPECT_TRUE(ReceiveNow().empty());
    Pass(2 * kMargin);
  }
  auto got = ReceiveNow();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "later");
}

TEST_P(QueueConformanceTest, VisibilityExpiryRedeliversWithNewReceipt) {
  const Duration visibility = TimeFor(seconds(30), seconds(2));
  std::string id = Send("m");
  auto first = ReceiveNow(10, visibility);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(ReceiveNow().empty());
  EXPECT_EQ(Counts().in_flight, 1);
  if (!ServerTime()) {
    clock_.Advance(visibility - milliseconds(1));
    EXPECT_TRUE(ReceiveNow().empty());
    clock_.Advance(milliseconds(1));
  } else {
    Pass(visibility - kMargin);
    EXPECT_TRUE(ReceiveNow().empty());
    Pass(2 * kMargin);
  }
  auto second = ReceiveNow(10, visibility);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, id);
  EXPECT_EQ(second[0].receive_count, 2);
  EXPECT_NE(second[0].receipt, first[0].receipt);
}

TEST_P(QueueConformanceTest, StaleReceiptNoLongerWorks) {
  const Duration visibility = TimeFor(seconds(30), seconds(1));
  Send("m");
  auto first = ReceiveNow(10, visibility);
  ASSERT_EQ(first.size(), 1u);
  Pass(TimeFor(seconds(31), visibility + kMargin));
  auto second = ReceiveNow(10, visibility);
  ASSERT_EQ(second.size(), 1u);
  const std::string stale = first[0].receipt;
  EXPECT_EQ(queue()->ChangeVisibility(stale, Duration(0)).code(), StatusCode::kNotFound);
  EXPECT_EQ(queue()->MoveToDeadLetter(stale, "x").code(), StatusCode::kNotFound);
  // The message still exists under a newer receipt: deleting with the old
  // one is refused and deletes nothing. Not on SQS: it documents that a
  // delete with an older receipt handle may succeed, and cannot list an
  // in-flight message.
  if (!ServerTime()) {
    EXPECT_EQ(queue()->Delete(stale).code(), StatusCode::kNotFound);
    EXPECT_EQ(Bodies().size(), 1u);
  }
  EXPECT_TRUE(queue()->Delete(second[0].receipt).ok());
  EXPECT_TRUE(Bodies().empty());
  // Once it is gone, any receipt of it deletes "successfully", as SQS does.
  EXPECT_TRUE(queue()->Delete(stale).ok());
  EXPECT_TRUE(queue()->Delete(second[0].receipt).ok());
  EXPECT_EQ(queue()->ChangeVisibility(second[0].receipt, Duration(0)).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(queue()->MoveToDeadLetter(second[0].receipt, "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(Counts().dead, 0);
}

TEST_P(QueueConformanceTest, ReceiptStaysValidUntilNextReceive) {
  Send("m");
  auto got = ReceiveNow(10, TimeFor(seconds(30), seconds(1)));
  ASSERT_EQ(got.size(), 1u);
  Pass(TimeFor(seconds(60), seconds(2)));  // visible again, but not received again
  EXPECT_TRUE(queue()->Delete(got[0].receipt).ok());
  EXPECT_TRUE(Bodies().empty());
}

TEST_P(QueueConformanceTest, BatchReceiveRespectsMax) {
  for (int i = 0; i < 25; ++i) Send("m" + std::to_string(i));
  std::set<std::string> ids;
  std::vector<size_t> sizes;
  for (int i = 0; i < 4; ++i) {
    auto got = ReceiveNow(10);
    sizes.push_back(got.size());
    for (const auto& m : got) ids.insert(m.id);
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{10, 10, 5, 0}));
  EXPECT_EQ(ids.size(), 25u);
  EXPECT_EQ(ReceiveNow(1).size(), 0u);
}

TEST_P(QueueConformanceTest, OldestDueFirst) {
  if (ServerTime()) GTEST_SKIP() << kSkipOrder;
  Send("a", seconds(10));
  Send("b");
  Send("c", seconds(5));
  clock_.Advance(seconds(10));
  Send("d");  // due last
  EXPECT_EQ(BodiesOf(ReceiveNow(10)), (std::vector<std::string>{"b", "c", "a", "d"}));
}

TEST_P(QueueConformanceTest, SameDueTimeInSendOrder) {
  if (ServerTime()) GTEST_SKIP() << kSkipOrder;
  for (const char* b : {"x", "y", "z"}) Send(b);
  std::vector<std::string> order;
  for (int i = 0; i < 3; ++i) {
    auto got = ReceiveNow(1);
    ASSERT_EQ(got.size(), 1u);
    order.push_back(got[0].body);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"x", "y", "z"}));
}

TEST_P(QueueConformanceTest, ChangeVisibility) {
  Send("m");
  auto got = ReceiveNow(10, seconds(900));
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(queue()->ChangeVisibility(got[0].receipt, Duration(0)).ok());
  auto again = ReceiveNow(10, seconds(900));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].receive_count, 2);
  const Duration hide = TimeFor(seconds(5), seconds(2));
  ASSERT_TRUE(queue()->ChangeVisibility(again[0].receipt, hide).ok());
  if (!ServerTime()) {
    clock_.Advance(hide - seconds(1));
    EXPECT_TRUE(ReceiveNow().empty());
    clock_.Advance(seconds(1));
  } else {
    Pass(hide - kMargin);
    EXPECT_TRUE(ReceiveNow().empty());
    Pass(2 * kMargin);
  }
  EXPECT_EQ(ReceiveNow().size(), 1u);
}

TEST_P(QueueConformanceTest, RetentionBoundary) {
  if (ServerTime()) GTEST_SKIP() << kSkipRetention;
  const Duration retention = queue()->retention();
  ASSERT_GT(retention, Duration(0));
  Send("m");
  clock_.Advance(retention);
  EXPECT_EQ(Bodies(), std::vector<std::string>{"m"});
  clock_.Advance(milliseconds(1));
  EXPECT_TRUE(Bodies().empty());
}

TEST_P(QueueConformanceTest, RetentionDeletesVisibleDelayedAndInFlight) {
  if (ServerTime()) GTEST_SKIP() << kSkipRetention;
  const Duration retention = queue()->retention();
  Send("in-flight");
  auto taken = ReceiveNow(10, retention * 2);
  ASSERT_EQ(taken.size(), 1u);
  Send("visible");
  Send("delayed", retention * 2);
  clock_.Advance(retention / 2);
  Send("young");
  clock_.Advance(retention / 2 + milliseconds(1));
  // Retention counts from the send, not from the last delivery.
  EXPECT_EQ(Bodies(), std::vector<std::string>{"young"});
  QueueCounts c = Counts();
  EXPECT_EQ(c.visible, 1);
  EXPECT_EQ(c.delayed, 0);
  EXPECT_EQ(c.in_flight, 0);
  EXPECT_EQ(queue()->ChangeVisibility(taken[0].receipt, Duration(0)).code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(queue()->Delete(taken[0].receipt).ok());
  EXPECT_EQ(BodiesOf(ReceiveNow()), std::vector<std::string>{"young"});
}

TEST_P(QueueConformanceTest, ExpiredMessagesAreNeverDelivered) {
  if (ServerTime()) GTEST_SKIP() << kSkipRetention;
  const Duration retention = queue()->retention();
  for (int i = 0; i < 12; ++i) Send("old" + std::to_string(i));
  clock_.Advance(retention + milliseconds(1));
  Send("new");
  // Receive meets the expired messages first and must look past them.
  EXPECT_EQ(BodiesOf(ReceiveNow(10)), std::vector<std::string>{"new"});
  EXPECT_TRUE(ReceiveNow(10).empty());
}

TEST_P(QueueConformanceTest, PurgeExpiredCountsDeletions) {
  if (ServerTime()) GTEST_SKIP() << kSkipRetention;
  const Duration retention = queue()->retention();
  Send("a");
  Send("b", retention * 2);
  Send("c");
  ASSERT_EQ(ReceiveNow(1).size(), 1u);
  auto none = queue()->PurgeExpired();
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(*none, 0);
  clock_.Advance(retention + milliseconds(1));
  // Nothing else touches the queue before the purge: backends may also
  // purge on their own as they go.
  auto purged = queue()->PurgeExpired();
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(*purged, 3);
  Send("d");
  EXPECT_EQ(Bodies(), std::vector<std::string>{"d"});
}

TEST_P(QueueConformanceTest, DeadLettersKeepIdBodyReasonAndTime) {
  std::string a = Send("not json");
  std::string b = Send("{\"collector_id\":\"nope\"}");
  auto got = ReceiveNow(10);
  ASSERT_EQ(got.size(), 2u);
  // SQS delivers in no particular order: take the deliveries in the order
  // the test assumes (a first).
  if (ServerTime() && got[0].id != a) std::swap(got[0], got[1]);
  clock_.Advance(seconds(3));
  WallTime at = clock_.Now();
  ASSERT_TRUE(queue()->MoveToDeadLetter(got[0].receipt, "PAWS000201 not JSON").ok());
  ASSERT_TRUE(queue()->MoveToDeadLetter(got[1].receipt, "PAWS000204 unknown collector").ok());
  EXPECT_EQ(queue()->MoveToDeadLetter(got[0].receipt, "again").code(), StatusCode::kNotFound);
  EXPECT_TRUE(Bodies().empty());
  auto dead = queue()->ListDeadLetters();
  ASSERT_TRUE(dead.ok()) << dead.status().ToString();
  ASSERT_EQ(dead->size(), 2u);
  // Both were sent, and moved, at the same FakeClock time: on SQS nothing
  // else orders them.
  if (ServerTime() && (*dead)[0].id != a) std::swap((*dead)[0], (*dead)[1]);
  EXPECT_EQ((*dead)[0].id, a);
  EXPECT_EQ((*dead)[0].body, "not json");
  EXPECT_EQ((*dead)[0].reason, "PAWS000201 not JSON");
  EXPECT_EQ((*dead)[0].at, at);
  EXPECT_EQ((*dead)[1].id, b);
  EXPECT_EQ((*dead)[1].reason, "PAWS000204 unknown collector");
  EXPECT_EQ(Counts().dead, 2);
  // A dead letter is not expired by the queue's retention.
  clock_.Advance(queue()->retention() + seconds(1));
  ASSERT_TRUE(queue()->PurgeExpired().ok());
  EXPECT_EQ(Counts().dead, 2);
}

TEST_P(QueueConformanceTest, CountsClassifyEveryMessage) {
  Send("in-flight");
  ASSERT_EQ(ReceiveNow(1, seconds(60)).size(), 1u);
  Send("visible-1");
  Send("visible-2");
  Send("delayed", seconds(60));
  Send("dead");
  Send("deleted");
  auto two = ReceiveNow(10, seconds(60));
  ASSERT_EQ(two.size(), 4u);  // visible-1, visible-2, dead, deleted
  ASSERT_TRUE(queue()->MoveToDeadLetter(two[2].receipt, "r").ok());
  ASSERT_TRUE(queue()->Delete(two[3].receipt).ok());
  ASSERT_TRUE(queue()->ChangeVisibility(two[0].receipt, Duration(0)).ok());
  ASSERT_TRUE(queue()->ChangeVisibility(two[1].receipt, Duration(0)).ok());
  QueueCounts c = Counts();
  EXPECT_EQ(c.visible, 2);
  EXPECT_EQ(c.delayed, 1);
  EXPECT_EQ(c.in_flight, 1);
  EXPECT_EQ(c.dead, 1);
}

TEST_P(QueueConformanceTest, ListAllShowsEveryMessageWithoutReceipts) {
  if (ServerTime()) {
    GTEST_SKIP() << "SQS cannot list delayed or in-flight messages: ListAll sees the visible "
                    "ones only";
  }
  std::string a = Send("a");
  std::string b = Send("b", seconds(60));
  std::string c = Send("c");
  ASSERT_EQ(ReceiveNow(1).size(), 1u);
  auto all = queue()->ListAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, a);
  EXPECT_EQ((*all)[0].receive_count, 1);
  EXPECT_EQ((*all)[1].id, b);
  EXPECT_EQ((*all)[1].receive_count, 0);
  EXPECT_EQ((*all)[2].id, c);
  for (const auto& m : *all) EXPECT_TRUE(m.receipt.empty());
}

TEST_P(QueueConformanceTest, RewriteReplacesBodiesOfMessagesNotInFlight) {
  if (ServerTime()) {
    GTEST_SKIP() << "SQS cannot rewrite a message in place: RewriteMessages sends a new message "
                    "(a new id) and cannot reach delayed or in-flight ones";
  }
  std::string delayed = Send("delayed", seconds(60));
  std::string taken = Send("taken");
  std::string expired_lease = Send("expired lease");
  auto got = ReceiveNow(1);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].id, taken);
  // Received, then its lease ran out: no longer in flight.
  auto again = queue()->Receive(1, seconds(5), Duration(0));
  ASSERT_TRUE(again.ok() && again->size() == 1u);
  ASSERT_EQ((*again)[0].id, expired_lease);
  std::string old_receipt = (*again)[0].receipt;
  clock_.Advance(seconds(6));

  auto st = queue()->RewriteMessages({{delayed, "delayed v2"},
                                      {taken, "taken v2"},
                                      {expired_lease, "expired lease v2"},
                                      {"no-such-id", "x"}});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_EQ(st->size(), 4u);
  EXPECT_TRUE((*st)[0].ok()) << (*st)[0].ToString();
  EXPECT_EQ((*st)[1].code(), StatusCode::kConflict);
  EXPECT_TRUE((*st)[2].ok()) << (*st)[2].ToString();
  EXPECT_EQ((*st)[3].code(), StatusCode::kNotFound);

  // The old delivery of a rewritten message can no longer delete it.
  (void)queue()->Delete(old_receipt);
  auto all = queue()->ListAll();
  ASSERT_TRUE(all.ok());
  std::map<std::string, std::string> bodies;
  for (const auto& m : *all) bodies[m.id] = m.body;
  EXPECT_EQ(bodies[delayed], "delayed v2");
  EXPECT_EQ(bodies[taken], "taken");
  EXPECT_EQ(bodies[expired_lease], "expired lease v2");
  // The delay is kept: the rewritten delayed message is not due yet.
  auto now = ReceiveNow(10);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].body, "expired lease v2");
  clock_.Advance(seconds(60));
  auto later = ReceiveNow(10);
  std::vector<std::string> later_bodies = BodiesOf(later);
  EXPECT_NE(std::find(later_bodies.begin(), later_bodies.end(), "delayed v2"), later_bodies.end());
}

TEST_P(QueueConformanceTest, WaitEndsEarlyWhenAnotherThreadSends) {
  std::thread sender([this] {
    // Real time on purpose: the receiver must be waiting when this sends.
    std::this_thread::sleep_for(milliseconds(100));
    Send("late");
  });
  auto start = Real::now();
  auto got = queue()->Receive(10, seconds(30), seconds(2));
  auto took = Real::now() - start;
  sender.join();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].body, "late");
  EXPECT_LT(took, milliseconds(1500));
}

TEST_P(QueueConformanceTest, WaitGivesUpWhenNothingComes) {
  auto start = Real::now();
  auto got = queue()->Receive(10, seconds(30), milliseconds(150));
  auto took = Real::now() - start;
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->empty());
  EXPECT_GE(took, milliseconds(140));
  EXPECT_LT(took, milliseconds(2000));
}

TEST_P(QueueConformanceTest, ConcurrentReceiversNeverShareAMessage) {
  constexpr int kMessages = 120;
  constexpr int kThreads = 4;
  for (int i = 0; i < kMessages; ++i) Send("m" + std::to_string(i));
  std::mutex mu;
  std::vector<std::string> ids;
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < kMessages; ++round) {  // bounded
        auto got = queue()->Receive(3, seconds(900), Duration(0));
        if (!got.ok()) {
          failed = true;
          return;
        }
        if (got->empty()) return;
        std::lock_guard<std::mutex> lock(mu);
        for (const auto& m : *got) ids.push_back(m.id);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_FALSE(failed);
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(ids.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(unique.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(Counts().in_flight, kMessages);
}

}  // namespace paws::conformance
