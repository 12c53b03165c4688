#include "config/config_loader.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include "config/duration.h"
#include "config/table_reader.h"
#include "config/upstream_env.h"
#include "paws/codes.h"

namespace paws {
namespace {

using config_internal::DescribeValue;
using config_internal::LineSuffix;
using config_internal::Quote;
using config_internal::StartsWithNoCase;
using config_internal::TableReader;
using config_internal::ZeroDuration;

bool IsIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool IsEnvName(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

// Where a collector's secret comes from; read after the whole file is valid,
// so that a typo elsewhere is reported before a missing variable.
struct SecretSource {
  size_t collector = 0;  // index into Config::collectors
  std::string key;       // "collector[2].secret_env"
  std::string env_name;  // secret_env, or
  std::string file;      // secret_file, resolved
  toml::source_region where;
};

// Loads one parsed document. Holds references to the caller's arguments.
class Loader {
 public:
  Loader(const std::string& file, const ConfigEnv& env) : file_(file), env_(env) {
    base_dir_ = std::filesystem::path(file).parent_path();
  }

  Result<Config> Load(const toml::table& root);

 private:
  // The reader of table `name` of the document, or null when it is absent.
  Result<std::unique_ptr<TableReader>> Section(const TableReader& root, std::string_view name);
  Status LoadStore(const TableReader& root, StoreOptions* out);
  Status LoadStoreAws(const TableReader& store, StoreOptions* out);
  Status LoadRuntime(const TableReader& root, RuntimeOptions* out);
  Status LoadSink(const TableReader& root, SinkOptions* out);
  Status LoadLog(const TableReader& root, LogOptions* out);
  Status LoadHealth(const TableReader& root, HealthOptions* out);
  Status LoadStatus(const TableReader& root, StatusOptions* out);
  Status CheckBackoffBelowStall(const Config& config) const;
  Status LoadCollectors(const TableReader& root, std::vector<CollectorSpec>* out);
  Status LoadCollector(const TableReader& t, CollectorSpec* out);
  Status LoadUpstreamCollector(const TableReader& t, CollectorSpec* out);
  Status LoadHealthOverrides(const TableReader& t, CollectorSpec* out);
  Status LoadStreams(const TableReader& t, std::vector<std::string>* out);
  Status LoadSecretSource(const TableReader& t, size_t index, CollectorSpec* spec);
  Status LoadCollectionStart(const TableReader& t, std::string* out);
  Status LoadParams(const TableReader& t, std::map<std::string, std::string>* out);
  Status ReadSecret(const SecretSource& source, Secret* out);

  std::string Resolve(const std::string& path) const;
  Status SecretError(const SecretSource& source, const std::string& text,
                     std::string_view code) const {
    return Status(StatusCode::kInvalidArgument,
                  file_ + ": " + source.key + ": " + text + LineSuffix(source.where), code);
  }

  const std::string& file_;
  const ConfigEnv& env_;
  std::filesystem::path base_dir_;
  std::vector<SecretSource> secrets_;
};

std::string Loader::Resolve(const std::string& path) const {
  if (path.empty() || base_dir_.empty()) return path;
  std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (base_dir_ / p).lexically_normal().string();
}

Result<Config> Loader::Load(const toml::table& root_table) {
  Config config;
  config.file = file_;
  TableReader root(file_, root_table, "", "");
  PAWS_RETURN_IF_ERROR(
      root.CheckKeys({"store", "runtime", "sink", "log", "health", "status", "collector"}));
  PAWS_RETURN_IF_ERROR(LoadStore(root, &config.store));
  PAWS_RETURN_IF_ERROR(LoadRuntime(root, &config.runtime));
  PAWS_RETURN_IF_ERROR(LoadSink(root, &config.sink));
  PAWS_RETURN_IF_ERROR(LoadLog(root, &config.log));
  PAWS_RETURN_IF_ERROR(LoadHealth(root, &config.health));
  PAWS_RETURN_IF_ERROR(LoadStatus(root, &config.status));
  PAWS_RETURN_IF_ERROR(LoadCollectors(root, &config.collectors));
  PAWS_RETURN_IF_ERROR(CheckBackoffBelowStall(config));
  if (!env_.read_secrets) return config;
  for (const SecretSource& source : secrets_) {
    PAWS_RETURN_IF_ERROR(ReadSecret(source, &config.collectors[source.collector].secret));
  }
  return config;
}

Result<std::unique_ptr<TableReader>> Loader::Section(const TableReader& root,
                                                     std::string_view name) {
  const toml::node* node = root.Find(name);
  if (node == nullptr) return std::unique_ptr<TableReader>();
  if (!node->is_table()) {
    return root.Error(
        name, "expected a table [" + std::string(name) + "], got " + DescribeValue(*node), node);
  }
  return std::make_unique<TableReader>(file_, *node->as_table(), std::string(name),
                                       "[" + std::string(name) + "]");
}

Status Loader::LoadStore(const TableReader& root, StoreOptions* out) {
  PAWS_ASSIGN_OR_RETURN(auto t, Section(root, "store"));
  if (t != nullptr) {
    PAWS_RETURN_IF_ERROR(t->CheckKeys({"backend", "path", "retention", "aws"}));
    PAWS_RETURN_IF_ERROR(t->ReadChoice("backend", {"sqlite", "memory", "aws"}, &out->backend));
    PAWS_RETURN_IF_ERROR(t->ReadNonEmptyString("path", &out->path));
    PAWS_RETURN_IF_ERROR(t->ReadDuration("retention", ZeroDuration::kRejected, &out->retention));
    PAWS_RETURN_IF_ERROR(LoadStoreAws(*t, out));
    // SQS's MessageRetentionPeriod: whole seconds from 60 s to 14 days.
    constexpr Duration kMinRetention = std::chrono::seconds(60);
    constexpr Duration kMaxRetention = std::chrono::hours(24 * 14);
    if (out->backend == "aws" &&
        (out->retention < kMinRetention || out->retention > kMaxRetention ||
         out->retention % std::chrono::seconds(1) != Duration::zero())) {
      const toml::node* at = t->Find("retention");
      return t->Error("retention",
                      "with backend = \"aws\" it must be whole seconds from 60s to 14d (the "
                      "limits of SQS's message retention), got " +
                          (at != nullptr ? DescribeValue(*at) : FormatDuration(out->retention)),
                      at);
    }
  }
  out->path = Resolve(out->path);
  return Status::Ok();
}

// What [store.aws] accepts is what DynamoDB and SQS accept, so that a typo
// is reported at start-up rather than by AWS on the first request.
bool IsTableName(const std::string& name) {
  if (name.size() < 3 || name.size() > 255) return false;
  return std::all_of(name.begin(), name.end(), IsIdChar);
}

bool IsQueueName(const std::string& name) {
  if (name.empty() || name.size() > 80) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return c != '.' && IsIdChar(c); });
}

// An absolute http(s) URL with a host, no query or fragment. Empty when it
// is one, else what is wrong; `*show` says whether the value may be shown
// (not when it holds '@': user info is a password).
std::string UrlProblem(const std::string& url, bool* show) {
  *show = true;
  size_t scheme = StartsWithNoCase(url, "http://")    ? 7
                  : StartsWithNoCase(url, "https://") ? 8
                                                      : 0;
  if (scheme == 0) return "expected a URL starting with http:// or https://";
  if (url.find('@') != std::string::npos) {
    *show = false;
    return "a URL must not hold '@' (a user name or password)";
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return "expected a URL without spaces or control characters";
    }
  }
  if (url.find_first_of("?#") != std::string::npos) {
    return "expected a URL without a query or fragment";
  }
  if (url.size() == scheme || url[scheme] == '/' || url[scheme] == ':') {
    return "expected a URL with a host";
  }
  return "";
}

