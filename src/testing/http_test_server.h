#pragma once

#include <httplib.h>

#include <string>
#include <thread>

namespace paws {

// A cpp-httplib server on 127.0.0.1 and a free port, served on a thread of
// its own, for tests of HTTP clients. Register handlers on server() before
// Start(). Stop() (or the destructor) stops it and joins.
class TestHttpServer {
 public:
  TestHttpServer() = default;
  ~TestHttpServer() { Stop(); }
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  httplib::Server& server() { return server_; }

  // Binds and starts serving; sets no_proxy=127.0.0.1,localhost so that
  // clients reach it directly. Returns false when no port could be bound.
  bool Start();
  void Stop();

  int port() const { return port_; }
  // "http://127.0.0.1:<port>"
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
};

}  // namespace paws
