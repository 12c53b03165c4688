#include "tools/fake_saas/fake_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/url.h"
#include "paws/http.h"

namespace paws {
namespace {

using json = nlohmann::json;

HttpRequest Get(const std::string& url, Duration timeout = std::chrono::seconds(10)) {
  HttpRequest req;
  req.url = url;
  req.headers = {{"Authorization", "SSWS tok"}, {"Accept", "application/json"}};
  req.timeout = timeout;
  return req;
}

// Loopback requests must not go through a proxy from the environment.
class FakeServerEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { setenv("no_proxy", "127.0.0.1,localhost", 1); }
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new FakeServerEnvironment);

TEST(FakeServer, ServesTheApiOverLoopbackToTheCurlClient) {
  FakeApi api(Clock::System());
  auto server = FakeServer::Start(&api, "127.0.0.1", 0);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto http = MakeCurlHttpClient();
  const std::string url = (*server)->url() + "/t/acme/api/v1/logs?stream=s1&limit=2&since=" +
                          UrlEncode("2025-01-01T00:00:00Z") +
                          "&until=" + UrlEncode("2025-01-01T00:00:03Z");

  auto first = http->Send(Get(url));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(json::parse(first->body).size(), 2u);
  std::string next = FindLinkRel(first->headers, "next");
  EXPECT_EQ(next.rfind((*server)->url() + "/t/acme/api/v1/logs?", 0), 0u) << next;

  auto second = http->Send(Get(next));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(json::parse(second->body).size(), 1u);
  EXPECT_TRUE(FindLinkRel(second->headers, "next").empty());
  EXPECT_EQ(api.ServedIds("acme", "s1").size(), 3u);

  // A slow response beyond the client's timeout; Stop() cuts its delay short.
  ASSERT_TRUE(api.SetFault({"acme", "", FakeFaultKind::kSlow, 0, 60000, 1}).ok());
  auto slow = http->Send(Get(url, Duration(200)));
  EXPECT_EQ(slow.status().code(), StatusCode::kDeadlineExceeded) << slow.status().ToString();
  auto started = std::chrono::steady_clock::now();
  (*server)->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

// Reads one line from `fd` within `timeout`; "" on timeout or EOF.
std::string ReadLine(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    until - std::chrono::steady_clock::now())
                                    .count());
    if (poll(&p, 1, std::max(left, 1)) <= 0) break;
    char c;
    if (read(fd, &c, 1) != 1) break;
    if (c == '\n') return line;
    line.push_back(c);
  }
  return "";
}

// Waits up to `timeout` for the child; kills it if it does not exit.
int WaitExit(pid_t pid, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

TEST(FakeServerBinary, PrintsItsPortServesAndStopsOnSigterm) {
  char dir_template[] = "/tmp/paws-fake-saas-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string port_file = std::string(dir_template) + "/port";
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(PAWS_FAKE_SAAS_BINARY, PAWS_FAKE_SAAS_BINARY, "--port", "0", "--port-file",
          port_file.c_str(), "--rate", "120", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string line = ReadLine(out[0], std::chrono::seconds(10));
  close(out[0]);
  ASSERT_EQ(line.rfind("listening 127.0.0.1:", 0), 0u) << "got: " << line;
  const std::string port = line.substr(std::string("listening 127.0.0.1:").size());
  std::string from_file;
  std::ifstream(port_file) >> from_file;
  EXPECT_EQ(from_file, port);

  auto http = MakeCurlHttpClient();
  auto health = http->Send(Get("http://127.0.0.1:" + port + "/healthz"));
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->status, 200);
  // --rate 120: two events a second.
  auto logs = http->Send(Get("http://127.0.0.1:" + port +
                             "/t/acme/api/v1/logs?stream=s&since=2025-01-01T00:00:00Z&until="
                             "2025-01-01T00:00:01Z"));
  ASSERT_TRUE(logs.ok()) << logs.status().ToString();
  EXPECT_EQ(json::parse(logs->body).size(), 2u);

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = WaitExit(pid, std::chrono::seconds(10));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  std::remove(port_file.c_str());
  rmdir(dir_template);
}

}  // namespace
}  // namespace paws