Status Loader::LoadStoreAws(const TableReader& store, StoreOptions* out) {
  const toml::node* node = store.Find("aws");
  if (node == nullptr) return Status::Ok();
  if (!node->is_table()) {
    return store.Error("aws", "expected a table [store.aws], got " + DescribeValue(*node), node);
  }
  TableReader t(file_, *node->as_table(), "store.aws", "[store.aws]");
  StoreOptions::AwsStoreOptions& aws = out->aws;
  PAWS_RETURN_IF_ERROR(t.CheckKeys({"table", "queue", "dead_letter_queue", "region", "profile",
                                    "dynamodb_endpoint", "sqs_endpoint"}));
  for (auto [key, field] : {std::pair{"table", &aws.table}, std::pair{"queue", &aws.queue},
                            std::pair{"dead_letter_queue", &aws.dead_letter_queue},
                            std::pair{"region", &aws.region}, std::pair{"profile", &aws.profile},
                            std::pair{"dynamodb_endpoint", &aws.dynamodb_endpoint},
                            std::pair{"sqs_endpoint", &aws.sqs_endpoint}}) {
    PAWS_RETURN_IF_ERROR(t.ReadString(key, field));
  }
  auto bad = [&](const char* key, const std::string& what, bool show = true) {
    const toml::node* at = t.Find(key);
    return t.Error(key, what + (show ? ", got " + DescribeValue(*at) : " (the value is not shown)"),
                   at);
  };
  if (!IsTableName(aws.table)) {
    return bad("table",
               "expected a DynamoDB table name: 3 to 255 letters, digits, '_', '-' or '.'");
  }
  for (auto [key, value, optional] :
       {std::tuple{"queue", &aws.queue, false},
        std::tuple{"dead_letter_queue", &aws.dead_letter_queue, true}}) {
    if ((optional && value->empty()) || IsQueueName(*value)) continue;
    bool show = true;
    const bool looks_like_url = StartsWithNoCase(*value, "http://") ||
                                StartsWithNoCase(*value, "https://");
    if (looks_like_url && UrlProblem(*value, &show).empty()) continue;
    return bad(key,
               looks_like_url ? UrlProblem(*value, &show)
                              : "expected an SQS queue name (1 to 80 letters, digits, '_' or "
                                "'-') or a queue URL",
               show);
  }
  if (!aws.region.empty()) {
    const bool ok = std::all_of(aws.region.begin(), aws.region.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!ok || aws.region.front() == '-' || aws.region.back() == '-') {
      return bad("region",
                 "expected an AWS region like \"us-east-1\" (lower-case letters, digits and '-')");
    }
  }
  if (aws.profile.find_first_of("[]") != std::string::npos ||
      std::any_of(aws.profile.begin(), aws.profile.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return bad("profile", "expected a profile name without brackets or control characters");
  }
  for (auto [key, value] : {std::pair{"dynamodb_endpoint", &aws.dynamodb_endpoint},
                            std::pair{"sqs_endpoint", &aws.sqs_endpoint}}) {
    if (value->empty()) continue;
    bool show = true;
    std::string problem = UrlProblem(*value, &show);
    if (!problem.empty()) return bad(key, problem, show);
  }
  return Status::Ok();
}

Status Loader::LoadRuntime(const TableReader& root, RuntimeOptions* out) {
  PAWS_ASSIGN_OR_RETURN(auto t, Section(root, "runtime"));
  if (t == nullptr) return Status::Ok();
  PAWS_RETURN_IF_ERROR(
      t->CheckKeys({"workers", "visibility_timeout", "receive_wait", "receive_batch", "min_backoff",
                    "max_backoff", "poll_timeout", "error_retry_count"}));
  constexpr int64_t kNoMax = std::numeric_limits<int>::max();
  PAWS_RETURN_IF_ERROR(t->ReadInt("workers", 1, 256, &out->workers));
  PAWS_RETURN_IF_ERROR(
      t->ReadDuration("visibility_timeout", ZeroDuration::kRejected, &out->visibility_timeout));
  PAWS_RETURN_IF_ERROR(t->ReadDuration("receive_wait", ZeroDuration::kAllowed, &out->receive_wait));
  PAWS_RETURN_IF_ERROR(t->ReadInt("receive_batch", 1, 10, &out->receive_batch));
  PAWS_RETURN_IF_ERROR(t->ReadDuration("min_backoff", ZeroDuration::kRejected, &out->min_backoff));
  PAWS_RETURN_IF_ERROR(t->ReadDuration("max_backoff", ZeroDuration::kRejected, &out->max_backoff));
  PAWS_RETURN_IF_ERROR(
      t->ReadDuration("poll_timeout", ZeroDuration::kRejected, &out->poll_timeout));
  PAWS_RETURN_IF_ERROR(t->ReadInt("error_retry_count", 1, kNoMax, &out->error_retry_count));
  if (out->max_backoff < out->min_backoff) {
    const char* key = t->Find("max_backoff") != nullptr ? "max_backoff" : "min_backoff";
    return t->Error(key,
                    "runtime.max_backoff (" + FormatDuration(out->max_backoff) +
                        ") must not be shorter than runtime.min_backoff (" +
                        FormatDuration(out->min_backoff) + ")",
                    t->Find(key));
  }
  return Status::Ok();
}

Status Loader::LoadSink(const TableReader& root, SinkOptions* out) {
  PAWS_ASSIGN_OR_RETURN(auto t, Section(root, "sink"));
  if (t != nullptr) {
    PAWS_RETURN_IF_ERROR(t->CheckKeys({"type", "path", "fsync"}));
    // Whether a sink of that type exists is checked at start-up, by the
    // registry that knows the plugins.
    PAWS_RETURN_IF_ERROR(t->ReadNonEmptyString("type", &out->type));
    PAWS_RETURN_IF_ERROR(t->ReadNonEmptyString("path", &out->path));
    PAWS_RETURN_IF_ERROR(t->ReadBool("fsync", &out->fsync));
  }
  out->path = Resolve(out->path);
  return Status::Ok();
}

Status Loader::LoadLog(const TableReader& root, LogOptions* out) {
  PAWS_ASSIGN_OR_RETURN(auto t, Section(root, "log"));
  if (t != nullptr) {
    PAWS_RETURN_IF_ERROR(t->CheckKeys({"level", "path"}));
    PAWS_RETURN_IF_ERROR(
        t->ReadChoice("level", {"trace", "debug", "info", "warn", "error"}, &out->level));
    PAWS_RETURN_IF_ERROR(t->ReadString("path", &out->path));
  }
  out->path = Resolve(out->path);
  return Status::Ok();
}

// DESIGN.md: the back-off is capped well below stall_after, so that a
// failing stream keeps recording errors and is never taken for ceased.
Status Loader::CheckBackoffBelowStall(const Config& config) const {
  auto check = [&](Duration stall, const std::string& key) -> Status {
    if (config.runtime.max_backoff < stall) return Status::Ok();
    return Status::InvalidArgument(file_ + ": " + key + " (" + FormatDuration(stall) +
                                       ") must be longer than runtime.max_backoff (" +
                                       FormatDuration(config.runtime.max_backoff) +
                                       "): a failing stream would look ceased",
                                   codes::kConfigInvalid);
  };
  PAWS_RETURN_IF_ERROR(check(config.health.stall_after, "health.stall_after"));
  for (size_t i = 0; i < config.collectors.size(); ++i) {
    if (!config.collectors[i].stall_after) continue;
    PAWS_RETURN_IF_ERROR(check(*config.collectors[i].stall_after,
                               "collector[" + std::to_string(i + 1) + "].stall_after"));
  }
  return Status::Ok();
}

Status Loader::LoadHealth(const TableReader& root, HealthOptions* out) {
  PAWS_ASSIGN_OR_RETURN(auto t, Section(root, "health"));
  if (t == nullptr) return Status::Ok();
  PAWS_RETURN_IF_ERROR(
      t->CheckKeys({"interval", "stall_after", "grace", "repair", "webhook_url"}));
  PAWS_RETURN_IF_ERROR(t->ReadDuration("interval", ZeroDuration::kRejected, &out->interval));
  PAWS_RETURN_IF_ERROR(t->ReadDuration("stall_after", ZeroDuration::kRejected, &out->stall_after));
  PAWS_RETURN_IF_ERROR(t->ReadDuration("grace", ZeroDuration::kRejected, &out->grace));
  PAWS_RETURN_IF_ERROR(t->ReadBool("repair", &out->repair));
  PAWS_RETURN_IF_ERROR(t->ReadString("webhook_url", &out->webhook_url));
  if (!out->webhook_url.empty() && !StartsWithNoCase(out->webhook_url, "http://") &&
      !StartsWithNoCase(out->webhook_url, "https://")) {
    return t->Error("webhook_url", "expected a URL starting with http:// or https://",
                    t->Find("webhook_url"));
  }
  return Status::Ok();
}

Status Loader::LoadStatus(const TableReader& root, StatusOptions* out) {
  PAWS_ASSIGN_OR_RETURN(auto t, Section(root, "status"));
  if (t != nullptr) {
    PAWS_RETURN_IF_ERROR(t->CheckKeys({"enabled", "host", "port", "port_file"}));
    PAWS_RETURN_IF_ERROR(t->ReadBool("enabled", &out->enabled));
    PAWS_RETURN_IF_ERROR(t->ReadNonEmptyString("host", &out->host));
    PAWS_RETURN_IF_ERROR(t->ReadInt("port", 0, 65535, &out->port));
    PAWS_RETURN_IF_ERROR(t->ReadString("port_file", &out->port_file));
  }
  if (!out->port_file.empty()) out->port_file = Resolve(out->port_file);
  return Status::Ok();
}

Status Loader::LoadCollectors(const TableReader& root, std::vector<CollectorSpec>* out) {
  const toml::node* node = root.Find("collector");
  if (node == nullptr) return Status::Ok();
  const toml::array* array = node->as_array();
  if (array == nullptr || (!array->empty() && !array->is_array_of_tables())) {
    return root.Error("collector",
                      "expected [[collector]] tables, got " + DescribeValue(*node) +
                          (node->is_table() ? " (write [[collector]], not [collector])" : ""),
                      node);
  }
  std::map<std::string, size_t> ids;  // id -> 1-based collector number
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::table& table = *array->get(i)->as_table();
    TableReader t(file_, table, "collector[" + std::to_string(i + 1) + "]", "[[collector]]");
    CollectorSpec spec;
    // A table with paws_type_name is written with the upstream variables.
    const bool upstream = table.contains("paws_type_name");
    PAWS_RETURN_IF_ERROR(upstream ? LoadUpstreamCollector(t, &spec) : LoadCollector(t, &spec));
    const char* id_key = upstream ? "collector_id" : "id";
    auto [it, inserted] = ids.emplace(spec.id, i + 1);
    if (!inserted) {
      return t.Error(id_key,
                     "duplicate id " + Quote(spec.id) + ", already used by collector[" +
                         std::to_string(it->second) + "]",
                     t.Find(id_key));
    }
    out->push_back(std::move(spec));
    PAWS_RETURN_IF_ERROR(LoadSecretSource(t, out->size() - 1, &out->back()));
  }
  return Status::Ok();
}

