#pragma once

#include <map>
#include <memory>
#include <string>

#include "paws/collector.h"
#include "paws/registry.h"
#include "paws/result.h"
#include "paws/source.h"

namespace paws {

// The configured collectors with their sources. Immutable once built, so
// safe to read from any thread.
class CollectorSet {
 public:
  struct Entry {
    CollectorSpec spec;
    std::unique_ptr<Source> source;
  };

  // Makes a source for every collector. Fails on the first collector whose
  // source cannot be made (unknown type, bad params), naming it.
  static Result<std::unique_ptr<CollectorSet>> Make(const std::vector<CollectorSpec>& specs,
                                                    const SourceRegistry& registry,
                                                    const SourceDeps& deps);
  // For tests: takes entries as they are.
  explicit CollectorSet(std::map<std::string, Entry> entries) : entries_(std::move(entries)) {}

  // The entry, or null.
  const Entry* Find(const std::string& id) const;
  const std::map<std::string, Entry>& entries() const { return entries_; }

 private:
  std::map<std::string, Entry> entries_;
};

}  // namespace paws
