#include "config/upstream_env.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "config/fake_config_env.h"
#include "paws/codes.h"

namespace paws {
namespace {

using std::chrono::seconds;

constexpr const char* kSecret = "s3cr3t-T0KEN-value";
constexpr const char* kId = "8a1f7c2e-0000-4b5c-9d9e-0123456789ab";

using FakeEnv = testing::FakeConfigEnv;

Result<CollectorSpec> FromEnv(FakeEnv& fake, bool read_secrets = true) {
  ConfigEnv env = fake.Env(read_secrets);
  PAWS_ASSIGN_OR_RETURN(Config config, AddCollectorFromEnv(Config{}, env));
  if (config.collectors.size() != 1) return Status::Internal("expected one collector");
  return config.collectors[0];
}

// The variables every upstream deployment has.
std::map<std::string, std::string> Base(const std::string& type) {
  return {{"collector_id", kId},
          {"customer_id", "10001"},
          {"paws_type_name", type},
          {"paws_endpoint", "api.example.test"},
          {"paws_poll_interval", "300"},
          {"paws_api_auth_type", "oauth2"},
          {"paws_secret", kSecret}};
}

// One upstream collector type as the upstream collector is deployed, and
// what it collects (DESIGN.md, "Streams and legacy configuration").
struct TypeCase {
  std::string type;
  std::string legacy_var;  // empty: the type has no stream list
  std::string streams;     // the JSON array both variables hold
  std::vector<std::string> expected;
  // The other parameter string and the params key it becomes ("" none).
  std::string other_var;
  std::string other_key;
};

const std::vector<TypeCase>& TypeCases() {
  static const std::vector<TypeCase> cases = {
      {"salesforce", "paws_collector_param_string_2", R"(["LoginHistory","EventLogFile"])",
       {"LoginHistory", "EventLogFile"}, "paws_collector_param_string_1", "username"},
      {"carbonblack", "paws_collector_param_string_1", R"(["AuditLogEvents","SearchAlerts"])",
       {"AuditLogEvents", "SearchAlerts"}, "paws_collector_param_string_2", "org_key"},
      {"gsuite", "paws_collector_param_string_2", R"(["login","admin","drive"])",
       {"login", "admin", "drive"}, "paws_collector_param_string_1", "scope"},
      {"o365", "paws_collector_param_string_2",
       R"(["Audit.AzureActiveDirectory","Audit.Exchange","DLP.All"])",
       {"Audit.AzureActiveDirectory", "Audit.Exchange", "DLP.All"},
       "paws_collector_param_string_1", "tenant_id"},
      {"sophossiem", "paws_collector_param_string_1", R"(["Events","Alerts"])",
       {"Events", "Alerts"}, "paws_collector_param_string_2", ""},
      {"ciscoamp", "paws_collector_param_string_1", R"(["Events","AuditLogs"])",
       {"Events", "AuditLogs"}, "paws_collector_param_string_2", ""},
      {"googlestackdriver", "paws_collector_param_string_1",
       R"(["projects/acme-prod","projects/acme-dev"])",
       {"projects/acme-prod", "projects/acme-dev"}, "paws_collector_param_string_2", ""},
      {"okta", "", R"(["okta"])", {"okta"}, "paws_collector_param_string_1", ""},
      {"auth0", "", R"(["auth0"])", {"auth0"}, "paws_collector_param_string_2", ""},
  };
  return cases;
}

void ExpectCommon(const CollectorSpec& spec, const TypeCase& c) {
  EXPECT_EQ(spec.id, kId);
  EXPECT_EQ(spec.type, c.type);
  EXPECT_EQ(spec.endpoint, "https://api.example.test");
  EXPECT_EQ(spec.cid, "10001");
  EXPECT_EQ(spec.poll_interval, seconds(300));
  EXPECT_EQ(spec.secret.reveal(), kSecret);
  EXPECT_TRUE(spec.takeover);
  if (c.other_key.empty()) {
    EXPECT_TRUE(spec.params.empty()) << c.type;
  } else {
    EXPECT_EQ(spec.params, (std::map<std::string, std::string>{{c.other_key, "other-value"}}));
  }
}

TEST(UpstreamEnvTest, EveryTypeAsDeployedUpstreamWithItsLegacyListVariable) {
  for (const TypeCase& c : TypeCases()) {
    SCOPED_TRACE(c.type);
    FakeEnv fake;
    fake.vars = Base(c.type);
    if (!c.legacy_var.empty()) fake.vars[c.legacy_var] = c.streams;
    fake.vars[c.other_var] = "other-value";
    Result<CollectorSpec> spec = FromEnv(fake);
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    EXPECT_EQ(spec->streams, c.expected);
    ExpectCommon(*spec, c);
  }
}

TEST(UpstreamEnvTest, EveryTypeWithCollectorStreamsOnly) {
  for (const TypeCase& c : TypeCases()) {
    SCOPED_TRACE(c.type);
    FakeEnv fake;
    fake.vars = Base(c.type);
    fake.vars["collector_streams"] = c.streams;
    fake.vars[c.other_var] = "other-value";
    Result<CollectorSpec> spec = FromEnv(fake);
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    EXPECT_EQ(spec->streams, c.expected);
    ExpectCommon(*spec, c);
  }
}

TEST(UpstreamEnvTest, CollectorStreamsWinsOverTheLegacyListWhichIsNotAParam) {
  FakeEnv fake;
  fake.vars = Base("salesforce");
  fake.vars["collector_streams"] = R"(["ApiEvent"])";
  // Even a bad legacy list is not read when collector_streams is set.
  fake.vars["paws_collector_param_string_2"] = "not json";
  Result<CollectorSpec> spec = FromEnv(fake);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->streams, std::vector<std::string>{"ApiEvent"});
  EXPECT_TRUE(spec->params.empty());
}

TEST(UpstreamEnvTest, SingleStreamTypeIgnoresParamStringsAndEmptyMeansUnset) {
  FakeEnv fake;
  fake.vars = Base("okta");
  fake.vars["paws_collector_param_string_1"] = "[\"ignored\"]";
  fake.vars["collector_streams"] = "";  // an unused CloudFormation parameter
  fake.vars["paws_poll_interval"] = "";
  Result<CollectorSpec> spec = FromEnv(fake);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->streams, std::vector<std::string>{"okta"});
  EXPECT_EQ(spec->poll_interval, seconds(60));
}