Status Loader::LoadCollector(const TableReader& t, CollectorSpec* out) {
  PAWS_RETURN_IF_ERROR(t.CheckKeys({"id", "type", "endpoint", "cid", "poll_interval", "streams",
                                    "secret_env", "secret_file", "client_id", "max_pages_per_cycle",
                                    "collection_start", "params", "stall_after", "grace",
                                    "takeover", "upstream_queue"}));
  for (const char* key : {"id", "type", "endpoint", "streams"}) {
    PAWS_RETURN_IF_ERROR(t.Require(key));
  }
  PAWS_RETURN_IF_ERROR(t.ReadNonEmptyString("id", &out->id));
  if (!IsValidCollectorId(out->id)) {
    return t.Error(
        "id", "expected letters, digits, '.', '_' or '-' (a UUID is typical), got " + Quote(out->id),
        t.Find("id"));
  }
  PAWS_RETURN_IF_ERROR(t.ReadNonEmptyString("type", &out->type));
  PAWS_RETURN_IF_ERROR(t.ReadNonEmptyString("endpoint", &out->endpoint));
  size_t scheme = StartsWithNoCase(out->endpoint, "http://")    ? 7
                  : StartsWithNoCase(out->endpoint, "https://") ? 8
                                                                : 0;
  if (scheme == 0 || out->endpoint.size() == scheme) {
    return t.Error("endpoint",
                   "expected a URL starting with http:// or https://, got " + Quote(out->endpoint),
                   t.Find("endpoint"));
  }
  PAWS_RETURN_IF_ERROR(t.ReadString("cid", &out->cid));
  PAWS_RETURN_IF_ERROR(
      t.ReadDuration("poll_interval", ZeroDuration::kRejected, &out->poll_interval));
  PAWS_RETURN_IF_ERROR(LoadStreams(t, &out->streams));
  PAWS_RETURN_IF_ERROR(t.ReadString("client_id", &out->client_id));
  constexpr int64_t kNoMax = std::numeric_limits<int>::max();
  PAWS_RETURN_IF_ERROR(t.ReadInt("max_pages_per_cycle", 1, kNoMax, &out->max_pages_per_cycle));
  PAWS_RETURN_IF_ERROR(LoadCollectionStart(t, &out->collection_start));
  PAWS_RETURN_IF_ERROR(LoadHealthOverrides(t, out));
  PAWS_RETURN_IF_ERROR(t.ReadBool("takeover", &out->takeover));
  PAWS_RETURN_IF_ERROR(t.ReadString("upstream_queue", &out->upstream_queue));
  return LoadParams(t, &out->params);
}

