#include "backends/aws/aws_settings.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "paws/codes.h"

namespace paws::aws {
namespace {

// Distinctive values: no message may ever contain them.
constexpr const char* kSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETq9";
constexpr const char* kToken = "FwoGZXIvYXdzEXAMPLEtokenZZq+Rw==";
constexpr const char* kOtherSecret = "OtherSecretKey/Never/Shown+Zz1";

constexpr const char* kCredsPath = "/home/op/.aws/credentials";
constexpr const char* kConfigPath = "/home/op/.aws/config";

// An in-memory environment and filesystem.
class FakeAwsEnv {
 public:
  std::map<std::string, std::string> vars{{"HOME", "/home/op"}};
  std::map<std::string, std::string> files;
  std::set<std::string> unreadable;
  std::vector<std::string> reads;

  AwsEnv Env() {
    AwsEnv env;
    env.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    env.read_file = [this](const std::string& path) -> Result<std::string> {
      reads.push_back(path);
      if (unreadable.count(path) != 0) return Status::Unavailable("Permission denied");
      auto it = files.find(path);
      if (it == files.end()) return Status::NotFound("No such file or directory");
      return it->second;
    };
    return env;
  }
};

std::string KeyPair(const std::string& id, const std::string& secret) {
  return "aws_access_key_id = " + id + "\naws_secret_access_key = " + secret + "\n";
}

class AwsSettingsTest : public ::testing::Test {
 protected:
  Result<AwsSettings> Resolve(const AwsSettingsInput& in = {}) {
    return ResolveAwsSettings(in, fake_.Env());
  }

  // Environment credentials and a region: the minimum that resolves.
  void SetEnvKeys() {
    fake_.vars["AWS_ACCESS_KEY_ID"] = "AKIAENVEXAMPLE";
    fake_.vars["AWS_SECRET_ACCESS_KEY"] = kSecretKey;
    fake_.vars["AWS_SESSION_TOKEN"] = kToken;
    fake_.vars["AWS_REGION"] = "eu-west-1";
  }

  AwsSettings ExpectOk(const AwsSettingsInput& in = {}) {
    Result<AwsSettings> s = Resolve(in);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return AwsSettings{};
    ExpectNoSecret(s->credentials_source);
    return *s;
  }

  // Fails with `code` / `paws_code`, the message holds each of `parts`, and
  // no secret.
  void ExpectError(const AwsSettingsInput& in, StatusCode code, std::string_view paws_code,
                   const std::vector<std::string>& parts) {
    Result<AwsSettings> s = Resolve(in);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), code) << s.status().ToString();
    EXPECT_EQ(s.status().paws_code(), paws_code) << s.status().ToString();
    for (const std::string& part : parts) {
      EXPECT_NE(s.status().message().find(part), std::string::npos)
          << "missing \"" << part << "\" in: " << s.status().message();
    }
    ExpectNoSecret(s.status().ToString());
  }

  static void ExpectNoSecret(const std::string& text) {
    for (const char* secret : {kSecretKey, kToken, kOtherSecret}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << text;
    }
  }

  FakeAwsEnv fake_;
};

// --- credentials -----------------------------------------------------------

TEST_F(AwsSettingsTest, EnvironmentKeysComeFirst) {
  SetEnvKeys();
  fake_.files[kCredsPath] = "[default]\n" + KeyPair("AKIAFILE", kOtherSecret);
  AwsSettings s = ExpectOk();
  EXPECT_EQ(s.credentials.access_key_id, "AKIAENVEXAMPLE");
  EXPECT_EQ(s.credentials.secret_access_key.reveal(), kSecretKey);
  EXPECT_EQ(s.credentials.session_token, kToken);
  EXPECT_EQ(s.credentials_source, "environment");
}

TEST_F(AwsSettingsTest, EnvironmentKeysWithoutSessionToken) {
  SetEnvKeys();
  fake_.vars.erase("AWS_SESSION_TOKEN");
  AwsSettings s = ExpectOk();
  EXPECT_EQ(s.credentials.session_token, "");
}

