#include "tools/fake_saas/fake_server.h"

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace paws {

struct FakeServer::Impl {
  FakeApi* api = nullptr;
  std::string host;
  int port = 0;
  httplib::Server server;
  std::thread thread;
  std::mutex mu;
  std::condition_variable stopping_cv;
  bool stopping = false;

  void Serve(const httplib::Request& in, httplib::Response& out) {
    FakeRequest req;
    req.method = in.method;
    req.path = in.path;
    for (const auto& [k, v] : in.params) req.query.emplace(k, v);
    for (const auto& [k, v] : in.headers) req.headers.emplace_back(k, v);
    req.body = in.body;
    FakeResponse res = api->Handle(req);
    if (res.delay > Duration::zero()) {
      std::unique_lock<std::mutex> lock(mu);
      stopping_cv.wait_for(lock, res.delay, [this] { return stopping; });
    }
    out.status = res.status;
    std::string content_type = "application/json";
    for (const auto& [k, v] : res.headers) {
      if (k == "Content-Type") {
        content_type = v;
      } else {
        out.set_header(k, v);
      }
    }
    out.set_content(res.body, content_type.c_str());
  }
};

FakeServer::FakeServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FakeServer::~FakeServer() { Stop(); }

Result<std::unique_ptr<FakeServer>> FakeServer::Start(FakeApi* api, const std::string& host,
                                                      int port) {
  auto impl = std::make_unique<Impl>();
  impl->api = api;
  impl->host = host;
  Impl* raw = impl.get();
  auto handler = [raw](const httplib::Request& in, httplib::Response& out) { raw->Serve(in, out); };
  impl->server.Get(".*", handler);
  impl->server.Post(".*", handler);
  impl->server.Put(".*", handler);
  impl->server.Delete(".*", handler);
  impl->server.Patch(".*", handler);
  // An idle keep-alive connection holds a server thread until this expires,
  // and Stop() waits for it: keep it short.
  impl->server.set_keep_alive_timeout(1);
  // httplib writes headers and body separately: without this, Nagle's
  // algorithm and the client's delayed ACK add ~40 ms to every response.
  impl->server.set_tcp_nodelay(true);
  if (port == 0) {
    impl->port = impl->server.bind_to_any_port(host);
  } else if (impl->server.bind_to_port(host, port)) {
    impl->port = port;
  } else {
    impl->port = -1;
  }
  if (impl->port <= 0) {
    return Status::Unavailable("fake SaaS: cannot bind " + host + ":" + std::to_string(port));
  }
  // The socket listens from bind on, so requests queue until the accept
  // loop runs; Stop() waits for that loop to start before stopping it.
  impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  return std::unique_ptr<FakeServer>(new FakeServer(std::move(impl)));
}

int FakeServer::port() const { return impl_->port; }

std::string FakeServer::url() const {
  return "http://" + impl_->host + ":" + std::to_string(impl_->port);
}

void FakeServer::Stop() {
  if (!impl_->thread.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->stopping_cv.notify_all();
  // stop() before the accept loop has started would be lost. 10 s bound.
  for (int i = 0; i < 10000 && !impl_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace paws
