#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "paws/clock.h"
#include "paws/collector.h"
#include "paws/result.h"
#include "sources/common/oauth2.h"

namespace paws {

// The settings of an http_json collector, read from its spec.params
// (docs/sources/http_json.md lists every key). Plain data: the source reads
// it, never changes it.

// How a time is written in a request URL or read from a record.
enum class HttpJsonTime {
  kRfc3339,       // "2026-01-14T12:00:00.000Z" (UTC, milliseconds)
  kEpochSeconds,  // 1768392000 (a window bound is rounded down)
  kEpochMillis,   // 1768392000000
};

enum class HttpJsonAuth { kNone, kHeader, kBearer, kBasic, kOAuth2 };

enum class HttpJsonPaging {
  kNone,    // one request per window
  kLink,    // Link: <url>; rel="next" (same origin only)
  kToken,   // a token in the body, sent back in a query parameter
  kOffset,  // offset (or page number) and page size; a short page is the last
};

// A member of a JSON object reached through nested objects: "data.items"
// is {"data": {"items": ...}}. Empty: the document itself.
using JsonPath = std::vector<std::string>;

struct HttpJsonConfig {
  // The collector's one stream. Default: "http_json".
  std::string stream;

  // The request URL with its placeholders ({endpoint}, {since}, {until},
  // {cursor}, {page_size}) not yet filled; "{{" and "}}" stand for braces.
  std::string url_template;
  // spec.endpoint without trailing slashes: what {endpoint} becomes.
  std::string endpoint;
  HttpJsonTime time_format = HttpJsonTime::kRfc3339;
  // The template has {cursor}: the cursor goes there, not into a parameter.
  bool cursor_in_template = false;

  HttpJsonAuth auth = HttpJsonAuth::kNone;
  std::string auth_header;              // kHeader: the header's name
  std::string auth_value = "{secret}";  // kHeader: its value template
  ClientCredentialsOptions oauth2;      // kOAuth2 (client id, secret, URL, ...)

  JsonPath records_path;            // empty: the body is the array
  std::vector<JsonPath> id_fields;  // the first present one counts
  std::vector<JsonPath> timestamp_fields;
  HttpJsonTime timestamp_format = HttpJsonTime::kRfc3339;
  std::vector<JsonPath> type_fields;  // may be empty

  HttpJsonPaging paging = HttpJsonPaging::kNone;
  JsonPath next_token_path;          // kToken
  std::string token_param;           // kToken, unless cursor_in_template
  std::string offset_param;          // kOffset, unless cursor_in_template
  int64_t page_size = 0;             // kOffset: a page shorter is the last
  int64_t offset_start = 0;          // kOffset: the first page's offset
  bool offset_counts_pages = false;  // kOffset: page numbers, not records

  // Records whose timestamp is outside [since, until) are skipped.
  bool filter_window = false;
  // A non-2xx response whose body contains this text is a quota error
  // (kRateLimited). Empty: none.
  std::string quota_error_text;
  Duration quota_retry = std::chrono::seconds(60);
};

// Reads and checks spec.params (and endpoint, streams, credentials) for an
// http_json collector. Every problem is kInvalidArgument (PAWS000103)
// "collector <id>: param <key> ...", naming the key; unknown keys are
// errors too (a typo would otherwise be silently ignored).
Result<HttpJsonConfig> ParseHttpJsonConfig(const CollectorSpec& spec);

// "data.items" -> {"data", "items"}; "" -> {}.
JsonPath SplitJsonPath(const std::string& text);
std::string JoinJsonPath(const JsonPath& path);

// `t` as `format` writes it.
std::string FormatHttpJsonTime(WallTime t, HttpJsonTime format);

// Fills the template's placeholders. `since`, `until` and `cursor` are
// URL-encoded; {endpoint} is used as is. REQUIRES: a template that
// ParseHttpJsonConfig accepted.
std::string ExpandUrlTemplate(const HttpJsonConfig& config, WallTime since, WallTime until,
                              const std::string& cursor);

}  // namespace paws
