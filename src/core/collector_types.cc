#include "paws/collector_types.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "paws/codes.h"

namespace paws {
namespace {

using nlohmann::json;

constexpr const char* kParam1 = kUpstreamParamStrings[0];
constexpr const char* kParam2 = kUpstreamParamStrings[1];

// A value for an error message: JSON-quoted (control characters escaped)
// and cut at 200 bytes.
std::string ShowValue(std::string_view value) {
  constexpr size_t kMax = 200;
  std::string shown(value.substr(0, kMax));
  std::string quoted =
      json(shown).dump(-1, ' ', false, json::error_handler_t::replace);
  if (value.size() > kMax) quoted += "... (" + std::to_string(value.size()) + " bytes)";
  return quoted;
}

std::vector<CollectorType> MakeTypes() {
  std::vector<CollectorType> t;
  auto add = [&](CollectorType type) { t.push_back(std::move(type)); };
  // DESIGN.md, "Streams and legacy configuration"; the fixed lists are the
  // streams the sources of paws implement.
  add({.name = "salesforce",
       .stream_concept = "object names",
       .has_streams = true,
       .legacy_list_var = kParam2,
       .legacy_state_field = "object",
       .streams = {"LoginHistory", "EventLogFile", "ApiEvent", "LoginEvent", "LogoutEvent",
                   "LoginAsEvent"},
       .param_string_1 = "username",
       .param_string_2 = ""});
  add({.name = "carbonblack",
       .stream_concept = "API names",
       .has_streams = true,
       .legacy_list_var = kParam1,
       .legacy_state_field = "apiName",
       .streams = {"AuditLogEvents", "SearchAlerts", "SearchAlertsCBAnalytics",
                   "SearchAlertsVmware", "SearchAlertsWatchlist"},
       .param_string_1 = "",
       .param_string_2 = "org_key"});
  add({.name = "gsuite",
       .stream_concept = "application names",
       .has_streams = true,
       .legacy_list_var = kParam2,
       .legacy_state_field = "application",
       .streams = {"access_evaluation", "access_transparency", "admin", "admin_data_action",
                   "assignments", "calendar", "chat", "chrome", "classroom",
                   "context_aware_access", "data_studio", "drive", "gcp", "gplus", "groups",
                   "groups_enterprise", "jamboard", "keep", "login", "meet", "mobile", "rules",
                   "saml", "token", "user_accounts", "vault"},
       .param_string_1 = "scope",
       .param_string_2 = ""});
  add({.name = "o365",
       .stream_concept = "content types",
       .has_streams = true,
       .legacy_list_var = kParam2,
       .legacy_state_field = "stream",
       .streams = {"Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint",
                   "Audit.General", "DLP.All"},
       .param_string_1 = "tenant_id",
       .param_string_2 = ""});
  add({.name = "sophossiem",
       .stream_concept = "object names",
       .has_streams = true,
       .legacy_list_var = kParam1,
       .legacy_state_field = "objectName",
       .streams = {},
       .param_string_1 = "",
       .param_string_2 = ""});
  for (const char* name : {"ciscoamp", "googlestackdriver"}) {
    add({.name = name,
         .stream_concept = "resource names",
         .has_streams = true,
         .legacy_list_var = kParam1,
         .legacy_state_field = "resource",
         .streams = {},
         .param_string_1 = "",
         .param_string_2 = ""});
  }
  for (const char* name : {"okta", "auth0"}) {
    add({.name = name,
         .stream_concept = "the type name",
         .has_streams = false,
         .legacy_list_var = "",
         .legacy_state_field = "",
         .streams = {name},
         .param_string_1 = "",
         .param_string_2 = ""});
  }
  // paws's own: no upstream variables or states.
  add({.name = "http_json",
       .stream_concept = "stream names",
       .has_streams = true,
       .legacy_list_var = "",
       .legacy_state_field = "",
       .streams = {},
       .param_string_1 = "",
       .param_string_2 = "",
       .upstream = false});
  add({.name = "fake",
       .stream_concept = "stream names",
       .has_streams = true,
       .legacy_list_var = "",
       .legacy_state_field = "",
       .streams = {},
       .param_string_1 = "",
       .param_string_2 = "",
       .upstream = false});
  return t;
}

}  // namespace

bool CollectorType::KnowsStream(std::string_view stream) const {
  if (stream.empty()) return false;
  if (streams.empty()) return true;
  return std::find(streams.begin(), streams.end(), stream) != streams.end();
}

std::string CollectorType::StreamList() const {
  if (streams.empty()) return "any name";
  std::string out;
  for (const auto& s : streams) out += (out.empty() ? "" : ", ") + s;
  return out;
}

const std::vector<CollectorType>& CollectorTypes() {
  static const std::vector<CollectorType> types = MakeTypes();
  return types;
}

const CollectorType* FindCollectorType(std::string_view name) {
  for (const CollectorType& t : CollectorTypes()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string StreamOfState(const CollectorType& type, const std::string& state_json) {
  json j = json::parse(state_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return "";
  auto field = [&](const std::string& key) -> std::string {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
  };
  std::string stream = field("stream");
  if (stream.empty() && !type.legacy_state_field.empty()) stream = field(type.legacy_state_field);
  if (stream.empty() && !type.has_streams) stream = type.name;
  return stream;
}

Result<std::vector<std::string>> ParseStreamList(const CollectorType& type,
                                                 std::string_view variable,
                                                 std::string_view value) {
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument(
        std::string(variable) + " = " + ShowValue(value) + ": " + what, codes::kConfigInvalid);
  };
  json j = json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return bad("not JSON; expected a JSON array of " + type.stream_concept +
               " such as [\"" + (type.streams.empty() ? "name" : type.streams.front()) + "\"]");
  }
  if (!j.is_array()) return bad("expected a JSON array, got a JSON " + std::string(j.type_name()));
  if (j.empty()) return bad("the list is empty; a collector needs at least one stream");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < j.size(); ++i) {
    const json& e = j[i];
    std::string at = "element " + std::to_string(i + 1);
    if (!e.is_string()) return bad(at + " is a " + std::string(e.type_name()) + ", not a string");
    std::string name = e.get<std::string>();
    if (name.empty()) return bad(at + " is an empty stream name");
    if (!type.KnowsStream(name)) {
      std::string known = type.has_streams
                              ? "its " + type.stream_concept + ": " + type.StreamList()
                              : "its one stream is " + ShowValue(type.name);
      return bad(at + ": " + type.name + " has no stream " + ShowValue(name) + " (" + known + ")");
    }
    if (!seen.insert(name).second) return bad(at + ": stream " + ShowValue(name) + " twice");
    out.push_back(std::move(name));
  }
  return out;
}

}  // namespace paws
