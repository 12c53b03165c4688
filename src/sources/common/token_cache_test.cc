#include "sources/common/token_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "paws/codes.h"

namespace paws {
namespace {

using std::chrono::seconds;

class TokenCacheTest : public ::testing::Test {
 protected:
  // Issues "tok-1", "tok-2", ... valid for `lifetime_`, or fails with
  // `error_` when set.
  Result<AccessToken> Fetch(MonoTime) {
    int n = ++fetches_;
    if (!error_.ok()) return error_;
    AccessToken t;
    t.value = Secret("tok-" + std::to_string(n));
    t.lifetime = lifetime_;
    return t;
  }
  std::string Get() {
    Result<AccessToken> t = cache_.Get(clock_.MonotonicNow() + seconds(30));
    return t.ok() ? t->value.reveal() : "error: " + t.status().message();
  }

  FakeClock clock_;
  std::atomic<int> fetches_{0};
  Duration lifetime_ = seconds(3600);
  Status error_;
  TokenCache cache_{&clock_, [this](MonoTime d) { return Fetch(d); }};
};

TEST_F(TokenCacheTest, FetchesOnceUntilTheMarginBeforeExpiry) {
  for (int i = 0; i < 50; ++i) EXPECT_EQ(Get(), "tok-1");
  EXPECT_EQ(fetches_, 1);
  // Refreshed 60 s (the margin) before the hour is up.
  clock_.Advance(seconds(3539));
  EXPECT_EQ(Get(), "tok-1");
  clock_.Advance(seconds(1));
  EXPECT_EQ(Get(), "tok-2");
  EXPECT_EQ(Get(), "tok-2");
  EXPECT_EQ(fetches_, 2);
}

TEST_F(TokenCacheTest, ShortLivedTokensUseATenthAsMargin) {
  lifetime_ = seconds(100);
  EXPECT_EQ(Get(), "tok-1");
  clock_.Advance(seconds(89));
  EXPECT_EQ(Get(), "tok-1");
  clock_.Advance(seconds(1));
  EXPECT_EQ(Get(), "tok-2");
}

TEST_F(TokenCacheTest, InvalidateForgetsOnlyTheRejectedToken) {
  EXPECT_EQ(Get(), "tok-1");
  cache_.Invalidate(Secret("tok-1"));
  EXPECT_EQ(Get(), "tok-2");
  // A second stream reports the same old token: tok-2 stays.
  cache_.Invalidate(Secret("tok-1"));
  EXPECT_EQ(Get(), "tok-2");
  cache_.Invalidate();
  EXPECT_EQ(Get(), "tok-3");
  EXPECT_EQ(fetches_, 3);
}

TEST_F(TokenCacheTest, ErrorsAreNotCached) {
  error_ = Status::Unauthenticated("bad secret", codes::kApiUnauthenticated);
  EXPECT_EQ(Get(), "error: bad secret");
  EXPECT_EQ(Get(), "error: bad secret");
  EXPECT_EQ(fetches_, 2);
  error_ = Status::Ok();
  EXPECT_EQ(Get(), "tok-3");
}

TEST_F(TokenCacheTest, AFailedEarlyRefreshKeepsTheValidToken) {
  EXPECT_EQ(Get(), "tok-1");
  clock_.Advance(seconds(3550));  // within the margin, not expired
  error_ = Status::Unavailable("token endpoint down");
  EXPECT_EQ(Get(), "tok-1");
  clock_.Advance(seconds(50));  // expired
  EXPECT_EQ(Get(), "error: token endpoint down");
}

// Concurrent callers wait for the one fetch and share its result.
class BlockingFetchTest : public ::testing::Test {
 protected:
  static constexpr int kThreads = 8;

  Result<AccessToken> Fetch(MonoTime) {
    ++fetches_;
    release_.wait();
    if (!error_.ok()) return error_;
    AccessToken t;
    t.value = Secret("tok-" + std::to_string(fetches_.load()));
    t.lifetime = seconds(3600);
    return t;
  }

  // Runs kThreads callers; lets the fetch finish once all the others wait
  // for it.
  std::vector<std::string> RunCallers() {
    std::vector<std::string> got(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        auto t = cache_.Get(clock_.MonotonicNow() + seconds(30));
        got[i] = t.ok() ? t->value.reveal() : t.status().message();
      });
    }
    // Bounded (at most 20,000 naps of 1 ms), so that a broken cache fails
    // instead of hanging. The fetching thread may be counted out of the
    // waiters before it has entered Fetch: wait for both.
    for (int i = 0; i < 20000 && (cache_.waiters() < kThreads - 1 || fetches_ < 1); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(cache_.waiters(), kThreads - 1);
    EXPECT_EQ(fetches_, 1);
    release_.count_down();
    for (auto& t : threads) t.join();
    return got;
  }

  FakeClock clock_;
  std::atomic<int> fetches_{0};
  std::latch release_{1};
  Status error_;
  TokenCache cache_{&clock_, [this](MonoTime d) { return Fetch(d); }};
};

TEST_F(BlockingFetchTest, ConcurrentCallersCauseOneFetch) {
  EXPECT_EQ(RunCallers(), std::vector<std::string>(kThreads, "tok-1"));
  EXPECT_EQ(fetches_, 1);
}

TEST_F(BlockingFetchTest, ConcurrentCallersShareAFailure) {
  error_ = Status::Unavailable("token endpoint down");
  EXPECT_EQ(RunCallers(), std::vector<std::string>(kThreads, "token endpoint down"));
  EXPECT_EQ(fetches_, 1);
}

}  // namespace
}  // namespace paws