TEST_F(AwsSettingsTest, HalfAnEnvironmentPairNamesTheMissingVariable) {
  fake_.vars["AWS_REGION"] = "eu-west-1";
  fake_.files[kCredsPath] = "[default]\n" + KeyPair("AKIAFILE", kOtherSecret);
  fake_.vars["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  ExpectError({}, StatusCode::kInvalidArgument, codes::kAwsCredentials,
              {"AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"});
  fake_.vars.erase("AWS_ACCESS_KEY_ID");
  fake_.vars["AWS_SECRET_ACCESS_KEY"] = kSecretKey;
  ExpectError({}, StatusCode::kInvalidArgument, codes::kAwsCredentials,
              {"AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"});
  // Empty counts as unset.
  fake_.vars["AWS_ACCESS_KEY_ID"] = "";
  ExpectError({}, StatusCode::kInvalidArgument, codes::kAwsCredentials,
              {"AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"});
}

TEST_F(AwsSettingsTest, EmptyEnvironmentVariablesCountAsUnset) {
  fake_.vars["AWS_ACCESS_KEY_ID"] = "";
  fake_.vars["AWS_SECRET_ACCESS_KEY"] = "";
  fake_.vars["AWS_PROFILE"] = "";
  fake_.vars["AWS_REGION"] = "";
  fake_.vars["AWS_DEFAULT_REGION"] = "us-east-2";
  fake_.files[kCredsPath] = "[default]\n" + KeyPair("AKIAFILE", kSecretKey);
  AwsSettings s = ExpectOk();
  EXPECT_EQ(s.credentials.access_key_id, "AKIAFILE");
  EXPECT_EQ(s.region, "us-east-2");
}

TEST_F(AwsSettingsTest, CredentialsFileDefaultProfile) {
  fake_.vars["AWS_REGION"] = "eu-west-1";
  fake_.files[kCredsPath] = "[default]\n" + KeyPair("AKIADEFAULT", kSecretKey) +
                            "aws_session_token = " + kToken + "\n[prod]\n" +
                            KeyPair("AKIAPROD", kOtherSecret);
  AwsSettings s = ExpectOk();
  EXPECT_EQ(s.credentials.access_key_id, "AKIADEFAULT");
  EXPECT_EQ(s.credentials.secret_access_key.reveal(), kSecretKey);
  EXPECT_EQ(s.credentials.session_token, kToken);
  EXPECT_EQ(s.credentials_source, "/home/op/.aws/credentials [profile default]");
}

TEST_F(AwsSettingsTest, ProfileFromConfigBeatsAwsProfileWhichBeatsDefault) {
  fake_.vars["AWS_REGION"] = "eu-west-1";
  fake_.files[kCredsPath] = "[default]\n" + KeyPair("AKIADEFAULT", kSecretKey) + "[dev]\n" +
                            KeyPair("AKIADEV", kSecretKey) + "[prod]\n" +
                            KeyPair("AKIAPROD", kOtherSecret);
  fake_.vars["AWS_PROFILE"] = "dev";
  EXPECT_EQ(ExpectOk().credentials.access_key_id, "AKIADEV");
  AwsSettingsInput in;
  in.profile = "prod";
  AwsSettings s = ExpectOk(in);
  EXPECT_EQ(s.credentials.access_key_id, "AKIAPROD");
  EXPECT_EQ(s.credentials.secret_access_key.reveal(), kOtherSecret);
  EXPECT_EQ(s.credentials_source, "/home/op/.aws/credentials [profile prod]");
}

TEST_F(AwsSettingsTest, FileLocationVariables) {
  fake_.vars["AWS_REGION"] = "eu-west-1";
  fake_.vars["AWS_SHARED_CREDENTIALS_FILE"] = "/etc/paws/aws-credentials";
  fake_.files["/etc/paws/aws-credentials"] = "[default]\n" + KeyPair("AKIAETC", kSecretKey);
  fake_.files[kCredsPath] = "[default]\n" + KeyPair("AKIAHOME", kSecretKey);
  AwsSettings s = ExpectOk();
  EXPECT_EQ(s.credentials.access_key_id, "AKIAETC");
  EXPECT_EQ(s.credentials_source, "/etc/paws/aws-credentials [profile default]");

  // "~/" is $HOME, as in the SDKs; the config file moves the same way.
  fake_.vars.erase("AWS_REGION");
  fake_.vars["AWS_SHARED_CREDENTIALS_FILE"] = "~/keys/aws";
  fake_.vars["AWS_CONFIG_FILE"] = "/etc/paws/aws-config";
  fake_.files["/home/op/keys/aws"] = "[default]\n" + KeyPair("AKIATILDE", kSecretKey);
  fake_.files["/etc/paws/aws-config"] = "[default]\nregion = ap-south-1\n";
  s = ExpectOk();
  EXPECT_EQ(s.credentials.access_key_id, "AKIATILDE");
  EXPECT_EQ(s.region, "ap-south-1");
}