Status Loader::LoadHealthOverrides(const TableReader& t, CollectorSpec* out) {
  for (auto [key, field] : {std::pair{"stall_after", &out->stall_after},
                            std::pair{"grace", &out->grace}}) {
    if (t.Find(key) == nullptr) continue;
    Duration d{0};
    PAWS_RETURN_IF_ERROR(t.ReadDuration(key, ZeroDuration::kRejected, &d));
    *field = d;
  }
  return Status::Ok();
}

// The upstream form: the keys are the upstream variables (upstream_env.h),
// with their values written as strings, as in the environment.
Status Loader::LoadUpstreamCollector(const TableReader& t, CollectorSpec* out) {
  // A native key here is most likely a table half converted: say which
  // variable replaces it.
  static constexpr std::pair<const char*, const char*> kNative[] = {
      {"id", "collector_id"},
      {"type", "paws_type_name"},
      {"endpoint", "paws_endpoint"},
      {"cid", "customer_id"},
      {"poll_interval", "paws_poll_interval"},
      {"streams", "collector_streams"},
      {"client_id", "paws_api_client_id"},
      {"max_pages_per_cycle", "paws_max_pages_per_invocation"},
      {"collection_start", "paws_collection_start_ts"},
      {"params", "paws_collector_param_string_1 or _2"},
      {"takeover", "nothing (a collector in upstream form is always taken over)"},
      {"upstream_queue", "paws_state_queue_url"}};
  for (auto [native, variable] : kNative) {
    if (t.Find(native) != nullptr) {
      return t.Error(native,
                     std::string("native key in a [[collector]] in upstream form (it has "
                                 "paws_type_name); write ") +
                         variable + " instead");
    }
  }
  const std::vector<UpstreamVariable>& known = KnownUpstreamVariables();
  for (const auto& [key, node] : t.table()) {
    std::string_view name = key.str();
    if (name == "secret_env" || name == "secret_file" || name == "stall_after" ||
        name == "grace") {
      continue;
    }
    auto it = std::find_if(known.begin(), known.end(),
                           [&](const UpstreamVariable& v) { return v.name == name; });
    if (it == known.end()) {
      return t.Error(name,
                     "unknown key in a [[collector]] in upstream form; its keys are the upstream "
                     "variables (docs/configuration.md) and secret_env, secret_file, "
                     "stall_after, grace");
    }
    if (!node.is_string() && !(it->integer && node.is_integer())) {
      return t.Error(name,
                     std::string("expected ") + (it->integer ? "an integer or " : "") +
                         "a string (the variable's value, as in the environment), got " +
                         DescribeValue(node),
                     &node);
    }
  }
  // The file never holds a secret, in either form: `paws migrate` could not
  // write it back, and a configuration is not a credential store.
  if (t.Find("paws_secret") != nullptr) {
    return t.Error("paws_secret",
                   "a secret in the configuration file (its value is not shown): put it in a "
                   "file (paws_secret_file or secret_file) or in an environment variable "
                   "(secret_env); paws_secret is read from the environment only");
  }
  const bool native_secret = t.Find("secret_env") != nullptr || t.Find("secret_file") != nullptr;
  if (native_secret && t.Find("paws_secret_file") != nullptr) {
    return t.Error("paws_secret_file", "set one of paws_secret_file, secret_env, secret_file");
  }
  UpstreamVariables vars;
  vars.get = [&](const std::string& name) -> std::optional<std::string> {
    const toml::node* node = t.Find(name);
    if (node == nullptr) return std::nullopt;
    if (node->is_integer()) return std::to_string(node->as_integer()->get());
    std::string value = node->as_string()->get();
    return name == "paws_secret_file" ? Resolve(value) : value;
  };
  vars.describe = [&](const std::string& name) {
    const toml::node* node = t.Find(name);
    return file_ + ": " + t.KeyPath(name) +
           LineSuffix(node != nullptr ? node->source() : t.table().source());
  };
  PAWS_ASSIGN_OR_RETURN(*out, CollectorFromUpstream(vars, env_));
  return LoadHealthOverrides(t, out);
}

