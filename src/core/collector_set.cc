#include "core/collector_set.h"

namespace paws {

Result<std::unique_ptr<CollectorSet>> CollectorSet::Make(const std::vector<CollectorSpec>& specs,
                                                         const SourceRegistry& registry,
                                                         const SourceDeps& deps) {
  std::map<std::string, Entry> entries;
  for (const auto& spec : specs) {
    PAWS_ASSIGN_OR_RETURN(auto source, registry.Make(spec, deps));
    entries.emplace(spec.id, Entry{spec, std::move(source)});
  }
  return std::make_unique<CollectorSet>(std::move(entries));
}

const CollectorSet::Entry* CollectorSet::Find(const std::string& id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace paws
