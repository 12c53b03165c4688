#include "config/config_writer.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "config/duration.h"

namespace paws {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kEnvSecret = "s3cr3t-T0KEN-from-env";
constexpr const char* kFileSecret = "-----BEGIN KEY-----\nfile-s3cr3t\n-----END KEY-----";
constexpr const char* kOrphanSecret = "orphan-s3cr3t-no-source";

// Variables and files for ParseConfig, holding the secrets the rendered
// configuration refers to.
ConfigEnv FakeEnv(std::map<std::string, std::string> vars,
                  std::map<std::string, std::string> files) {
  ConfigEnv env;
  env.getenv = [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  env.read_file = [files](const std::string& path) -> Result<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return Status::NotFound("No such file or directory");
    return it->second;
  };
  return env;
}

std::string Show(std::optional<Duration> d) { return d ? FormatDuration(*d) : "unset"; }

// Every field of `got` equals `want`, except Config::file.
void ExpectSameCollector(const CollectorSpec& want, const CollectorSpec& got) {
  SCOPED_TRACE("collector " + want.id);
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.endpoint, want.endpoint);
  EXPECT_EQ(got.cid, want.cid);
  EXPECT_EQ(FormatDuration(got.poll_interval), FormatDuration(want.poll_interval));
  EXPECT_EQ(got.streams, want.streams);
  EXPECT_TRUE(got.secret.reveal() == want.secret.reveal()) << "secret differs (not shown)";
  EXPECT_EQ(got.secret_env, want.secret_env);
  EXPECT_EQ(got.secret_file, want.secret_file);
  EXPECT_EQ(got.client_id, want.client_id);
  EXPECT_EQ(got.max_pages_per_cycle, want.max_pages_per_cycle);
  EXPECT_EQ(got.collection_start, want.collection_start);
  EXPECT_EQ(got.params, want.params);
  EXPECT_EQ(Show(got.stall_after), Show(want.stall_after));
  EXPECT_EQ(Show(got.grace), Show(want.grace));
  EXPECT_EQ(got.takeover, want.takeover);
  EXPECT_EQ(got.upstream_queue, want.upstream_queue);
}

void ExpectSameConfig(const Config& want, const Config& got) {
  EXPECT_EQ(got.store.backend, want.store.backend);
  EXPECT_EQ(got.store.path, want.store.path);
  EXPECT_EQ(FormatDuration(got.store.retention), FormatDuration(want.store.retention));
  EXPECT_EQ(got.store.aws.table, want.store.aws.table);
  EXPECT_EQ(got.store.aws.queue, want.store.aws.queue);
  EXPECT_EQ(got.store.aws.dead_letter_queue, want.store.aws.dead_letter_queue);
  EXPECT_EQ(got.store.aws.region, want.store.aws.region);
  EXPECT_EQ(got.store.aws.profile, want.store.aws.profile);
  EXPECT_EQ(got.store.aws.dynamodb_endpoint, want.store.aws.dynamodb_endpoint);
  EXPECT_EQ(got.store.aws.sqs_endpoint, want.store.aws.sqs_endpoint);

  const RuntimeOptions& r = got.runtime;
  const RuntimeOptions& wr = want.runtime;
  EXPECT_EQ(r.workers, wr.workers);
  EXPECT_EQ(FormatDuration(r.visibility_timeout), FormatDuration(wr.visibility_timeout));
  EXPECT_EQ(FormatDuration(r.receive_wait), FormatDuration(wr.receive_wait));
  EXPECT_EQ(r.receive_batch, wr.receive_batch);
  EXPECT_EQ(FormatDuration(r.min_backoff), FormatDuration(wr.min_backoff));
  EXPECT_EQ(FormatDuration(r.max_backoff), FormatDuration(wr.max_backoff));
  EXPECT_EQ(FormatDuration(r.poll_timeout), FormatDuration(wr.poll_timeout));
  EXPECT_EQ(r.error_retry_count, wr.error_retry_count);

  EXPECT_EQ(got.sink.type, want.sink.type);
  EXPECT_EQ(got.sink.path, want.sink.path);
  EXPECT_EQ(got.sink.fsync, want.sink.fsync);

  EXPECT_EQ(got.log.level, want.log.level);
  EXPECT_EQ(got.log.path, want.log.path);

  EXPECT_EQ(FormatDuration(got.health.interval), FormatDuration(want.health.interval));
  EXPECT_EQ(FormatDuration(got.health.stall_after), FormatDuration(want.health.stall_after));
  EXPECT_EQ(FormatDuration(got.health.grace), FormatDuration(want.health.grace));
  EXPECT_EQ(got.health.repair, want.health.repair);
  EXPECT_EQ(got.health.webhook_url, want.health.webhook_url);

  EXPECT_EQ(got.status.enabled, want.status.enabled);
  EXPECT_EQ(got.status.host, want.status.host);
  EXPECT_EQ(got.status.port, want.status.port);
  EXPECT_EQ(got.status.port_file, want.status.port_file);

  ASSERT_EQ(got.collectors.size(), want.collectors.size());
  for (size_t i = 0; i < want.collectors.size(); ++i) {
    ExpectSameCollector(want.collectors[i], got.collectors[i]);
  }
}