TEST_F(AwsSettingsTest, ConfigFileProfileSections) {
  fake_.files[kConfigPath] =
      "[default]\nregion = us-west-2\n" + KeyPair("AKIACFGDEFAULT", kSecretKey) +
      "[profile prod]\nregion = eu-central-1\n" + KeyPair("AKIACFGPROD", kOtherSecret) +
      // Not a profile of the config file: "[profile x]" is.
      "[staging]\n" + KeyPair("AKIAWRONG", kSecretKey);
  AwsSettings s = ExpectOk();
  EXPECT_EQ(s.credentials.access_key_id, "AKIACFGDEFAULT");
  EXPECT_EQ(s.credentials_source, "/home/op/.aws/config [profile default]");
  EXPECT_EQ(s.region, "us-west-2");

  AwsSettingsInput in;
  in.profile = "prod";
  s = ExpectOk(in);
  EXPECT_EQ(s.credentials.access_key_id, "AKIACFGPROD");
  EXPECT_EQ(s.credentials.secret_access_key.reveal(), kOtherSecret);
  EXPECT_EQ(s.credentials_source, "/home/op/.aws/config [profile prod]");
  EXPECT_EQ(s.region, "eu-central-1");

  in.profile = "staging";
  ExpectError(in, StatusCode::kInvalidArgument, codes::kAwsCredentials,
              {"AWS profile \"staging\" (store.aws.profile) not found"});
}

TEST_F(AwsSettingsTest, CredentialsFileBeatsConfigFile) {
  fake_.files[kCredsPath] = "[prod]\n" + KeyPair("AKIACREDS", kSecretKey);
  fake_.files[kConfigPath] =
      "[profile prod]\nregion = eu-north-1\n" + KeyPair("AKIACONFIG", kOtherSecret);
  AwsSettingsInput in;
  in.profile = "prod";
  AwsSettings s = ExpectOk(in);
  EXPECT_EQ(s.credentials.access_key_id, "AKIACREDS");
  EXPECT_EQ(s.region, "eu-north-1");  // the region still comes from the config file

  // A credentials-file section without keys falls through to the config file.
  fake_.files[kCredsPath] = "[prod]\n# keys are in the config file\n";
  EXPECT_EQ(ExpectOk(in).credentials.access_key_id, "AKIACONFIG");
}

TEST_F(AwsSettingsTest, HalfAPairInAFileNamesFileProfileAndKey) {
  fake_.vars["AWS_REGION"] = "eu-west-1";
  fake_.files[kCredsPath] = "[default]\naws_secret_access_key = " + std::string(kSecretKey) + "\n";
  ExpectError({}, StatusCode::kInvalidArgument, codes::kAwsCredentials,
              {"/home/op/.aws/credentials [profile default]: aws_secret_access_key is set but "
               "aws_access_key_id is not"});
  fake_.files.erase(kCredsPath);
  fake_.files[kConfigPath] = "[profile x]\naws_access_key_id = AKIAX\n";
  fake_.vars["AWS_PROFILE"] = "x";
  ExpectError({}, StatusCode::kInvalidArgument, codes::kAwsCredentials,
              {"/home/op/.aws/config [profile x]: aws_access_key_id is set but "
               "aws_secret_access_key is not"});
}

TEST_F(AwsSettingsTest, ExplicitProfileThatExistsNowhereIsAnError) {
  SetEnvKeys();  // even with working keys: the operator asked for a profile
  fake_.files[kCredsPath] = "[default]\n" + KeyPair("AKIAFILE", kOtherSecret);
  AwsSettingsInput in;
  in.profile = "prod";
  ExpectError(in, StatusCode::kInvalidArgument, codes::kAwsCredentials,
              {"AWS profile \"prod\" (store.aws.profile) not found: no [prod] in "
               "/home/op/.aws/credentials, and no [profile prod] in /home/op/.aws/config "
               "(no such file)"});
  fake_.vars["AWS_PROFILE"] = "ops";
  ExpectError({}, StatusCode::kInvalidArgument, codes::kAwsCredentials,
              {"AWS profile \"ops\" (environment variable AWS_PROFILE) not found", kCredsPath,
               kConfigPath});
}

