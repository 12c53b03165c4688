#include "config/upstream_env.h"

#include <charconv>
#include <limits>
#include <utility>

#include "config/duration.h"
#include "config/table_reader.h"
#include "paws/clock.h"
#include "paws/codes.h"
#include "paws/collector_types.h"

namespace paws {
namespace {

using config_internal::Quote;
using config_internal::StartsWithNoCase;

// The upstream variables (docs/migration.md). The two parameter strings are
// named here because they are read whatever the type; whether one of them
// is the stream list is the registry's answer (legacy_list_var).
constexpr const char* kCollectorId = "collector_id";
constexpr const char* kCustomerId = "customer_id";
constexpr const char* kTypeName = "paws_type_name";
constexpr const char* kEndpoint = "paws_endpoint";
constexpr const char* kPollInterval = "paws_poll_interval";
constexpr const char* kCollectorStreams = "collector_streams";
constexpr const char* const* kParamStrings = kUpstreamParamStrings;
constexpr const char* kStartTs = "paws_collection_start_ts";
constexpr const char* kClientId = "paws_api_client_id";
constexpr const char* kAuthType = "paws_api_auth_type";
constexpr const char* kMaxPages = "paws_max_pages_per_invocation";
constexpr const char* kSecret = "paws_secret";
constexpr const char* kSecretFile = "paws_secret_file";
constexpr const char* kStateQueueUrl = "paws_state_queue_url";

// Reads the variables of one collector and words every error the same way:
// "<where the variable is> = <its value>: <what is wrong>".
class Reader {
 public:
  explicit Reader(const UpstreamVariables& vars) : vars_(vars) {}

  // The value, or nullopt when the variable is unset or empty.
  std::optional<std::string> Get(const std::string& name) const {
    if (!vars_.get) return std::nullopt;
    std::optional<std::string> value = vars_.get(name);
    if (value.has_value() && value->empty()) return std::nullopt;
    return value;
  }
  std::string Describe(const std::string& name) const {
    return vars_.describe ? vars_.describe(name) : name;
  }
  Status Bad(const std::string& name, std::string_view value, const std::string& what,
             std::string_view code = codes::kConfigInvalid) const {
    return Status::InvalidArgument(Describe(name) + " = " + Quote(value) + ": " + what, code);
  }
  Result<std::string> Required(const std::string& name, const std::string& what) const {
    std::optional<std::string> value = Get(name);
    if (!value.has_value()) {
      return Status::InvalidArgument(Describe(name) + ": not set; required: " + what,
                                     codes::kConfigInvalid);
    }
    return *value;
  }
  // A whole number in [1, max], written in decimal digits only.
  Result<std::optional<int64_t>> PositiveInt(const std::string& name, int64_t max,
                                             const std::string& unit) const {
    std::optional<std::string> value = Get(name);
    if (!value.has_value()) return std::optional<int64_t>();
    int64_t n = 0;
    const char* begin = value->data();
    const char* end = begin + value->size();
    auto [ptr, ec] = std::from_chars(begin, end, n);
    bool digits_only = !value->empty() && (*value)[0] != '-' && (*value)[0] != '+';
    if (ec != std::errc() || ptr != end || !digits_only || n < 1 || n > max) {
      return Bad(name, *value,
                 "expected a whole number of " + unit + " from 1 to " + std::to_string(max));
    }
    return std::optional<int64_t>(n);
  }

