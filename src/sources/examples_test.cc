// Every configuration shipped in examples/ loads, and every collector in it
// makes its source: the examples cannot drift from the loader or from the
// sources' own checks.

#include <gtest/gtest.h>

#include <filesystem>

#include "config/config_loader.h"
#include "paws/registry.h"

namespace paws {
namespace {

TEST(Examples, EveryExampleLoadsAndMakesItsSources) {
  ConfigEnv env = ConfigEnv::Real();
  env.getenv = [](const std::string&) -> std::optional<std::string> { return "example-secret"; };
  SourceRegistry registry;
  RegisterBuiltinSources(&registry);
  FakeClock clock;
  std::unique_ptr<HttpClient> http = MakeCurlHttpClient();
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(PAWS_SOURCE_DIR "/examples")) {
    if (entry.path().extension() != ".toml") continue;
    ++files;
    const std::string path = entry.path().string();
    Result<Config> config = LoadConfigFile(path, env);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    EXPECT_FALSE(config->collectors.empty()) << path;
    for (const CollectorSpec& spec : config->collectors) {
      auto source = registry.Make(spec, SourceDeps{&clock, http.get()});
      EXPECT_TRUE(source.ok()) << path << ": collector " << spec.id << ": "
                               << source.status().ToString();
    }
  }
  EXPECT_GE(files, 4) << "demo, minimal, okta, auth0 at least";
}

}  // namespace
}  // namespace paws
