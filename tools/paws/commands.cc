#include "tools/paws/commands.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "backends/open_backend.h"
#include "config/config_loader.h"
#include "config/upstream_env.h"
#include "core/logging.h"
#include "core/runtime.h"
#include "core/status_report.h"
#include "paws/codes.h"
#include "paws/registry.h"

namespace paws::cli {
namespace {

void PrintError(const Status& st) { std::fprintf(stderr, "paws: %s\n", st.ToString().c_str()); }

Result<Config> Load(const CommonFlags& flags, bool read_secrets = true) {
  return LoadConfig(flags, read_secrets);
}

// Blocks SIGINT and SIGTERM in this thread and every thread it starts, so
// that they are taken by sigwait and never interrupt a cycle.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

struct Plugins {
  SourceRegistry sources;
  SinkRegistry sinks;
  std::unique_ptr<HttpClient> http = MakeCurlHttpClient();
  Plugins() {
    RegisterBuiltinSources(&sources);
    RegisterBuiltinSinks(&sinks);
  }
  RuntimeDeps Deps() { return RuntimeDeps{Clock::System(), &sources, &sinks, http.get()}; }
};

int ExitFor(const Status& st) {
  return st.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

}  // namespace

Result<Config> LoadConfig(const CommonFlags& flags, bool read_secrets) {
  if (flags.config.empty() && !flags.from_env) {
    return Status::InvalidArgument("no configuration: give -c FILE, --from-env, or both",
                                   codes::kUsage);
  }
  ConfigEnv env = ConfigEnv::Real();
  env.read_secrets = read_secrets;
  Config config;
  if (!flags.config.empty()) {
    PAWS_ASSIGN_OR_RETURN(config, LoadConfigFile(flags.config, env));
  }
  if (!flags.from_env) return config;
  return AddCollectorFromEnv(std::move(config), env);
}

int RunCommand(const CommonFlags& flags) {
  sigset_t stop_signals = BlockStopSignals();
  auto config = Load(flags);
  if (!config.ok()) return PrintError(config.status()), kExitUsage;
  Status logging = InitLogging(config->log);
  if (!logging.ok()) return PrintError(logging), kExitUsage;
  Plugins plugins;
  auto rt = Runtime::Open(*config, plugins.Deps());
  if (!rt.ok()) return PrintError(rt.status()), ExitFor(rt.status());
  auto reg = (*rt)->Register();
  if (!reg.ok()) return PrintError(reg.status()), kExitFailure;
  size_t streams = 0;
  for (const auto& c : config->collectors) streams += c.streams.size();
  spdlog::info("paws {} running {} collectors, {} streams, {} workers, store {} ({}); {} new "
               "streams registered, {} left to their upstream state (takeover)",
               PAWS_VERSION, config->collectors.size(), streams, config->runtime.workers,
               config->store.backend, config->store.path, reg->seeded, reg->takeover);
  Status started = (*rt)->Start();
  if (!started.ok()) return PrintError(started), kExitFailure;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("received {}, finishing the cycles under way", sig == SIGINT ? "SIGINT" : "SIGTERM");
  (*rt)->Stop();
  const CycleCounters& c = (*rt)->counters();
  spdlog::info("stopped: {} cycles committed, {} failed, {} stale, {} events", c.committed.load(),
               c.failed.load(), c.stale.load(), c.events.load());
  return kExitOk;
}

int StatusCommand(const CommonFlags& flags) {
  auto config = Load(flags, /*read_secrets=*/false);
  if (!config.ok()) return PrintError(config.status()), kExitUsage;
  auto backend = OpenBackend(config->store, Clock::System());
  if (!backend.ok()) return PrintError(backend.status()), kExitFailure;
  auto lines = CollectStatus((*backend)->store(), *config);
  if (!lines.ok()) return PrintError(lines.status()), kExitFailure;
  std::string out = flags.json ? RenderStatusJson(*lines)
                               : RenderStatusTable(*lines, Clock::System()->Now());
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int RegisterCommand(const CommonFlags& flags) {
  auto config = Load(flags);
  if (!config.ok()) return PrintError(config.status()), kExitUsage;
  Status logging = InitLogging(config->log);
  if (!logging.ok()) return PrintError(logging), kExitUsage;
  Plugins plugins;
  auto rt = Runtime::Open(*config, plugins.Deps());
  if (!rt.ok()) return PrintError(rt.status()), ExitFor(rt.status());
  auto reg = (*rt)->Register();
  if (!reg.ok()) return PrintError(reg.status()), kExitFailure;
  if (flags.json) {
    nlohmann::json j = {{"seeded", reg->seeded},
                        {"existing", reg->existing},
                        {"seeded_streams", reg->seeded_streams},
                        {"takeover", reg->takeover},
                        {"takeover_streams", reg->takeover_streams}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    for (const auto& s : reg->seeded_streams) std::printf("registered %s\n", s.c_str());
    for (const auto& s : reg->takeover_streams) {
      std::printf("takeover %s: not registered; adopted from its upstream state message, or "
                  "seeded by the health check after grace\n",
                  s.c_str());
    }
    std::printf("%d streams registered, %d already registered, %d left to their upstream state "
                "(takeover)\n",
                reg->seeded, reg->existing, reg->takeover);
  }
  return kExitOk;
}

}  // namespace paws::cli
