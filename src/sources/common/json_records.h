#pragma once

// Splitting a page of records without building it as a JSON tree: one
// checking pass over the body that finds where each record starts and ends
// and picks out the few members a source needs. The record itself stays
// the bytes the service sent, so it is neither parsed again nor written
// back out (the costliest part of collecting, measured in
// bench/source_bench.cc).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "paws/result.h"

namespace paws {

struct RawRecord {
  // The record's JSON text, a view into the body given to SplitJsonArray.
  std::string_view raw;
  bool is_object = false;
  // For each name asked for, the record's top-level member of that name
  // when it is a string; nullopt when absent, not a string, or not an
  // object. (The last one wins if a name repeats.)
  std::vector<std::optional<std::string>> members;
};

// Checks that `body` is one JSON value in valid UTF-8 whose top level is an
// array, and returns its elements in order. Errors: kInvalidArgument with
// "not JSON (at byte N)" or "not a JSON array"; the message never quotes
// the body.
Result<std::vector<RawRecord>> SplitJsonArray(std::string_view body,
                                              const std::vector<std::string>& names);

}  // namespace paws
