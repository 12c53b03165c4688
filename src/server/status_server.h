#pragma once

#include <memory>
#include <string>

#include "core/health.h"
#include "core/metrics.h"
#include "paws/clock.h"
#include "paws/result.h"

namespace paws {

// What the status server shows, supplied by its owner (the runtime).
// Methods are called from the server's threads, several at once: an
// implementation must be thread-safe, must not throw, and should answer
// quickly from what it already holds (the latest report, not a new check).
class StatusSource {
 public:
  virtual ~StatusSource() = default;
  // The latest health report; an empty one (at = the epoch) before the
  // first check.
  virtual HealthReport LatestHealth() = 0;
  virtual Metrics::Snapshot MetricsSnapshot() = 0;
  // The time /metrics computes delays against.
  virtual WallTime Now() = 0;
};

struct StatusServerOptions {
  // The address to listen on. Default: loopback only. The status pages hold
  // no secret, but stream names and errors are not for everyone either.
  std::string host = "127.0.0.1";
  // Default: 0, a free port chosen by the system (see port()).
  int port = 0;
};

// The status HTTP server of `paws run`, serving on threads of its own:
//
//   GET /healthz              200 "ok": the process is alive
//   GET /v1/status            200, HealthReportJson(LatestHealth())
//   GET /v1/collectors/{id}   200, CollectorHealthJson of that collector;
//                             404 {"error": "..."} when it is not in the report
//   GET /metrics              200, RenderPrometheus(...), content type
//                             "text/plain; version=0.0.4"
//
// Anything else is 404. A handler that fails answers 500 {"error": "..."}.
// Thread-safe.
class StatusServer {
 public:
  // Binds and starts serving. `source` is not owned and must outlive the
  // server. kUnavailable when the address cannot be bound (in use, bad host).
  static Result<std::unique_ptr<StatusServer>> Start(const StatusServerOptions& options,
                                                     StatusSource* source);

  // Stops (see Stop()).
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // The port it listens on.
  int port() const;
  // "http://<host>:<port>"
  std::string url() const;

  // Stops accepting, finishes the requests in progress and joins its
  // threads. Idempotent. Waits up to about a second for idle keep-alive
  // connections to close.
  void Stop();

 private:
  struct Impl;
  explicit StatusServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace paws
