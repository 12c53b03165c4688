#include "tools/fake_saas/services/carbonblack.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "tools/fake_saas/fake_events.h"
#include "tools/fake_saas/services/service_util.h"

namespace paws {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr const char* kAuditStream = "AuditLogEvents";
constexpr int64_t kDefaultRows = 20;         // the search APIs' default page size
constexpr int64_t kMaxResultWindow = 10000;  // rows beyond start + rows - 1 > 10000 are not served

FakeResponse JsonResponse(int status, const std::string& body) {
  return FakeJsonResponse(status, body, "application/json");
}

// Carbon Black Cloud's error document.
FakeResponse CbError(int status, const std::string& code, const std::string& message) {
  return JsonResponse(status,
                      json{{"success", false}, {"message", message}, {"error_code", code}}.dump());
}

FakeResponse BadRequest(const std::string& message) {
  return CbError(400, "INVALID_QUERY", message);
}

// The stream of a path after /t/<tenant> and its org key, or nullopt.
std::optional<std::pair<std::string, std::string>> Route(const std::string& rest) {
  static const std::pair<const char*, const char*> kAlertPaths[] = {
      {"/alerts/_search", "SearchAlerts"},
      {"/alerts/cbanalytics/_search", "SearchAlertsCBAnalytics"},
      {"/alerts/vmware/_search", "SearchAlertsVmware"},
      {"/alerts/watchlist/_search", "SearchAlertsWatchlist"},
  };
  // The org key after `prefix` and what follows it.
  auto split =
      [&](const std::string& prefix) -> std::optional<std::pair<std::string, std::string>> {
    if (rest.rfind(prefix, 0) != 0) return std::nullopt;
    const size_t end = rest.find('/', prefix.size());
    if (end == std::string::npos || end == prefix.size()) return std::nullopt;
    return std::pair{rest.substr(prefix.size(), end - prefix.size()), rest.substr(end)};
  };
  if (auto org = split("/audit_log/v1/orgs/")) {
    if (org->second == "/logs/_search") return std::pair{org->first, std::string(kAuditStream)};
    return std::nullopt;
  }
  if (auto org = split("/appservices/v6/orgs/")) {
    for (const auto& [path, stream] : kAlertPaths) {
      if (org->second == path) return std::pair{org->first, std::string(stream)};
    }
  }
  return std::nullopt;
}

uint64_t Fnv1a64(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// Varied but deterministic details of record k, from its event id's digits.
unsigned Variety(const std::string& tenant, const std::string& stream, int64_t k) {
  return static_cast<unsigned>(
      std::stoul(FakeEventId(tenant, stream, k).substr(0, 8), nullptr, 16));
}

std::string AuditJson(const std::string& tenant, const std::string& org_key, int64_t k,
                      int64_t period_ms) {
  static const char* const kWhat[] = {"Logged in successfully", "Updated policy Standard",
                                      "Created connector SIEM", "Deleted API key",
                                      "Live response session started"};
  const unsigned r = Variety(tenant, kAuditStream, k);
  const unsigned user = (r >> 8) % 50;
  ordered_json e = {
      {"org_key", org_key},
      {"actor_ip", "10.1." + std::to_string(user / 10) + "." + std::to_string(user)},
      {"actor", "user" + std::to_string(user) + "@" + tenant + ".example"},
      {"request_url", nullptr},
      {"description", kWhat[r % std::size(kWhat)]},
      {"create_time", FormatRfc3339(FromUnixMillis(k * period_ms))},
      {"flagged", false},
      {"verbose", false},
  };
  return e.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

std::string AlertJson(const std::string& tenant, const std::string& org_key,
                      const std::string& stream, int64_t k, int64_t period_ms) {
  static const char* const kAnyType[] = {"CB_ANALYTICS", "WATCHLIST", "DEVICE_CONTROL",
                                         "CONTAINER_RUNTIME", "VMWARE"};
  const unsigned r = Variety(tenant, stream, k);
  std::string type = kAnyType[r % std::size(kAnyType)];
  if (stream == "SearchAlertsCBAnalytics") type = "CB_ANALYTICS";
  if (stream == "SearchAlertsVmware") type = "VMWARE";
  if (stream == "SearchAlertsWatchlist") type = "WATCHLIST";
  const std::string id = FakeEventId(tenant, stream, k);
  const std::string at = FormatRfc3339(FromUnixMillis(k * period_ms));
  const unsigned device = (r >> 8) % 40;
  ordered_json e = {
      {"id", id},
      {"legacy_alert_id", id.substr(0, 8)},
      {"org_key", org_key},
      {"create_time", at},
      {"last_update_time", at},
      {"first_event_time", at},
      {"last_event_time", at},
      {"threat_id", FakeEventId(tenant, "threat", r % 100)},
      {"severity", 1 + static_cast<int>(r % 10)},
      {"category", "THREAT"},
      {"device_id", 1000 + device},
      {"device_os", "WINDOWS"},
      {"device_name", "host-" + std::to_string(device)},
      {"device_username", "user" + std::to_string(device) + "@" + tenant + ".example"},
      {"policy_name", "Standard"},
      {"target_value", "MEDIUM"},
      {"workflow", {{"state", "OPEN"}, {"remediation", nullptr}, {"last_update_time", at}}},
      {"type", type},
      {"reason", "Fake alert " + std::to_string(k) + " of " + stream},
  };
  return e.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// A request body's integer member, `fallback` when absent; nullopt when it
// is not a non-negative integer.
std::optional<int64_t> Count(const json& body, const char* key, int64_t fallback) {
  auto it = body.find(key);
  if (it == body.end()) return fallback;
  if (!it->is_number_integer() || it->get<int64_t>() < 0) return std::nullopt;
  return it->get<int64_t>();
}

class FakeCarbonBlackService : public FakeService {
 public:
  explicit FakeCarbonBlackService(FakeCarbonBlackOptions options) : options_(options) {}

  std::string_view name() const override { return "carbonblack"; }

  std::optional<FakeResponse> Handle(const std::string& tenant, const std::string& rest,
                                     const FakeRequest& req, FakeServiceContext& ctx) override {
    auto route = Route(rest);
    if (!route) return std::nullopt;
    const auto& [org_key, stream] = *route;
    if (req.method != "POST") return CbError(405, "METHOD_NOT_ALLOWED", "Use POST");
    const WallTime now = ctx.Now();
    Duration delay{0};
    if (std::optional<FakeFault> fault = ctx.BeginRequest(tenant, stream)) {
      if (fault->kind == FakeFaultKind::kSlow) {
        delay = Duration(fault->delay_ms);
      } else if (fault->kind != FakeFaultKind::kNone) {
        return FaultResponse(*fault);
      }
    }
    if (std::optional<FakeResponse> denied = CheckAuth(tenant, org_key, req, ctx)) return *denied;
    if (std::optional<int64_t> retry = Take(tenant, now)) return TooMany(*retry);
    FakeResponse res = Search(tenant, org_key, stream, req, now, ctx);
    res.delay = delay;
    return res;
  }

 private:
  struct Bucket {
    int64_t window = -1;
    int64_t used = 0;
  };

  // X-Auth-Token "<secret>/<id>": both parts non-empty, the secret the
  // tenant's configured token when it has one; an org key of [A-Z0-9].
  std::optional<FakeResponse> CheckAuth(const std::string& tenant, const std::string& org_key,
                                        const FakeRequest& req, FakeServiceContext& ctx) const {
    const std::string token = FakeHeaderOf(req.headers, "X-Auth-Token");
    const size_t slash = token.rfind('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == token.size()) {
      return CbError(401, "UNAUTHORIZED", "Missing or malformed X-Auth-Token");
    }
    const std::string required = ctx.RequiredToken(tenant);
    if (!required.empty() && token.substr(0, slash) != required) {
      return CbError(401, "UNAUTHORIZED", "Invalid API key");
    }
    if (org_key.empty() || !std::all_of(org_key.begin(), org_key.end(), [](char c) {
          return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        })) {
      return CbError(401, "BAD_REQUEST", "Illegal org key " + org_key);
    }
    return std::nullopt;
  }

  FakeResponse Search(const std::string& tenant, const std::string& org_key,
                      const std::string& stream, const FakeRequest& req, WallTime now,
                      FakeServiceContext& ctx) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return BadRequest("Request body is not a JSON object");
    const json* range = nullptr;
    if (auto c = body.find("criteria"); c != body.end() && c->is_object()) {
      if (auto t = c->find("create_time"); t != c->end() && t->is_object()) range = &*t;
    }
    if (range == nullptr) return BadRequest("the fake requires criteria.create_time");
    auto time_of = [&](const char* key) -> std::optional<WallTime> {
      auto it = range->find(key);
      if (it == range->end() || !it->is_string()) return std::nullopt;
      Result<WallTime> t = ParseRfc3339(it->get<std::string>());
      return t.ok() ? std::optional<WallTime>(*t) : std::nullopt;
    };
    const std::optional<WallTime> start_time = time_of("start"), end_time = time_of("end");
    if (!start_time || !end_time) {
      return BadRequest("create_time needs start and end in ISO 8601 format");
    }
    const std::optional<int64_t> rows = Count(body, "rows", kDefaultRows);
    std::optional<int64_t> start = Count(body, "start", 1);
    if (!rows || !start || *rows < 1 || *rows > kMaxResultWindow) {
      return BadRequest("rows must be 1..10000 and start a non-negative integer");
    }
    if (*start == 0) start = 1;  // rows are numbered from 1
    if (*start + *rows - 1 > kMaxResultWindow) {
      return BadRequest("start + rows must not exceed 10000 results");
    }
    if (auto s = body.find("sort"); s != body.end()) {
      const json asc = json::array({{{"field", "create_time"}, {"order", "ASC"}}});
      if (*s != asc) return BadRequest("the fake sorts by create_time ASC only");
    }
    // Both ends inclusive, as Carbon Black's ranges are; nothing from the future.
    const int64_t period = ctx.PeriodMs(tenant);
    const int64_t first = FakeFirstIndexAtOrAfter(ToUnixMillis(*start_time), period);
    const int64_t end = std::min(FakeFirstIndexAtOrAfter(ToUnixMillis(*end_time) + 1, period),
                                 FakeFirstIndexAtOrAfter(ToUnixMillis(now), period));
    const int64_t found = std::max<int64_t>(0, end - first);
    const int64_t from = first + *start - 1;
    const int64_t to = std::min(end, from + *rows);
    std::string results;
    std::vector<std::string> ids;
    for (int64_t k = from; k < to; ++k) {
      if (!results.empty()) results += ",";
      results += FakeCarbonBlackRecordJson(tenant, org_key, stream, k, period);
      ids.push_back(FakeCarbonBlackEventId(tenant, org_key, stream, k, period));
    }
    ctx.RecordServed(tenant, stream, ids);
    std::string counts = "\"num_found\":" + std::to_string(found);
    if (stream == kAuditStream) counts += ",\"num_available\":" + std::to_string(found);
    return JsonResponse(200, "{" + counts + ",\"results\":[" + results + "]}");
  }

  // Counts a request in the tenant's rate-limit window: nullopt when it is
  // allowed, else the seconds until the window ends.
  std::optional<int64_t> Take(const std::string& tenant, WallTime now) {
    const int64_t window_ms = std::max<int64_t>(1000, options_.rate_limit_window.count());
    const int64_t window = ToUnixMillis(now) / window_ms;
    std::lock_guard<std::mutex> lock(mu_);
    Bucket& b = buckets_[tenant];
    if (b.window != window) b = Bucket{window, 0};
    if (b.used >= options_.rate_limit_requests) {
      return ((window + 1) * window_ms - ToUnixMillis(now) + 999) / 1000;
    }
    ++b.used;
    return std::nullopt;
  }

  static FakeResponse TooMany(int64_t retry_after_sec) {
    FakeResponse res = CbError(429, "TOO_MANY_REQUESTS", "Too Many Requests");
    res.headers.emplace_back("Retry-After", std::to_string(retry_after_sec));
    return res;
  }

  static FakeResponse FaultResponse(const FakeFault& fault) {
    FakeResponse res;
    switch (fault.kind) {
      case FakeFaultKind::k401:
        return CbError(401, "UNAUTHORIZED", "Invalid API key");
      case FakeFaultKind::k429:
        return TooMany(fault.retry_after_sec);
      case FakeFaultKind::k500:
        return CbError(500, "INTERNAL_ERROR", "Internal Server Error");
      case FakeFaultKind::kCrash:  // only the fake source crashes on it
        res = JsonResponse(200, "{\"num_found\":0,\"results\":[]}");
        res.headers.emplace_back("X-Fake-Crash", "abort");
        return res;
      case FakeFaultKind::kMalformed:
      default:
        return JsonResponse(200, "{\"num_found\":1,\"results\":[{\"id\":\"");
    }
  }

  const FakeCarbonBlackOptions options_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace

std::string FakeCarbonBlackRecordJson(const std::string& tenant, const std::string& org_key,
                                      const std::string& stream, int64_t k, int64_t period_ms) {
  return stream == kAuditStream ? AuditJson(tenant, org_key, k, period_ms)
                                : AlertJson(tenant, org_key, stream, k, period_ms);
}

std::string FakeCarbonBlackEventId(const std::string& tenant, const std::string& org_key,
                                   const std::string& stream, int64_t k, int64_t period_ms) {
  if (stream != kAuditStream) return FakeEventId(tenant, stream, k);
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(
                    Fnv1a64(FakeCarbonBlackRecordJson(tenant, org_key, stream, k, period_ms))));
  return std::string("audit-") + hex;
}

std::unique_ptr<FakeService> MakeFakeCarbonBlackService(FakeCarbonBlackOptions options) {
  return std::make_unique<FakeCarbonBlackService>(options);
}

}  // namespace paws
