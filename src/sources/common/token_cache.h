#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "paws/clock.h"
#include "paws/result.h"
#include "paws/secret.h"

namespace paws {

// An access token as a token endpoint issued it.
struct AccessToken {
  Secret value;
  // As the server sent it ("Bearer"); "Bearer" when it sent none.
  std::string token_type = "Bearer";
  // How long the server said the token is valid, counted from the request.
  Duration lifetime{0};
  // Other top-level string members of the token response that are not
  // credentials (Salesforce: instance_url; "scope"). Never contains
  // access_token, refresh_token or id_token.
  std::map<std::string, std::string> fields;

  // "Bearer <token>", for the Authorization header.
  std::string AuthorizationValue() const { return "Bearer " + value.reveal(); }
};

// Something that hands out access tokens: ClientCredentialsToken,
// JwtBearerToken (oauth2.h). Thread-safe.
class TokenProvider {
 public:
  virtual ~TokenProvider() = default;

  // A token valid for a while yet, cached or fetched before `deadline`.
  // Errors are the token endpoint's (see the implementation).
  virtual Result<AccessToken> Get(MonoTime deadline) = 0;

  // The API answered 401 to `rejected`, a token we thought valid: forget it
  // unless a newer one has replaced it already (so that many streams
  // rejecting the same token cause one refresh). The caller then retries
  // once with a fresh token from Get().
  virtual void Invalidate(const Secret& rejected) = 0;
  // Forgets the cached token, whatever it is.
  virtual void Invalidate() = 0;
};

// Caches what `fetch` returns until lifetime - margin has passed on the
// monotonic clock, margin = min(max_margin, lifetime / 10), counted from the
// start of the fetch. One fetch at a time: callers that find no valid token
// while a fetch runs wait for it and share its result, error included. When
// a refresh within the margin fails, the old token is returned while it has
// not expired. `fetch` must not throw (if it does, Get returns kInternal).
// Thread-safe. `clock` is not owned.
class TokenCache {
 public:
  using Fetch = std::function<Result<AccessToken>(MonoTime deadline)>;

  TokenCache(Clock* clock, Fetch fetch, Duration max_margin = std::chrono::seconds(60));

  // The cached token or, when none is valid, the result of a fetch.
  Result<AccessToken> Get(MonoTime deadline);
  void Invalidate(const Secret& rejected);
  void Invalidate();

  // How many callers wait for a fetch that another one runs (for tests and
  // diagnostics).
  int waiters();

 private:
  bool FreshLocked(MonoTime now) const;   // cached and not due for refresh
  bool UsableLocked(MonoTime now) const;  // cached and not expired

  Clock* const clock_;
  const Fetch fetch_;
  const Duration max_margin_;

  std::mutex mu_;
  std::condition_variable done_;
  std::optional<AccessToken> token_;  // guarded by mu_
  MonoTime refresh_at_;               // guarded by mu_
  MonoTime expires_at_;               // guarded by mu_
  bool fetching_ = false;             // guarded by mu_
  int waiters_ = 0;                   // guarded by mu_
  uint64_t fetches_ = 0;              // completed fetches; guarded by mu_
  Status last_error_;                 // of the last fetch; guarded by mu_
};

}  // namespace paws
