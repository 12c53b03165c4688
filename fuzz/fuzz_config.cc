// libFuzzer target: the configuration loader, ParseConfig(text, "fuzz.toml",
// env), with a fake environment and fake files (no real variable or file is
// read). Every secret of the fakes holds kSecretMark, so the target can tell
// when one is shown.
//
// Invariants, each a finding when broken:
// - an error is kInvalidArgument with PAWS000102, PAWS000103 or PAWS000105,
//   names the file, and never shows a secret;
// - a loaded configuration has, for each collector, an id, a type, an
//   endpoint and at least one non-empty stream, and the secret that its
//   secret_env or secret_file holds in the fakes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "config/config_loader.h"
#include "fuzz/fuzz_check.h"
#include "paws/codes.h"

namespace {

using paws::fuzz::Fail;

constexpr const char* kFileName = "fuzz.toml";
constexpr const char* kSecretMark = "FUZZSECRET";

// Every variable is set, to a secret, except names starting with UNSET
// (not set) or EMPTY (set, empty).
std::optional<std::string> FakeGetenv(const std::string& name) {
  if (name.rfind("UNSET", 0) == 0) return std::nullopt;
  if (name.rfind("EMPTY", 0) == 0) return "";
  return std::string(kSecretMark) + "-env-" + name;
}

// Every file exists and holds a secret, except paths that contain
// "missing" (kNotFound), "empty" (a blank line) or "binary" (control
// characters).
paws::Result<std::string> FakeReadFile(const std::string& path) {
  if (path.find("missing") != std::string::npos) {
    return paws::Status::NotFound("No such file or directory");
  }
  if (path.find("empty") != std::string::npos) return std::string("\r\n");
  if (path.find("binary") != std::string::npos) {
    return std::string(kSecretMark) + "-bin\x01\x02\n";
  }
  return std::string(kSecretMark) + "-file-" + path + "\n";
}

// The secret a loaded collector must hold, or nullopt when the collector
// does not say where its secret came from.
std::optional<std::string> ExpectedSecret(const paws::CollectorSpec& c) {
  if (!c.secret_env.empty()) return FakeGetenv(c.secret_env);
  if (c.secret_file.empty()) return std::nullopt;
  paws::Result<std::string> content = FakeReadFile(c.secret_file);
  if (!content.ok()) return std::nullopt;
  std::string value = *content;
  // The loader strips the trailing line breaks of a secret file.
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

void CheckError(const paws::Status& status, const std::string& text) {
  paws::fuzz::CheckError(status, {paws::codes::kConfigSyntax, paws::codes::kConfigInvalid,
                                  paws::codes::kSecretMissing});
  if (status.message().rfind(std::string(kFileName) + ": ", 0) != 0) {
    Fail("error does not name the file", status.ToString());
  }
  paws::fuzz::CheckNoSecret(status, kSecretMark, text);
}

void CheckConfig(const paws::Config& config) {
  for (const paws::CollectorSpec& c : config.collectors) {
    if (c.id.empty() || c.type.empty() || c.endpoint.empty()) {
      Fail("a loaded collector lacks id, type or endpoint", "id=" + c.id + " type=" + c.type);
    }
    if (c.streams.empty()) Fail("a loaded collector has no stream", "id=" + c.id);
    for (const std::string& s : c.streams) {
      if (s.empty()) Fail("a loaded collector has an empty stream name", "id=" + c.id);
    }
    std::optional<std::string> expected = ExpectedSecret(c);
    if (expected.has_value() && *expected != c.secret.reveal()) {
      Fail("a collector's secret is not the one its variable or file holds", "id=" + c.id);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const paws::ConfigEnv env = [] {
    paws::ConfigEnv e;
    e.getenv = FakeGetenv;
    e.read_file = FakeReadFile;
    return e;
  }();
  std::string text(reinterpret_cast<const char*>(data), size);
  paws::Result<paws::Config> config = paws::ParseConfig(text, kFileName, env);
  if (!config.ok()) {
    CheckError(config.status(), text);
    return 0;
  }
  CheckConfig(*config);
  return 0;
}
