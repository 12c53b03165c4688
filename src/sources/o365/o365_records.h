#pragma once

// The documents of the Office 365 Management Activity API that the o365
// source reads (o365_source.h): error bodies, listing pages and content
// blobs. Pure functions; they never throw.

#include <optional>
#include <string>
#include <vector>

#include "paws/clock.h"
#include "paws/source.h"
#include "paws/status.h"

namespace paws {

// The summary of an API error body for a message:
//   {"error": {"code": C, "message": M}}  -> "C: M"
//   {"Message": M} (ASP.NET, on 401)      -> "M"
// and what JsonErrorSummary finds in any other (Azure AD's OAuth2 errors).
std::string O365ErrorSummary(const std::string& body);

// C of {"error": {"code": C, ...}}, or "".
std::string O365ErrorCode(const std::string& body);

// The contentUri of each content blob of a listing page (a JSON array of
// {contentType, contentId, contentUri, contentCreated, ...}), in order.
// kInvalidArgument (PAWS000304) "<what>: <what is wrong>" otherwise.
Status ParseO365Listing(const std::string& body, const std::string& what,
                        std::vector<std::string>* uris);

// Appends the audit records of a content blob (a JSON array of objects with
// Id and CreationTime) to `out` as events: id = Id, timestamp =
// CreationTime, type_id = RecordType (decimal), else Operation, raw_json =
// the record with the key order it was sent in. On error (PAWS000304,
// "<what>: ...") `out` may hold some of the blob's events.
Status ParseO365Records(const std::string& body, const std::string& what, std::vector<Event>* out);

// A CreationTime: RFC 3339, or "YYYY-MM-DDTHH:MM:SS[.fff]" without an
// offset, which the API writes for UTC. nullopt otherwise.
std::optional<WallTime> ParseO365Time(const std::string& text);

}  // namespace paws
