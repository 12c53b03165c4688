// The `paws` command line: run, status, register, check, repair, migrate,
// aws init, aws status, version.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "paws/codes.h"
#include "tools/paws/aws_command.h"
#include "tools/paws/commands.h"
#include "tools/paws/migrate_command.h"

namespace {

// The configuration options of every verb that takes one: -c FILE,
// --from-env, or both (checked by LoadConfig, docs/cli.md).
void AddConfigOptions(CLI::App* verb, paws::cli::CommonFlags* flags) {
  verb->add_option("-c,--config", flags->config, "Configuration file (TOML)");
  verb->add_flag("--from-env", flags->from_env,
                 "Add the collector described by the upstream PAWS environment variables "
                 "(collector_id, paws_type_name, paws_endpoint, ...)");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace paws::cli;
  CLI::App app{"paws: poll-based log collection runtime"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every command");
  CommonFlags flags;

  auto* run = app.add_subcommand("run", "Run the collectors of a configuration until SIGINT/SIGTERM");
  AddConfigOptions(run, &flags);

  auto* status = app.add_subcommand("status", "Show every stream's state: epoch, seq, last "
                                              "success, due, retries, last error");
  AddConfigOptions(status, &flags);
  status->add_flag("--json", flags.json, "Print JSON instead of a table");

  auto* reg = app.add_subcommand("register", "Create the rows and first messages of every "
                                             "configured stream that has none (idempotent)");
  AddConfigOptions(reg, &flags);
  reg->add_flag("--json", flags.json, "Print JSON instead of text");

  auto* check = app.add_subcommand(
      "check", "Run one health check: every stream's class; exit 0 healthy, 1 unhealthy, 2 "
               "the check could not run");
  AddConfigOptions(check, &flags);
  check->add_flag("--json", flags.json, "Print JSON instead of a table");

  auto* repair = app.add_subcommand(
      "repair", "Run one health check and repair what it finds (re-seed ceased streams, seed "
                "never-started ones, retire unexpected ones)");
  AddConfigOptions(repair, &flags);
  repair->add_flag("--dry-run", flags.dry_run, "Only print what would be done");
  repair->add_flag("--json", flags.json, "Print JSON instead of text");

  MigrateFlags migrate_flags;
  auto* migrate = app.add_subcommand(
      "migrate", "Report what moving from upstream PAWS changes (canonical collector_streams, "
                 "upstream messages, legacy records, streams without state); --apply does it");
  AddConfigOptions(migrate, &flags);
  migrate->add_flag("--apply", migrate_flags.apply,
                    "Upgrade upstream messages in place and write the configuration in native "
                    "form");
  migrate->add_option("--write-config", migrate_flags.write_config,
                      "Write the normalised configuration here (default: the -c file itself, "
                      "when it has collectors in upstream form; its old content is kept as "
                      "FILE.bak)");
  migrate->add_option("--import", migrate_flags.import_file,
                      "Enqueue the state message bodies of FILE (one per line, as upstream's "
                      "queue held them) before migrating; needs --apply");
  migrate->add_flag("--json", flags.json, "Print JSON instead of a table");

  auto* aws = app.add_subcommand("aws", "The aws backend's DynamoDB table and SQS queue");
  aws->require_subcommand(1);
  auto* aws_init = aws->add_subcommand(
      "init", "Create the table and the queues of [store.aws] when missing, check them when "
              "present");
  AddConfigOptions(aws_init, &flags);
  aws_init->add_flag("--json", flags.json, "Print JSON instead of text");
  auto* aws_status = aws->add_subcommand(
      "status", "Show the table, the queues, the region, the endpoints and the credentials' "
                "source; exit 1 when something is missing or different");
  AddConfigOptions(aws_status, &flags);
  aws_status->add_flag("--json", flags.json, "Print JSON instead of a table");

  auto* version = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "paws: [%s] %s\nRun 'paws --help' for usage.\n", paws::codes::kUsage,
                 e.what());
    return kExitUsage;
  }
  if (*run) return RunCommand(flags);
  if (*status) return StatusCommand(flags);
  if (*reg) return RegisterCommand(flags);
  if (*check) return CheckCommand(flags);
  if (*repair) return RepairCommand(flags);
  if (*migrate) return MigrateCommand(flags, migrate_flags);
  if (*aws_init) return AwsInitCommand(flags);
  if (*aws_status) return AwsStatusCommand(flags);
  if (*version) {
    std::printf("paws %s\n", PAWS_VERSION);
    return kExitOk;
  }
  return kExitUsage;
}
