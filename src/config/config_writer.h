#pragma once

#include <string>

#include "paws/options.h"

namespace paws {

// Writes `config` as a TOML document in the native form that ParseConfig and
// LoadConfigFile read back (docs/configuration.md): this is how
// `paws migrate --apply` replaces a legacy configuration by its normalised
// form.
//
// The document starts with a comment line naming `paws migrate`, then holds
// every section ([store], [runtime], [sink], [log], [health], [status]) with
// every key written explicitly, defaults included ([store.aws] only when
// store.backend is "aws" or one of its keys is not at its default; then with
// all its keys), then one [[collector]]
// table per collector, in order, with its streams as an array (the canonical
// collector_streams) and its params as strings. Keys within a table are in
// alphabetical order. Durations are written as FormatDuration text ("1h30m").
// Optional collector keys (cid, client_id, collection_start, stall_after,
// grace, takeover, secret_env, secret_file) are written only when set.
// Paths are written as they are; Config::file is not written.
//
// The secret itself is never written, only where it comes from:
// CollectorSpec::secret_env, else CollectorSpec::secret_file (when both are
// set, which the loader never produces, secret_env wins). A collector whose
// secret has neither source is written without one, so a caller replacing a
// file must check that first and say so (the written file would not load
// with that credential).
//
// Strings are written with TOML escapes; bytes that are not valid UTF-8 are
// written as the code points of their byte values (TOML cannot hold them).
//
// REQUIRES: every duration of `config` is >= 0 (as the loader guarantees).
// A Config the loader would reject (a collector without streams, say) is
// written as it is, and is rejected again when read.
// Thread-safe: reads `config` only. Never throws (except std::bad_alloc).
std::string RenderConfigToml(const Config& config);

}  // namespace paws
