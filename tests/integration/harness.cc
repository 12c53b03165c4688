#include "tests/integration/harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace paws::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "paws-it-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  path_ = made ? made : "";
}
TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

Result<std::unique_ptr<Process>> Process::Start(const std::vector<std::string>& argv,
                                                const std::map<std::string, std::string>& env,
                                                const std::string& out_file,
                                                const std::string& err_file) {
  pid_t pid = fork();
  if (pid < 0) return Status::Internal("fork failed");
  if (pid == 0) {
    int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out >= 0) dup2(out, 1);
    if (err >= 0) dup2(err, 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return std::unique_ptr<Process>(new Process(pid));
}

Process::~Process() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(10));
  }
}

void Process::Signal(int sig) {
  if (!reaped_) kill(pid_, sig);
}

bool Process::Running() {
  if (reaped_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return !reaped_;
}

int Process::Wait(std::chrono::milliseconds timeout) {
  auto deadline = Clock::System()->MonotonicNow() + timeout;
  while (Running()) {
    if (Clock::System()->MonotonicNow() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return code_;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

std::string PawsBinary() { return PAWS_BINARY; }
std::string FakeSaasBinary() { return FAKE_SAAS_BINARY; }

Result<std::unique_ptr<FakeSaas>> FakeSaas::Start(const TempDir& dir, int rate_per_minute) {
  std::unique_ptr<FakeSaas> f(new FakeSaas());
  std::string port_file = dir.File("fake.port");
  PAWS_ASSIGN_OR_RETURN(
      f->proc_, Process::Start({FakeSaasBinary(), "--port", "0", "--port-file", port_file,
                                "--rate", std::to_string(rate_per_minute)},
                               {}, dir.File("fake.out"), dir.File("fake.err")));
  for (int i = 0; i < 1000 && f->port_ == 0; ++i) {
    std::string p = ReadFile(port_file);
    if (!p.empty() && p.back() == '\n') f->port_ = std::atoi(p.c_str());
    if (f->port_ == 0) {
      if (!f->proc_->Running()) return Status::Unavailable("fake SaaS API exited at start");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (f->port_ == 0) return Status::Unavailable("fake SaaS API did not start in 10 s");
  f->http_ = MakeCurlHttpClient();
  return f;
}

Result<std::set<std::string>> FakeSaas::Served(const std::string& tenant,
                                               const std::string& stream) {
  HttpRequest req;
  req.url = base() + "/admin/served?tenant=" + tenant + "&stream=" + stream;
  PAWS_ASSIGN_OR_RETURN(auto resp, http_->Send(req));
  if (resp.status != 200) return Status::Unavailable("served: HTTP " + std::to_string(resp.status));
  auto j = nlohmann::json::parse(resp.body, nullptr, false);
  if (!j.is_object() || !j["ids"].is_array()) return Status::Internal("served: bad body");
  std::set<std::string> ids;
  for (const auto& id : j["ids"]) ids.insert(id.get<std::string>());
  return ids;
}

Status FakeSaas::AdminPost(const std::string& path, const std::string& json_body) {
  HttpRequest req;
  req.method = "POST";
  req.url = base() + path;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = json_body;
  PAWS_ASSIGN_OR_RETURN(auto resp, http_->Send(req));
  if (resp.status / 100 != 2) return Status::Internal(path + ": HTTP " + std::to_string(resp.status));
  return Status::Ok();
}

Status FakeSaas::ClearFaults() {
  HttpRequest req;
  req.method = "DELETE";
  req.url = base() + "/admin/faults";
  PAWS_ASSIGN_OR_RETURN(auto resp, http_->Send(req));
  if (resp.status / 100 != 2) return Status::Internal("clear faults: HTTP " + std::to_string(resp.status));
  return Status::Ok();
}

Result<std::vector<SinkLine>> ReadSink(const std::string& path) {
  std::ifstream in(path);
  std::vector<SinkLine> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) return Status::Internal("sink line " + std::to_string(n) + " is not JSON");
    out.push_back(SinkLine{j.value("collector_id", ""), j.value("stream", ""), j.value("id", ""),
                           j.value("ts", "")});
  }
  return out;
}

int RunPaws(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            std::string* out, std::string* err, std::chrono::milliseconds timeout) {
  TempDir dir;
  std::vector<std::string> argv = {PawsBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = Process::Start(argv, env, dir.File("out"), dir.File("err"));
  if (!p.ok()) return -1;
  int code = (*p)->Wait(timeout);
  if (out) *out = ReadFile(dir.File("out"));
  if (err) *err = ReadFile(dir.File("err"));
  return code;
}

}  // namespace paws::testing
