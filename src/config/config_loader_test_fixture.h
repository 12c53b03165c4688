#pragma once

// The fixture shared by the configuration loader's tests.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/config_loader.h"
#include "config/fake_config_env.h"

namespace paws::config_test {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

inline constexpr const char* kSecret = "s3cr3t-T0KEN-value";

using FakeEnv = testing::FakeConfigEnv;

class ConfigLoaderTest : public ::testing::Test {
 protected:
  Result<Config> Parse(const std::string& text, const std::string& file = "paws.toml") {
    return ParseConfig(text, file, fake_.Env());
  }

  // Asserts that `text` fails with `paws_code` and a message containing each
  // of `parts`, and never the secret.
  void ExpectError(const std::string& text, std::string_view paws_code,
                   const std::vector<std::string>& parts) {
    Result<Config> config = Parse(text);
    ASSERT_FALSE(config.ok()) << text;
    const Status& s = config.status();
    EXPECT_EQ(s.paws_code(), paws_code) << s.ToString();
    for (const std::string& part : parts) {
      EXPECT_NE(s.message().find(part), std::string::npos)
          << "missing \"" << part << "\" in: " << s.message();
    }
    EXPECT_EQ(s.message().find(kSecret), std::string::npos) << s.message();
    EXPECT_EQ(s.ToString().find(kSecret), std::string::npos);
  }

  FakeEnv fake_;
};

inline constexpr const char* kCollector = R"(
[[collector]]
id = "c1"
type = "fake"
endpoint = "http://127.0.0.1:18080/t/acme"
streams = ["system"]
)";

}  // namespace paws::config_test
