// The loader on [[collector]] tables in upstream form (the PAWS variables
// as keys) and the native keys of taking over.

#include <gtest/gtest.h>

#include "config/config_loader_test_fixture.h"
#include "paws/codes.h"

namespace paws {
namespace {

using namespace config_test;  // NOLINT: the fixture of these tests

TEST_F(ConfigLoaderTest, UpstreamFormCollector) {
  fake_.files["/etc/paws/secrets/sf"] = std::string(kSecret) + "\n";
  fake_.vars["ACME_TOKEN"] = kSecret;
  Result<Config> config = Parse(R"([[collector]]
collector_id = "sf-1"
customer_id = "10001"
paws_type_name = "salesforce"
paws_endpoint = "login.salesforce.example"
paws_poll_interval = 120
paws_max_pages_per_invocation = "7"
paws_collector_param_string_1 = "ops@acme.example"
paws_collector_param_string_2 = '["LoginHistory", "ApiEvent"]'
paws_collection_start_ts = "2026-01-14T12:00:00Z"
paws_api_client_id = "client-9"
paws_api_auth_type = "oauth2"
paws_secret_file = "secrets/sf"
stall_after = "20m"
grace = "1h"

[[collector]]
collector_id = "okta-1"
paws_type_name = "okta"
paws_endpoint = "https://acme.okta.example"
collector_streams = '["okta"]'
secret_env = "ACME_TOKEN"
)",
                 "/etc/paws/paws.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->collectors.size(), 2u);
  const CollectorSpec& sf = config->collectors[0];
  EXPECT_EQ(sf.id, "sf-1");
  EXPECT_EQ(sf.cid, "10001");
  EXPECT_EQ(sf.type, "salesforce");
  EXPECT_EQ(sf.endpoint, "https://login.salesforce.example");
  EXPECT_EQ(sf.poll_interval, minutes(2));
  EXPECT_EQ(sf.max_pages_per_cycle, 7);
  EXPECT_EQ(sf.streams, (std::vector<std::string>{"LoginHistory", "ApiEvent"}));
  EXPECT_EQ(sf.params, (std::map<std::string, std::string>{{"username", "ops@acme.example"}}));
  EXPECT_EQ(sf.collection_start, "2026-01-14T12:00:00Z");
  EXPECT_EQ(sf.client_id, "client-9");
  EXPECT_EQ(sf.secret.reveal(), kSecret);  // relative to the file, newline trimmed
  EXPECT_EQ(sf.secret_file, "/etc/paws/secrets/sf");
  EXPECT_EQ(sf.stall_after, minutes(20));
  EXPECT_EQ(sf.grace, hours(1));
  EXPECT_TRUE(sf.takeover);
  const CollectorSpec& okta = config->collectors[1];
  EXPECT_EQ(okta.streams, std::vector<std::string>{"okta"});
  EXPECT_EQ(okta.secret.reveal(), kSecret);
  EXPECT_EQ(okta.secret_env, "ACME_TOKEN");
  EXPECT_TRUE(okta.takeover);
}

TEST_F(ConfigLoaderTest, TakeoverInTheNativeForm) {
  Result<Config> config = Parse(std::string(kCollector) + "takeover = true\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->collectors[0].takeover);
  config = Parse(kCollector);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_FALSE(config->collectors[0].takeover);
  ExpectError(std::string(kCollector) + "takeover = \"yes\"\n", codes::kConfigInvalid,
              {"paws.toml: collector[1].takeover: expected true or false, got \"yes\" (line 7)"});
}

TEST_F(ConfigLoaderTest, UpstreamQueueInTheNativeForm) {
  Result<Config> config =
      Parse(std::string(kCollector) + "upstream_queue = \"https://sqs.example/1/q\"\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->collectors[0].upstream_queue, "https://sqs.example/1/q");
  ExpectError(std::string(kCollector) + "upstream_queue = 3\n", codes::kConfigInvalid,
              {"collector[1].upstream_queue"});
}

TEST_F(ConfigLoaderTest, UpstreamFormErrorsNameFileKeyValueAndLine) {
  const std::string head = R"([[collector]]
collector_id = "c1"
paws_type_name = "carbonblack"
paws_endpoint = "defense.example"
)";  // lines 1-4; the line under test is line 5
  struct Case {
    std::string line;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {"paws_collector_param_string_1 = '[\"Nope\"]'",
       {"paws.toml: collector[1].paws_collector_param_string_1 (line 5) = \"[\\\"Nope\\\"]\": "
        "element 1: carbonblack has no stream \"Nope\""}},
      {"collector_streams = 'AuditLogEvents'",
       {"paws.toml: collector[1].collector_streams (line 5) = \"AuditLogEvents\": not JSON"}},
      {"collector_streams = [\"AuditLogEvents\"]",
       {"paws.toml: collector[1].collector_streams: expected a string (the variable's value, as "
        "in the environment), got an array (line 5)"}},
      {"paws_poll_interval = \"soon\"",
       {"paws.toml: collector[1].paws_poll_interval (line 5) = \"soon\": expected a whole number"}},
      {"paws_poll_interval = 0",
       {"paws.toml: collector[1].paws_poll_interval (line 5) = \"0\": expected a whole number"}},
      {"paws_poll_interval = 1.5",
       {"collector[1].paws_poll_interval: expected an integer or a string", "got 1.5 (line 5)"}},
      {"customer_id = 10001",
       {"collector[1].customer_id: expected a string", "got 10001 (line 5)"}},
      {"streams = [\"AuditLogEvents\"]",
       {"paws.toml: collector[1].streams: native key in a [[collector]] in upstream form",
        "write collector_streams instead (line 5)"}},
      {"type = \"carbonblack\"", {"collector[1].type: native key", "paws_type_name instead"}},
      {"paws_colector_param_string_1 = 'x'",
       {"paws.toml: collector[1].paws_colector_param_string_1: unknown key in a [[collector]] in "
        "upstream form",
        "(line 5)"}},
      {"takeover = true", {"collector[1].takeover: native key"}},
      {"secret_env = \"X\"\npaws_secret_file = \"/s\"",
       {"collector[1].paws_secret_file: set one of paws_secret_file, secret_env, "
        "secret_file (line 6)"}},
      {"collector_streams = '[\"AuditLogEvents\"]'\nstall_after = \"soon\"",
       {"paws.toml: collector[1].stall_after:", "\"soon\" (line 6)"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    ExpectError(head + c.line + "\n", codes::kConfigInvalid, c.parts);
  }
  // A missing variable names the table's line.
  ExpectError("[[collector]]\npaws_type_name = \"okta\"\npaws_endpoint = \"x.example\"\n",
              codes::kConfigInvalid, {"paws.toml: collector[1].collector_id (line 1): not set"});
  // Two collectors with one id.
  ExpectError(head + "collector_streams = '[\"AuditLogEvents\"]'\n" + head +
                  "collector_streams = '[\"AuditLogEvents\"]'\n",
              codes::kConfigInvalid,
              {"collector[2].collector_id: duplicate id \"c1\", already used by collector[1] "
               "(line 7)"});
}

TEST_F(ConfigLoaderTest, UpstreamFormSecretErrorsNeverShowTheSecret) {
  fake_.files["/s/control"] = std::string("\x01") + kSecret;
  ExpectError(R"([[collector]]
collector_id = "c1"
paws_type_name = "okta"
paws_endpoint = "acme.okta.example"
paws_secret_file = "/s/missing"
)",
              codes::kSecretMissing,
              {"paws.toml: collector[1].paws_secret_file (line 5) = \"/s/missing\": cannot read "
               "secret file \"/s/missing\""});
  ExpectError(R"([[collector]]
collector_id = "c1"
paws_type_name = "okta"
paws_endpoint = "acme.okta.example"
paws_secret_file = "/s/control"
)",
              codes::kConfigInvalid, {"holds control characters"});
  ExpectError(std::string(R"([[collector]]
collector_id = "c1"
paws_type_name = "okta"
paws_endpoint = "acme.okta.example"
paws_secret_file = "/s/control"
paws_secret = ")") + kSecret + "\"\n",
              codes::kConfigInvalid, {"collector[1].paws_secret", "a secret in the configuration file"});
}

}  // namespace
}  // namespace paws
