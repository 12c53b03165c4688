#include "server/health_json.h"

#include <nlohmann/json.hpp>

namespace paws {
namespace {

using nlohmann::json;

json TimeOrNull(const std::optional<WallTime>& t) {
  return t ? json(FormatRfc3339(*t)) : json(nullptr);
}

json StringOrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json StreamJson(const StreamHealth& s) {
  json j = {{"stream", s.stream},
            {"class", std::string(StreamClassName(s.cls))},
            {"healthy", s.healthy},
            {"code", StringOrNull(s.code)},
            {"message", s.message}};
  if (!s.row) {
    for (const char* k : {"epoch", "seq", "last_success", "last_attempt", "due_at",
                          "retry_count", "last_status", "last_error", "last_error_at"}) {
      j[k] = nullptr;
    }
    return j;
  }
  const StreamRow& r = *s.row;
  j["epoch"] = r.epoch;
  j["seq"] = r.seq;
  j["last_success"] = TimeOrNull(r.last_success);
  j["last_attempt"] = TimeOrNull(r.last_attempt);
  j["due_at"] = FormatRfc3339(r.due_at);
  j["retry_count"] = r.retry_count;
  j["last_status"] = StringOrNull(r.last_status);
  j["last_error"] = StringOrNull(r.last_error);
  j["last_error_at"] = TimeOrNull(r.last_error_at);
  return j;
}

json CollectorJson(const CollectorHealth& c) {
  json streams = json::array();
  for (const auto& s : c.streams) streams.push_back(StreamJson(s));
  return {{"collector_id", c.collector_id},
          {"collector_type", c.collector_type},
          {"healthy", c.healthy},
          {"code", StringOrNull(c.code)},
          {"message", c.message},
          {"streams", std::move(streams)}};
}

// Text from APIs may hold invalid UTF-8, on which dump() would throw.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string HealthReportJson(const HealthReport& report) {
  json collectors = json::array();
  for (const auto& c : report.collectors) collectors.push_back(CollectorJson(c));
  json checked_at =
      report.at == WallTime() ? json(nullptr) : json(FormatRfc3339(report.at));
  return Dump({{"healthy", report.healthy},
               {"checked_at", std::move(checked_at)},
               {"collectors", std::move(collectors)}});
}

std::string CollectorHealthJson(const CollectorHealth& collector) {
  return Dump(CollectorJson(collector));
}

}  // namespace paws
