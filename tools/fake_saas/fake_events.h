#pragma once

#include <cstdint>
#include <string>

namespace paws {

// The deterministic event set of the fake SaaS API. For each (tenant,
// stream), event k (k >= 0) is published at the Unix epoch + k * period, so
// the events of a time window are a pure function of the window, and they
// exist for all of time.

// The first k whose publication time (k * period_ms) is >= t_ms.
// REQUIRES: period_ms > 0.
int64_t FakeFirstIndexAtOrAfter(int64_t t_ms, int64_t period_ms);

// The id of event k: a UUID-looking string (8-4-4-4-12 lower-case hex)
// derived from (tenant, stream, k). Distinct for distinct k of one
// (tenant, stream); distinct across streams with overwhelming probability.
std::string FakeEventId(const std::string& tenant, const std::string& stream, int64_t k);

// Event k as an Okta LogEvent JSON object (serialized): uuid, published
// (RFC 3339, milliseconds), eventType, displayMessage, actor, client,
// outcome, ... and debugContext.debugData.{stream, sequence = k}.
std::string FakeEventJson(const std::string& tenant, const std::string& stream, int64_t k,
                          int64_t period_ms);

}  // namespace paws
