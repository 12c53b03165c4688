#pragma once

// Private to paws_config: typed, validated reads of the keys of one TOML
// table, with error messages in the form every config error takes:
//   <file>: <dotted key>: <what is wrong> (line N)
// This is the only header that includes toml++; it is not installed.

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "paws/clock.h"
#include "paws/codes.h"
#include "paws/status.h"

namespace paws::config_internal {

// How a value looks in a message: strings quoted and escaped (cut after 64
// characters), numbers and booleans as written, other types by name
// ("an array", "a table"). Never used for secrets.
std::string DescribeValue(const toml::node& node);
// `text` in double quotes, control characters escaped, cut after 64.
std::string Quote(std::string_view text);
// " (line N)" or "" when the line is unknown.
std::string LineSuffix(const toml::source_region& where);
// Whether `text` starts with `prefix` (lower case) in any case ("HTTPS://").
bool StartsWithNoCase(std::string_view text, std::string_view prefix);

// Whether a duration key may be zero.
enum class ZeroDuration { kAllowed, kRejected };

// Reads the keys of one table. Holds pointers to `file` and `table`, which
// must outlive it. Every method leaves its output unchanged when the key is
// absent, and returns kInvalidArgument with codes::kConfigInvalid when the
// value is present but bad.
class TableReader {
 public:
  // `path` is the dotted name of the table in messages ("runtime",
  // "collector[2]", "" for the document); `title` names it for unknown-key
  // errors ("[runtime]", "[[collector]]"; unused for the document).
  TableReader(const std::string& file, const toml::table& table, std::string path,
              std::string title);

  // An error naming the first key (in file order) that is not in `known`,
  // with a suggestion when one known key is a near miss.
  Status CheckKeys(std::initializer_list<std::string_view> known) const;

  // The node of `key`, or null.
  const toml::node* Find(std::string_view key) const { return table_->get(key); }
  // "runtime.workers", or "workers" at the top level.
  std::string KeyPath(std::string_view key) const;
  const toml::table& table() const { return *table_; }

  // An error for `key`; the line comes from `at` when given, otherwise from
  // the key itself, otherwise from the table (for a missing key).
  Status Error(std::string_view key, std::string_view text, const toml::node* at = nullptr,
               std::string_view paws_code = codes::kConfigInvalid) const;
  // "required key is missing" when `key` is absent.
  Status Require(std::string_view key) const;

  Status ReadString(std::string_view key, std::string* out) const;
  Status ReadNonEmptyString(std::string_view key, std::string* out) const;
  // One of `choices`, exactly.
  Status ReadChoice(std::string_view key, std::initializer_list<std::string_view> choices,
                    std::string* out) const;
  // A TOML integer in [min, max].
  Status ReadInt(std::string_view key, int64_t min, int64_t max, int* out) const;
  Status ReadBool(std::string_view key, bool* out) const;
  // An integer number of seconds or a string ParseDuration accepts.
  Status ReadDuration(std::string_view key, ZeroDuration zero, Duration* out) const;

 private:
  const std::string* file_;
  const toml::table* table_;
  std::string path_;
  std::string title_;
};

}  // namespace paws::config_internal
