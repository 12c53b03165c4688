#pragma once

#include <string>

#include "tools/paws/commands.h"

namespace paws::cli {

struct MigrateFlags {
  bool apply = false;        // --apply: upgrade messages, write the configuration
  std::string write_config;  // --write-config FILE: where the normalised configuration goes
  std::string import_file;   // --import FILE: state message bodies to enqueue first (with --apply)
};

// `paws migrate` (docs/migration.md): what moving to paws changes for a
// configuration and a store, as a table or --json; with --apply, upstream
// messages are upgraded in place and a configuration in upstream form is
// written in native form. Exit 0 when done (or, without --apply, when the
// report was printed), 1 when the store or a file could not be written, 2
// for a bad command line or configuration.
int MigrateCommand(const CommonFlags& flags, const MigrateFlags& migrate);

}  // namespace paws::cli
