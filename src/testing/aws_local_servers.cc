#include "testing/aws_local_servers.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

extern char** environ;

namespace paws::testing_aws {
namespace {

// Polling granularity of the bounded waits below (milliseconds).
constexpr int kTickMs = 50;
// How long the destructor waits after SIGTERM before SIGKILL.
constexpr int kStopTimeoutMs = 5000;
// Longest first line accepted from servers.mjs.
constexpr size_t kMaxLine = 4096;
// How much of the child's stderr a failure message quotes.
constexpr off_t kStderrTail = 1500;

bool IsExecutable(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// The first executable "node" on PATH, or "".
std::string FindNode() {
  const char* path = getenv("PATH");
  if (path == nullptr) return "";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;  // an empty entry would mean the cwd: not trusted
    std::string candidate = dir + "/node";
    if (IsExecutable(candidate)) return candidate;
  }
  return "";
}

// curl honours proxy variables; the local servers must be reached directly.
void BypassProxyForLoopback() {
  const char* cur = getenv("no_proxy");
  std::string value = cur ? cur : "";
  if (value.find("127.0.0.1") != std::string::npos) return;
  value = value.empty() ? "127.0.0.1,localhost" : value + ",127.0.0.1,localhost";
  setenv("no_proxy", value.c_str(), 1);
}

// The last bytes of the child's stderr, on one line, or "(no output)".
std::string StderrTail(int fd) {
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) return "(no output)";
  off_t start = st.st_size > kStderrTail ? st.st_size - kStderrTail : 0;
  std::string buf(static_cast<size_t>(st.st_size - start), '\0');
  ssize_t n = pread(fd, buf.data(), buf.size(), start);
  if (n <= 0) return "(unreadable)";
  buf.resize(static_cast<size_t>(n));
  while (!buf.empty() && (buf.back() == '\n' || buf.back() == ' ')) buf.pop_back();
  for (char& c : buf) {
    if (c == '\n') c = '|';
  }
  return (start > 0 ? "..." : "") + buf;
}

std::string FormatSeconds(int ms) {
  std::ostringstream out;
  out << ms / 1000.0;
  return out.str();
}

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

// Parses {"dynamodb":"http://127.0.0.1:P","sqs":"http://127.0.0.1:Q"}.
Result<AwsLocalEndpoints> ParseEndpoints(const std::string& line) {
  auto bad = [&](const std::string& why) {
    return Status::Internal("servers.mjs printed an unexpected first line (" + why +
                            "): " + line.substr(0, 200));
  };
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return bad("not a JSON object");
  AwsLocalEndpoints ep;
  for (auto [key, out] : {std::pair{"dynamodb", &ep.dynamodb}, std::pair{"sqs", &ep.sqs}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return bad(std::string("no string \"") + key + "\"");
    *out = it->get<std::string>();
    if (out->rfind("http://127.0.0.1:", 0) != 0) {
      return bad(std::string("\"") + key + "\" is not http://127.0.0.1:<port>");
    }
  }
  return ep;
}

}  // namespace

Result<std::unique_ptr<AwsLocalServers>> AwsLocalServers::Start(
    const AwsLocalServersOptions& options) {
  std::string node = FindNode();
  if (node.empty()) return Status::Unavailable("node not found on PATH");
  std::string script = options.dir + "/servers.mjs";
  if (!Exists(script)) return Status::Unavailable(script + " missing");
  if (!Exists(options.dir + "/node_modules/dynalite/package.json") ||
      !Exists(options.dir + "/node_modules/fauxqs/package.json")) {
    return Status::Unavailable("tests/aws/node_modules missing: run make test (npm ci)");
  }
  BypassProxyForLoopback();

  std::unique_ptr<AwsLocalServers> s(new AwsLocalServers());
  int in_pipe[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return Status::Internal("pipe2 failed");
  s->stdin_fd_ = in_pipe[1];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    CloseFd(&in_pipe[0]);
    return Status::Internal("pipe2 failed");
  }
  s->stdout_fd_ = out_pipe[0];
  // Stderr goes to an unlinked file, not a pipe: the child never blocks on
  // it, and a failure can quote its end.
  std::string tmpl =
      std::string(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") + "/paws-aws-servers-XXXXXX";
  s->stderr_fd_ = mkostemp(tmpl.data(), O_CLOEXEC);
  if (s->stderr_fd_ >= 0) unlink(tmpl.c_str());

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  if (s->stderr_fd_ >= 0) posix_spawn_file_actions_adddup2(&fa, s->stderr_fd_, 2);
  // Other descriptors of a test (listening sockets, pipes of other
  // children) must not outlive it in node.
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv = {node.data(), script.data(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, node.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  CloseFd(&in_pipe[0]);
  CloseFd(&out_pipe[1]);
  if (rc != 0) {
    return Status::Internal("cannot start " + node + ": " + std::strerror(rc));
  }
  s->pid_ = pid;
  s->owner_ = getpid();

  // Wait for the one line: idle polls are bounded by start_timeout_ms, reads
  // by their count (each one brings the line closer to kMaxLine or EOF).
  std::string line;
  int waited_ms = 0;
  size_t reads = 0;
  while (waited_ms < options.start_timeout_ms && reads < kMaxLine) {
    pollfd pfd{s->stdout_fd_, POLLIN, 0};
    if (poll(&pfd, 1, kTickMs) <= 0) {
      waited_ms += kTickMs;
      continue;
    }
    ++reads;
    char buf[512];
    ssize_t n = read(s->stdout_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // EOF: node exited (or closed stdout) before printing the line.
      int status = 0;
      pid_t r = waitpid(s->pid_, &status, 0);
      if (r == s->pid_) s->pid_ = -1;
      int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return Status::Unavailable("servers exited with code " + std::to_string(code) +
                                 " before listening: " + StderrTail(s->stderr_fd_));
    }
    line.append(buf, static_cast<size_t>(n));
    size_t nl = line.find('\n');
    if (nl != std::string::npos) {
      PAWS_ASSIGN_OR_RETURN(s->endpoints_, ParseEndpoints(line.substr(0, nl)));
      return s;
    }
    if (line.size() > kMaxLine) {
      return Status::Internal("servers.mjs printed more than " + std::to_string(kMaxLine) +
                              " bytes without a newline");
    }
  }
  // The destructor of `s` stops the process.
  return Status::Unavailable("servers did not start within " +
                             FormatSeconds(options.start_timeout_ms) +
                             " s: " + StderrTail(s->stderr_fd_));
}

void AwsLocalServers::CloseStdin() { CloseFd(&stdin_fd_); }

AwsLocalServers::~AwsLocalServers() {
  // A forked child (a death test, say) inherits this object but not the
  // process: only the owner stops it.
  if (pid_ > 0 && getpid() == owner_) {
    CloseStdin();
    kill(pid_, SIGTERM);
    bool reaped = false;
    for (int waited = 0; waited < kStopTimeoutMs && !reaped; waited += kTickMs) {
      int status = 0;
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || (r < 0 && errno == ECHILD)) {
        reaped = true;
      } else {
        poll(nullptr, 0, kTickMs);
      }
    }
    if (!reaped) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);  // SIGKILL cannot be ignored: returns promptly
    }
  }
  CloseFd(&stdin_fd_);
  CloseFd(&stdout_fd_);
  CloseFd(&stderr_fd_);
}

AwsLocalServers* SharedAwsLocalServers(std::string* why) {
  // Destroyed at exit, which stops the process.
  static std::mutex mu;
  static bool tried = false;
  static std::string reason;
  static std::unique_ptr<AwsLocalServers> shared;
  std::lock_guard<std::mutex> lock(mu);
  if (!tried) {
    tried = true;
    auto started = AwsLocalServers::Start();
    if (started.ok()) {
      shared = std::move(started).value();
    } else {
      reason = started.status().message();
    }
  }
  if (!shared && why != nullptr) *why = reason;
  return shared.get();
}

}  // namespace paws::testing_aws
