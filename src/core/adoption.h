#pragma once

#include <string>
#include <vector>

#include "paws/collector.h"
#include "paws/result.h"

namespace paws {

// Which collector an upstream state message (a body with no collector_id)
// belongs to. An upstream queue served one collector; paws may hold several
// on one queue, so:
//   1. the candidates are the collectors taken over from upstream
//      (CollectorSpec::takeover), or every collector when none is;
//   2. a single candidate is the owner;
//   3. otherwise the owner is the one candidate whose type reads, from the
//      state, a stream it is configured with.
// kInvalidArgument (PAWS000204) naming the reason when no candidate or more
// than one fits. Used by the cycle and by `paws migrate`, so both give an
// upstream message the same owner.
// The stream a state of collector `spec` belongs to: the stream field of
// its type (StreamOfState; "stream" for a type the registry does not know),
// else the collector's only stream. Empty when neither names one.
std::string StreamOfCollectorState(const CollectorSpec& spec, const std::string& state_json);

Result<const CollectorSpec*> OwnerOfUpstreamState(const std::vector<const CollectorSpec*>& specs,
                                                  const std::string& state_json);

}  // namespace paws
