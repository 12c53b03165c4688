#include "paws/registry.h"

#include "paws/codes.h"
#include "paws/collector_types.h"

namespace paws {

Status SourceRegistry::Register(const std::string& type, SourceFactory factory) {
  if (!factories_.emplace(type, std::move(factory)).second) {
    return Status::InvalidArgument("source type \"" + type + "\" registered twice");
  }
  return Status::Ok();
}

bool SourceRegistry::Has(const std::string& type) const { return factories_.count(type) > 0; }

std::vector<std::string> SourceRegistry::Types() const {
  std::vector<std::string> out;
  for (const auto& [name, f] : factories_) out.push_back(name);
  return out;
}

Result<std::unique_ptr<Source>> SourceRegistry::Make(const CollectorSpec& spec,
                                                     const SourceDeps& deps) const {
  auto it = factories_.find(spec.type);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& [name, f] : factories_) known += (known.empty() ? "" : ", ") + name;
    if (FindCollectorType(spec.type) != nullptr) {
      // An upstream type paws knows the streams and states of, but cannot
      // collect: `paws migrate` reports it, `paws run` must not start it.
      return Status::InvalidArgument("collector " + spec.id + ": type \"" + spec.type +
                                         "\" is an upstream PAWS type that no source of paws "
                                         "implements, so it cannot run (types with a source: " +
                                         known + ")",
                                     codes::kUnknownType);
    }
    return Status::InvalidArgument("collector " + spec.id + ": unknown type \"" + spec.type +
                                       "\" (known: " + known + ")",
                                   codes::kUnknownType);
  }
  return it->second(spec, deps);
}

Status SinkRegistry::Register(const std::string& type, SinkFactory factory) {
  if (!factories_.emplace(type, std::move(factory)).second) {
    return Status::InvalidArgument("sink type \"" + type + "\" registered twice");
  }
  return Status::Ok();
}

bool SinkRegistry::Has(const std::string& type) const { return factories_.count(type) > 0; }

Result<std::unique_ptr<Sink>> SinkRegistry::Make(const SinkOptions& options) const {
  auto it = factories_.find(options.type);
  if (it == factories_.end()) {
    return Status::InvalidArgument("unknown sink type \"" + options.type + "\"",
                                   codes::kUnknownType);
  }
  return it->second(options);
}

const CollectorSpec* Config::FindCollector(const std::string& id) const {
  for (const auto& c : collectors) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

}  // namespace paws
