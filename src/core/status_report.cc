#include "core/status_report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

namespace paws {
namespace {

std::string TimeOrDash(const std::optional<WallTime>& t) {
  return t ? FormatRfc3339(*t) : "-";
}

// "in 25s" / "3m ago", for the table.
std::string Relative(WallTime t, WallTime now) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(t - now).count();
  auto mag = secs < 0 ? -secs : secs;
  std::string v = mag < 120    ? std::to_string(mag) + "s"
                  : mag < 7200 ? std::to_string(mag / 60) + "m"
                               : std::to_string(mag / 3600) + "h";
  return secs >= 0 ? "in " + v : v + " ago";
}

std::string Truncate(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

}  // namespace

Result<std::vector<StreamStatusLine>> CollectStatus(StateStore* store, const Config& config) {
  std::vector<StreamStatusLine> out;
  for (const auto& c : config.collectors) {
    PAWS_ASSIGN_OR_RETURN(auto rows, store->ListStreams(c.id));
    std::set<std::string> configured(c.streams.begin(), c.streams.end());
    for (const auto& s : c.streams) {
      StreamStatusLine line{c.id, c.type, s, true, std::nullopt};
      for (const auto& r : rows) {
        if (r.stream == s) line.row = r;
      }
      out.push_back(std::move(line));
    }
    for (const auto& r : rows) {
      if (!configured.count(r.stream)) out.push_back({c.id, c.type, r.stream, false, r});
    }
  }
  return out;
}

std::string RenderStatusTable(const std::vector<StreamStatusLine>& lines, WallTime now) {
  std::string out = fmt::format("{:<36}  {:<16}  {:>5}  {:>7}  {:<24}  {:<10}  {:>7}  {:<8}  {}\n",
                                "COLLECTOR", "STREAM", "EPOCH", "SEQ", "LAST SUCCESS", "DUE",
                                "RETRIES", "STATUS", "LAST ERROR");
  for (const auto& l : lines) {
    if (!l.row) {
      out += fmt::format("{:<36}  {:<16}  {:>5}  {:>7}  {:<24}  {:<10}  {:>7}  {:<8}  {}\n",
                         l.collector_id, l.stream, "-", "-", "-", "-", "-", "NONE",
                         "not registered");
      continue;
    }
    const StreamRow& r = *l.row;
    std::string status = l.configured ? r.last_status : r.last_status + "*";
    out += fmt::format("{:<36}  {:<16}  {:>5}  {:>7}  {:<24}  {:<10}  {:>7}  {:<8}  {}\n",
                       l.collector_id, l.stream, r.epoch, r.seq, TimeOrDash(r.last_success),
                       Relative(r.due_at, now), r.retry_count, status,
                       Truncate(r.last_error, 80));
  }
  return out;
}

std::string RenderStatusJson(const std::vector<StreamStatusLine>& lines) {
  nlohmann::json streams = nlohmann::json::array();
  for (const auto& l : lines) {
    nlohmann::json j = {{"collector_id", l.collector_id},
                        {"collector_type", l.collector_type},
                        {"stream", l.stream},
                        {"configured", l.configured},
                        {"registered", l.row.has_value()}};
    if (l.row) {
      const StreamRow& r = *l.row;
      auto opt = [](const std::optional<WallTime>& t) -> nlohmann::json {
        return t ? nlohmann::json(FormatRfc3339(*t)) : nlohmann::json(nullptr);
      };
      j.update({{"epoch", r.epoch},
                {"seq", r.seq},
                {"checkpoint", nlohmann::json::parse(r.checkpoint, nullptr, false)},
                {"last_success", opt(r.last_success)},
                {"last_attempt", opt(r.last_attempt)},
                {"due_at", FormatRfc3339(r.due_at)},
                {"retry_count", r.retry_count},
                {"last_status", r.last_status},
                {"last_error", r.last_error},
                {"last_error_at", opt(r.last_error_at)},
                {"first_seen", FormatRfc3339(r.first_seen)}});
    }
    streams.push_back(std::move(j));
  }
  return nlohmann::json{{"streams", streams}}.dump(2) + "\n";
}

}  // namespace paws