Status Loader::LoadStreams(const TableReader& t, std::vector<std::string>* out) {
  const toml::node* node = t.Find("streams");
  const toml::array* array = node->as_array();
  if (array == nullptr || array->empty()) {
    return t.Error("streams",
                   "expected a non-empty array of stream names, got " + DescribeValue(*node) +
                       (array != nullptr ? " (empty)" : ""),
                   node);
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    std::string key = "streams[" + std::to_string(i + 1) + "]";
    if (!element.is_string() || element.as_string()->get().empty()) {
      return t.Error(key, "expected a non-empty string, got " + DescribeValue(element), &element);
    }
    const std::string& name = element.as_string()->get();
    if (!seen.insert(name).second) {
      return t.Error(key, "duplicate stream " + Quote(name), &element);
    }
    out->push_back(name);
  }
  return Status::Ok();
}

// Only the source of the secret is checked here; see Load().
Status Loader::LoadSecretSource(const TableReader& t, size_t index, CollectorSpec* spec) {
  const toml::node* env_node = t.Find("secret_env");
  const toml::node* file_node = t.Find("secret_file");
  if (env_node != nullptr && file_node != nullptr) {
    return t.Error("secret_file", "set secret_env or secret_file, not both", file_node);
  }
  SecretSource source;
  source.collector = index;
  if (env_node != nullptr) {
    // The value is not shown: a credential pasted here by mistake must not
    // end up in a log.
    if (!env_node->is_string() || !IsEnvName(env_node->as_string()->get())) {
      return t.Error("secret_env",
                     "expected the name of an environment variable ([A-Za-z_][A-Za-z0-9_]*); "
                     "the value is not shown",
                     env_node);
    }
    source.key = t.KeyPath("secret_env");
    source.env_name = env_node->as_string()->get();
    source.where = env_node->source();
  } else if (file_node != nullptr) {
    if (!file_node->is_string() || file_node->as_string()->get().empty()) {
      return t.Error("secret_file", "expected a file path, got " + DescribeValue(*file_node),
                     file_node);
    }
    source.key = t.KeyPath("secret_file");
    source.file = Resolve(file_node->as_string()->get());
    source.where = file_node->source();
  } else {
    return Status::Ok();  // no secret: an empty one (or the upstream form's own)
  }
  spec->secret_env = source.env_name;
  spec->secret_file = source.file;
  secrets_.push_back(std::move(source));
  return Status::Ok();
}

