#include "core/adoption.h"

#include <algorithm>

#include "paws/codes.h"
#include "paws/collector_types.h"
#include "paws/state.h"

namespace paws {

std::string StreamOfCollectorState(const CollectorSpec& spec, const std::string& state_json) {
  const CollectorType* type = FindCollectorType(spec.type);
  std::string stream =
      type != nullptr ? StreamOfState(*type, state_json) : StateStringField(state_json, "stream");
  if (stream.empty() && spec.streams.size() == 1) stream = spec.streams.front();
  return stream;
}

Result<const CollectorSpec*> OwnerOfUpstreamState(const std::vector<const CollectorSpec*>& specs,
                                                  const std::string& state_json) {
  std::vector<const CollectorSpec*> candidates;
  for (const CollectorSpec* s : specs) {
    if (s->takeover) candidates.push_back(s);
  }
  if (candidates.empty()) candidates = specs;
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty()) {
    return Status::InvalidArgument("upstream-format message, and no collector is configured",
                                   codes::kMessageUnknownCollector);
  }
  std::vector<const CollectorSpec*> fits;
  for (const CollectorSpec* s : candidates) {
    const CollectorType* type = FindCollectorType(s->type);
    if (type == nullptr) continue;
    std::string stream = StreamOfState(*type, state_json);
    if (std::find(s->streams.begin(), s->streams.end(), stream) != s->streams.end()) {
      fits.push_back(s);
    }
  }
  if (fits.size() == 1) return fits.front();
  std::string which = std::to_string(candidates.size()) +
                      (candidates.front()->takeover ? " taken-over collectors" : " collectors");
  if (fits.empty()) {
    return Status::InvalidArgument(
        "upstream-format message whose stream is configured in none of the " + which,
        codes::kMessageUnknownCollector);
  }
  std::string ids;
  for (const CollectorSpec* s : fits) ids += (ids.empty() ? "" : ", ") + s->id;
  return Status::InvalidArgument(
      "upstream-format message whose stream fits several of the " + which + " (" + ids +
          "): give each upstream queue's collector its own store, or take over one at a time",
      codes::kMessageUnknownCollector);
}

}  // namespace paws