 private:
  const UpstreamVariables& vars_;
};

Result<const CollectorType*> ReadType(const Reader& r) {
  std::string known;
  for (const CollectorType& t : CollectorTypes()) known += (known.empty() ? "" : ", ") + t.name;
  PAWS_ASSIGN_OR_RETURN(std::string name, r.Required(kTypeName, "one of " + known));
  const CollectorType* type = FindCollectorType(name);
  if (type == nullptr) return r.Bad(kTypeName, name, "unknown collector type; known: " + known);
  return type;
}

// Upstream endpoints are often a bare host name ("acme.okta.com").
Result<std::string> ReadEndpoint(const Reader& r) {
  PAWS_ASSIGN_OR_RETURN(std::string value,
                        r.Required(kEndpoint, "the API's host name or http(s) URL"));
  std::string url = value.find("://") == std::string::npos ? "https://" + value : value;
  size_t scheme = StartsWithNoCase(url, "http://")    ? 7
                  : StartsWithNoCase(url, "https://") ? 8
                                                      : 0;
  bool clean = true;
  for (char c : url) clean = clean && static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
  if (scheme == 0 || url.size() == scheme || url[scheme] == '/' || !clean) {
    return r.Bad(kEndpoint, value,
                 "expected a host name or an http(s) URL, like \"https://acme.okta.com\"");
  }
  return url;
}

// collector_streams wins; else the type's legacy list variable; a type
// without streams has one, named as the type.
Result<std::vector<std::string>> ReadStreams(const Reader& r, const CollectorType& type) {
  std::optional<std::string> streams = r.Get(kCollectorStreams);
  if (!type.has_streams) {
    if (!streams.has_value()) return std::vector<std::string>{type.name};
    PAWS_ASSIGN_OR_RETURN(auto list,
                          ParseStreamList(type, r.Describe(kCollectorStreams), *streams));
    for (const std::string& s : list) {
      if (s != type.name) {
        return r.Bad(kCollectorStreams, *streams,
                     type.name + " has one stream, named \"" + type.name + "\"");
      }
    }
    return list;
  }
  if (streams.has_value()) {
    return ParseStreamList(type, r.Describe(kCollectorStreams), *streams);
  }
  const std::string& legacy = type.legacy_list_var;
  if (!legacy.empty()) {
    if (std::optional<std::string> value = r.Get(legacy)) {
      return ParseStreamList(type, r.Describe(legacy), *value);
    }
  }
  std::string example = type.streams.empty() ? "name" : type.streams.front();
  return Status::InvalidArgument(
      r.Describe(kCollectorStreams) + ": not set" +
          (legacy.empty() ? "" : ", nor is " + r.Describe(legacy)) + "; a " + type.name +
          " collector needs a JSON array of its " + type.stream_concept + ", such as [\"" +
          example + "\"]",
      codes::kConfigInvalid);
}

// A parameter string that is not the stream list goes to the params key the
// registry names for it, if any.
void ReadParams(const Reader& r, const CollectorType& type, CollectorSpec* spec) {
  const std::string* keys[2] = {&type.param_string_1, &type.param_string_2};
  for (int i = 0; i < 2; ++i) {
    if (kParamStrings[i] == type.legacy_list_var || keys[i]->empty()) continue;
    if (std::optional<std::string> value = r.Get(kParamStrings[i])) spec->params[*keys[i]] = *value;
  }
}

// The secret's value is never put in a message; a file's path is.
Status ReadSecret(const Reader& r, const ConfigEnv& env, CollectorSpec* spec) {
  std::optional<std::string> value = r.Get(kSecret);
  std::optional<std::string> file = r.Get(kSecretFile);
  if (value.has_value() && file.has_value()) {
    return r.Bad(kSecretFile, *file,
                 std::string(kSecret) + " is set too (its value is not shown); set one of them");
  }
  // Where the secret comes from, for `paws migrate` writing a file.
  if (file.has_value()) spec->secret_file = *file;
  if (value.has_value()) spec->secret_env = kSecret;
  if (!env.read_secrets) return Status::Ok();
  if (value.has_value()) {
    spec->secret = Secret(std::move(*value));
  } else if (file.has_value()) {
    Result<Secret> secret = ReadSecretFile(env, *file);
    if (!secret.ok()) {
      return r.Bad(kSecretFile, *file, secret.status().message(), secret.status().paws_code());
    }
    spec->secret = std::move(secret).value();
  }
  return Status::Ok();
}

}  // namespace

const std::vector<UpstreamVariable>& KnownUpstreamVariables() {
  static const std::vector<UpstreamVariable> vars = {
      {kCollectorId, false},     {kCustomerId, false},      {kTypeName, false},
      {kEndpoint, false},        {kPollInterval, true},     {kCollectorStreams, false},
      {kParamStrings[0], false}, {kParamStrings[1], false}, {kStartTs, false},
      {kClientId, false},        {kAuthType, false},        {kMaxPages, true},
      {kSecret, false},          {kSecretFile, false},      {kStateQueueUrl, false},
  };
  return vars;
}

Result<CollectorSpec> CollectorFromUpstream(const UpstreamVariables& vars, const ConfigEnv& env) {
  Reader r(vars);
  CollectorSpec spec;
  PAWS_ASSIGN_OR_RETURN(spec.id, r.Required(kCollectorId, "the collector's id (a UUID)"));
  if (!IsValidCollectorId(spec.id)) {
    return r.Bad(kCollectorId, spec.id,
                 "expected letters, digits, '.', '_' or '-' (a UUID is typical)");
  }
  PAWS_ASSIGN_OR_RETURN(const CollectorType* type, ReadType(r));
  spec.type = type->name;
  PAWS_ASSIGN_OR_RETURN(spec.endpoint, ReadEndpoint(r));
  spec.cid = r.Get(kCustomerId).value_or("");
  PAWS_ASSIGN_OR_RETURN(
      auto poll, r.PositiveInt(kPollInterval, kMaxConfigDuration.count() / 1000, "seconds"));
  if (poll.has_value()) spec.poll_interval = std::chrono::seconds(*poll);
  PAWS_ASSIGN_OR_RETURN(spec.streams, ReadStreams(r, *type));
  ReadParams(r, *type, &spec);
  if (std::optional<std::string> start = r.Get(kStartTs)) {
    if (!ParseRfc3339(*start).ok()) {
      return r.Bad(kStartTs, *start, "expected an RFC 3339 time like \"2026-01-14T12:00:00Z\"");
    }
    spec.collection_start = *start;
  }
  spec.client_id = r.Get(kClientId).value_or("");
  // paws_api_auth_type is accepted and not used: every source of paws knows
  // how its API authenticates.
  PAWS_ASSIGN_OR_RETURN(auto pages,
                        r.PositiveInt(kMaxPages, std::numeric_limits<int>::max(), "pages"));
  if (pages.has_value()) spec.max_pages_per_cycle = static_cast<int>(*pages);
  PAWS_RETURN_IF_ERROR(ReadSecret(r, env, &spec));
  // The Lambda function's state queue: attached to this collector on the
  // aws backend (docs/aws.md).
  spec.upstream_queue = r.Get(kStateQueueUrl).value_or("");
  spec.takeover = true;
  spec.upstream_form = true;
  return spec;
}

Result<Config> AddCollectorFromEnv(Config base, const ConfigEnv& env) {
  UpstreamVariables vars;
  vars.get = [&env](const std::string& name) -> std::optional<std::string> {
    if (!env.getenv) return std::nullopt;
    return env.getenv(name);
  };
  vars.describe = [](const std::string& name) { return "environment variable " + name; };
  PAWS_ASSIGN_OR_RETURN(CollectorSpec spec, CollectorFromUpstream(vars, env));
  if (base.FindCollector(spec.id) != nullptr) {
    return Status::InvalidArgument(
        vars.describe(kCollectorId) + " = " + Quote(spec.id) + ": a collector of that id is in " +
            (base.file.empty() ? std::string("the configuration") : base.file) + " too",
        codes::kConfigInvalid);
  }
  base.collectors.push_back(std::move(spec));
  return base;
}

}  // namespace paws