// Never put the secret, or the content of its file, in a message.
Status Loader::ReadSecret(const SecretSource& source, Secret* out) {
  if (!source.env_name.empty()) {
    std::optional<std::string> value;
    if (env_.getenv) value = env_.getenv(source.env_name);
    if (!value.has_value()) {
      return SecretError(source, "environment variable " + source.env_name + " is not set",
                         codes::kSecretMissing);
    }
    if (value->empty()) {
      return SecretError(source, "environment variable " + source.env_name + " is empty",
                         codes::kSecretMissing);
    }
    *out = Secret(std::move(*value));
    return Status::Ok();
  }
  Result<Secret> secret = ReadSecretFile(env_, source.file);
  if (!secret.ok()) {
    return SecretError(source, secret.status().message(), secret.status().paws_code());
  }
  *out = std::move(secret).value();
  return Status::Ok();
}

Status Loader::LoadCollectionStart(const TableReader& t, std::string* out) {
  const toml::node* node = t.Find("collection_start");
  if (node == nullptr) return Status::Ok();
  std::string text;
  if (node->is_string()) {
    text = node->as_string()->get();
  } else if (node->is_date_time()) {
    // An unquoted TOML date-time: take its RFC 3339 text.
    std::ostringstream os;
    os << *node->as_date_time();
    text = os.str();
  }
  if (text.empty() || !ParseRfc3339(text).ok()) {
    return t.Error(
        "collection_start",
        "expected an RFC 3339 time like \"2026-01-14T12:00:00Z\", got " + DescribeValue(*node),
        node);
  }
  *out = text;
  return Status::Ok();
}

