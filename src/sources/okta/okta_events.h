#pragma once

#include <string>
#include <vector>

#include "paws/source.h"
#include "paws/status.h"

namespace paws {

// Appends the events of one System Log API page (a JSON array of
// LogEvents) to `out`, each kept as the bytes it came as
// (json_records.h): id from uuid, time from published, type from eventType
// (else legacyEventType). `what` names the request in errors ("GET
// /api/v1/logs"). Errors: kInvalidArgument (PAWS000304) naming the event;
// on error nothing is appended. Used by the okta source and by the fake
// source, which reads the same shape.
Status ParseOktaLogEvents(const std::string& body, const std::string& what,
                          std::vector<Event>* out);

}  // namespace paws