TEST(UpstreamEnvTest, OptionalVariablesAndTheirDefaults) {
  FakeEnv fake;
  fake.vars = {{"collector_id", "c1"},
               {"paws_type_name", "okta"},
               {"paws_endpoint", "http://127.0.0.1:8080/okta"}};
  Result<CollectorSpec> spec = FromEnv(fake);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->endpoint, "http://127.0.0.1:8080/okta");  // a scheme is kept
  EXPECT_EQ(spec->poll_interval, seconds(60));
  EXPECT_EQ(spec->max_pages_per_cycle, 10);
  EXPECT_TRUE(spec->secret.empty());
  EXPECT_TRUE(spec->collection_start.empty());
  EXPECT_TRUE(spec->upstream_queue.empty());

  fake.vars["paws_max_pages_per_invocation"] = "25";
  fake.vars["paws_state_queue_url"] = "https://sqs.us-east-1.amazonaws.com/123456789012/okta-c1";
  fake.vars["paws_collection_start_ts"] = "2026-01-14T12:00:00Z";
  fake.vars["paws_api_client_id"] = "client-7";
  spec = FromEnv(fake);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->max_pages_per_cycle, 25);
  EXPECT_EQ(spec->collection_start, "2026-01-14T12:00:00Z");
  EXPECT_EQ(spec->client_id, "client-7");
  EXPECT_EQ(spec->upstream_queue, "https://sqs.us-east-1.amazonaws.com/123456789012/okta-c1");
}

TEST(UpstreamEnvTest, SecretFromAFileAndWhereItCameFrom) {
  FakeEnv fake;
  fake.vars = Base("okta");
  fake.vars.erase("paws_secret");
  fake.vars["paws_secret_file"] = "/run/secrets/okta";
  fake.files["/run/secrets/okta"] = std::string(kSecret) + "\n";
  Result<CollectorSpec> spec = FromEnv(fake);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->secret.reveal(), kSecret);
  EXPECT_EQ(spec->secret_file, "/run/secrets/okta");
  EXPECT_TRUE(spec->secret_env.empty());

  fake.vars = Base("okta");
  spec = FromEnv(fake);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->secret_env, "paws_secret");
}

