// `paws check` and `paws repair`.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "backends/open_backend.h"
#include "config/config_loader.h"
#include "core/collector_set.h"
#include "core/health.h"
#include "core/logging.h"
#include "server/health_json.h"
#include "paws/codes.h"
#include "paws/registry.h"
#include "tools/paws/commands.h"

namespace paws::cli {
namespace {

void PrintError(const Status& st) { std::fprintf(stderr, "paws: %s\n", st.ToString().c_str()); }

std::string Table(const HealthReport& r) {
  std::string out = fmt::format("{:<36}  {:<16}  {:<13}  {:<10}  {}\n", "COLLECTOR", "STREAM",
                                "CLASS", "CODE", "MESSAGE");
  for (const auto& c : r.collectors) {
    for (const auto& s : c.streams) {
      out += fmt::format("{:<36}  {:<16}  {:<13}  {:<10}  {}\n", c.collector_id, s.stream,
                         StreamClassName(s.cls), s.code.empty() ? "-" : s.code, s.message);
    }
  }
  for (const auto& c : r.collectors) {
    if (!c.healthy) out += fmt::format("[{}] {}\n", c.code, c.message);
  }
  out += r.healthy ? "healthy\n" : "UNHEALTHY\n";
  return out;
}

struct Checked {
  Config config;
  std::unique_ptr<Backend> backend;
  HealthReport report;
};

// Loads, opens and checks; on failure prints the error and sets *exit_code.
std::optional<Checked> LoadAndCheck(const CommonFlags& flags, bool read_secrets,
                                    const CollectorSet* collectors, int* exit_code) {
  auto config = LoadConfig(flags, read_secrets);
  if (!config.ok()) return PrintError(config.status()), *exit_code = kExitUsage, std::nullopt;
  spdlog::set_level(spdlog::level::err);  // the table is the output
  auto backend = OpenBackend(config->store, Clock::System());
  if (!backend.ok()) return PrintError(backend.status()), *exit_code = kExitUsage, std::nullopt;
  HealthChecker checker(backend->get(), config->collectors, collectors, Clock::System(),
                        config->health);
  auto report = checker.Check();
  if (!report.ok()) return PrintError(report.status()), *exit_code = kExitUsage, std::nullopt;
  return Checked{std::move(config).value(), std::move(backend).value(), std::move(report).value()};
}

}  // namespace

int CheckCommand(const CommonFlags& flags) {
  int code = kExitOk;
  auto checked = LoadAndCheck(flags, /*read_secrets=*/false, nullptr, &code);
  if (!checked) return code;
  std::string out = flags.json ? HealthReportJson(checked->report) + "\n" : Table(checked->report);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return checked->report.healthy ? kExitOk : kExitFailure;
}

int RepairCommand(const CommonFlags& flags) {
  // Seeding a never-started stream asks its source for the initial state.
  auto config = LoadConfig(flags, /*read_secrets=*/true);
  if (!config.ok()) return PrintError(config.status()), kExitUsage;
  SourceRegistry sources;
  RegisterBuiltinSources(&sources);
  std::unique_ptr<HttpClient> http = MakeCurlHttpClient();
  auto collectors =
      CollectorSet::Make(config->collectors, sources, SourceDeps{Clock::System(), http.get()});
  if (!collectors.ok()) return PrintError(collectors.status()), kExitUsage;
  int code = kExitOk;
  auto checked = LoadAndCheck(flags, /*read_secrets=*/true, collectors->get(), &code);
  if (!checked) return code;
  HealthChecker checker(checked->backend.get(), checked->config.collectors, collectors->get(),
                        Clock::System(), checked->config.health);
  std::vector<RepairAction> actions = checker.Repair(checked->report, flags.dry_run);
  bool failed = false;
  nlohmann::json j = nlohmann::json::array();
  std::string text;
  for (const auto& a : actions) {
    bool ok = a.done || flags.dry_run || a.code == codes::kRepairLost;
    failed = failed || !ok;
    j.push_back({{"collector_id", a.collector_id},
                 {"stream", a.stream},
                 {"class", StreamClassName(a.cls)},
                 {"code", a.code},
                 {"done", a.done},
                 {"message", a.message}});
    text += fmt::format("{}[{}] {}\n", flags.dry_run ? "would: " : (a.done ? "" : "NOT DONE: "),
                        a.code, a.message);
  }
  if (actions.empty()) text = "nothing to repair\n";
  std::string out = flags.json ? nlohmann::json{{"dry_run", flags.dry_run}, {"actions", j}}.dump(2) + "\n"
                               : text;
  std::fwrite(out.data(), 1, out.size(), stdout);
  return failed ? kExitFailure : kExitOk;
}

}  // namespace paws::cli
