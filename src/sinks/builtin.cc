#include <cassert>

#include "paws/registry.h"
#include "sinks/jsonl/jsonl_sink.h"
#include "sinks/stdout/stdout_sink.h"

namespace paws {

void RegisterBuiltinSinks(SinkRegistry* registry) {
  Status jsonl = registry->Register("jsonl", &JsonlSink::Make);
  Status out = registry->Register("stdout", &StdoutSink::Make);
  // Only a second call on the same registry can fail, which is a bug.
  assert(jsonl.ok() && out.ok());
  (void)jsonl;
  (void)out;
}

}  // namespace paws
