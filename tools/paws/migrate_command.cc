#include "tools/paws/migrate_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "backends/open_backend.h"
#include "config/config_loader.h"
#include "config/config_writer.h"
#include "core/migration.h"
#include "paws/codes.h"
#include "paws/registry.h"
#include "paws/state.h"

namespace paws::cli {
namespace {

using nlohmann::json;

// Progress lines on standard error for stores large enough to take a while.
constexpr int64_t kProgressEvery = 10000;

void PrintError(const Status& st) { std::fprintf(stderr, "paws: %s\n", st.ToString().c_str()); }

void Progress(const std::string& what, int64_t done, int64_t total) {
  if (total < kProgressEvery) return;
  if (done % kProgressEvery == 0 || done == total) {
    std::fprintf(stderr, "paws migrate: %s %lld/%lld\n", what.c_str(), static_cast<long long>(done),
                 static_cast<long long>(total));
  }
}

// What happens to the configuration.
struct ConfigWrite {
  bool needed = false;  // some collector is in upstream form
  std::string target;   // where it is (or would be) written; empty: nowhere
  std::string note;     // why not, or what was done
  bool written = false;
  std::string backup;  // the file it replaced, kept
};

std::string StreamsJson(const std::vector<std::string>& streams) { return json(streams).dump(); }

ConfigWrite PlanConfigWrite(const CommonFlags& flags, const MigrateFlags& m, const Config& config) {
  ConfigWrite w;
  for (const auto& c : config.collectors) w.needed = w.needed || c.upstream_form;
  if (!m.write_config.empty()) {
    w.target = m.write_config;
  } else if (w.needed && !flags.from_env) {
    w.target = flags.config;  // in place, the original kept beside it
  } else if (w.needed) {
    w.note =
        "the environment cannot be rewritten: set collector_streams as shown, or give "
        "--write-config FILE";
  }
  if (!w.needed && m.write_config.empty()) w.note = "already in native form";
  return w;
}

// Files are read as the configuration loader reads them (size-limited,
// errors with their reason).
Result<std::string> ReadText(const std::string& path) {
  Result<std::string> text = ConfigEnv::Real().read_file(path);
  if (!text.ok())
    return Status(text.status().code(), "cannot read " + path + ": " + text.status().message());
  return text;
}

// Writes atomically (a temporary file renamed over the target). Writes
// nothing when the target already holds `text`.
Status WriteConfig(const std::string& text, ConfigWrite* w) {
  auto current = ReadText(w->target);
  if (current.ok() && *current == text) {
    w->note = "unchanged: " + w->target + " already holds the normalised configuration";
    return Status::Ok();
  }
  std::error_code ec;
  if (current.ok()) {
    w->backup = w->target + ".bak";
    std::filesystem::copy_file(w->target, w->backup,
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) return Status::Unavailable("cannot keep " + w->backup + ": " + ec.message());
  }
  std::string tmp = w->target + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return Status::Unavailable("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, w->target, ec);
  if (ec) return Status::Unavailable("cannot replace " + w->target + ": " + ec.message());
  w->written = true;
  w->note = "written to " + w->target +
            (w->backup.empty() ? "" : " (the old one kept as " + w->backup + ")");
  return Status::Ok();
}

std::string RenderJson(const MigrationPlan& plan, const ConfigWrite& w,
                       const std::optional<MigrationApplied>& applied) {
  json collectors = json::array();
  for (const auto& c : plan.collectors) {
    json streams = json::array();
    for (const auto& s : c.stream_states) {
      json j = {{"stream", s.stream}, {"state", s.state}, {"action", s.action}};
      if (s.state == "row" || s.state == "unconfigured") {
        j["epoch"] = s.epoch;
        j["seq"] = s.seq;
      }
      if (!s.message_id.empty()) j["message_id"] = s.message_id;
      streams.push_back(std::move(j));
    }
    collectors.push_back({{"id", c.id},
                          {"type", c.type},
                          {"type_known", c.type_known},
                          {"has_source", c.has_source},
                          {"takeover", c.takeover},
                          {"upstream_form", c.upstream_form},
                          {"collector_streams", c.streams},
                          {"legacy_records", c.legacy_records},
                          {"streams", std::move(streams)}});
  }
  json messages = json::array();
  for (const auto& m : plan.messages) {
    json j = {{"message_id", m.message_id}, {"action", m.action}};
    j["collector_id"] = m.collector_id.empty() ? json(nullptr) : json(m.collector_id);
    j["stream"] = m.stream.empty() ? json(nullptr) : json(m.stream);
    if (!m.reason.empty()) j["reason"] = m.reason;
    messages.push_back(std::move(j));
  }
  json out = {{"collectors", std::move(collectors)},
              {"upstream_messages", std::move(messages)},
              {"messages_scanned", plan.messages_scanned},
              {"records_scanned", plan.records_scanned},
              {"config",
               {{"upstream_form", w.needed},
                {"target", w.target.empty() ? json(nullptr) : json(w.target)},
                {"written", w.written},
                {"note", w.note}}}};
  if (applied) {
    out["applied"] = {{"upgraded", applied->upgraded},
                      {"in_flight", applied->in_flight},
                      {"gone", applied->gone}};
  } else {
    out["applied"] = nullptr;
  }
  return out.dump(2) + "\n";
}

std::string RenderTable(const MigrationPlan& plan, const ConfigWrite& w,
                        const std::optional<MigrationApplied>& applied) {
  std::string out = fmt::format("{:<36}  {:<18}  {:<6}  {:<8}  {:>14}  {}\n", "COLLECTOR", "TYPE",
                                "SOURCE", "TAKEOVER", "LEGACY RECORDS", "COLLECTOR_STREAMS");
  for (const auto& c : plan.collectors) {
    out += fmt::format("{:<36}  {:<18}  {:<6}  {:<8}  {:>14}  {}\n", c.id, c.type,
                       c.has_source ? "yes" : "NONE", c.takeover ? "yes" : "no", c.legacy_records,
                       StreamsJson(c.streams));
  }
  out +=
      fmt::format("\n{:<36}  {:<24}  {:<12}  {}\n", "COLLECTOR", "STREAM", "STATE", "WHAT HAPPENS");
  for (const auto& c : plan.collectors) {
    for (const auto& s : c.stream_states) {
      std::string state = s.state == "row" || s.state == "unconfigured"
                              ? fmt::format("{} ({},{})", s.state, s.epoch, s.seq)
                              : s.state;
      out += fmt::format("{:<36}  {:<24}  {:<12}  {}\n", c.id, s.stream, state, s.action);
    }
  }
  out += fmt::format("\n{} messages scanned, {} upstream-format:\n", plan.messages_scanned,
                     plan.messages.size());
  for (const auto& m : plan.messages) {
    out += fmt::format(
        "  {}  {} {}  {}{}\n", m.message_id, m.collector_id.empty() ? "-" : m.collector_id,
        m.stream.empty() ? "-" : m.stream, m.action, m.reason.empty() ? "" : ": " + m.reason);
  }
  out += "\nconfiguration: " + std::string(w.needed ? "upstream form; " : "") + w.note + "\n";
  if (applied) {
    out += fmt::format(
        "applied: {} messages upgraded, {} in flight (the runtime takes them as "
        "they are), {} gone since the scan\n",
        applied->upgraded, applied->in_flight, applied->gone);
  } else {
    out +=
        "nothing changed (dry run): add --apply to upgrade the messages and write the "
        "configuration\n";
  }
  return out;
}

// Enqueues the state message bodies of `path`, one per line (as upstream's
// queue held them), before the migration: how upstream messages reach a
// SQLite store. Every line is checked first; a bad one imports nothing. A
// body already in the queue is not sent again, so importing twice is
// harmless.
Result<int64_t> ImportMessages(const std::string& path, StateQueue* queue) {
  auto text = ReadText(path);
  if (!text.ok()) {
    return Status::InvalidArgument("--import: " + text.status().message(), codes::kUsage);
  }
  std::vector<std::string> bodies;
  std::istringstream in(*text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto sm = ParseStateMessage(line);
    if (!sm.ok()) {
      return Status::InvalidArgument(
          path + ":" + std::to_string(n) + ": " + sm.status().message() + "; nothing imported",
          sm.status().paws_code());
    }
    bodies.push_back(line);
  }
  PAWS_ASSIGN_OR_RETURN(auto queued, queue->ListAll());
  std::set<std::string> present;
  for (const auto& m : queued) present.insert(m.body);
  int64_t sent = 0;
  for (const std::string& body : bodies) {
    if (!present.insert(body).second) continue;
    PAWS_RETURN_IF_ERROR(queue->Send(body, Duration(0)).status());
    ++sent;
  }
  return sent;
}

}  // namespace

int MigrateCommand(const CommonFlags& flags, const MigrateFlags& m) {
  // Secrets are not needed to read the store; the configuration written
  // names where they come from, never their value.
  auto config = LoadConfig(flags, /*read_secrets=*/false);
  if (!config.ok()) return PrintError(config.status()), kExitUsage;
  spdlog::set_level(spdlog::level::err);  // the report is the output
  auto backend = OpenBackend(config->store, Clock::System());
  if (!backend.ok()) return PrintError(backend.status()), kExitFailure;
  if (!m.import_file.empty()) {
    if (!m.apply) {
      return PrintError(Status::InvalidArgument("--import changes the queue: give --apply too",
                                                codes::kUsage)),
             kExitUsage;
    }
    auto imported = ImportMessages(m.import_file, (*backend)->queue());
    if (!imported.ok()) {
      return PrintError(imported.status()),
             imported.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    std::fprintf(stderr, "paws migrate: %lld messages imported from %s\n",
                 static_cast<long long>(*imported), m.import_file.c_str());
  }
  SourceRegistry sources;
  RegisterBuiltinSources(&sources);
  auto plan = PlanMigration(
      config->collectors, [&](const std::string& t) { return sources.Has(t); }, backend->get(),
      Progress);
  if (!plan.ok()) return PrintError(plan.status()), kExitFailure;
  ConfigWrite w = PlanConfigWrite(flags, m, *config);
  std::optional<MigrationApplied> applied;
  if (m.apply) {
    auto done = ApplyMigration(*plan, (*backend)->queue(), Progress);
    if (!done.ok()) return PrintError(done.status()), kExitFailure;
    applied = *done;
    if (!w.target.empty()) {
      Status st = WriteConfig(RenderConfigToml(*config), &w);
      if (!st.ok()) return PrintError(st), kExitFailure;
    }
  } else if (!w.target.empty()) {
    w.note = "would be written to " + w.target;
  }
  std::string out = flags.json ? RenderJson(*plan, w, applied) : RenderTable(*plan, w, applied);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace paws::cli
