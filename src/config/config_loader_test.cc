#include "config/config_loader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "config/config_loader_test_fixture.h"
#include "paws/codes.h"

namespace paws {
namespace {

using namespace config_test;  // NOLINT: the fixture of these tests

TEST_F(ConfigLoaderTest, FullConfigWithEveryKey) {
  fake_.vars["ACME_TOKEN"] = kSecret;
  fake_.files["/etc/paws/secrets/globex"] = "globex-secret\n";
  Result<Config> config = Parse(R"(
[store]
backend = "memory"
path = "state/paws.db"
retention = "2d"

[runtime]
workers = 8
visibility_timeout = "60s"
receive_wait = 0
receive_batch = 5
min_backoff = "500ms"
max_backoff = "2m"
poll_timeout = 30
error_retry_count = 3

[sink]
type = "stdout"
path = "/var/log/paws/events.jsonl"
fsync = true

[log]
level = "debug"
path = "log/paws.log"

[[collector]]
id = "0f8e2d1c-1111-4a5b-9c9d-123456789abc"
type = "okta"
endpoint = "https://acme.okta.example/api"
cid = "10001"
poll_interval = "1h30m"
streams = ["okta"]
secret_env = "ACME_TOKEN"
client_id = "client-1"
max_pages_per_cycle = 25
collection_start = "2026-01-14T12:00:00Z"
[collector.params]
region = "eu"
page_size = 100
ratio = 0.5
verbose = false

[[collector]]
id = "globex"
type = "salesforce"
endpoint = "HTTPS://globex.example"
streams = ["LoginHistory", "EventLogFile"]
secret_file = "secrets/globex"
collection_start = 2026-01-01T00:00:00+01:00
)",
                                "/etc/paws/paws.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const Config& c = *config;
  EXPECT_EQ(c.file, "/etc/paws/paws.toml");
  EXPECT_EQ(c.store.backend, "memory");
  EXPECT_EQ(c.store.path, "/etc/paws/state/paws.db");
  EXPECT_EQ(c.store.retention, hours(48));
  EXPECT_EQ(c.runtime.workers, 8);
  EXPECT_EQ(c.runtime.visibility_timeout, seconds(60));
  EXPECT_EQ(c.runtime.receive_wait, seconds(0));
  EXPECT_EQ(c.runtime.receive_batch, 5);
  EXPECT_EQ(c.runtime.min_backoff, milliseconds(500));
  EXPECT_EQ(c.runtime.max_backoff, minutes(2));
  EXPECT_EQ(c.runtime.poll_timeout, seconds(30));
  EXPECT_EQ(c.runtime.error_retry_count, 3);
  EXPECT_EQ(c.sink.type, "stdout");
  EXPECT_EQ(c.sink.path, "/var/log/paws/events.jsonl");
  EXPECT_TRUE(c.sink.fsync);
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.path, "/etc/paws/log/paws.log");
  ASSERT_EQ(c.collectors.size(), 2u);

  const CollectorSpec& a = c.collectors[0];
  EXPECT_EQ(a.id, "0f8e2d1c-1111-4a5b-9c9d-123456789abc");
  EXPECT_EQ(a.type, "okta");
  EXPECT_EQ(a.endpoint, "https://acme.okta.example/api");
  EXPECT_EQ(a.cid, "10001");
  EXPECT_EQ(a.poll_interval, minutes(90));
  EXPECT_EQ(a.streams, std::vector<std::string>{"okta"});
  EXPECT_EQ(a.secret.reveal(), kSecret);
  EXPECT_EQ(a.client_id, "client-1");
  EXPECT_EQ(a.max_pages_per_cycle, 25);
  EXPECT_EQ(a.collection_start, "2026-01-14T12:00:00Z");
  std::map<std::string, std::string> params = {
      {"region", "eu"}, {"page_size", "100"}, {"ratio", "0.5"}, {"verbose", "false"}};
  EXPECT_EQ(a.params, params);

