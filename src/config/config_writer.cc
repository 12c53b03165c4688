#include "config/config_writer.h"

#include <toml++/toml.h>

#include <cstdint>
#include <sstream>
#include <string_view>
#include <utility>

#include "config/duration.h"

namespace paws {
namespace {

// Basic strings with escapes only: toml++'s multi-line and literal string
// forms are prettier but have edge cases (a leading newline, runs of
// quotes) where a value would not read back exactly.
constexpr toml::format_flags kFormat = toml::format_flags::allow_unicode_strings;

constexpr const char* kHeader =
    "# paws configuration, written by `paws migrate` (docs/configuration.md).\n"
    "# The secrets themselves are not in this file, only where they come from.\n";

std::string Text(Duration d) { return FormatDuration(d); }

int64_t Int(int value) { return static_cast<int64_t>(value); }

bool IsDefault(const StoreOptions::AwsStoreOptions& a) {
  const StoreOptions::AwsStoreOptions d;
  return a.table == d.table && a.queue == d.queue && a.dead_letter_queue == d.dead_letter_queue &&
         a.region == d.region && a.profile == d.profile &&
         a.dynamodb_endpoint == d.dynamodb_endpoint && a.sqs_endpoint == d.sqs_endpoint;
}

toml::table Store(const StoreOptions& o) {
  toml::table t{
      {"backend", o.backend},
      {"path", o.path},
      {"retention", Text(o.retention)},
  };
  // [store.aws] only where it matters, so that a migrated SQLite
  // configuration is not cluttered with AWS keys; then every key, as above.
  if (o.backend == "aws" || !IsDefault(o.aws)) {
    t.insert("aws", toml::table{
                        {"table", o.aws.table},
                        {"queue", o.aws.queue},
                        {"dead_letter_queue", o.aws.dead_letter_queue},
                        {"region", o.aws.region},
                        {"profile", o.aws.profile},
                        {"dynamodb_endpoint", o.aws.dynamodb_endpoint},
                        {"sqs_endpoint", o.aws.sqs_endpoint},
                    });
  }
  return t;
}

toml::table Runtime(const RuntimeOptions& o) {
  return toml::table{
      {"workers", Int(o.workers)},
      {"visibility_timeout", Text(o.visibility_timeout)},
      {"receive_wait", Text(o.receive_wait)},
      {"receive_batch", Int(o.receive_batch)},
      {"min_backoff", Text(o.min_backoff)},
      {"max_backoff", Text(o.max_backoff)},
      {"poll_timeout", Text(o.poll_timeout)},
      {"error_retry_count", Int(o.error_retry_count)},
  };
}

toml::table Sink(const SinkOptions& o) {
  return toml::table{
      {"type", o.type},
      {"path", o.path},
      {"fsync", o.fsync},
  };
}

toml::table Log(const LogOptions& o) {
  return toml::table{
      {"level", o.level},
      {"path", o.path},
  };
}

toml::table Health(const HealthOptions& o) {
  return toml::table{
      {"interval", Text(o.interval)}, {"stall_after", Text(o.stall_after)},
      {"grace", Text(o.grace)},       {"repair", o.repair},
      {"webhook_url", o.webhook_url},
  };
}

toml::table StatusSection(const StatusOptions& o) {
  return toml::table{
      {"enabled", o.enabled},
      {"host", o.host},
      {"port", Int(o.port)},
      {"port_file", o.port_file},
  };
}

void InsertIfNotEmpty(toml::table& t, std::string_view key, const std::string& value) {
  if (!value.empty()) t.insert(key, value);
}

toml::table Collector(const CollectorSpec& c) {
  toml::table t{
      {"id", c.id},
      {"type", c.type},
      {"endpoint", c.endpoint},
      {"poll_interval", Text(c.poll_interval)},
      {"max_pages_per_cycle", Int(c.max_pages_per_cycle)},
  };
  InsertIfNotEmpty(t, "cid", c.cid);
  toml::array streams;
  for (const std::string& stream : c.streams) streams.push_back(stream);
  t.insert("streams", std::move(streams));
  InsertIfNotEmpty(t, "client_id", c.client_id);
  InsertIfNotEmpty(t, "collection_start", c.collection_start);
  if (c.stall_after) t.insert("stall_after", Text(*c.stall_after));
  if (c.grace) t.insert("grace", Text(*c.grace));
  if (c.takeover) t.insert("takeover", true);
  InsertIfNotEmpty(t, "upstream_queue", c.upstream_queue);
  // Where the secret comes from, never c.secret itself.
  if (!c.secret_env.empty()) {
    t.insert("secret_env", c.secret_env);
  } else {
    InsertIfNotEmpty(t, "secret_file", c.secret_file);
  }
  if (!c.params.empty()) {
    toml::table params;
    for (const auto& [key, value] : c.params) params.insert(key, value);
    t.insert("params", std::move(params));
  }
  return t;
}

// Each section is formatted as a document of its own, in the order of
// docs/configuration.md: a toml::table orders its keys alphabetically, which
// would put [health] first and [store] last.
template <typename Section>  // toml::table or toml::array
std::string Format(std::string_view name, Section&& section) {
  toml::table document;
  document.insert(name, std::forward<Section>(section));
  std::ostringstream out;
  out << toml::toml_formatter(document, kFormat);
  return out.str();
}

}  // namespace

std::string RenderConfigToml(const Config& config) {
  std::string text = kHeader;
  for (const std::string& section : {
           Format("store", Store(config.store)),
           Format("runtime", Runtime(config.runtime)),
           Format("sink", Sink(config.sink)),
           Format("log", Log(config.log)),
           Format("health", Health(config.health)),
           Format("status", StatusSection(config.status)),
       }) {
    text += "\n" + section + "\n";
  }
  if (!config.collectors.empty()) {
    toml::array collectors;
    for (const CollectorSpec& spec : config.collectors) collectors.push_back(Collector(spec));
    text += "\n" + Format("collector", std::move(collectors)) + "\n";
  }
  return text;
}

}  // namespace paws
