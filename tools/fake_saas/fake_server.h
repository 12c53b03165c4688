#pragma once

#include <memory>
#include <string>

#include "paws/result.h"
#include "tools/fake_saas/fake_api.h"

namespace paws {

// Serves a FakeApi over HTTP (cpp-httplib) on a thread pool of its own.
// The api is not owned and must outlive the server. Stop() is idempotent
// and safe from any thread but a handler; the destructor calls it.
class FakeServer {
 public:
  // Binds `host`:`port` (port 0: a free port, see port()) and starts
  // serving. kUnavailable when the address cannot be bound.
  static Result<std::unique_ptr<FakeServer>> Start(FakeApi* api, const std::string& host, int port);
  ~FakeServer();

  int port() const;
  // "http://host:port"
  std::string url() const;
  // Stops accepting, cuts short the delays of slow responses and joins the
  // server threads.
  void Stop();

 private:
  struct Impl;
  explicit FakeServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace paws
