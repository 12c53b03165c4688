// The two AWS Signature Version 4 test suites (tests/fixtures/sigv4, see its
// SOURCE.md): every case folder is found at run time and checked byte for
// byte against what SignRequest and PresignRequest compute.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "backends/aws/sigv4.h"

namespace paws::aws {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = PAWS_SIGV4_FIXTURES;
const fs::path kClassicDir = kFixtures / "aws-sig-v4-test-suite";
const fs::path kV4Dir = kFixtures / "aws-signing-test-suite" / "v4";
constexpr char kAccessKey[] = "AKIDEXAMPLE";
constexpr char kSecretKey[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kOrigin[] = "https://example.amazonaws.com";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A raw HTTP/1.1 request as the suites write it: LF line ends, headers until
// a blank line, then the body. A line starting with white space continues
// the previous header (obs-fold); it is kept as "\n" + the line.
struct RawRequest {
  std::string method;
  std::string target;  // path and query, as written (may hold spaces and UTF-8)
  HttpHeaders headers;
  std::string body;
};

RawRequest ParseRaw(const std::string& text) {
  RawRequest raw;
  size_t pos = 0;
  auto next_line = [&](std::string* line) {
    if (pos > text.size()) return false;
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    *line = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  };
  std::string line;
  next_line(&line);
  raw.method = line.substr(0, line.find(' '));
  size_t version = line.rfind(' ');
  raw.target = line.substr(raw.method.size() + 1, version - raw.method.size() - 1);
  while (next_line(&line) && !line.empty()) {
    if ((line[0] == ' ' || line[0] == '\t') && !raw.headers.empty()) {
      raw.headers.back().second += "\n" + line;
    } else {
      size_t colon = line.find(':');
      raw.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
  }
  if (pos < text.size()) raw.body = text.substr(pos);
  return raw;
}

HttpRequest ToHttpRequest(const RawRequest& raw) {
  HttpRequest req;
  req.method = raw.method;
  req.url = kOrigin + raw.target;
  req.headers = raw.headers;
  req.body = raw.body;
  return req;
}

// Headers as a user would compare them: lower-case names, values without
// surrounding blanks, in name order (stable, so duplicates keep their order).
HttpHeaders Comparable(HttpHeaders headers) {
  for (auto& [name, value] : headers) {
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t first = value.find_first_not_of(" \t");
    size_t last = value.find_last_not_of(" \t");
    value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
  }
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return headers;
}

std::vector<std::string> SortedQueryItems(const std::string& target) {
  std::vector<std::string> items;
  size_t q = target.find('?');
  if (q == std::string::npos) return items;
  std::stringstream in(target.substr(q + 1));
  for (std::string item; std::getline(in, item, '&');) items.push_back(item);
  std::sort(items.begin(), items.end());
  return items;
}

// Case folders: those holding a file named after themselves plus ".req"
// (classic), or a context.json (v4). Names relative to the suite folder.
std::vector<std::string> FindCases(const fs::path& root, bool classic) {
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return names;
  for (const auto& entry : fs::recursive_directory_iterator(root, ec)) {
    if (!entry.is_directory()) continue;
    const fs::path& dir = entry.path();
    bool is_case = classic ? fs::exists(dir / (dir.filename().string() + ".req"))
                           : fs::exists(dir / "context.json");
    if (is_case) names.push_back(fs::relative(dir, root).generic_string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string TestName(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

WallTime SuiteTime() { return *ParseRfc3339("2015-08-30T12:36:00Z"); }

// The suites' session token, as AWS's note next to the classic cases gives it.
std::string SuiteSessionToken() {
  std::string note = ReadFile(kClassicDir / "post-sts-token" / "readme.txt");
  std::stringstream in(note);
  std::string token;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) token = line;
  }
  return token;
}

TEST(SigV4Suites, EveryCaseFolderIsFound) {
  // SOURCE.md: 31 classic cases and 38 v4 cases. Fewer means the fixtures
  // were not copied whole, and the parameterised tests would check less.
  EXPECT_EQ(FindCases(kClassicDir, true).size(), 31u) << kClassicDir;
  EXPECT_EQ(FindCases(kV4Dir, false).size(), 38u) << kV4Dir;
}

class ClassicSuite : public testing::TestWithParam<std::string> {};

TEST_P(ClassicSuite, MatchesCanonicalRequestStringToSignAndAuthorization) {
  const fs::path dir = kClassicDir / GetParam();
  const std::string name = dir.filename().string();
  if (name == "get-header-value-multiline") {
    GTEST_SKIP() << "superseded (SOURCE.md): the classic file joins obs-fold lines with ','; "
                    "the v4 suite's get-header-value-multiline, which passes, joins them with "
                    "a single space, the corrected behaviour followed here";
  }
  const RawRequest raw = ParseRaw(ReadFile(dir / (name + ".req")));
  HttpRequest req = ToHttpRequest(raw);
  AwsCredentials creds{kAccessKey, Secret(kSecretKey), ""};
  SigningParams params{"us-east-1", "service", SuiteTime()};
  if (name.starts_with("post-sts-header-")) {
    creds.session_token = SuiteSessionToken();
    // AWS's note: "after" adds the token once the signature is computed.
    params.omit_session_token = name == "post-sts-header-after";
  }

  Result<SignedParts> parts = SignRequest(&req, creds, params);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->canonical_request, ReadFile(dir / (name + ".creq")));
  EXPECT_EQ(parts->string_to_sign, ReadFile(dir / (name + ".sts")));
  EXPECT_EQ(parts->authorization, ReadFile(dir / (name + ".authz")));

  // The signed request carries the same headers as the suite's (order aside).
  const RawRequest expected = ParseRaw(ReadFile(dir / (name + ".sreq")));
  EXPECT_EQ(Comparable(req.headers), Comparable(expected.headers));
  EXPECT_EQ(req.url, kOrigin + expected.target);
  EXPECT_EQ(req.body, expected.body);
}

INSTANTIATE_TEST_SUITE_P(AwsSigV4TestSuite, ClassicSuite,
                         testing::ValuesIn(FindCases(kClassicDir, true)), TestName);

struct V4Context {
  AwsCredentials creds;
  SigningParams params;
  Duration expires{0};
};

V4Context ReadContext(const fs::path& dir) {
  nlohmann::json j = nlohmann::json::parse(ReadFile(dir / "context.json"));
  V4Context ctx;
  const auto& c = j.at("credentials");
  ctx.creds.access_key_id = c.at("access_key_id").get<std::string>();
  ctx.creds.secret_access_key = Secret(c.at("secret_access_key").get<std::string>());
  ctx.creds.session_token = c.value("token", "");
  ctx.params.region = j.at("region").get<std::string>();
  ctx.params.service = j.at("service").get<std::string>();
  ctx.params.time = *ParseRfc3339(j.at("timestamp").get<std::string>());
  ctx.params.normalize_path = j.at("normalize").get<bool>();
  ctx.params.sign_body = j.at("sign_body").get<bool>();
  ctx.params.omit_session_token = j.value("omit_session_token", false);
  ctx.expires = std::chrono::seconds(j.at("expiration_in_seconds").get<int>());
  return ctx;
}

class V4Suite : public testing::TestWithParam<std::string> {};

TEST_P(V4Suite, HeaderSigningMatches) {
  const fs::path dir = kV4Dir / GetParam();
  const V4Context ctx = ReadContext(dir);
  HttpRequest req = ToHttpRequest(ParseRaw(ReadFile(dir / "request.txt")));

  Result<SignedParts> parts = SignRequest(&req, ctx.creds, ctx.params);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->canonical_request, ReadFile(dir / "header-canonical-request.txt"));
  EXPECT_EQ(parts->string_to_sign, ReadFile(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(parts->signature, ReadFile(dir / "header-signature.txt"));

  const RawRequest expected = ParseRaw(ReadFile(dir / "header-signed-request.txt"));
  std::string expected_authorization;
  for (const auto& [header, value] : expected.headers) {
    if (header == "Authorization") expected_authorization = value;
  }
  EXPECT_EQ(parts->authorization, expected_authorization);
  EXPECT_EQ(Comparable(req.headers), Comparable(expected.headers));
  EXPECT_EQ(req.url, kOrigin + expected.target);
  EXPECT_EQ(req.body, expected.body);
}

TEST_P(V4Suite, QuerySigningMatches) {
  const fs::path dir = kV4Dir / GetParam();
  const V4Context ctx = ReadContext(dir);
  const RawRequest raw = ParseRaw(ReadFile(dir / "request.txt"));
  HttpRequest req = ToHttpRequest(raw);

  Result<SignedParts> parts = PresignRequest(&req, ctx.creds, ctx.params, ctx.expires);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->canonical_request, ReadFile(dir / "query-canonical-request.txt"));
  EXPECT_EQ(parts->string_to_sign, ReadFile(dir / "query-string-to-sign.txt"));
  EXPECT_EQ(parts->signature, ReadFile(dir / "query-signature.txt"));
  EXPECT_EQ(parts->authorization, "");

  // SOURCE.md: the X-Amz-* parameters are not in canonical order there.
  const RawRequest expected = ParseRaw(ReadFile(dir / "query-signed-request.txt"));
  ASSERT_TRUE(req.url.starts_with(kOrigin)) << req.url;
  const std::string target = req.url.substr(std::string(kOrigin).size());
  EXPECT_EQ(target.substr(0, target.find('?')),
            expected.target.substr(0, expected.target.find('?')));
  EXPECT_EQ(SortedQueryItems(target), SortedQueryItems(expected.target));
  EXPECT_EQ(Comparable(req.headers), Comparable(expected.headers));
  EXPECT_EQ(Comparable(req.headers), Comparable(raw.headers)) << "presigning adds no header";
}

INSTANTIATE_TEST_SUITE_P(AwsSigningTestSuiteV4, V4Suite,
                         testing::ValuesIn(FindCases(kV4Dir, false)), TestName);

}  // namespace
}  // namespace paws::aws
