#include "testing/http_test_server.h"

#include <stdlib.h>

#include <chrono>

namespace paws {

bool TestHttpServer::Start() {
  // Requests to the loopback server must never go through a proxy from the
  // environment (curl honours no_proxy). Set before any client thread runs.
  setenv("no_proxy", "127.0.0.1,localhost", 1);
  server_.set_keep_alive_timeout(1);  // Stop() waits for idle connections
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) return false;
  // The socket already listens; requests queue until the loop accepts them.
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  return true;
}

void TestHttpServer::Stop() {
  if (!thread_.joinable()) return;
  // A stop() before the accept loop runs would be lost. Bounded: 10 s.
  for (int i = 0; i < 10000 && !server_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_.stop();
  thread_.join();
}

}  // namespace paws
