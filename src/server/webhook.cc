#include "server/webhook.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

namespace paws {

WebhookNotifier::WebhookNotifier(WebhookOptions options, HttpClient* http, Clock* clock)
    : options_(std::move(options)), http_(http), clock_(clock) {
  options_.max_attempts = std::max(options_.max_attempts, 1);
  options_.queue_limit = std::max<size_t>(options_.queue_limit, 1);
  thread_ = std::thread([this] { Run(); });
}

WebhookNotifier::~WebhookNotifier() { Stop(); }

std::vector<ClassChange> WebhookNotifier::Changes(const HealthReport& previous,
                                                  const HealthReport& current) {
  std::map<std::pair<std::string, std::string>, StreamClass> before;
  for (const auto& c : previous.collectors) {
    for (const auto& s : c.streams) before[{c.collector_id, s.stream}] = s.cls;
  }
  std::vector<ClassChange> out;
  for (const auto& c : current.collectors) {
    for (const auto& s : c.streams) {
      auto it = before.find({c.collector_id, s.stream});
      std::optional<StreamClass> from;
      if (it != before.end()) {
        if (it->second == s.cls) continue;
        from = it->second;
      } else if (s.healthy) {
        continue;  // a new stream that is fine is no news
      }
      out.push_back({c.collector_id, s.stream, from, s.cls, s.healthy, s.code, s.message,
                     current.at});
    }
  }
  return out;
}

std::string WebhookNotifier::Payload(const ClassChange& ch) {
  using nlohmann::json;
  json j = {{"collector_id", ch.collector_id},
            {"stream", ch.stream},
            {"from", ch.from ? json(std::string(StreamClassName(*ch.from))) : json(nullptr)},
            {"to", std::string(StreamClassName(ch.to))},
            {"healthy", ch.healthy},
            {"code", ch.code.empty() ? json(nullptr) : json(ch.code)},
            {"message", ch.message},
            {"at", FormatRfc3339(ch.at)}};
  // An API's error text in the message may not be UTF-8; dump() would throw.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void WebhookNotifier::Notify(const HealthReport& previous, const HealthReport& current) {
  std::vector<ClassChange> changes = Changes(previous, current);
  if (changes.empty()) return;
  std::vector<std::string> bodies;
  bodies.reserve(changes.size());
  for (const auto& ch : changes) bodies.push_back(Payload(ch));
  int64_t dropped = 0;
  int64_t dropped_before = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    for (auto& b : bodies) {
      if (queue_.size() >= options_.queue_limit) {
        queue_.pop_front();
        ++dropped;
      }
      queue_.push_back(std::move(b));
    }
    dropped_before = dropped_;
    dropped_ += dropped;
  }
  cv_.notify_all();
  // Once, then every hundredth: a receiver that is down must not flood the log.
  if (dropped > 0 && (dropped_before == 0 || dropped_before / 100 != (dropped_before + dropped) / 100)) {
    spdlog::warn("webhook: queue full ({} waiting), dropping the oldest; {} dropped so far",
                 options_.queue_limit, dropped_before + dropped);
  }
}

void WebhookNotifier::Run() {
  for (;;) {
    std::string body;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      if (stopping_ && clock_->MonotonicNow() >= drain_deadline_) {
        dropped_ += static_cast<int64_t>(queue_.size());
        spdlog::warn("webhook: stopping, dropped {} unsent notification(s)", queue_.size());
        queue_.clear();
        return;
      }
      body = std::move(queue_.front());
      queue_.pop_front();
      sending_ = true;
    }
    Deliver(body);
    std::lock_guard<std::mutex> lock(mu_);
    sending_ = false;
  }
}

std::string WebhookNotifier::Redacted(std::string text) {
  // Transport errors name the URL (in whatever form the client chose), and a
  // webhook URL often is the secret, a token in its path or query: replace
  // every word that holds "://" (up to a trailing ':').
  for (size_t at = text.find("://"); at != std::string::npos; at = text.find("://", at)) {
    size_t begin = text.find_last_of(" \t\n", at);
    begin = begin == std::string::npos ? 0 : begin + 1;
    size_t end = text.find_first_of(" \t\n", at);
    if (end == std::string::npos) end = text.size();
    if (end > begin && text[end - 1] == ':') --end;
    text.replace(begin, end - begin, "<webhook url>");
    at = begin + 13;
  }
  return text;
}

void WebhookNotifier::Deliver(const std::string& body) {
  HttpRequest req;
  req.method = "POST";
  req.url = options_.url;
  req.headers = {{"Content-Type", "application/json"}, {"User-Agent", "paws/" PAWS_VERSION}};
  req.body = body;
  req.timeout = options_.timeout;
  Duration backoff = options_.backoff;
  std::string last;
  for (int attempt = 1;; ++attempt) {
    auto res = http_->Send(req);
    bool retry = false;
    if (!res.ok()) {
      retry = true;
      last = Redacted(res.status().ToString());
    } else if (res->status < 400) {
      std::lock_guard<std::mutex> lock(mu_);
      ++delivered_;
      return;
    } else {
      int code = res->status;
      retry = code >= 500 || code == 408 || code == 429;
      last = "HTTP " + std::to_string(code);
    }
    if (!retry || attempt >= options_.max_attempts || !WaitBackoff(backoff)) {
      // Not the URL: it may carry a token.
      spdlog::error("webhook: dropped a notification after {} attempt(s): {}", attempt, last);
      std::lock_guard<std::mutex> lock(mu_);
      ++rejected_;
      return;
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

bool WebhookNotifier::WaitBackoff(Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!stopping_) {
    if (!cv_.wait_for(lock, d, [this] { return stopping_; })) return true;
  }
  // Stopping: wait only within the drain deadline.
  MonoTime now = clock_->MonotonicNow();
  if (now >= drain_deadline_) return false;
  auto left = std::chrono::duration_cast<Duration>(drain_deadline_ - now);
  if (left < d) return false;
  cv_.wait_for(lock, d, [] { return false; });  // Notify() wakes: keep waiting
  return true;
}

void WebhookNotifier::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      drain_deadline_ = clock_->MonotonicNow() + options_.drain_timeout;
    }
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t WebhookNotifier::delivered() const {
  std::lock_guard<std::mutex> lock(mu_);
  return delivered_;
}

int64_t WebhookNotifier::rejected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rejected_;
}

int64_t WebhookNotifier::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

size_t WebhookNotifier::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size() + (sending_ ? 1 : 0);
}

}  // namespace paws