Status Loader::LoadParams(const TableReader& t, std::map<std::string, std::string>* out) {
  const toml::node* node = t.Find("params");
  if (node == nullptr) return Status::Ok();
  if (!node->is_table()) {
    return t.Error("params", "expected a table [collector.params], got " + DescribeValue(*node),
                   node);
  }
  // Keys are free-form here: each source type documents its own.
  for (const auto& [key, value] : *node->as_table()) {
    std::string text;
    switch (value.type()) {
      case toml::node_type::string:
        text = value.as_string()->get();
        break;
      case toml::node_type::integer:
      case toml::node_type::floating_point:
      case toml::node_type::boolean:
        text = DescribeValue(value);
        break;
      default:
        return t.Error("params." + std::string(key.str()),
                       "expected a string, number or boolean, got " + DescribeValue(value), &value);
    }
    (*out)[std::string(key.str())] = std::move(text);
  }
  return Status::Ok();
}

Status SyntaxError(const std::string& file, const toml::parse_error& e) {
  const auto& begin = e.source().begin;
  std::string where;
  if (begin.line != 0) {
    where =
        " (line " + std::to_string(begin.line) + ", column " + std::to_string(begin.column) + ")";
  }
  return Status(StatusCode::kInvalidArgument,
                file + ": not valid TOML: " + std::string(e.description()) + where,
                codes::kConfigSyntax);
}

}  // namespace

