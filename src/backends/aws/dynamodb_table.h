#pragma once

// Administration of the state table, for `paws aws init` and
// `paws aws status`: what is there, and creating what is missing.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "backends/aws/aws_client.h"
#include "paws/result.h"

namespace paws::aws {

// What DescribeTable and DescribeTimeToLive say about the state table.
struct TableReport {
  bool exists = false;
  std::string status;  // TableStatus: "ACTIVE", "CREATING", ...; "" when absent
  // The key schema is CollectorId (HASH, S), MessageId (RANGE, S).
  bool key_schema_ok = false;
  std::string key_schema_problem;  // what is wrong with it, "" when ok
  bool ttl_enabled = false;        // TTL ENABLED (or ENABLING) on ttl_attribute
  std::string ttl_attribute;       // the TTL attribute, "" when none
  // "ENABLED", "ENABLING", "DISABLED", "DISABLING", or "unknown (...)" when
  // the server cannot say (a local server without DescribeTimeToLive).
  std::string ttl_status;
  std::string billing_mode;  // "PAY_PER_REQUEST", "PROVISIONED"
  int64_t item_count = -1;   // DynamoDB's estimate (updated about every 6 h); -1 unknown
};

// The state table's TTL attribute (seconds since the epoch).
inline constexpr const char* kTtlAttribute = "ExpireDate";

// Describes `table`. A missing table is a report with exists = false, not
// an error. Errors: those of AwsJsonClient (kUnauthenticated,
// kUnavailable, kInvalidArgument).
Result<TableReport> DescribeStateTable(AwsJsonClient& c, const std::string& table);

// Makes sure `table` exists with the state table's key schema and TTL:
// creates it if missing (CollectorId HASH S, MessageId RANGE S,
// PAY_PER_REQUEST), waits until it is ACTIVE (polling DescribeTable up to
// 60 times, calling `sleep` with 1 s between), then enables TTL on
// ExpireDate if it is not enabled. Never changes an existing table other
// than enabling TTL. Returns what it did or found, one line each, for the
// operator: "created table X", "table X exists: key schema ok",
// "enabled TTL on ExpireDate", "TTL already enabled on ExpireDate".
//
// Errors: kInvalidArgument with PAWS000604 naming the table and the schema
// found when the table exists with another key schema, or its TTL is on
// another attribute; kUnavailable when it is not ACTIVE in time; those of
// AwsJsonClient. A server that has no UpdateTimeToLive (local test
// servers) is not an error: the line says TTL was not enabled and why.
Result<std::vector<std::string>> EnsureStateTable(AwsJsonClient& c, const std::string& table,
                                                  std::function<void(Duration)> sleep);

}  // namespace paws::aws
