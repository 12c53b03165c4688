#include "sinks/jsonl/jsonl_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "paws/codes.h"
#include "paws/registry.h"

namespace paws {
namespace {

using json = nlohmann::json;

std::vector<Event> Events(const std::string& prefix, int n) {
  std::vector<Event> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(Event{prefix + "-" + std::to_string(i), FromUnixMillis(1767225600000 + i),
                        "user.session.start",
                        json{{"uuid", prefix + "-" + std::to_string(i)}, {"n", i}}.dump()});
  }
  return out;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class JsonlSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "paws-jsonl-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SinkOptions Options(const std::string& name = "a/b/events.jsonl") {
    SinkOptions o;
    o.type = "jsonl";
    o.path = dir_ + "/" + name;
    return o;
  }

  std::string dir_;
  const std::string collector_ = "c-1", type_ = "fake", stream_ = "s1";
};

TEST_F(JsonlSinkTest, WritesOneParsableLinePerEventCreatingDirectories) {
  auto sink = JsonlSink::Make(Options());
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  std::vector<Event> events = Events("e", 3);
  events.push_back(Event{"raw", FromUnixMillis(0), "", "not json"});
  ASSERT_TRUE((*sink)->Write({collector_, type_, stream_, events}).ok());

  std::vector<std::string> lines = ReadLines(Options().path);
  ASSERT_EQ(lines.size(), 4u);
  json first = json::parse(lines[0]);
  EXPECT_EQ(first["collector_id"], "c-1");
  EXPECT_EQ(first["type"], "fake");
  EXPECT_EQ(first["stream"], "s1");
  EXPECT_EQ(first["id"], "e-0");
  EXPECT_EQ(first["ts"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(first["type_id"], "user.session.start");
  EXPECT_EQ(first["event"], json::parse(events[0].raw_json));
  EXPECT_EQ(json::parse(lines[3])["event"], "not json");  // kept, as a string
}

TEST_F(JsonlSinkTest, CheckedEventsAreWrittenAsTheyCameOnOneLine) {
  auto sink = JsonlSink::Make(Options());
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  // A pretty-printed event, as a source may cut it out of a response; ids
  // and names that need escaping; an unchecked event in invalid UTF-8.
  Event pretty{"id\"1\\", FromUnixMillis(0), "t\n\u00e9", "{\n  \"a\": [1,\r\n 2],\n  \"b\": \"x\\ny\"\n}"};
  pretty.raw_is_json = true;
  Event bad_utf8{"e2", FromUnixMillis(0), "", "\"\xff\""};
  const std::string collector = "c\"q", type = "fake", stream = "s\t1";
  ASSERT_TRUE((*sink)->Write({collector, type, stream, {pretty, bad_utf8}}).ok());

  std::vector<std::string> lines = ReadLines(Options().path);
  ASSERT_EQ(lines.size(), 2u);
  json first = json::parse(lines[0]);
  EXPECT_EQ(first["collector_id"], collector);
  EXPECT_EQ(first["stream"], stream);
  EXPECT_EQ(first["id"], pretty.id);
  EXPECT_EQ(first["type_id"], pretty.type_id);
  EXPECT_EQ(first["event"], json::parse(pretty.raw_json));
  EXPECT_EQ(first["event"]["b"], "x\ny");
  json second = json::parse(lines[1]);  // the bytes are replaced, the line stays JSON
  EXPECT_EQ(second["id"], "e2");
  EXPECT_TRUE(second["event"].is_string());
}

TEST_F(JsonlSinkTest, AppendsAcrossReopens) {
  for (int round = 0; round < 3; ++round) {
    auto sink = JsonlSink::Make(Options());
    ASSERT_TRUE(sink.ok());
    std::vector<Event> events = Events("r" + std::to_string(round), 2);
    ASSERT_TRUE((*sink)->Write({collector_, type_, stream_, events}).ok());
  }
  EXPECT_EQ(ReadLines(Options().path).size(), 6u);
}

TEST_F(JsonlSinkTest, ConcurrentWritersNeverInterleaveLinesOrBatches) {
  // Two sinks on one file stand for two processes sharing it.
  auto a = JsonlSink::Make(Options());
  auto b = JsonlSink::Make(Options());
  ASSERT_TRUE(a.ok() && b.ok());
  constexpr int kThreads = 6, kBatches = 40, kPerBatch = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Sink* sink = (t % 2 ? *a : *b).get();
      for (int i = 0; i < kBatches; ++i) {
        std::vector<Event> events = Events(std::to_string(t) + "." + std::to_string(i), kPerBatch);
        EXPECT_TRUE(sink->Write({collector_, type_, stream_, events}).ok());
      }
    });
  }
  for (auto& t : threads) t.join();

  std::vector<std::string> lines = ReadLines(Options().path);
  ASSERT_EQ(lines.size(), size_t{kThreads * kBatches * kPerBatch});
  // Each batch's lines are whole and contiguous, in order.
  std::map<std::string, int> batches;
  for (size_t i = 0; i < lines.size(); i += kPerBatch) {
    for (int j = 0; j < kPerBatch; ++j) {
      json line = json::parse(lines[i + j], nullptr, false);
      ASSERT_FALSE(line.is_discarded()) << lines[i + j];
      std::string id = line["id"];
      std::string batch = id.substr(0, id.rfind('-'));
      EXPECT_EQ(id, batch + "-" + std::to_string(j));
      if (j == 0) ++batches[batch];
    }
  }
  EXPECT_EQ(batches.size(), size_t{kThreads * kBatches});
}

TEST_F(JsonlSinkTest, FsyncOptionAndEmptyBatch) {
  SinkOptions o = Options("synced.jsonl");
  o.fsync = true;
  auto sink = JsonlSink::Make(o);
  ASSERT_TRUE(sink.ok());
  std::vector<Event> none;
  ASSERT_TRUE((*sink)->Write({collector_, type_, stream_, none}).ok());
  std::vector<Event> events = Events("f", 1);
  ASSERT_TRUE((*sink)->Write({collector_, type_, stream_, events}).ok());
  EXPECT_EQ(ReadLines(o.path).size(), 1u);
}

TEST_F(JsonlSinkTest, FailuresAreUnavailableNamingThePath) {
  std::ofstream(dir_ + "/file") << "x";
  SinkOptions o = Options("file/events.jsonl");  // parent is a regular file
  auto bad = JsonlSink::Make(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(bad.status().paws_code(), codes::kSinkFailed);
  EXPECT_NE(bad.status().message().find(o.path), std::string::npos);

  if (access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full to make writes fail";
  o.path = "/dev/full";
  auto full = JsonlSink::Make(o);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  std::vector<Event> events = Events("x", 2);
  Status s = (*full)->Write({collector_, type_, stream_, events});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.paws_code(), codes::kSinkFailed);
  EXPECT_NE(s.message().find("/dev/full"), std::string::npos);
}

TEST_F(JsonlSinkTest, BuiltinRegistryMakesBothSinks) {
  SinkRegistry registry;
  RegisterBuiltinSinks(&registry);
  EXPECT_TRUE(registry.Has("jsonl"));
  EXPECT_TRUE(registry.Has("stdout"));
  EXPECT_TRUE(registry.Make(Options()).ok());
  SinkOptions o;
  o.type = "kafka";
  EXPECT_EQ(registry.Make(o).status().paws_code(), codes::kUnknownType);
}

}  // namespace
}  // namespace paws
