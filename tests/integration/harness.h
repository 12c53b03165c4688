#pragma once

// Helpers for tests that start the real binaries: processes, temporary
// directories, the fake SaaS API over loopback, and reading what paws left
// in its SQLite file and its sink.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "paws/backend.h"
#include "paws/http.h"
#include "paws/result.h"

namespace paws::testing {

// A temporary directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A child process. The destructor kills it (SIGKILL) if it still runs.
class Process {
 public:
  // Starts `argv` with extra environment variables; stdout and stderr are
  // appended to the given files.
  static Result<std::unique_ptr<Process>> Start(const std::vector<std::string>& argv,
                                                const std::map<std::string, std::string>& env,
                                                const std::string& out_file,
                                                const std::string& err_file);
  ~Process();

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits up to `timeout` for the process to exit; returns its exit code
  // (128 + signal if killed), or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);
  bool Running();

 private:
  explicit Process(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  bool reaped_ = false;
  int code_ = -1;
};

// The fake SaaS API server (tools/fake_saas) on a free loopback port.
class FakeSaas {
 public:
  static Result<std::unique_ptr<FakeSaas>> Start(const TempDir& dir, int rate_per_minute);
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The endpoint of a tenant, as a collector's `endpoint`.
  std::string Endpoint(const std::string& tenant) const { return base() + "/t/" + tenant; }
  // The ids the server returned for (tenant, stream).
  Result<std::set<std::string>> Served(const std::string& tenant, const std::string& stream);
  // POST a JSON body to an admin path ("/admin/config", ...).
  Status AdminPost(const std::string& path, const std::string& json_body);
  // POST /admin/faults with a JSON body; DELETE /admin/faults.
  Status SetFault(const std::string& json_body) { return AdminPost("/admin/faults", json_body); }
  Status ClearFaults();

 private:
  std::unique_ptr<Process> proc_;
  std::unique_ptr<HttpClient> http_;
  int port_ = 0;
};

// A line of the JSONL sink.
struct SinkLine {
  std::string collector_id;
  std::string stream;
  std::string id;
  std::string ts;
};
// Reads every line of a JSONL sink file. A line that does not parse is an error.
Result<std::vector<SinkLine>> ReadSink(const std::string& path);

// Paths of the binaries under test.
std::string PawsBinary();
std::string FakeSaasBinary();

// Runs `paws ARGS...` to completion (bounded by `timeout`); returns the exit
// code and fills stdout/stderr.
int RunPaws(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            std::string* out, std::string* err,
            std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Polls `pred` every 100 ms for at most `limit`; returns its last answer.
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds limit) {
  auto deadline = Clock::System()->MonotonicNow() + limit;
  while (Clock::System()->MonotonicNow() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

}  // namespace paws::testing
