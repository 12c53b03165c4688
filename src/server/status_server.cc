#include "server/status_server.h"

#include <httplib.h>

#include <chrono>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "server/health_json.h"

namespace paws {
namespace {

std::string ErrorJson(const std::string& message) {
  return nlohmann::json{{"error", message}}.dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace);
}

}  // namespace

struct StatusServer::Impl {
  StatusSource* source = nullptr;
  std::string host;
  int port = -1;
  httplib::Server server;
  std::thread thread;
  std::mutex stop_mu;

  void Routes() {
    server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    server.Get("/v1/status", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(HealthReportJson(source->LatestHealth()), "application/json");
    });
    server.Get(R"(/v1/collectors/([^/]+))", [this](const httplib::Request& req,
                                                   httplib::Response& res) {
      std::string id = req.matches[1];
      HealthReport report = source->LatestHealth();
      for (const auto& c : report.collectors) {
        if (c.collector_id == id) {
          res.set_content(CollectorHealthJson(c), "application/json");
          return;
        }
      }
      res.status = 404;
      res.set_content(ErrorJson("unknown collector: " + id), "application/json");
    });
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      // Read the report first: delays are computed against a `now` that is
      // never before the check they come from.
      HealthReport report = source->LatestHealth();
      Metrics::Snapshot snapshot = source->MetricsSnapshot();
      res.set_content(RenderPrometheus(snapshot, report, source->Now()),
                      "text/plain; version=0.0.4");
    });
    // Unknown paths: a JSON 404 rather than httplib's empty body.
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) {
        res.set_content(ErrorJson(res.status == 404 ? "not found" : "error"),
                        "application/json");
      }
    });
    // No exception may escape a server thread (an allocation failure, a bug
    // in a source): answer 500 instead.
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
          std::string what = "internal error";
          try {
            if (ep) std::rethrow_exception(ep);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          res.status = 500;
          res.set_content(ErrorJson(what), "application/json");
        });
  }
};

StatusServer::StatusServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StatusServer::~StatusServer() { Stop(); }

Result<std::unique_ptr<StatusServer>> StatusServer::Start(const StatusServerOptions& options,
                                                          StatusSource* source) {
  auto impl = std::make_unique<Impl>();
  impl->source = source;
  impl->host = options.host;
  impl->Routes();
  // An idle keep-alive connection holds a server thread until this expires,
  // and Stop() waits for it: keep it short.
  impl->server.set_keep_alive_timeout(1);
  // Headers and body are written separately: without this, Nagle's
  // algorithm and the client's delayed ACK add ~40 ms to every response.
  impl->server.set_tcp_nodelay(true);
  // httplib's default adds SO_REUSEPORT, with which a second daemon would
  // bind the same port without error and take half the requests. Only
  // SO_REUSEADDR: a restart may reuse the port, a second listener may not.
  impl->server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  if (options.port == 0) {
    impl->port = impl->server.bind_to_any_port(options.host);
  } else if (options.port > 0 && impl->server.bind_to_port(options.host, options.port)) {
    impl->port = options.port;
  }
  if (impl->port <= 0) {
    return Status::Unavailable("status server: cannot listen on " + options.host + ":" +
                               std::to_string(options.port));
  }
  // The socket listens from bind on: requests queue until the loop accepts.
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  return std::unique_ptr<StatusServer>(new StatusServer(std::move(impl)));
}

int StatusServer::port() const { return impl_->port; }

std::string StatusServer::url() const {
  return "http://" + impl_->host + ":" + std::to_string(impl_->port);
}

void StatusServer::Stop() {
  std::lock_guard<std::mutex> lock(impl_->stop_mu);
  if (!impl_->thread.joinable()) return;
  // A stop() before the accept loop has started would be lost. 10 s bound.
  for (int i = 0; i < 10000 && !impl_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace paws