bool IsValidCollectorId(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

// Never put the content of the file in a message.
Result<Secret> ReadSecretFile(const ConfigEnv& env, const std::string& path) {
  Result<std::string> content = env.read_file
                                    ? env.read_file(path)
                                    : Result<std::string>(Status::Unavailable("no file access"));
  if (!content.ok()) {
    return Status::InvalidArgument(
        "cannot read secret file " + Quote(path) + ": " + content.status().message(),
        codes::kSecretMissing);
  }
  std::string value = std::move(content).value();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) {
    return Status::InvalidArgument("secret file " + Quote(path) + " is empty",
                                   codes::kSecretMissing);
  }
  // Several lines are fine (a PEM private key, a service account's JSON
  // key file); other control characters are a file that is not a secret.
  for (char c : value) {
    const bool line_break = c == '\n' || c == '\r' || c == '\t';
    if ((static_cast<unsigned char>(c) < 0x20 && !line_break) || c == 0x7f) {
      return Status::InvalidArgument(
          "secret file " + Quote(path) + " holds control characters (its content is not shown)",
          codes::kConfigInvalid);
    }
  }
  return Secret(std::move(value));
}

Result<Config> ParseConfig(const std::string& text, const std::string& file_name,
                           const ConfigEnv& env) {
  // Nothing thrown by toml++ or the standard library (bad_alloc) may leave
  // this function.
  try {
#if TOML_EXCEPTIONS
    toml::table root;
    try {
      root = toml::parse(text, file_name);
    } catch (const toml::parse_error& e) {
      return SyntaxError(file_name, e);
    }
#else
    toml::parse_result parsed = toml::parse(text, file_name);
    if (!parsed) return SyntaxError(file_name, parsed.error());
    toml::table root = std::move(parsed).table();
#endif
    Loader loader(file_name, env);
    return loader.Load(root);
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, file_name + ": cannot load: " + e.what(),
                  codes::kConfigInvalid);
  }
}

Result<Config> LoadConfigFile(const std::string& path, const ConfigEnv& env) {
  Result<std::string> text = env.read_file
                                 ? env.read_file(path)
                                 : Result<std::string>(Status::Unavailable("no file access"));
  if (!text.ok()) {
    return Status(text.status().code(), path + ": cannot read: " + text.status().message(),
                  codes::kConfigUnreadable);
  }
  return ParseConfig(*text, path, env);
}

}  // namespace paws