// A configuration as the loader returns it for /etc/paws/paws.toml (paths
// resolved, hence absolute), with no value left at its default.
Config FullConfig() {
  Config c;
  c.file = "/etc/paws/paws.toml";
  c.store.backend = "memory";
  c.store.path = "/var/lib/paws/state \"main\".db";
  c.store.retention = hours(36);
  c.store.aws.table = "Paws.States-2";
  c.store.aws.queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/paws-state";
  c.store.aws.dead_letter_queue = "paws_dead";
  c.store.aws.region = "eu-west-1";
  c.store.aws.profile = "prod \"ops\"";
  c.store.aws.dynamodb_endpoint = "http://127.0.0.1:8000";
  c.store.aws.sqs_endpoint = "https://sqs.internal.example/base";
  c.runtime.workers = 7;
  c.runtime.visibility_timeout = minutes(90);
  c.runtime.receive_wait = seconds(0);
  c.runtime.receive_batch = 3;
  c.runtime.min_backoff = milliseconds(500);
  c.runtime.max_backoff = minutes(2) + seconds(30) + milliseconds(500);
  c.runtime.poll_timeout = seconds(45);
  c.runtime.error_retry_count = 9;
  c.sink.type = "stdout";
  c.sink.path = "/var/log/paws/événements.jsonl";
  c.sink.fsync = true;
  c.log.level = "warn";
  c.log.path = "/var/log/paws/paws.log";
  c.health.interval = minutes(5);
  c.health.stall_after = minutes(45);
  c.health.grace = hours(2);
  c.health.repair = false;
  c.health.webhook_url = "https://hooks.example/paws?a=1&b=\"2\"";
  c.status.enabled = false;
  c.status.host = "0.0.0.0";
  c.status.port = 0;
  c.status.port_file = "/run/paws/port";

  CollectorSpec sf;
  sf.id = "0f8e2d1c-1111-4a5b-9c9d-123456789abc";
  sf.type = "salesforce";
  sf.endpoint = "https://globex.my.example/";
  sf.cid = "10001";
  sf.poll_interval = minutes(90);
  sf.streams = {"LoginHistory", "Event.Log/File", "back\\slash", "quote\"d"};
  sf.secret = Secret(kEnvSecret);
  sf.secret_env = "GLOBEX_TOKEN";
  sf.client_id = "client \"1\"";
  sf.max_pages_per_cycle = 25;
  sf.collection_start = "2026-01-14T12:00:00Z";
  sf.params = {
      {"quote", "say \"hi\" and 'bye'"},
      {"backslash", "C:\\paws\\"},
      {"newline", "line 1\nline 2\r\n"},
      {"leading_newline", "\nafter"},
      {"triple", "\"\"\"'''"},
      {"unicode", "Zürich – 東京 😀"},
      {"tab", "a\tb"},
      {"dotted.key", "v"},
      {"key with spaces", "w"},
      {"empty", ""},
  };
  sf.stall_after = minutes(20);
  sf.grace = hours(1) + minutes(30);
  sf.takeover = true;
  sf.upstream_queue = "https://sqs.us-east-1.amazonaws.com/123456789012/paws-sf";
  c.collectors.push_back(std::move(sf));

  CollectorSpec okta;
  okta.id = "okta-1";
  okta.type = "okta";
  okta.endpoint = "http://127.0.0.1:18080/t/acme";
  okta.poll_interval = milliseconds(500);
  okta.streams = {"okta"};
  okta.secret = Secret(kFileSecret);
  okta.secret_file = "/etc/paws/secrets/okta key";
  okta.max_pages_per_cycle = 1;
  okta.params = {{"region", "eu"}};
  c.collectors.push_back(std::move(okta));

  CollectorSpec fake;  // no secret, no params
  fake.id = "fake.2";
  fake.type = "fake";
  fake.endpoint = "HTTPS://fake.example";
  fake.poll_interval = hours(24 * 4);
  fake.streams = {"system", "audit"};
  fake.collection_start = "2026-01-01T00:00:00+01:00";
  c.collectors.push_back(std::move(fake));
  return c;
}

