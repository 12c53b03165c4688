#include "sources/common/token_cache.h"

#include <algorithm>
#include <exception>

namespace paws {

TokenCache::TokenCache(Clock* clock, Fetch fetch, Duration max_margin)
    : clock_(clock), fetch_(std::move(fetch)), max_margin_(max_margin) {}

bool TokenCache::FreshLocked(MonoTime now) const { return token_ && now < refresh_at_; }

bool TokenCache::UsableLocked(MonoTime now) const { return token_ && now < expires_at_; }

Result<AccessToken> TokenCache::Get(MonoTime deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (FreshLocked(clock_->MonotonicNow())) return *token_;
    if (!fetching_) break;
    const uint64_t seen = fetches_;
    ++waiters_;
    done_.wait(lock, [&] { return fetches_ != seen; });
    --waiters_;
    if (!last_error_.ok()) {
      // The fetch we waited for failed: share its error rather than send
      // the same request again at once.
      if (UsableLocked(clock_->MonotonicNow())) return *token_;
      return last_error_;
    }
  }
  fetching_ = true;
  lock.unlock();

  const MonoTime start = clock_->MonotonicNow();
  Result<AccessToken> r = Status::Internal("token fetch did not run");
  try {
    r = fetch_(deadline);
  } catch (const std::exception&) {
    // A fetch must not throw; if one does, the waiters must still wake.
    r = Status::Internal("token fetch failed unexpectedly");
  }

  lock.lock();
  fetching_ = false;
  ++fetches_;
  if (r.ok()) {
    const Duration lifetime = std::max(r->lifetime, Duration(0));
    token_ = *r;
    expires_at_ = start + lifetime;
    refresh_at_ = expires_at_ - std::min(max_margin_, lifetime / 10);
    last_error_ = Status::Ok();
  } else {
    last_error_ = r.status();
  }
  done_.notify_all();
  if (!r.ok() && UsableLocked(clock_->MonotonicNow())) {
    // Refreshing early failed, but the token we have is still valid: use it
    // and try again on the next call.
    return *token_;
  }
  return r;
}

void TokenCache::Invalidate(const Secret& rejected) {
  std::lock_guard<std::mutex> lock(mu_);
  if (token_ && token_->value.reveal() == rejected.reveal()) token_.reset();
}

void TokenCache::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  token_.reset();
}

}  // namespace paws

namespace paws {

int TokenCache::waiters() {
  std::lock_guard<std::mutex> lock(mu_);
  return waiters_;
}

}  // namespace paws
