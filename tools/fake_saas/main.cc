// paws-fake-saas: the fake SaaS API (fake_api.h) on 127.0.0.1, for local
// runs and integration tests.
//
//   paws-fake-saas [--port N] [--port-file F] [--rate EVENTS_PER_MINUTE]
//
// --port 0 (the default) picks a free port. The first line on standard
// output is "listening 127.0.0.1:<port>". SIGTERM or SIGINT stops it.

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "tools/fake_saas/fake_api.h"
#include "tools/fake_saas/fake_server.h"
#include "tools/fake_saas/fake_service.h"

namespace {

constexpr const char* kUsage =
    "usage: paws-fake-saas [--port N] [--port-file FILE] [--rate EVENTS_PER_MINUTE]\n";

bool ParseInt(const char* text, int lo, int hi, int* out) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < lo || v > hi) return false;
  *out = static_cast<int>(v);
  return true;
}

// Writes atomically (temp file + rename), so a reader never sees half a port.
bool WritePortFile(const std::string& path, int port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  std::string port_file;
  paws::FakeApiOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--port" && has_value && ParseInt(argv[i + 1], 0, 65535, &port)) {
      ++i;
    } else if (arg == "--port-file" && has_value) {
      port_file = argv[++i];
    } else if (arg == "--rate" && has_value &&
               ParseInt(argv[i + 1], 1, 60000, &options.rate_per_minute)) {
      ++i;
    } else {
      std::fprintf(stderr, "paws-fake-saas: bad argument \"%s\"\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }

  // Block the stop signals in every thread (the server threads inherit the
  // mask) and take them synchronously below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  paws::FakeApi api(paws::Clock::System(), options);
  paws::AddFakeServices(&api);
  auto server = paws::FakeServer::Start(&api, "127.0.0.1", port);
  if (!server.ok()) {
    std::fprintf(stderr, "paws-fake-saas: %s\n", server.status().ToString().c_str());
    return 1;
  }
  if (!port_file.empty() && !WritePortFile(port_file, (*server)->port())) {
    std::fprintf(stderr, "paws-fake-saas: cannot write %s\n", port_file.c_str());
    return 1;
  }
  std::printf("listening 127.0.0.1:%d\n", (*server)->port());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*server)->Stop();
  std::fprintf(stderr, "paws-fake-saas: stopped by signal %d\n", sig);
  return 0;
}