TEST(UpstreamEnvTest, SecretsAreNotReadWhenTheCommandNeedsNone) {
  FakeEnv fake;
  fake.vars = Base("okta");
  fake.vars.erase("paws_secret");
  fake.vars["paws_secret_file"] = "/run/secrets/missing";
  Result<CollectorSpec> spec = FromEnv(fake, /*read_secrets=*/false);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_TRUE(spec->secret.empty());
  EXPECT_TRUE(fake.reads.empty());

  fake.vars = Base("okta");
  spec = FromEnv(fake, /*read_secrets=*/false);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_TRUE(spec->secret.empty());
}

TEST(UpstreamEnvTest, AddsToTheFileAndRefusesAnIdItHas) {
  FakeEnv fake;
  fake.vars = Base("okta");
  Config base;
  base.file = "/etc/paws/paws.toml";
  base.collectors.push_back(CollectorSpec{});
  base.collectors[0].id = "other";
  Result<Config> config = AddCollectorFromEnv(base, fake.Env());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->collectors.size(), 2u);
  EXPECT_EQ(config->collectors[1].id, kId);
  EXPECT_EQ(config->file, "/etc/paws/paws.toml");

  base.collectors[0].id = kId;
  config = AddCollectorFromEnv(base, fake.Env());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().paws_code(), codes::kConfigInvalid);
  EXPECT_NE(config.status().message().find("environment variable collector_id = \"" +
                                           std::string(kId) + "\""),
            std::string::npos)
      << config.status().message();
  EXPECT_NE(config.status().message().find("/etc/paws/paws.toml"), std::string::npos);
}

// A bad value: the variables changed from a good salesforce environment
// (an empty value removes the variable), and what the error must say.
struct BadCase {
  std::string name;
  std::map<std::string, std::string> change;
  std::vector<std::string> expected;
  std::string_view code = codes::kConfigInvalid;
};

