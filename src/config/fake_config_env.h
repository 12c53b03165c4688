#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/config_loader.h"

namespace paws::testing {

// An in-memory ConfigEnv for tests: environment variables and files, and a
// record of the files read. Outlives the ConfigEnv it makes.
class FakeConfigEnv {
 public:
  std::map<std::string, std::string> vars;
  std::map<std::string, std::string> files;
  std::vector<std::string> reads;

  ConfigEnv Env(bool read_secrets = true) {
    ConfigEnv env;
    env.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    env.read_file = [this](const std::string& path) -> Result<std::string> {
      reads.push_back(path);
      auto it = files.find(path);
      if (it == files.end()) return Status::NotFound("No such file or directory");
      return it->second;
    };
    env.read_secrets = read_secrets;
    return env;
  }
};

}  // namespace paws::testing
