#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/health.h"
#include "paws/clock.h"
#include "paws/http.h"

namespace paws {

struct WebhookOptions {
  // Where to POST. Required.
  std::string url;
  // The timeout of one attempt. Default: 10 s.
  Duration timeout = std::chrono::seconds(10);
  // Attempts per notification, the first included. Default: 5.
  int max_attempts = 5;
  // The wait before the second attempt, doubled after each further failure
  // up to max_backoff. Default: 1 s, at most 60 s.
  Duration backoff = std::chrono::seconds(1);
  Duration max_backoff = std::chrono::seconds(60);
  // Notifications waiting to be sent; when full, the oldest is dropped.
  // Default: 1000.
  size_t queue_limit = 1000;
  // How long Stop() goes on sending what is queued. Default: 5 s.
  Duration drain_timeout = std::chrono::seconds(5);
};

// One change of a stream's class between two health reports.
struct ClassChange {
  std::string collector_id;
  std::string stream;
  std::optional<StreamClass> from;  // none: the stream is new in `current`
  StreamClass to;
  bool healthy;
  std::string code;
  std::string message;
  WallTime at;  // the time of the report that saw the change
};

// Tells a webhook when a stream's class changes. Notify() only computes the
// changes and queues them; one background thread POSTs them in order, one
// at a time, so the notifications of a stream arrive in the order they
// happened. Each is a JSON object:
//
//   {"collector_id", "stream", "from", "to", "healthy", "code", "message", "at"}
//
// "from" is null when the stream first appears, "code" null when empty, "at"
// RFC 3339. Health reports hold no secrets, and nothing else goes in. The
// URL itself may hold a token: it is never logged.
//
// Delivery: a 2xx or 3xx answer delivers. A transport error, a 5xx, 408 or
// 429 is retried after the back-off, up to max_attempts, then dropped and
// logged; any other 4xx is dropped and logged at once (the receiver will not
// take it). Thread-safe.
class WebhookNotifier {
 public:
  // `http` and `clock` are not owned and must outlive the notifier. The
  // clock stamps nothing (reports carry their time); its monotonic time
  // bounds Stop()'s drain. Starts the sending thread.
  WebhookNotifier(WebhookOptions options, HttpClient* http, Clock* clock);
  // Stop().
  ~WebhookNotifier();
  WebhookNotifier(const WebhookNotifier&) = delete;
  WebhookNotifier& operator=(const WebhookNotifier&) = delete;

  // Queues one notification per change from `previous` to `current`. Never
  // blocks on the network; when the queue is full the oldest notification is
  // dropped (and counted). Ignored after Stop().
  void Notify(const HealthReport& previous, const HealthReport& current);

  // Stops taking notifications, goes on sending the queued ones (without
  // back-off waits past the drain deadline) for up to drain_timeout, drops
  // the rest and joins the thread. An attempt in progress is bounded by
  // `timeout`. Idempotent.
  void Stop();

  // The changes from `previous` to `current`, in report order: every stream
  // of `current` whose class differs from its class in `previous`, and every
  // unhealthy stream that `previous` does not have. A stream that is gone
  // from `current` is not a change.
  static std::vector<ClassChange> Changes(const HealthReport& previous,
                                          const HealthReport& current);
  // The JSON body of one change.
  static std::string Payload(const ClassChange& change);

  // Counters, for tests and metrics.
  int64_t delivered() const;  // accepted by the webhook
  int64_t rejected() const;   // dropped: a 4xx, or out of attempts
  int64_t dropped() const;    // dropped from a full queue, or by Stop()
  size_t queued() const;      // waiting, the one being sent included

 private:
  void Run();
  // Sends one body with its retries. Returns when delivered or given up.
  void Deliver(const std::string& body);
  // Waits `d` or until the drain deadline passes; false when stopping
  // should give up on the current body instead.
  bool WaitBackoff(Duration d);
  // `text` with every URL in it replaced by "<webhook url>".
  static std::string Redacted(std::string text);

  WebhookOptions options_;
  HttpClient* http_;
  Clock* clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool sending_ = false;  // Run() holds a body taken from queue_
  bool stopping_ = false;
  MonoTime drain_deadline_;
  int64_t delivered_ = 0;
  int64_t rejected_ = 0;
  int64_t dropped_ = 0;
  std::thread thread_;
  std::mutex stop_mu_;
};

}  // namespace paws