ConfigEnv FullEnv() {
  return FakeEnv({{"GLOBEX_TOKEN", kEnvSecret}},
                 {{"/etc/paws/secrets/okta key", std::string(kFileSecret) + "\n"}});
}

TEST(ConfigWriterTest, FullConfigRoundTrips) {
  const Config want = FullConfig();
  const std::string text = RenderConfigToml(want);
  Result<Config> got = ParseConfig(text, want.file, FullEnv());
  ASSERT_TRUE(got.ok()) << got.status().ToString() << "\n" << text;
  ExpectSameConfig(want, *got);
  // Running `paws migrate` again on its own output changes nothing.
  EXPECT_EQ(RenderConfigToml(*got), text);
}

TEST(ConfigWriterTest, DefaultsRoundTrip) {
  const Config want;
  const std::string text = RenderConfigToml(want);
  Result<Config> got = ParseConfig(text, "paws.toml", FakeEnv({}, {}));
  ASSERT_TRUE(got.ok()) << got.status().ToString() << "\n" << text;
  ExpectSameConfig(want, *got);
  EXPECT_TRUE(got->collectors.empty());
}

TEST(ConfigWriterTest, StoreAwsOnlyWhereItMatters) {
  // Not for another backend with [store.aws] at its defaults ...
  Config config;
  EXPECT_EQ(RenderConfigToml(config).find("[store.aws]"), std::string::npos);

  // ... always for backend "aws", every key written, defaults included.
  config.store.backend = "aws";
  config.store.retention = std::chrono::hours(24 * 14);
  std::string text = RenderConfigToml(config);
  size_t at = text.find("\n[store.aws]\n");
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_LT(text.find("\n[store]\n"), at) << text;
  EXPECT_LT(at, text.find("\n[runtime]\n")) << text;
  for (const char* line :
       {"table = \"PawsCollectorStates\"", "queue = \"paws-state\"", "dead_letter_queue = \"\"",
        "region = \"\"", "profile = \"\"", "dynamodb_endpoint = \"\"", "sqs_endpoint = \"\""}) {
    EXPECT_NE(text.find(std::string("\n") + line + "\n", at), std::string::npos)
        << line << " missing in:\n"
        << text;
  }
  Result<Config> got = ParseConfig(text, "paws.toml", FakeEnv({}, {}));
  ASSERT_TRUE(got.ok()) << got.status().ToString() << "\n" << text;
  ExpectSameConfig(config, *got);

  // And for another backend whose [store.aws] was changed (kept for later).
  config.store.backend = "sqlite";
  config.store.aws.region = "us-east-2";
  text = RenderConfigToml(config);
  EXPECT_NE(text.find("\n[store.aws]\n"), std::string::npos) << text;
  got = ParseConfig(text, "paws.toml", FakeEnv({}, {}));
  ASSERT_TRUE(got.ok()) << got.status().ToString() << "\n" << text;
  EXPECT_EQ(got->store.aws.region, "us-east-2");
}