TEST_F(AwsSettingsTest, NoCredentialsAnywhereSaysWhereItLooked) {
  fake_.vars["AWS_REGION"] = "eu-west-1";
  ExpectError({}, StatusCode::kUnauthenticated, codes::kAwsCredentials,
              {"no AWS credentials: looked in the environment (AWS_ACCESS_KEY_ID and "
               "AWS_SECRET_ACCESS_KEY are not set), in /home/op/.aws/credentials [profile "
               "default] (no such file) and in /home/op/.aws/config [profile default] (no such "
               "file)"});
  // Files that exist, without the profile or without keys.
  fake_.files[kCredsPath] = "[other]\n" + KeyPair("AKIAOTHER", kSecretKey);
  fake_.files[kConfigPath] = "[default]\nregion = eu-west-1\n";
  fake_.vars["AWS_SESSION_TOKEN"] = kToken;  // a token alone is no credential
  ExpectError({}, StatusCode::kUnauthenticated, codes::kAwsCredentials,
              {"/home/op/.aws/credentials [profile default] (no such profile)",
               "/home/op/.aws/config [profile default] (no aws_access_key_id)"});
  // Without HOME and without the variables there is nowhere to look.
  fake_.vars.erase("HOME");
  ExpectError({}, StatusCode::kUnauthenticated, codes::kAwsCredentials,
              {"no AWS_SHARED_CREDENTIALS_FILE and no HOME", "no AWS_CONFIG_FILE and no HOME"});
}

TEST_F(AwsSettingsTest, UnsupportedCredentialSourcesAreNamed) {
  fake_.files[kConfigPath] =
      "[profile assume]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123:role/x\n"
      "source_profile = default\n";
  AwsSettingsInput in;
  in.profile = "assume";
  ExpectError(in, StatusCode::kUnauthenticated, codes::kAwsCredentials,
              {"no AWS credentials", "the profile uses role_arn, which paws does not support"});
}

TEST_F(AwsSettingsTest, UnreadableFileIsAnErrorNamingIt) {
  SetEnvKeys();
  fake_.unreadable.insert(kCredsPath);
  Result<AwsSettings> s = Resolve();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.status().paws_code(), codes::kAwsCredentials);
  EXPECT_EQ(s.status().message(),
            "cannot read the AWS credentials file /home/op/.aws/credentials: Permission denied");
  fake_.unreadable = {kConfigPath};
  s = Resolve();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "cannot read the AWS config file /home/op/.aws/config: Permission denied");
}

TEST_F(AwsSettingsTest, BadProfileNameIsAnError) {
  SetEnvKeys();
  AwsSettingsInput in;
  in.profile = "a]b";
  ExpectError(in, StatusCode::kInvalidArgument, codes::kConfigInvalid,
              {"store.aws.profile: expected a profile name", "got \"a]b\""});
}

// --- the INI format --------------------------------------------------------

TEST_F(AwsSettingsTest, IniCommentsBlanksWhitespaceAndNestedSettings) {
  fake_.files[kConfigPath] =
      "# written by hand\r\n"
      "; another comment\r\n"
      "\r\n"
      "  [ profile   prod ]   # trailing comment\r\n"
      "s3 =\r\n"
      "  max_concurrent_requests = 10\r\n"
      "  region = xx-nested-1\r\n"
      "\taws_access_key_id = AKIANESTED\r\n"
      "region   =   eu-south-1   \r\n"
      "aws_access_key_id=AKIAPROD\r\n"
      "aws_secret_access_key =" +
      std::string(kSecretKey) +
      "\r\n"
      "[profile prod]\n"  // a second section of the same name merges
      "aws_session_token = " +
      kToken + "\n";
  fake_.vars["AWS_PROFILE"] = "prod";
  AwsSettings s = ExpectOk();
  EXPECT_EQ(s.region, "eu-south-1");
  EXPECT_EQ(s.credentials.access_key_id, "AKIAPROD");
  EXPECT_EQ(s.credentials.secret_access_key.reveal(), kSecretKey);
  EXPECT_EQ(s.credentials.session_token, kToken);
}

TEST_F(AwsSettingsTest, IniKeysAreCaseSensitive) {
  fake_.vars["AWS_REGION"] = "eu-west-1";
  fake_.files[kCredsPath] =
      "[default]\nAWS_ACCESS_KEY_ID = AKIA\nAWS_SECRET_ACCESS_KEY = " + std::string(kSecretKey);
  ExpectError({}, StatusCode::kUnauthenticated, codes::kAwsCredentials, {"(no aws_access_key_id)"});
}

