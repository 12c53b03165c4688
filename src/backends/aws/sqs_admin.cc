#include "backends/aws/sqs_admin.h"

#include <charconv>

#include "paws/codes.h"

namespace paws::aws {
namespace {

using nlohmann::json;

constexpr int64_t kMaxVisibilityS = 12 * 3600;
constexpr int64_t kMinRetentionS = 60;
constexpr int64_t kMaxRetentionS = 14 * 86400;
constexpr size_t kMaxNameLength = 80;

bool IsUrl(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

// The queue name at the end of a queue URL (".../123456789012/paws-state").
std::string NameOf(const std::string& name_or_url) {
  if (!IsUrl(name_or_url)) return name_or_url;
  std::string s = name_or_url;
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s.substr(s.rfind('/') + 1);
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (char ch : name) {
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_')) return false;
  }
  return true;
}

// An attribute that SQS reports as a decimal string; -1 when absent.
Result<int64_t> Attribute(const json& attrs, const char* name, const std::string& queue) {
  auto it = attrs.find(name);
  if (it == attrs.end()) return int64_t{-1};
  std::string s = it->is_string() ? it->get<std::string>() : it->dump();
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    return Status::Internal("sqs GetQueueAttributes of " + queue + ": attribute " + name +
                                " is not a number: \"" + s.substr(0, 64) + "\"",
                            codes::kStoreUnavailable);
  }
  return v;
}

Result<std::string> CreateQueue(AwsJsonClient& c, const std::string& name, int64_t visibility_s,
                                int64_t retention_s) {
  json attrs{{"MessageRetentionPeriod", std::to_string(retention_s)}};
  if (visibility_s >= 0) attrs["VisibilityTimeout"] = std::to_string(visibility_s);
  PAWS_ASSIGN_OR_RETURN(json resp,
                        c.Call("CreateQueue", json{{"QueueName", name}, {"Attributes", attrs}}));
  auto url = resp.find("QueueUrl");
  if (url == resp.end() || !url->is_string()) {
    return Status::Internal("sqs CreateQueue " + name + ": the answer has no QueueUrl",
                            codes::kStoreUnavailable);
  }
  return url->get<std::string>();
}

}  // namespace

std::string FormatQueueDuration(int64_t seconds) {
  if (seconds > 0 && seconds % 86400 == 0) {
    int64_t days = seconds / 86400;
    return std::to_string(days) + (days == 1 ? " day" : " days");
  }
  return std::to_string(seconds) + " s";
}

Result<std::string> QueueUrlOf(AwsJsonClient& c, const std::string& name_or_url) {
  if (IsUrl(name_or_url)) return name_or_url;
  PAWS_ASSIGN_OR_RETURN(json resp, c.Call("GetQueueUrl", json{{"QueueName", name_or_url}}));
  auto url = resp.find("QueueUrl");
  if (url == resp.end() || !url->is_string()) {
    return Status::Internal("sqs GetQueueUrl " + name_or_url + ": the answer has no QueueUrl",
                            codes::kStoreUnavailable);
  }
  return url->get<std::string>();
}

Result<QueueReport> DescribeStateQueue(AwsJsonClient& c, const std::string& name_or_url) {
  QueueReport r;
  auto url = QueueUrlOf(c, name_or_url);
  if (!url.ok()) {
    if (url.status().code() == StatusCode::kNotFound) return r;
    return url.status();
  }
  r.url = *url;
  auto resp = c.Call("GetQueueAttributes",
                     json{{"QueueUrl", r.url}, {"AttributeNames", json::array({"All"})}});
  if (!resp.ok()) {
    if (resp.status().code() == StatusCode::kNotFound) return r;
    return resp.status();
  }
  r.exists = true;
  auto attrs = resp->find("Attributes");
  if (attrs == resp->end() || !attrs->is_object()) return r;
  const std::string& q = r.url;
  PAWS_ASSIGN_OR_RETURN(r.visibility_timeout_s, Attribute(*attrs, "VisibilityTimeout", q));
  PAWS_ASSIGN_OR_RETURN(r.retention_s, Attribute(*attrs, "MessageRetentionPeriod", q));
  PAWS_ASSIGN_OR_RETURN(r.max_message_size, Attribute(*attrs, "MaximumMessageSize", q));
  PAWS_ASSIGN_OR_RETURN(r.visible, Attribute(*attrs, "ApproximateNumberOfMessages", q));
  PAWS_ASSIGN_OR_RETURN(r.delayed, Attribute(*attrs, "ApproximateNumberOfMessagesDelayed", q));
  PAWS_ASSIGN_OR_RETURN(r.in_flight,
                        Attribute(*attrs, "ApproximateNumberOfMessagesNotVisible", q));
  if (auto rp = attrs->find("RedrivePolicy"); rp != attrs->end() && rp->is_string()) {
    r.redrive_policy = rp->get<std::string>();
  }
  return r;
}

Result<std::vector<std::string>> EnsureStateQueue(AwsJsonClient& c, const std::string& name,
                                                  Duration visibility, Duration retention) {
  const int64_t vis_s = std::chrono::ceil<std::chrono::seconds>(visibility).count();
  const int64_t ret_s = std::chrono::ceil<std::chrono::seconds>(retention).count();
  if (vis_s < 0 || vis_s > kMaxVisibilityS) {
    return Status::InvalidArgument("sqs queue " + name + ": visibility timeout " +
                                       std::to_string(vis_s) + " s is outside 0 s..12 h",
                                   codes::kConfigInvalid);
  }
  if (ret_s < kMinRetentionS || ret_s > kMaxRetentionS) {
    return Status::InvalidArgument("sqs queue " + name + ": retention " + std::to_string(ret_s) +
                                       " s is outside 60 s..14 days",
                                   codes::kConfigInvalid);
  }
  const std::string base = NameOf(name);
  const std::string dead = base + kDeadLetterSuffix;
  if (!ValidName(dead)) {
    return Status::InvalidArgument(
        "sqs queue name \"" + base + "\" is not valid: 1 to " +
            std::to_string(kMaxNameLength - 5) + " letters, digits, '-' or '_'",
        codes::kConfigInvalid);
  }
  std::vector<std::string> lines;
  const std::string settings =
      "visibility " + FormatQueueDuration(vis_s) + ", retention " + FormatQueueDuration(ret_s);

  PAWS_ASSIGN_OR_RETURN(QueueReport dq, DescribeStateQueue(c, dead));
  if (!dq.exists) {
    PAWS_ASSIGN_OR_RETURN(std::string u,
                          CreateQueue(c, dead, -1,
                                      std::chrono::duration_cast<std::chrono::seconds>(
                                          kDeadLetterRetention).count()));
    (void)u;
    lines.push_back("created dead-letter queue " + dead + " (retention " +
                    FormatQueueDuration(kDeadLetterRetention.count() / 1000) + ")");
  }

  PAWS_ASSIGN_OR_RETURN(QueueReport q, DescribeStateQueue(c, name));
  if (!q.exists) {
    if (IsUrl(name)) {
      return Status::NotFound("sqs queue " + name + " does not exist (a URL cannot be created; " +
                              "give a queue name)");
    }
    PAWS_ASSIGN_OR_RETURN(std::string u, CreateQueue(c, base, vis_s, ret_s));
    (void)u;
    lines.push_back("created queue " + base + " (" + settings + ")");
    return lines;
  }
  lines.push_back("queue " + base + " exists: visibility " +
                  FormatQueueDuration(q.visibility_timeout_s) + ", retention " +
                  FormatQueueDuration(q.retention_s));
  if (q.visibility_timeout_s != vis_s) {
    lines.push_back("warning: queue " + base + " has visibility timeout " +
                    FormatQueueDuration(q.visibility_timeout_s) + ", paws expects " +
                    FormatQueueDuration(vis_s) + " (not changed)");
  }
  if (q.retention_s != ret_s) {
    lines.push_back("warning: queue " + base + " has retention " +
                    FormatQueueDuration(q.retention_s) + ", paws expects " +
                    FormatQueueDuration(ret_s) + " (not changed)");
  }
  return lines;
}

}  // namespace paws::aws
