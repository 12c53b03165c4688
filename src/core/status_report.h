#pragma once

#include <optional>
#include <string>
#include <vector>

#include "paws/options.h"
#include "paws/store.h"

namespace paws {

// One line of `paws status`: a configured stream and its row, if any.
struct StreamStatusLine {
  std::string collector_id;
  std::string collector_type;
  std::string stream;
  bool configured = true;         // listed in the collector's streams
  std::optional<StreamRow> row;   // none: not registered yet
};

// The configured streams of every collector, plus rows of those collectors
// for streams no longer configured. Reads stream rows only.
Result<std::vector<StreamStatusLine>> CollectStatus(StateStore* store, const Config& config);

// A fixed-width table, one stream a line, for people.
std::string RenderStatusTable(const std::vector<StreamStatusLine>& lines, WallTime now);
// {"streams": [{"collector_id", "stream", "epoch", "seq", "last_success", ...}]}
std::string RenderStatusJson(const std::vector<StreamStatusLine>& lines);

}  // namespace paws
