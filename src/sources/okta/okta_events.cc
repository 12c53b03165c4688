#include "sources/okta/okta_events.h"

#include <iterator>
#include <optional>

#include "sources/common/api_errors.h"
#include "sources/common/json_records.h"

namespace paws {

Status ParseOktaLogEvents(const std::string& body, const std::string& what,
                          std::vector<Event>* out) {
  auto bad = [&](const std::string& problem) { return Malformed(what + ": " + problem); };
  enum { kUuid, kPublished, kEventType, kLegacyEventType };
  static const std::vector<std::string> kMembers = {"uuid", "published", "eventType",
                                                    "legacyEventType"};
  Result<std::vector<RawRecord>> events = SplitJsonArray(body, kMembers);
  if (!events.ok()) return bad("response body is " + events.status().message());
  std::vector<Event> parsed;
  parsed.reserve(events->size());
  for (size_t i = 0; i < events->size(); ++i) {
    RawRecord& e = (*events)[i];
    const std::string at = "event " + std::to_string(i);
    if (!e.is_object) return bad(at + " is not an object");
    std::optional<std::string>& uuid = e.members[kUuid];
    if (!uuid || uuid->empty()) return bad(at + " has no uuid");
    const std::optional<std::string>& published = e.members[kPublished];
    if (!published) return bad(at + " (" + *uuid + ") has no published");
    Result<WallTime> ts = ParseRfc3339(*published);
    if (!ts.ok()) return bad(at + " (" + *uuid + ") has an invalid published time");
    std::optional<std::string>& type = e.members[kEventType];
    if (!type || type->empty()) type = std::move(e.members[kLegacyEventType]);
    parsed.push_back(Event{std::move(*uuid), *ts, type.value_or(""), std::string(e.raw), true});
  }
  out->insert(out->end(), std::make_move_iterator(parsed.begin()),
              std::make_move_iterator(parsed.end()));
  return Status::Ok();
}

}  // namespace paws