  const CollectorSpec& g = c.collectors[1];
  EXPECT_EQ(g.endpoint, "HTTPS://globex.example");
  EXPECT_EQ(g.streams, (std::vector<std::string>{"LoginHistory", "EventLogFile"}));
  EXPECT_EQ(g.secret.reveal(), "globex-secret");  // trailing newline trimmed
  EXPECT_EQ(g.collection_start, "2026-01-01T00:00:00+01:00");
  EXPECT_EQ(g.poll_interval, seconds(60));
  EXPECT_EQ(c.FindCollector("globex"), &g);
}

TEST_F(ConfigLoaderTest, Defaults) {
  Result<Config> config = Parse(kCollector);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const Config& c = *config;
  const Config d;
  EXPECT_EQ(c.store.backend, "sqlite");
  EXPECT_EQ(c.store.path, d.store.path);
  EXPECT_EQ(c.store.retention, hours(96));
  EXPECT_EQ(c.store.aws.table, "PawsCollectorStates");
  EXPECT_EQ(c.store.aws.queue, "paws-state");
  EXPECT_EQ(c.store.aws.dead_letter_queue, "");
  EXPECT_EQ(c.store.aws.region, "");
  EXPECT_EQ(c.store.aws.profile, "");
  EXPECT_EQ(c.store.aws.dynamodb_endpoint, "");
  EXPECT_EQ(c.store.aws.sqs_endpoint, "");
  EXPECT_EQ(c.runtime.workers, 4);
  EXPECT_EQ(c.runtime.visibility_timeout, seconds(900));
  EXPECT_EQ(c.runtime.receive_wait, seconds(1));
  EXPECT_EQ(c.runtime.receive_batch, 10);
  EXPECT_EQ(c.runtime.min_backoff, seconds(5));
  EXPECT_EQ(c.runtime.max_backoff, seconds(300));
  EXPECT_EQ(c.runtime.poll_timeout, seconds(300));
  EXPECT_EQ(c.runtime.error_retry_count, 5);
  EXPECT_EQ(c.sink.type, "jsonl");
  EXPECT_EQ(c.sink.path, d.sink.path);
  EXPECT_FALSE(c.sink.fsync);
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.log.path, "");
  ASSERT_EQ(c.collectors.size(), 1u);
  const CollectorSpec& s = c.collectors[0];
  EXPECT_EQ(s.cid, "");
  EXPECT_EQ(s.poll_interval, seconds(60));
  EXPECT_TRUE(s.secret.empty());
  EXPECT_EQ(s.client_id, "");
  EXPECT_EQ(s.max_pages_per_cycle, 10);
  EXPECT_EQ(s.collection_start, "");
  EXPECT_TRUE(s.params.empty());
  EXPECT_TRUE(fake_.reads.empty());
}

