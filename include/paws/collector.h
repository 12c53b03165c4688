#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "paws/clock.h"
#include "paws/secret.h"

namespace paws {

// One configured collector (DESIGN.md, Vocabulary).
struct CollectorSpec {
  std::string id;        // UUID
  std::string type;      // source type, for example "fake", "okta"
  std::string endpoint;  // base URL of the API
  std::string cid;       // customer id
  Duration poll_interval = std::chrono::seconds(60);
  std::vector<std::string> streams;  // collector_streams
  Secret secret;
  // Where the secret came from, for writing the configuration back (never
  // the secret itself): an environment variable's name, or a file path.
  // Both empty: no secret.
  std::string secret_env;
  std::string secret_file;
  std::string client_id;
  int max_pages_per_cycle = 10;  // paws_max_pages_per_invocation
  // First window start for new streams; empty: now - poll_interval.
  std::string collection_start;  // RFC 3339
  std::map<std::string, std::string> params;  // type-specific
  // Health thresholds of this collector; unset: [health]'s.
  std::optional<Duration> stall_after;
  std::optional<Duration> grace;
  // Taken over from an upstream PAWS deployment (environment mode, the
  // upstream form of a [[collector]] table, or `takeover = true`): its
  // streams are adopted from their upstream state messages instead of
  // being registered; those still without a row after `grace` are seeded
  // by the health check.
  bool takeover = false;
  // The upstream PAWS state queue of this collector (`paws_state_queue_url`:
  // a queue URL or name). With the aws backend, `paws run` receives its
  // messages as this collector's and sends their successors to the shared
  // queue, so it drains (docs/aws.md). Empty: none.
  std::string upstream_queue;
  // Described by upstream variables (environment mode, or a [[collector]]
  // table in that form): `paws migrate --apply` writes it in native form.
  bool upstream_form = false;
};

}  // namespace paws
