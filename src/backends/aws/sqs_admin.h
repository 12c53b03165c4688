#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backends/aws/aws_client.h"
#include "paws/clock.h"
#include "paws/result.h"

// Administration of the SQS state queue for `paws aws init` and
// `paws aws status`. All functions take an SqsService client and are as
// thread-safe as it is.
namespace paws::aws {

// What `paws aws status` shows of one queue. -1: unknown (not reported).
struct QueueReport {
  bool exists = false;
  std::string url;
  int64_t visibility_timeout_s = -1;
  int64_t retention_s = -1;
  int64_t max_message_size = -1;
  int64_t visible = -1, delayed = -1, in_flight = -1;
  std::string redrive_policy;  // as SQS stores it (JSON), or ""
};

// The suffix of the dead-letter queue of a state queue: "<name>-dead".
inline constexpr const char* kDeadLetterSuffix = "-dead";
// Retention of the dead-letter queue: 14 days, SQS's maximum.
inline constexpr Duration kDeadLetterRetention = std::chrono::hours(24 * 14);

// The URL of a queue: `name_or_url` itself when it is an http(s) URL, else
// GetQueueUrl. kNotFound when there is no such queue.
Result<std::string> QueueUrlOf(AwsJsonClient& c, const std::string& name_or_url);

// GetQueueUrl (a URL is used as is) + GetQueueAttributes(All). A missing
// queue is not an error: exists = false. kInternal (PAWS000601) naming the
// attribute when one is not a number.
Result<QueueReport> DescribeStateQueue(AwsJsonClient& c, const std::string& name_or_url);

// Creates the queue (VisibilityTimeout, MessageRetentionPeriod) and its
// dead-letter queue "<name>-dead" (retention 14 days) when missing. For a
// queue that exists it checks the two attributes and returns a warning line
// for each that differs; it never changes an existing queue. Returns
// operator lines, for example "created queue paws-state (visibility 900 s,
// retention 4 days)" or "queue paws-state exists: visibility 900 s,
// retention 4 days". kInvalidArgument (PAWS000103) naming the value when
// `visibility` is not within 0 s..12 h or `retention` not within
// 60 s..14 days (SQS's limits), or the name is not a valid queue name.
//
// No RedrivePolicy is set: paws moves poison messages to the dead-letter
// queue itself, and a maxReceiveCount would also count the receives that
// re-delay long delays (SqsQueue).
Result<std::vector<std::string>> EnsureStateQueue(AwsJsonClient& c, const std::string& name,
                                                  Duration visibility, Duration retention);

// "4 days", "1 day", "900 s": how the lines above show durations.
std::string FormatQueueDuration(int64_t seconds);

}  // namespace paws::aws