TEST_F(ConfigLoaderTest, StoreAwsKeys) {
  Result<Config> config = Parse(R"(
[store]
backend = "aws"
retention = "14d"

[store.aws]
table = "Paws.States-2"
queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/paws-state"
dead_letter_queue = "paws_dead"
region = "eu-west-1"
profile = "prod"
dynamodb_endpoint = "http://127.0.0.1:8000/"
sqs_endpoint = "HTTPS://sqs.internal.example"
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const StoreOptions& s = config->store;
  EXPECT_EQ(s.backend, "aws");
  EXPECT_EQ(s.retention, hours(24 * 14));
  EXPECT_EQ(s.aws.table, "Paws.States-2");
  EXPECT_EQ(s.aws.queue, "https://sqs.eu-west-1.amazonaws.com/123456789012/paws-state");
  EXPECT_EQ(s.aws.dead_letter_queue, "paws_dead");
  EXPECT_EQ(s.aws.region, "eu-west-1");
  EXPECT_EQ(s.aws.profile, "prod");
  EXPECT_EQ(s.aws.dynamodb_endpoint, "http://127.0.0.1:8000/");  // normalised when resolved
  EXPECT_EQ(s.aws.sqs_endpoint, "HTTPS://sqs.internal.example");
  // The region, credentials and endpoints are not read while loading.
  EXPECT_TRUE(fake_.reads.empty());

  // Everything optional; the bounds of the retention SQS allows.
  for (const char* retention : {"60s", "4d", "14d"}) {
    SCOPED_TRACE(retention);
    config = Parse(std::string("[store]\nbackend = \"aws\"\nretention = \"") + retention +
                   "\"\n");
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    EXPECT_EQ(config->store.aws.table, "PawsCollectorStates");
    EXPECT_EQ(config->store.aws.queue, "paws-state");
    EXPECT_EQ(config->store.aws.dead_letter_queue, "");
    EXPECT_EQ(config->store.aws.region, "");
  }
  // Other backends keep their own retention rules and ignore [store.aws].
  config = Parse("[store]\nbackend = \"sqlite\"\nretention = \"30s\"\n[store.aws]\nqueue = \"q\"\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->store.aws.queue, "q");
}

TEST_F(ConfigLoaderTest, EmptyFileIsAllDefaultsWithoutCollectors) {
  Result<Config> config = Parse("");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->collectors.empty());
}

TEST_F(ConfigLoaderTest, EmptyCollectorArray) {
  Result<Config> config = Parse("collector = []\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->collectors.empty());
  ExpectError("collector = [1]\n", codes::kConfigInvalid,
              {"paws.toml: collector: expected [[collector]] tables, got an array (line 1)"});
}

TEST_F(ConfigLoaderTest, DefaultPathsAreRelativeToTheConfigDirectory) {
  Result<Config> config = Parse("", "/srv/paws/paws.toml");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->store.path, "/srv/paws/var/paws.db");
  EXPECT_EQ(config->sink.path, "/srv/paws/var/events.jsonl");
  EXPECT_EQ(config->log.path, "");  // standard error
}

TEST_F(ConfigLoaderTest, RelativePathsAreNormalised) {
  Result<Config> config = Parse(R"(
[store]
path = "../var/paws.db"
[sink]
path = "/abs/events.jsonl"
)",
                                "examples/demo.toml");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->store.path, "var/paws.db");
  EXPECT_EQ(config->sink.path, "/abs/events.jsonl");
}

struct ErrorCase {
  const char* name;
  std::string text;
  std::vector<std::string> parts;  // besides "paws.toml: "
};

std::string WithCollector(const std::string& extra) { return std::string(kCollector) + extra; }