std::vector<BadCase> BadCases() {
  const std::string sf = "paws_collector_param_string_2";
  const std::string cs = "collector_streams";
  std::vector<BadCase> cases = {
      {"id missing", {{"collector_id", ""}}, {"environment variable collector_id: not set"}},
      {"id bad", {{"collector_id", "a b"}}, {"environment variable collector_id = \"a b\"",
                                             "letters, digits"}},
      {"type missing", {{"paws_type_name", ""}},
       {"environment variable paws_type_name: not set", "salesforce, carbonblack"}},
      {"type unknown", {{"paws_type_name", "splunk"}},
       {"environment variable paws_type_name = \"splunk\": unknown collector type",
        "salesforce, carbonblack, gsuite"}},
      {"endpoint missing", {{"paws_endpoint", ""}},
       {"environment variable paws_endpoint: not set"}},
      {"endpoint scheme", {{"paws_endpoint", "ftp://files.example"}},
       {"environment variable paws_endpoint = \"ftp://files.example\": expected a host name or "
        "an http(s) URL"}},
      {"endpoint no host", {{"paws_endpoint", "https://"}},
       {"paws_endpoint = \"https://\": expected"}},
      {"endpoint space", {{"paws_endpoint", "acme .example"}},
       {"paws_endpoint = \"acme .example\": expected"}},
      {"poll not a number", {{"paws_poll_interval", "abc"}},
       {"environment variable paws_poll_interval = \"abc\": expected a whole number of seconds"}},
      {"poll zero", {{"paws_poll_interval", "0"}}, {"paws_poll_interval = \"0\": expected"}},
      {"poll negative", {{"paws_poll_interval", "-5"}}, {"paws_poll_interval = \"-5\": expected"}},
      {"poll plus", {{"paws_poll_interval", "+5"}}, {"paws_poll_interval = \"+5\": expected"}},
      {"poll fraction", {{"paws_poll_interval", "1.5"}},
       {"paws_poll_interval = \"1.5\": expected"}},
      {"poll unit", {{"paws_poll_interval", "60s"}}, {"paws_poll_interval = \"60s\": expected"}},
      {"poll huge", {{"paws_poll_interval", "99999999999999999999"}},
       {"paws_poll_interval = \"99999999999999999999\": expected"}},
      {"pages zero", {{"paws_max_pages_per_invocation", "0"}},
       {"environment variable paws_max_pages_per_invocation = \"0\": expected a whole number of "
        "pages"}},
      {"pages past int", {{"paws_max_pages_per_invocation", "2147483648"}},
       {"paws_max_pages_per_invocation = \"2147483648\": expected"}},
      {"start not rfc3339", {{"paws_collection_start_ts", "yesterday"}},
       {"environment variable paws_collection_start_ts = \"yesterday\": expected an RFC 3339"}},
      {"neither list", {{sf, ""}},
       {"environment variable collector_streams: not set, nor is environment variable " + sf,
        "object names"}},
      {"okta streams other", {{"paws_type_name", "okta"}, {cs, R"(["system"])"}},
       {"environment variable collector_streams = \"[\\\"system\\\"]\""}},
      {"okta streams not json", {{"paws_type_name", "okta"}, {cs, "okta"}},
       {"environment variable collector_streams = \"okta\": not JSON"}},
      {"both secrets", {{"paws_secret_file", "/run/secrets/x"}},
       {"environment variable paws_secret_file = \"/run/secrets/x\": paws_secret is set too"}},
      {"secret file missing", {{"paws_secret", ""}, {"paws_secret_file", "/run/secrets/none"}},
       {"environment variable paws_secret_file = \"/run/secrets/none\": cannot read secret file",
        "No such file"},
       codes::kSecretMissing},
      {"secret file empty", {{"paws_secret", ""}, {"paws_secret_file", "/s/blank"}},
       {"paws_secret_file = \"/s/blank\": secret file \"/s/blank\" is empty"},
       codes::kSecretMissing},
      {"secret file control", {{"paws_secret", ""}, {"paws_secret_file", "/s/control"}},
       {"paws_secret_file = \"/s/control\"", "holds control characters"}},
  };
  // Every bad stream list, in collector_streams and in the legacy variable.
  const std::vector<std::pair<std::string, std::string>> lists = {
      {"LoginHistory", "not JSON"},
      {R"({"object":"LoginHistory"})", "expected a JSON array"},
      {"[]", "empty"},
      {R"([""])", "empty stream name"},
      {R"(["LoginHistory", 7])", "not a string"},
      {R"(["LoginHistory","LoginHistory"])", "twice"},
      {R"(["Account"])", "salesforce has no stream \"Account\""},
  };
  for (const auto& [value, what] : lists) {
    for (const std::string& var : {cs, sf}) {
      BadCase c{var + " " + value, {{var, value}}, {"environment variable " + var + " = ", what}};
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

TEST(UpstreamEnvTest, EveryBadValueNamesTheVariableAndTheValue) {
  for (const BadCase& c : BadCases()) {
    SCOPED_TRACE(c.name);
    FakeEnv fake;
    fake.vars = Base("salesforce");
    fake.vars["paws_collector_param_string_2"] = R"(["LoginHistory"])";
    fake.files["/s/blank"] = "\n\n";
    fake.files["/s/control"] = std::string("abc\x01") + kSecret;
    for (const auto& [name, value] : c.change) {
      if (value.empty()) {
        fake.vars.erase(name);
      } else {
        fake.vars[name] = value;
      }
    }
    Result<CollectorSpec> spec = FromEnv(fake);
    ASSERT_FALSE(spec.ok());
    const Status& s = spec.status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.paws_code(), c.code) << s.ToString();
    for (const std::string& part : c.expected) {
      EXPECT_NE(s.message().find(part), std::string::npos)
          << "missing \"" << part << "\" in: " << s.message();
    }
    EXPECT_EQ(s.ToString().find(kSecret), std::string::npos) << s.ToString();
  }
}

// The same reader for another source of variables: messages use its names.
TEST(UpstreamEnvTest, MessagesNameTheVariableAsTheCallerDescribesIt) {
  std::map<std::string, std::string> values = Base("carbonblack");
  values["paws_collector_param_string_1"] = "[\"AuditLogEvents\", \"Nope\"]";
  UpstreamVariables vars;
  vars.get = [&](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
  vars.describe = [](const std::string& name) { return "paws.toml: collector[3]." + name; };
  FakeEnv fake;
  Result<CollectorSpec> spec = CollectorFromUpstream(vars, fake.Env());
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find(
                "paws.toml: collector[3].paws_collector_param_string_1 = \"[\\\"AuditLogEvents\\\", "
                "\\\"Nope\\\"]\": element 2: carbonblack has no stream \"Nope\""),
            std::string::npos)
      << spec.status().message();
}

}  // namespace
}  // namespace paws