TEST_F(AwsSettingsTest, MalformedLinesNameFileAndLineButNeverTheLine) {
  struct Case {
    const char* name;
    std::string text;
    std::string expected;
  };
  const std::string secret = kSecretKey;
  const std::vector<Case> cases = {
      {"no equals sign", "[default]\naws_access_key_id = AKIA\n" + secret + "\n",
       "/home/op/.aws/credentials:3: expected [section], key = value, or a comment (the line "
       "is not shown)"},
      {"unclosed header", "[default\naws_secret_access_key = " + secret + "\n",
       "/home/op/.aws/credentials:1: a section header without its closing ']'"},
      {"text after header", "[default] " + secret + "\n",
       "/home/op/.aws/credentials:1: text after a section header's ']'"},
      {"empty header", "\n[ ]\n", "/home/op/.aws/credentials:2: a section header without a name"},
      {"empty key", "[default]\n = " + secret + "\n",
       "/home/op/.aws/credentials:2: a setting without a key before '='"},
      {"setting before any section", "aws_secret_access_key = " + secret + "\n[default]\n",
       "/home/op/.aws/credentials:1: a setting before the first [section] header"},
  };
  SetEnvKeys();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    fake_.files[kCredsPath] = c.text;
    Result<AwsSettings> s = Resolve();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.status().paws_code(), codes::kAwsCredentials);
    EXPECT_EQ(s.status().message(), c.expected);
    ExpectNoSecret(s.status().ToString());
  }
  // The config file is checked the same way.
  fake_.files.erase(kCredsPath);
  fake_.files[kConfigPath] = "[default]\nregion\n";
  ExpectError({}, StatusCode::kInvalidArgument, codes::kAwsCredentials,
              {"/home/op/.aws/config:2: expected [section]"});
}

// --- region ----------------------------------------------------------------

TEST_F(AwsSettingsTest, RegionPrecedence) {
  fake_.vars["AWS_ACCESS_KEY_ID"] = "AKIA";
  fake_.vars["AWS_SECRET_ACCESS_KEY"] = kSecretKey;
  fake_.files[kConfigPath] = "[default]\nregion = ca-central-1\n";
  EXPECT_EQ(ExpectOk().region, "ca-central-1");
  fake_.vars["AWS_DEFAULT_REGION"] = "us-east-2";
  EXPECT_EQ(ExpectOk().region, "us-east-2");
  fake_.vars["AWS_REGION"] = "eu-west-3";
  EXPECT_EQ(ExpectOk().region, "eu-west-3");
  AwsSettingsInput in;
  in.region = "ap-northeast-1";
  EXPECT_EQ(ExpectOk(in).region, "ap-northeast-1");
}

TEST_F(AwsSettingsTest, NoRegionNamesTheWaysToSetOne) {
  fake_.vars["AWS_ACCESS_KEY_ID"] = "AKIA";
  fake_.vars["AWS_SECRET_ACCESS_KEY"] = kSecretKey;
  fake_.files[kConfigPath] = "[profile x]\noutput = json\n";
  fake_.vars["AWS_PROFILE"] = "x";
  Result<AwsSettings> s = Resolve();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().paws_code(), codes::kConfigInvalid);
  EXPECT_EQ(s.status().message(),
            "store.aws.region: no region: set it, or AWS_REGION, or region in "
            "/home/op/.aws/config [profile x]");
}

TEST_F(AwsSettingsTest, BadRegionNamesWhereItCameFromAndTheValue) {
  fake_.vars["AWS_ACCESS_KEY_ID"] = "AKIA";
  fake_.vars["AWS_SECRET_ACCESS_KEY"] = kSecretKey;
  AwsSettingsInput in;
  in.region = "EU-West-1";
  ExpectError(in, StatusCode::kInvalidArgument, codes::kConfigInvalid,
              {"store.aws.region: expected an AWS region like \"us-east-1\"", "got \"EU-West-1\""});
  fake_.vars["AWS_REGION"] = "eu west";
  ExpectError({}, StatusCode::kInvalidArgument, codes::kConfigInvalid,
              {"environment variable AWS_REGION: expected an AWS region", "got \"eu west\""});
  fake_.vars.erase("AWS_REGION");
  fake_.vars["AWS_DEFAULT_REGION"] = "-east-";
  ExpectError({}, StatusCode::kInvalidArgument, codes::kConfigInvalid,
              {"environment variable AWS_DEFAULT_REGION:", "got \"-east-\""});
  fake_.vars.erase("AWS_DEFAULT_REGION");
  fake_.files[kConfigPath] = "[default]\nregion = us_east_1\n";
  ExpectError({}, StatusCode::kInvalidArgument, codes::kConfigInvalid,
              {"/home/op/.aws/config [profile default] region: expected an AWS region",
               "got \"us_east_1\""});
}