TEST_F(ConfigLoaderTest, InvalidValuesNameFileKeyValueAndLine) {
  const std::vector<ErrorCase> cases = {
      {"unknown top-level",
       "[storage]\npath = \"x\"\n",
       {"storage: unknown key at the top level; did you mean \"store\"? (line 1)"}},
      {"unknown runtime key",
       "[runtime]\nworkers = 2\nwrokers = 3\n",
       {"runtime.wrokers: unknown key in [runtime]; did you mean \"workers\"? (line 3)"}},
      {"unknown collector key",
       WithCollector("pol_interval = \"5s\"\n"),
       {"collector[1].pol_interval: unknown key in [[collector]]", "\"poll_interval\"",
        "(line 7)"}},
      {"store not a table",
       "store = \"sqlite\"\n",
       {"store: expected a table [store], got \"sqlite\" (line 1)"}},
      {"backend",
       "[store]\nbackend = \"postgres\"\n",
       {"store.backend: expected one of \"sqlite\", \"memory\", \"aws\", got \"postgres\" "
        "(line 2)"}},
      {"empty store path", "[store]\npath = \"\"\n", {"store.path:", "got \"\""}},
      {"retention zero",
       "[store]\nretention = \"0s\"\n",
       {"store.retention: must be longer than zero, got \"0s\" (line 2)"}},
      {"store.aws not a table",
       "[store]\naws = \"us-east-1\"\n",
       {"store.aws: expected a table [store.aws], got \"us-east-1\" (line 2)"}},
      {"unknown store.aws key",
       "[store.aws]\ntable = \"T1\"\nregoin = \"eu-west-1\"\n",
       {"store.aws.regoin: unknown key in [store.aws]; did you mean \"region\"? (line 3)"}},
      {"store.aws table short",
       "[store.aws]\ntable = \"ab\"\n",
       {"store.aws.table: expected a DynamoDB table name: 3 to 255 letters, digits, '_', '-' "
        "or '.', got \"ab\" (line 2)"}},
      {"store.aws table chars",
       "[store.aws]\ntable = \"paws states\"\n",
       {"store.aws.table: expected a DynamoDB table name", "got \"paws states\" (line 2)"}},
      {"store.aws table long",
       "[store.aws]\ntable = \"" + std::string(256, 't') + "\"\n",
       {"store.aws.table: expected a DynamoDB table name", "(line 2)"}},
      {"store.aws table not a string",
       "[store.aws]\ntable = 5\n",
       {"store.aws.table: expected a string, got 5 (line 2)"}},
      {"store.aws queue empty",
       "[store.aws]\nqueue = \"\"\n",
       {"store.aws.queue: expected an SQS queue name (1 to 80 letters, digits, '_' or '-') or a "
        "queue URL, got \"\" (line 2)"}},
      {"store.aws queue dot",
       "[store.aws]\nqueue = \"paws.fifo\"\n",
       {"store.aws.queue: expected an SQS queue name", "got \"paws.fifo\""}},
      {"store.aws queue long",
       "[store.aws]\nqueue = \"" + std::string(81, 'q') + "\"\n",
       {"store.aws.queue: expected an SQS queue name"}},
      {"store.aws queue URL with query",
       "[store.aws]\nqueue = \"https://sqs.eu-west-1.amazonaws.com/1/q?x=1\"\n",
       {"store.aws.queue: expected a URL without a query or fragment, got "
        "\"https://sqs.eu-west-1.amazonaws.com/1/q?x=1\" (line 2)"}},
      {"store.aws dead-letter queue",
       "[store.aws]\ndead_letter_queue = \"dead letters\"\n",
       {"store.aws.dead_letter_queue: expected an SQS queue name", "got \"dead letters\""}},
      {"store.aws region",
       "[store.aws]\nregion = \"EU-WEST-1\"\n",
       {"store.aws.region: expected an AWS region like \"us-east-1\" (lower-case letters, "
        "digits and '-'), got \"EU-WEST-1\" (line 2)"}},
      {"store.aws profile",
       "[store.aws]\nprofile = \"[prod]\"\n",
       {"store.aws.profile: expected a profile name without brackets", "got \"[prod]\""}},
      {"store.aws endpoint scheme",
       "[store.aws]\ndynamodb_endpoint = \"localhost:8000\"\n",
       {"store.aws.dynamodb_endpoint: expected a URL starting with http:// or https://, got "
        "\"localhost:8000\" (line 2)"}},
      {"store.aws endpoint host",
       "[store.aws]\nsqs_endpoint = \"http://\"\n",
       {"store.aws.sqs_endpoint: expected a URL with a host, got \"http://\" (line 2)"}},
      {"store.aws endpoint user info",
       "[store.aws]\nsqs_endpoint = \"http://u:" + std::string(kSecret) + "@h\"\n",
       {"store.aws.sqs_endpoint: a URL must not hold '@' (a user name or password) (the value "
        "is not shown) (line 2)"}},
      {"aws retention short",
       "[store]\nbackend = \"aws\"\nretention = \"59s\"\n",
       {"store.retention: with backend = \"aws\" it must be whole seconds from 60s to 14d",
        "got \"59s\" (line 3)"}},
      {"aws retention long",
       "[store]\nbackend = \"aws\"\nretention = \"14d1s\"\n",
       {"store.retention: with backend = \"aws\"", "got \"14d1s\" (line 3)"}},
      {"aws retention fraction",
       "[store]\nbackend = \"aws\"\nretention = \"90s500ms\"\n",
       {"store.retention: with backend = \"aws\" it must be whole seconds", "got \"90s500ms\""}},
      {"workers zero",
       "[runtime]\nworkers = 0\n",
       {"runtime.workers: expected an integer from 1 to 256, got 0 (line 2)"}},
      {"workers too many", "[runtime]\nworkers = 257\n", {"runtime.workers:", "got 257"}},
      {"workers string", "[runtime]\nworkers = \"4\"\n", {"runtime.workers:", "got \"4\""}},
      {"workers float", "[runtime]\nworkers = 4.0\n", {"runtime.workers:", "got 4.0"}},
      {"batch",
       "[runtime]\nreceive_batch = 11\n",
       {"runtime.receive_batch: expected an integer from 1 to 10, got 11"}},
      {"visibility garbage",
       "[runtime]\nvisibility_timeout = \"soon\"\n",
       {"runtime.visibility_timeout: expected a duration like \"60s\" or 60, got \"soon\" "
        "(line 2)"}},
      {"visibility negative",
       "[runtime]\nvisibility_timeout = -5\n",
       {"runtime.visibility_timeout: a duration must not be negative, got -5 (line 2)"}},
      {"visibility bool",
       "[runtime]\nvisibility_timeout = true\n",
       {"runtime.visibility_timeout: expected a duration", "got true"}},
      {"receive_wait negative",
       "[runtime]\nreceive_wait = \"-1s\"\n",
       {"runtime.receive_wait:", "got \"-1s\""}},
      {"backoff order",
       "[runtime]\nmin_backoff = \"10s\"\nmax_backoff = \"5s\"\n",
       {"runtime.max_backoff: runtime.max_backoff (5s) must not be shorter than "
        "runtime.min_backoff (10s) (line 3)"}},
      {"backoff order vs default",
       "[runtime]\nmin_backoff = \"10m\"\n",
       {"runtime.min_backoff:", "(5m)", "(10m)"}},
      {"retry count",
       "[runtime]\nerror_retry_count = 0\n",
       {"runtime.error_retry_count: expected an integer of at least 1, got 0"}},
      {"sink type empty", "[sink]\ntype = \"\"\n", {"sink.type: expected a non-empty string"}},
      {"fsync",
       "[sink]\nfsync = \"yes\"\n",
       {"sink.fsync: expected true or false, got \"yes\" (line 2)"}},
      {"log level",
       "[log]\nlevel = \"verbose\"\n",
       {"log.level: expected one of \"trace\", \"debug\", \"info\", \"warn\", \"error\", got "
        "\"verbose\""}},
      {"collector as table",
       "[collector]\nid = \"x\"\n",
       {"collector: expected [[collector]] tables, got a table (write [[collector]], not "
        "[collector])"}},
      {"missing id",
       "[[collector]]\ntype = \"fake\"\n",
       {"collector[1].id: required key is missing (line 1)"}},
      {"missing endpoint",
       WithCollector("[[collector]]\nid = \"c2\"\ntype = \"x\"\n"),
       {"collector[2].endpoint: required key is missing (line 7)"}},
      {"missing streams",
       "[[collector]]\nid = \"a\"\ntype = \"t\"\nendpoint = \"http://h\"\n",
       {"collector[1].streams: required key is missing"}},
      {"bad id",
       "[[collector]]\nid = \"a b\"\ntype = \"t\"\nendpoint = \"http://h\"\n"
       "streams = [\"s\"]\n",
       {"collector[1].id: expected letters, digits", "got \"a b\" (line 2)"}},
      {"duplicate id",
       WithCollector(kCollector),
       {"collector[2].id: duplicate id \"c1\", already used by collector[1] (line 9)"}},
      {"endpoint scheme",
       "[[collector]]\nid = \"a\"\ntype = \"t\"\nendpoint = \"ftp://h\"\nstreams = [\"s\"]\n",
       {"collector[1].endpoint: expected a URL starting with http:// or https://, got "
        "\"ftp://h\" (line 4)"}},
      {"poll_interval",
       WithCollector("poll_interval = \"soon\"\n"),
       {"collector[1].poll_interval: expected a duration like \"60s\" or 60, got \"soon\" "
        "(line 7)"}},
      {"poll_interval zero",
       WithCollector("poll_interval = 0\n"),
       {"collector[1].poll_interval: must be longer than zero, got 0"}},
      {"streams empty",
       "[[collector]]\nid = \"a\"\ntype = \"t\"\nendpoint = \"http://h\"\nstreams = []\n",
       {"collector[1].streams: expected a non-empty array of stream names, got an array "
        "(empty) (line 5)"}},
      {"streams string",
       "[[collector]]\nid = \"a\"\ntype = \"t\"\nendpoint = \"http://h\"\nstreams = \"s\"\n",
       {"collector[1].streams: expected a non-empty array", "got \"s\""}},
      {"stream empty",
       "[[collector]]\nid = \"a\"\ntype = \"t\"\nendpoint = \"http://h\"\nstreams = [\"a\", "
       "\"\"]\n",
       {"collector[1].streams[2]: expected a non-empty string, got \"\" (line 5)"}},
      {"stream duplicate",
       "[[collector]]\nid = \"a\"\ntype = \"t\"\nendpoint = \"http://h\"\n"
       "streams = [\"a\", \"b\", \"a\"]\n",
       {"collector[1].streams[3]: duplicate stream \"a\""}},
      {"max pages",
       WithCollector("max_pages_per_cycle = 0\n"),
       {"collector[1].max_pages_per_cycle: expected an integer of at least 1, got 0"}},
      {"collection_start",
       WithCollector("collection_start = \"yesterday\"\n"),
       {"collector[1].collection_start: expected an RFC 3339 time", "got \"yesterday\""}},
      {"collection_start local",
       WithCollector("collection_start = 2026-01-01T00:00:00\n"),
       {"collector[1].collection_start:", "got 2026-01-01T00:00:00 (line 7)"}},
      {"params not table",
       WithCollector("params = \"x\"\n"),
       {"collector[1].params: expected a table"}},
      {"params array",
       WithCollector("[collector.params]\nobjects = [\"a\"]\n"),
       {"collector[1].params.objects: expected a string, number or boolean, got an array "
        "(line 8)"}},
      {"both secrets",
       WithCollector("secret_env = \"A\"\nsecret_file = \"f\"\n"),
       {"collector[1].secret_file: set secret_env or secret_file, not both (line 8)"}},
      {"secret_file empty",
       WithCollector("secret_file = \"\"\n"),
       {"collector[1].secret_file: expected a file path"}},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> parts = c.parts;
    parts.push_back("paws.toml: ");
    ExpectError(c.text, codes::kConfigInvalid, parts);
  }
}

