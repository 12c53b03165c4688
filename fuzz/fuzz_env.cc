// libFuzzer target: environment mode, CollectorFromUpstream(vars, env)
// (src/config/upstream_env.h). The input is decoded as lines NAME=VALUE
// (the first '=' splits; a line without one is ignored; a later line for
// the same name wins, as in a shell) into the variables. Secret files are
// fakes: every path holds a secret marked kSecretMark, except paths that
// contain "missing" (not found), "empty" or "binary" (control characters).
//
// Invariants, each a finding when broken:
// - an error is kInvalidArgument with PAWS000103 or PAWS000105 and never
//   shows a secret (paws_secret's value, a secret file's content);
// - a built collector is a takeover of a type the registry knows, with the
//   id of collector_id, an http(s) endpoint, and distinct non-empty streams
//   that its type knows (its own name for a single-stream type).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "config/upstream_env.h"
#include "fuzz/fuzz_check.h"
#include "paws/codes.h"
#include "paws/collector_types.h"

namespace {

using paws::fuzz::Fail;

constexpr const char* kSecretMark = "FUZZSECRET";

std::map<std::string, std::string> DecodeLines(const std::string& text) {
  std::map<std::string, std::string> vars;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(begin, end - begin);
    size_t eq = line.find('=');
    if (eq != std::string::npos) vars[line.substr(0, eq)] = line.substr(eq + 1);
    begin = end + 1;
  }
  return vars;
}

paws::Result<std::string> FakeReadFile(const std::string& path) {
  if (path.find("missing") != std::string::npos) {
    return paws::Status::NotFound("No such file or directory");
  }
  if (path.find("empty") != std::string::npos) return std::string("\n");
  if (path.find("binary") != std::string::npos) {
    return std::string(kSecretMark) + "-bin\x01\x02\n";
  }
  return std::string(kSecretMark) + "-file-" + path + "\n";
}

// Builds the collector of `vars`, with fake secret files.
paws::Result<paws::CollectorSpec> Build(const std::map<std::string, std::string>& vars) {
  auto get = [&vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  paws::UpstreamVariables upstream;
  upstream.get = get;
  upstream.describe = [](const std::string& name) { return "environment variable " + name; };
  paws::ConfigEnv env;
  env.getenv = get;
  env.read_file = FakeReadFile;
  return paws::CollectorFromUpstream(upstream, env);
}

// paws_secret's value must not be shown. When the message holds it, that
// may be chance (a short value, or one that is also fixed text of the
// message), so the same variables are built again with the value replaced
// by a marker that is nowhere in the input: the marker must not show.
void CheckSecretNotShown(const paws::Status& status, const std::string& text,
                         std::map<std::string, std::string> vars) {
  auto secret = vars.find("paws_secret");
  if (secret == vars.end() || secret->second.empty()) return;
  if (status.message().find(secret->second) == std::string::npos) return;
  std::string marker = "PAWSMARK";
  while (text.find(marker) != std::string::npos) marker += 'K';  // ends by the input's length
  secret->second = marker;
  paws::Result<paws::CollectorSpec> again = Build(vars);
  if (!again.ok() && again.status().message().find(marker) != std::string::npos) {
    Fail("error shows paws_secret", again.status().ToString());
  }
}

void CheckCollector(const paws::CollectorSpec& c, const std::map<std::string, std::string>& vars) {
  std::string who = "id=" + c.id + " type=" + c.type;
  if (!c.takeover) Fail("a collector from upstream variables is not a takeover", who);
  auto id = vars.find("collector_id");
  if (id == vars.end() || id->second != c.id) Fail("the id is not collector_id", who);
  const paws::CollectorType* type = paws::FindCollectorType(c.type);
  if (type == nullptr) Fail("a collector of a type the registry does not know", who);
  // URL schemes are case-insensitive (RFC 3986), and so is the loader.
  std::string scheme = c.endpoint.substr(0, c.endpoint.find("://") + 1);
  for (char& ch : scheme) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  if (scheme != "http:" && scheme != "https:") {
    Fail("the endpoint is not an http(s) URL", who + " endpoint=" + c.endpoint);
  }
  if (c.streams.empty()) Fail("a collector without streams", who);
  std::set<std::string> seen;
  for (const std::string& s : c.streams) {
    if (!type->KnowsStream(s)) Fail("a stream the type does not know", who + " stream=" + s);
    if (!seen.insert(s).second) Fail("a stream twice", who + " stream=" + s);
  }
  if (!type->has_streams && c.streams != std::vector<std::string>{type->name}) {
    Fail("a single-stream type with other streams than its name", who);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  const std::map<std::string, std::string> vars = DecodeLines(text);
  paws::Result<paws::CollectorSpec> spec = Build(vars);
  if (!spec.ok()) {
    paws::fuzz::CheckError(spec.status(),
                           {paws::codes::kConfigInvalid, paws::codes::kSecretMissing});
    paws::fuzz::CheckNoSecret(spec.status(), kSecretMark, text);
    CheckSecretNotShown(spec.status(), text, vars);
    return 0;
  }
  CheckCollector(*spec, vars);
  return 0;
}
