#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "paws/clock.h"
#include "paws/collector.h"

namespace paws {

// [store]
struct StoreOptions {
  // [store.aws] — only for backend = "aws". Region, profile and endpoints
  // left empty are resolved from the environment and the shared AWS files
  // (backends/aws/aws_settings.h).
  struct AwsStoreOptions {
    // The DynamoDB table (upstream's name). Default: "PawsCollectorStates".
    std::string table = "PawsCollectorStates";
    // The SQS queue: a name, or a queue URL. Default: "paws-state".
    std::string queue = "paws-state";
    // Name or URL; empty: "<queue name>-dead". Default: empty.
    std::string dead_letter_queue;
    std::string region;             // empty: AWS_REGION, ... Default: empty.
    std::string profile;            // empty: AWS_PROFILE, else "default".
    std::string dynamodb_endpoint;  // empty: AWS_ENDPOINT_URL_DYNAMODB, ...
    std::string sqs_endpoint;       // empty: AWS_ENDPOINT_URL_SQS, ...
    // Upstream state queues attached to the collectors being taken over:
    // (collector id, queue name or URL). Not a key of [store.aws]: `paws
    // run` fills it from the collectors' upstream_queue.
    std::vector<std::pair<std::string, std::string>> attached;
  };

  // "sqlite", "memory" or "aws". Default: "sqlite".
  std::string backend = "sqlite";
  // SQLite database file. Default: "./var/paws.db".
  std::string path = "./var/paws.db";
  // Messages older than this are deleted from the queue, as SQS does. With
  // backend "aws", the queue's MessageRetentionPeriod (60 s to 14 days).
  // Default: 4 days (the SQS default).
  Duration retention = std::chrono::hours(24 * 4);
  AwsStoreOptions aws;
};

// [runtime]
struct RuntimeOptions {
  // Worker threads running cycles. Default: 4.
  int workers = 4;
  // How long a received message stays invisible (the lease of a cycle).
  // Default: 900 s.
  Duration visibility_timeout = std::chrono::seconds(900);
  // Longest wait of one receive when the queue is empty. Default: 1 s.
  Duration receive_wait = std::chrono::seconds(1);
  // Messages received at once by one worker. Default: 10.
  int receive_batch = 10;
  // Back-off of a failed cycle: min * 2^(retry-1), at most max, with
  // jitter. Default: 5 s and 300 s (upstream's cap).
  Duration min_backoff = std::chrono::seconds(5);
  Duration max_backoff = std::chrono::seconds(300);
  // How long one poll may take. Default: 300 s.
  Duration poll_timeout = std::chrono::seconds(300);
  // Retry count at which a failing stream is logged as an error. Default: 5.
  int error_retry_count = 5;
};

// [sink]
struct SinkOptions {
  // "jsonl" or "stdout". Default: "jsonl".
  std::string type = "jsonl";
  // For jsonl: the file events are appended to. Default: "./var/events.jsonl".
  std::string path = "./var/events.jsonl";
  // For jsonl: fsync after every batch. Default: false (a killed process
  // loses nothing; a power cut may lose the last batches).
  bool fsync = false;
};

// [log]
struct LogOptions {
  // "trace", "debug", "info", "warn", "error". Default: "info".
  std::string level = "info";
  // Log file; empty: standard error. Default: empty.
  std::string path;
};

// [health] (DESIGN.md, Health check; docs/health.md)
struct HealthOptions {
  // How often `paws run` checks every stream. Default: 15 min.
  Duration interval = std::chrono::minutes(15);
  // How far past its DueAt a stream may be before it is unhealthy.
  // Default: 15 min. Per collector: [[collector]] stall_after.
  Duration stall_after = std::chrono::minutes(15);
  // How long a configured stream may have no row before it is seeded.
  // Default: 30 min. Per collector: [[collector]] grace.
  Duration grace = std::chrono::minutes(30);
  // Repair what the check finds (re-seed ceased streams, seed
  // never_started ones, retire unexpected ones); false: report only.
  // Default: true.
  bool repair = true;
  // Receives a JSON POST whenever a stream's class changes; empty: none.
  // Default: empty.
  std::string webhook_url;
};

// [status] — the status HTTP server of `paws run`.
struct StatusOptions {
  // Serve /healthz, /v1/status, /v1/collectors/{id}, /metrics. Default: true.
  bool enabled = true;
  // Default: "127.0.0.1" (loopback only).
  std::string host = "127.0.0.1";
  // Default: 9470; 0 picks a free port.
  int port = 9470;
  // When set, the bound port is written to this file. Default: empty.
  std::string port_file;
};

// The whole configuration file.
struct Config {
  std::string file;  // where it was read from, for messages
  StoreOptions store;
  RuntimeOptions runtime;
  SinkOptions sink;
  LogOptions log;
  HealthOptions health;
  StatusOptions status;
  std::vector<CollectorSpec> collectors;

  // The collector with that id, or null.
  const CollectorSpec* FindCollector(const std::string& id) const;
};

}  // namespace paws