TEST_F(ConfigLoaderTest, SyntaxErrorHasLineAndColumn) {
  ExpectError("[runtime]\nworkers = 4\nvisibility_timeout = 60s\n", codes::kConfigSyntax,
              {"paws.toml: not valid TOML: ", "(line 3, column"});
  ExpectError("[runtime]\n[runtime]\n", codes::kConfigSyntax, {"paws.toml: ", "line 2"});
}

TEST_F(ConfigLoaderTest, UnreadableFile) {
  Result<Config> config = LoadConfigFile("/nowhere/paws.toml", fake_.Env());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().paws_code(), codes::kConfigUnreadable);
  EXPECT_EQ(config.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(config.status().message(),
            "/nowhere/paws.toml: cannot read: No such file or directory");
}

TEST_F(ConfigLoaderTest, SecretFromEnvironment) {
  fake_.vars["PAWS_DEMO_TOKEN"] = kSecret;
  Result<Config> config = Parse(WithCollector("secret_env = \"PAWS_DEMO_TOKEN\"\n"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->collectors[0].secret.reveal(), kSecret);
}

TEST_F(ConfigLoaderTest, SecretFromFileRelativeToConfig) {
  fake_.files["/etc/paws/tokens/acme"] = std::string(kSecret) + "\r\n";
  Result<Config> config =
      Parse(WithCollector("secret_file = \"tokens/acme\"\n"), "/etc/paws/paws.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->collectors[0].secret.reveal(), kSecret);
  EXPECT_EQ(fake_.reads, std::vector<std::string>{"/etc/paws/tokens/acme"});
}

TEST_F(ConfigLoaderTest, ASecretFileMayHoldSeveralLines) {
  // A PEM private key (Salesforce) or a JSON key file (Google), as written.
  const std::string pem =
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
  fake_.files["/etc/paws/keys/sf.pem"] = pem + "\n";
  Result<Config> config =
      Parse(WithCollector("secret_file = \"keys/sf.pem\"\n"), "/etc/paws/paws.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->collectors[0].secret.reveal(), pem);
}

TEST_F(ConfigLoaderTest, MissingSecretsNameTheVariableOrFile) {
  ExpectError(WithCollector("secret_env = \"NOT_SET\"\n"), codes::kSecretMissing,
              {"paws.toml: collector[1].secret_env: environment variable NOT_SET is not set "
               "(line 7)"});
  fake_.vars["EMPTY"] = "";
  ExpectError(WithCollector("secret_env = \"EMPTY\"\n"), codes::kSecretMissing,
              {"collector[1].secret_env: environment variable EMPTY is empty"});
  ExpectError(WithCollector("secret_file = \"/run/secrets/x\"\n"), codes::kSecretMissing,
              {"paws.toml: collector[1].secret_file: cannot read secret file "
               "\"/run/secrets/x\": No such file or directory (line 7)"});
  fake_.files["/run/secrets/blank"] = "\n";
  ExpectError(WithCollector("secret_file = \"/run/secrets/blank\"\n"), codes::kSecretMissing,
              {"collector[1].secret_file: secret file \"/run/secrets/blank\" is empty"});
}

TEST_F(ConfigLoaderTest, CommandsThatReadOnlyTheStoreNeedNoSecret) {
  ConfigEnv env = fake_.Env();
  env.read_secrets = false;
  Result<Config> config =
      ParseConfig(WithCollector("secret_env = \"NOT_SET\"\n"), "paws.toml", env);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->collectors[0].secret.empty());
  // Everything else is still checked.
  EXPECT_FALSE(ParseConfig("[runtime]\nworkers = 0\n", "paws.toml", env).ok());
}

TEST_F(ConfigLoaderTest, HealthKeysAndTheBackoffBelowStallRule) {
  Result<Config> config = Parse(WithCollector("stall_after = \"20m\"\ngrace = \"1h\"\n") +
                                "[health]\ninterval = \"5m\"\nstall_after = \"10m\"\n"
                                "grace = \"40m\"\nrepair = false\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->health.interval, std::chrono::minutes(5));
  EXPECT_EQ(config->health.stall_after, std::chrono::minutes(10));
  EXPECT_EQ(config->health.grace, std::chrono::minutes(40));
  EXPECT_FALSE(config->health.repair);
  EXPECT_EQ(config->collectors[0].stall_after, std::chrono::minutes(20));
  EXPECT_EQ(config->collectors[0].grace, std::chrono::hours(1));
  EXPECT_FALSE(Parse(kCollector).value().collectors[0].stall_after.has_value());
  ExpectError("[runtime]\nmax_backoff = \"10m\"\n[health]\nstall_after = \"5m\"\n",
              codes::kConfigInvalid, {"health.stall_after", "runtime.max_backoff"});
  ExpectError(WithCollector("stall_after = \"1m\"\n"), codes::kConfigInvalid,
              {"collector[1].stall_after"});
}

TEST_F(ConfigLoaderTest, OtherErrorsComeBeforeSecrets) {
  // The variable is unset, but the typo in [runtime] is what gets reported.
  ExpectError(WithCollector("secret_env = \"NOT_SET\"\n") + "[runtime]\nworkers = 0\n",
              codes::kConfigInvalid, {"runtime.workers"});
}

TEST_F(ConfigLoaderTest, SecretNeverAppearsInErrors) {
  fake_.vars["TOKEN"] = kSecret;
  fake_.files["/s/control"] = std::string(kSecret) + "\x01";
  fake_.files["/s/good"] = kSecret;
  // A secret file with control characters: rejected without showing its content.
  ExpectError(WithCollector("secret_file = \"/s/control\"\n"), codes::kConfigInvalid,
              {"collector[1].secret_file: secret file \"/s/control\" holds control characters",
               "content is not shown"});
  // A credential pasted where a variable name belongs.
  ExpectError(WithCollector(std::string("secret_env = \"") + kSecret + "\"\n"),
              codes::kConfigInvalid, {"collector[1].secret_env: expected the name of an"});
  // ... or under an unknown key.
  ExpectError(WithCollector(std::string("secret = \"") + kSecret + "\"\n"), codes::kConfigInvalid,
              {"collector[1].secret: unknown key"});
  // Errors in a config whose secrets were fine.
  ExpectError(WithCollector("secret_env = \"TOKEN\"\n") + kCollector, codes::kConfigInvalid,
              {"duplicate id"});
  ExpectError(WithCollector("secret_file = \"/s/good\"\n") + "[[collector]]\nid = \"c2\"\n",
              codes::kConfigInvalid, {"collector[2].type"});
  ExpectError(WithCollector("secret_env = \"TOKEN\"\nsecret_file = \"/s/good\"\n"),
              codes::kConfigInvalid, {"not both"});
}

TEST_F(ConfigLoaderTest, NullEnvFunctionsAreErrorsNotCrashes) {
  ConfigEnv empty;
  Result<Config> config = ParseConfig(WithCollector("secret_env = \"X\"\n"), "paws.toml", empty);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().paws_code(), codes::kSecretMissing);
  EXPECT_EQ(LoadConfigFile("paws.toml", empty).status().paws_code(), codes::kConfigUnreadable);
}

// The real environment, on a temporary directory: no variables are read.
// The upstream form of [[collector]]: the upstream variables as keys.
TEST(ConfigLoaderRealEnvTest, LoadsFileAndSecretFromDisk) {
  namespace fs = std::filesystem;
  fs::path dir =
      fs::temp_directory_path() /
      ("paws_config_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
       "_" + std::to_string(reinterpret_cast<uintptr_t>(&dir)));
  fs::create_directories(dir / "secrets");
  std::ofstream(dir / "secrets" / "token") << kSecret << "\n";
  std::ofstream(dir / "paws.toml") << kCollector << "secret_file = \"secrets/token\"\n";
  Result<Config> config = LoadConfigFile((dir / "paws.toml").string(), ConfigEnv::Real());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->collectors[0].secret.reveal(), kSecret);
  EXPECT_EQ(config->store.path, (dir / "var" / "paws.db").string());

  Result<Config> missing = LoadConfigFile((dir / "nope.toml").string(), ConfigEnv::Real());
  EXPECT_EQ(missing.status().paws_code(), codes::kConfigUnreadable);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  Result<Config> directory = LoadConfigFile(dir.string(), ConfigEnv::Real());
  EXPECT_EQ(directory.status().paws_code(), codes::kConfigUnreadable);
  EXPECT_NE(directory.status().message().find("is a directory"), std::string::npos);
  fs::remove_all(dir);
}

// The shipped examples load, so they cannot drift from the loader.
TEST_F(ConfigLoaderTest, ExamplesLoad) {
  ConfigEnv env = ConfigEnv::Real();
  env.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name == "PAWS_DEMO_TOKEN") return "demo-token";
    return std::nullopt;
  };
  const std::string root = PAWS_SOURCE_DIR;
  Result<Config> demo = LoadConfigFile(root + "/examples/demo.toml", env);
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  EXPECT_EQ(demo->store.backend, "sqlite");
  EXPECT_EQ(demo->store.path, root + "/var/paws.db");
  EXPECT_EQ(demo->sink.type, "jsonl");
  EXPECT_EQ(demo->sink.path, root + "/var/events.jsonl");
  EXPECT_EQ(demo->runtime.workers, 4);
  EXPECT_EQ(demo->runtime.visibility_timeout, seconds(60));
  ASSERT_EQ(demo->collectors.size(), 3u);
  size_t streams = 0;
  for (const CollectorSpec& c : demo->collectors) {
    EXPECT_EQ(c.type, "fake");
    EXPECT_EQ(c.endpoint.rfind("http://127.0.0.1:18080/t/", 0), 0u) << c.endpoint;
    EXPECT_EQ(c.secret.reveal(), "demo-token");
    EXPECT_GE(c.poll_interval, seconds(10));
    EXPECT_LE(c.poll_interval, seconds(30));
    streams += c.streams.size();
  }
  EXPECT_EQ(streams, 9u);

  Result<Config> minimal = LoadConfigFile(root + "/examples/minimal.toml", env);
  ASSERT_TRUE(minimal.ok()) << minimal.status().ToString();
  EXPECT_EQ(minimal->collectors.size(), 1u);
}

}  // namespace
}  // namespace paws