// --- endpoints -------------------------------------------------------------

TEST_F(AwsSettingsTest, DefaultEndpointsFollowTheRegion) {
  SetEnvKeys();
  AwsSettings s = ExpectOk();
  EXPECT_EQ(s.dynamodb_endpoint, "https://dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(s.sqs_endpoint, "https://sqs.eu-west-1.amazonaws.com");
  fake_.vars["AWS_REGION"] = "cn-north-1";
  s = ExpectOk();
  EXPECT_EQ(s.dynamodb_endpoint, "https://dynamodb.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(s.sqs_endpoint, "https://sqs.cn-north-1.amazonaws.com.cn");
}

TEST_F(AwsSettingsTest, EndpointPrecedence) {
  SetEnvKeys();
  fake_.vars["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566/";
  AwsSettings s = ExpectOk();
  EXPECT_EQ(s.dynamodb_endpoint, "http://127.0.0.1:4566");
  EXPECT_EQ(s.sqs_endpoint, "http://127.0.0.1:4566");

  fake_.vars["AWS_ENDPOINT_URL_DYNAMODB"] = "http://127.0.0.1:8000";
  fake_.vars["AWS_ENDPOINT_URL_SQS"] = "HTTP://localhost:9324/prefix//";
  s = ExpectOk();
  EXPECT_EQ(s.dynamodb_endpoint, "http://127.0.0.1:8000");
  EXPECT_EQ(s.sqs_endpoint, "HTTP://localhost:9324/prefix");

  AwsSettingsInput in;
  in.dynamodb_endpoint = "https://ddb.internal.example/";
  in.sqs_endpoint = "http://[::1]:9324";
  s = ExpectOk(in);
  EXPECT_EQ(s.dynamodb_endpoint, "https://ddb.internal.example");
  EXPECT_EQ(s.sqs_endpoint, "http://[::1]:9324");
}

TEST_F(AwsSettingsTest, BadEndpointsNameTheKeyOrVariableAndTheValue) {
  SetEnvKeys();
  struct Case {
    const char* name;
    const char* value;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"no scheme", "localhost:8000",
       "expected an absolute URL starting with http:// or https://, got \"localhost:8000\""},
      {"ftp", "ftp://h", "expected an absolute URL starting with http:// or https://"},
      {"query", "http://h/?a=1",
       "expected a URL without a query or fragment, got \"http://h/?a=1\""},
      {"fragment", "http://h#x", "expected a URL without a query or fragment"},
      {"no host", "https:///path", "expected a URL with a host, got \"https:///path\""},
      {"only scheme", "http://", "expected a URL with a host"},
      {"space", "http://h ost", "expected a URL without spaces or control characters"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    AwsSettingsInput in;
    in.dynamodb_endpoint = c.value;
    ExpectError(in, StatusCode::kInvalidArgument, codes::kConfigInvalid,
                {std::string("store.aws.dynamodb_endpoint: ") + c.expected});
    in = {};
    in.sqs_endpoint = c.value;
    ExpectError(in, StatusCode::kInvalidArgument, codes::kConfigInvalid,
                {std::string("store.aws.sqs_endpoint: ") + c.expected});
    fake_.vars["AWS_ENDPOINT_URL_SQS"] = c.value;
    ExpectError({}, StatusCode::kInvalidArgument, codes::kConfigInvalid,
                {std::string("environment variable AWS_ENDPOINT_URL_SQS: ") + c.expected});
    fake_.vars.erase("AWS_ENDPOINT_URL_SQS");
    fake_.vars["AWS_ENDPOINT_URL"] = c.value;
    ExpectError({}, StatusCode::kInvalidArgument, codes::kConfigInvalid,
                {std::string("environment variable AWS_ENDPOINT_URL: ") + c.expected});
    fake_.vars.erase("AWS_ENDPOINT_URL");
  }
}

TEST_F(AwsSettingsTest, EndpointWithUserInfoIsRefusedWithoutShowingIt) {
  SetEnvKeys();
  AwsSettingsInput in;
  in.dynamodb_endpoint = std::string("https://user:") + kOtherSecret + "@ddb.example";
  ExpectError(in, StatusCode::kInvalidArgument, codes::kConfigInvalid,
              {"store.aws.dynamodb_endpoint: an endpoint URL must not hold '@' (a user name or "
               "password) (the value is not shown)"});
}

// --- secrets ---------------------------------------------------------------

// Every error path above, once more, with the secrets present in every
// source at once: none of them may reach a message.
TEST_F(AwsSettingsTest, NoMessageEverHoldsASecret) {
  const std::string pair = KeyPair("AKIA", kSecretKey) + "aws_session_token = " + kToken + "\n";
  struct Case {
    const char* name;
    std::map<std::string, std::string> vars;
    std::map<std::string, std::string> files;
    AwsSettingsInput in;
  };
  AwsSettingsInput prod;
  prod.profile = "prod";
  AwsSettingsInput bad_region;
  bad_region.region = "BAD";
  AwsSettingsInput bad_endpoint;
  bad_endpoint.sqs_endpoint = "nope";
  AwsSettingsInput userinfo;
  userinfo.dynamodb_endpoint = std::string("http://a:") + kSecretKey + "@h";
  AwsSettingsInput bad_profile;
  bad_profile.profile = "x\n";
  const std::string half_file = std::string("[default]\naws_secret_access_key = ") + kSecretKey +
                                "\naws_session_token = " + kToken + "\n";
  const std::vector<Case> cases = {
      {"half env pair",
       {{"AWS_SECRET_ACCESS_KEY", kSecretKey}, {"AWS_SESSION_TOKEN", kToken}},
       {},
       {}},
      {"half file pair", {{"AWS_SESSION_TOKEN", kToken}}, {{kCredsPath, half_file}}, {}},
      {"half config pair", {}, {{kConfigPath, half_file}}, {}},
      {"profile missing",
       {{"AWS_SECRET_ACCESS_KEY", kSecretKey}, {"AWS_ACCESS_KEY_ID", "A"}},
       {{kCredsPath, "[default]\n" + pair}},
       prod},
      {"no credentials",
       {{"AWS_SESSION_TOKEN", kToken}},
       {{kConfigPath, std::string("[default]\nsecret = ") + kSecretKey + "\n"}},
       {}},
      {"malformed line", {}, {{kCredsPath, "[default]\n" + pair + kSecretKey + "\n"}}, {}},
      {"malformed token line", {}, {{kConfigPath, std::string("[default]\n") + kToken + "\n"}}, {}},
      {"no region", {}, {{kCredsPath, "[default]\n" + pair}}, {}},
      {"bad region", {}, {{kCredsPath, "[default]\n" + pair}}, bad_region},
      {"bad endpoint",
       {{"AWS_REGION", "us-east-1"}},
       {{kCredsPath, "[default]\n" + pair}},
       bad_endpoint},
      {"user info", {{"AWS_REGION", "us-east-1"}}, {{kCredsPath, "[default]\n" + pair}}, userinfo},
      {"bad profile name", {}, {{kCredsPath, "[default]\n" + pair}}, bad_profile},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    fake_.vars = c.vars;
    fake_.vars["HOME"] = "/home/op";
    fake_.files = c.files;
    Result<AwsSettings> s = Resolve(c.in);
    ASSERT_FALSE(s.ok());
    ExpectNoSecret(s.status().ToString());
  }
  fake_.unreadable = {kCredsPath};
  fake_.vars = {{"HOME", "/home/op"}, {"AWS_SECRET_ACCESS_KEY", kSecretKey}};
  Result<AwsSettings> s = Resolve();
  ASSERT_FALSE(s.ok());
  ExpectNoSecret(s.status().ToString());
}

TEST(AwsEnvRealTest, MissingFileIsNotFound) {
  AwsEnv env = AwsEnv::Real();
  Result<std::string> r = env.read_file("/nonexistent-paws-dir/aws/credentials");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(env.getenv("PAWS_TEST_SURELY_UNSET_VARIABLE_6f1e").has_value());
}

}  // namespace
}  // namespace paws::aws
