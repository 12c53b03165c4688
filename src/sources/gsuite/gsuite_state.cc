#include "sources/gsuite/gsuite_state.h"

#include <algorithm>
#include <cassert>
#include <nlohmann/json.hpp>

#include "paws/codes.h"
#include "paws/collector_types.h"

namespace paws {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

Status BadState(const std::string& what) {
  return Status::InvalidArgument("gsuite: state " + what, codes::kStateMalformed);
}

// The field older upstream collectors named the application in, as the
// collector-type registry knows it.
const std::string& LegacyField() {
  static const std::string field = [] {
    const CollectorType* type = FindCollectorType("gsuite");
    assert(type != nullptr);
    return type != nullptr ? type->legacy_state_field : std::string();
  }();
  return field;
}

}  // namespace

Result<GsuiteState> ParseGsuiteState(const std::string& state_json) {
  json j = json::parse(state_json, nullptr, false);
  if (!j.is_object()) return BadState("is not a JSON object");
  // A member that is absent or null is unset; any other non-string is bad.
  auto text = [&](const char* key, std::string* out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return Status::Ok();
    if (!it->is_string()) return BadState(std::string(key) + " is not a string");
    *out = it->get<std::string>();
    return Status::Ok();
  };
  std::string stream, legacy, since, until, quota;
  GsuiteState st;
  PAWS_RETURN_IF_ERROR(text("stream", &stream));
  if (!LegacyField().empty()) PAWS_RETURN_IF_ERROR(text(LegacyField().c_str(), &legacy));
  PAWS_RETURN_IF_ERROR(text("since", &since));
  PAWS_RETURN_IF_ERROR(text("until", &until));
  PAWS_RETURN_IF_ERROR(text("nextPage", &st.next_page));
  PAWS_RETURN_IF_ERROR(text("apiQuotaResetDate", &quota));
  if (!stream.empty() && !legacy.empty() && stream != legacy) {
    return BadState("names two applications (stream \"" + stream + "\", " + LegacyField() + " \"" +
                    legacy + "\")");
  }
  st.application = stream.empty() ? legacy : stream;
  if (st.application.empty()) {
    return BadState("names no application (stream or " + LegacyField() + ")");
  }
  Result<WallTime> s = ParseRfc3339(since), u = ParseRfc3339(until);
  if (!s.ok()) return BadState("has no valid since");
  if (!u.ok()) return BadState("has no valid until");
  if (*s > *u) return BadState("window is reversed (since > until)");
  st.since = *s;
  st.until = *u;
  if (!quota.empty()) {
    Result<WallTime> q = ParseRfc3339(quota);
    if (!q.ok()) return BadState("has an invalid apiQuotaResetDate");
    st.quota_reset = *q;
  }
  return st;
}

std::string SerializeGsuiteState(const GsuiteState& st, int64_t poll_interval_sec) {
  ordered_json j = {{"stream", st.application},
                    {"since", FormatRfc3339(st.since)},
                    {"until", FormatRfc3339(st.until)}};
  j["nextPage"] = st.next_page.empty() ? ordered_json(nullptr) : ordered_json(st.next_page);
  j["apiQuotaResetDate"] =
      st.quota_reset ? ordered_json(FormatRfc3339(*st.quota_reset)) : ordered_json(nullptr);
  j["poll_interval_sec"] = poll_interval_sec;
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

GsuiteState NextGsuiteWindow(const GsuiteState& done, WallTime now, Duration lag,
                             Duration poll_interval) {
  using std::chrono::hours;
  GsuiteState next{done.application, done.until, done.until, "", std::nullopt};
  const WallTime horizon = now - lag;
  const auto behind = horizon - next.since;
  if (behind > hours(24)) {
    next.until = next.since + hours(24);
  } else if (behind > hours(1)) {
    next.until = next.since + hours(1);
  } else {
    next.until = std::max(horizon, next.since + poll_interval);
  }
  return next;
}

}  // namespace paws
