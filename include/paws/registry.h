#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "paws/clock.h"
#include "paws/collector.h"
#include "paws/http.h"
#include "paws/options.h"
#include "paws/result.h"
#include "paws/sink.h"
#include "paws/source.h"

namespace paws {

// What a source may use. Not owned; outlive the source.
struct SourceDeps {
  Clock* clock = nullptr;
  HttpClient* http = nullptr;
};

using SourceFactory =
    std::function<Result<std::unique_ptr<Source>>(const CollectorSpec&, const SourceDeps&)>;
using SinkFactory = std::function<Result<std::unique_ptr<Sink>>(const SinkOptions&)>;

// Source types by name. Filled explicitly (RegisterBuiltinSources); not
// thread-safe while being filled, thread-safe to read after.
class SourceRegistry {
 public:
  // kInvalidArgument when `type` is already registered.
  Status Register(const std::string& type, SourceFactory factory);
  bool Has(const std::string& type) const;
  std::vector<std::string> Types() const;
  // kInvalidArgument (PAWS000104) naming the type when it is unknown.
  Result<std::unique_ptr<Source>> Make(const CollectorSpec& spec, const SourceDeps& deps) const;

 private:
  std::map<std::string, SourceFactory> factories_;
};

class SinkRegistry {
 public:
  Status Register(const std::string& type, SinkFactory factory);
  bool Has(const std::string& type) const;
  Result<std::unique_ptr<Sink>> Make(const SinkOptions& options) const;

 private:
  std::map<std::string, SinkFactory> factories_;
};

// The built-in plugins.
void RegisterBuiltinSources(SourceRegistry* registry);
void RegisterBuiltinSinks(SinkRegistry* registry);

}  // namespace paws
