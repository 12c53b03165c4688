#include "sinks/stdout/stdout_sink.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "paws/codes.h"

namespace paws {
namespace {

using json = nlohmann::json;

std::vector<std::string> ReadAll(std::FILE* f) {
  std::rewind(f);
  std::vector<std::string> lines;
  std::string line;
  for (int c; (c = std::fgetc(f)) != EOF;) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else {
      line.push_back(static_cast<char>(c));
    }
  }
  EXPECT_TRUE(line.empty()) << "unterminated line: " << line;
  return lines;
}

TEST(StdoutSink, WritesFlushedJsonLines) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  StdoutSink sink(f);
  const std::string c = "c-1", t = "fake", s = "s1";
  std::vector<Event> events = {
      {"e1", FromUnixMillis(1767225600000), "user.session.start", R"({"uuid":"e1","x":[1,2]})"}};
  ASSERT_TRUE(sink.Write({c, t, s, events}).ok());
  std::vector<std::string> lines = ReadAll(f);
  ASSERT_EQ(lines.size(), 1u);
  json line = json::parse(lines[0]);
  EXPECT_EQ(line["id"], "e1");
  EXPECT_EQ(line["stream"], "s1");
  EXPECT_EQ(line["ts"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(line["event"]["x"], json::array({1, 2}));
  std::fclose(f);
}

TEST(StdoutSink, ConcurrentWritersKeepLinesWhole) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  StdoutSink sink(f);
  const std::string c = "c-1", t = "fake", s = "s1";
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int b = 0; b < 30; ++b) {
        std::vector<Event> events;
        for (int e = 0; e < 10; ++e) {
          events.push_back({std::to_string(i) + "-" + std::to_string(b) + "-" + std::to_string(e),
                            FromUnixMillis(e), "t", R"({"k":"v"})"});
        }
        EXPECT_TRUE(sink.Write({c, t, s, events}).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  std::vector<std::string> lines = ReadAll(f);
  ASSERT_EQ(lines.size(), 1200u);
  for (const auto& l : lines) EXPECT_TRUE(json::accept(l)) << l;
  std::fclose(f);
}

TEST(StdoutSink, StreamErrorIsUnavailable) {
  std::FILE* f = std::fopen("/dev/null", "r");  // read-only: writes fail
  ASSERT_NE(f, nullptr);
  StdoutSink sink(f);
  const std::string c = "c-1", t = "fake", s = "s1";
  std::vector<Event> events = {{"e1", FromUnixMillis(0), "t", "{}"}};
  Status st = sink.Write({c, t, s, events});
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(st.paws_code(), codes::kSinkFailed);
  std::fclose(f);
}

TEST(StdoutSink, MakeWritesToStandardOutput) {
  auto sink = StdoutSink::Make(SinkOptions{});
  ASSERT_TRUE(sink.ok());
  EXPECT_NE(sink->get(), nullptr);
}

}  // namespace
}  // namespace paws