TEST(ConfigWriterTest, WritesEverySectionAndKeyExplicitly) {
  Config config;
  config.file = "/somewhere/else/old.toml";
  const std::string text = RenderConfigToml(config);
  EXPECT_EQ(text.rfind("# ", 0), 0u) << text;
  EXPECT_NE(text.find("paws migrate"), std::string::npos) << text;
  size_t last = 0;
  for (const char* section : {"[store]", "[runtime]", "[sink]", "[log]", "[health]", "[status]"}) {
    size_t at = text.find(std::string("\n") + section + "\n");
    ASSERT_NE(at, std::string::npos) << section << " missing in:\n" << text;
    EXPECT_GT(at, last) << section << " out of order in:\n" << text;
    last = at;
  }
  for (const char* line :
       {"backend = \"sqlite\"", "retention = \"4d\"", "workers = 4", "receive_wait = \"1s\"",
        "visibility_timeout = \"15m\"", "fsync = false", "level = \"info\"", "path = \"\"",
        "interval = \"15m\"", "grace = \"30m\"", "repair = true", "webhook_url = \"\"",
        "enabled = true", "host = \"127.0.0.1\"", "port = 9470", "port_file = \"\""}) {
    EXPECT_NE(text.find(std::string("\n") + line + "\n"), std::string::npos)
        << line << " missing in:\n"
        << text;
  }
  EXPECT_EQ(text.find("old.toml"), std::string::npos) << "Config::file written:\n" << text;
  EXPECT_EQ(text.find("[[collector]]"), std::string::npos) << text;
}

TEST(ConfigWriterTest, OptionalCollectorKeysOnlyWhenSet) {
  Config config = FullConfig();
  const std::string text = RenderConfigToml(config);
  // Written for the first collector, which sets them all ...
  for (const char* line : {"cid = \"10001\"", "client_id = \"client \\\"1\\\"\"",
                           "collection_start = \"2026-01-14T12:00:00Z\"", "stall_after = \"20m\"",
                           "grace = \"1h30m\"", "takeover = true", "poll_interval = \"1h30m\"",
                           "poll_interval = \"500ms\"", "poll_interval = \"4d\""}) {
    EXPECT_NE(text.find(std::string("\n") + line + "\n"), std::string::npos)
        << line << " missing in:\n"
        << text;
  }
  // ... and only for it.
  for (const char* key :
       {"\ncid = ", "\nclient_id = ", "\nstall_after = ", "\ngrace = ", "\ntakeover = "}) {
    size_t first = text.find(key, text.find("[[collector]]"));
    ASSERT_NE(first, std::string::npos) << key;
    EXPECT_EQ(text.find(key, first + 1), std::string::npos) << key << " written twice:\n" << text;
  }
  EXPECT_EQ(text.find("takeover = false"), std::string::npos) << text;
}

TEST(ConfigWriterTest, NeverWritesASecret) {
  Config config = FullConfig();
  CollectorSpec orphan;  // a secret without a source: not written at all
  orphan.id = "orphan";
  orphan.type = "okta";
  orphan.endpoint = "https://orphan.example";
  orphan.streams = {"okta"};
  orphan.secret = Secret(kOrphanSecret);
  config.collectors.push_back(std::move(orphan));

  const std::string text = RenderConfigToml(config);
  for (const char* secret : {kEnvSecret, kFileSecret, "file-s3cr3t", kOrphanSecret}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "a secret is in the rendered text";
  }
  // Where they come from is written instead.
  EXPECT_NE(text.find("\nsecret_env = \"GLOBEX_TOKEN\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nsecret_file = \"/etc/paws/secrets/okta key\"\n"), std::string::npos)
      << text;
  // The collector whose secret has no source loads without one.
  Result<Config> got = ParseConfig(text, config.file, FullEnv());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->collectors.size(), 4u);
  EXPECT_TRUE(got->collectors[3].secret.empty());
}

TEST(ConfigWriterTest, SecretEnvWinsOverSecretFile) {
  Config config;
  CollectorSpec both;
  both.id = "both";
  both.type = "okta";
  both.endpoint = "https://both.example";
  both.streams = {"okta"};
  both.secret_env = "BOTH_TOKEN";
  both.secret_file = "/etc/paws/secrets/both";
  config.collectors.push_back(std::move(both));
  const std::string text = RenderConfigToml(config);
  EXPECT_NE(text.find("\nsecret_env = \"BOTH_TOKEN\"\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("secret_file"), std::string::npos) << text;
  Result<Config> got = ParseConfig(text, "paws.toml", FakeEnv({{"BOTH_TOKEN", "x"}}, {}));
  EXPECT_TRUE(got.ok()) << got.status().ToString();
}

}  // namespace
}  // namespace paws
