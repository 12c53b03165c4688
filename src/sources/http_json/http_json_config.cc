#include "sources/http_json/http_json_config.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "http/url.h"
#include "paws/codes.h"

namespace paws {
namespace {

constexpr const char* kDefaultStream = "http_json";
constexpr int64_t kMaxCount = int64_t{1} << 40;  // page sizes and offsets

// Which keys belong to which choice: a key of another choice is a mistake
// worth reporting (paging = "link" with token_param set, say).
const std::map<std::string, std::set<std::string>> kKeysOfChoice = {
    {"auth=header", {"auth_header", "auth_value"}},
    {"auth=oauth2", {"token_url", "scope", "audience", "resource", "token_auth"}},
    {"paging=token", {"next_token_path", "token_param"}},
    {"paging=offset", {"offset_param", "page_size", "offset_start", "offset_unit"}},
};
const std::set<std::string> kCommonKeys = {"url",
                                           "time_format",
                                           "auth",
                                           "records_path",
                                           "id_field",
                                           "timestamp_field",
                                           "timestamp_format",
                                           "type_field",
                                           "paging",
                                           "filter_window",
                                           "quota_error_text",
                                           "quota_retry_sec"};

Status Bad(const CollectorSpec& spec, const std::string& what) {
  return Status::InvalidArgument("collector " + spec.id + ": " + what, codes::kConfigInvalid);
}

Status BadParam(const CollectorSpec& spec, const std::string& key, const std::string& what) {
  return Bad(spec, "param " + key + " " + what);
}

// Reads spec.params, remembering which keys were looked at.
class Params {
 public:
  explicit Params(const CollectorSpec& spec) : spec_(spec) {}

  std::optional<std::string> Get(const std::string& key) const {
    auto it = spec_.params.find(key);
    if (it == spec_.params.end()) return std::nullopt;
    return it->second;
  }
  std::string GetOr(const std::string& key, const std::string& fallback) const {
    return Get(key).value_or(fallback);
  }
  // One of `choices` (the first is the default when `required` is false).
  Result<std::string> Choice(const std::string& key, const std::vector<std::string>& choices,
                             bool required) const {
    std::optional<std::string> v = Get(key);
    if (!v) {
      if (required) return BadParam(spec_, key, "is required," + OneOf(choices));
      return choices.front();
    }
    if (std::find(choices.begin(), choices.end(), *v) == choices.end()) {
      return BadParam(spec_, key, "must be" + OneOf(choices) + ", got \"" + *v + "\"");
    }
    return *v;
  }
  Result<std::string> NonEmpty(const std::string& key) const {
    std::optional<std::string> v = Get(key);
    if (!v || v->empty()) return BadParam(spec_, key, "is required and must not be empty");
    return *v;
  }
  Result<int64_t> Count(const std::string& key, int64_t fallback, int64_t min) const {
    std::optional<std::string> v = Get(key);
    if (!v) return fallback;
    const bool digits =
        !v->empty() && v->size() <= 13 &&
        std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; });
    const int64_t n = digits ? std::stoll(*v) : -1;
    if (n < min || n > kMaxCount) {
      return BadParam(spec_, key,
                      "must be an integer >= " + std::to_string(min) + ", got \"" + *v + "\"");
    }
    return n;
  }

 private:
  static std::string OneOf(const std::vector<std::string>& choices) {
    std::string out;
    for (const std::string& c : choices) out += (out.empty() ? " one of " : ", ") + c;
    return out;
  }
  const CollectorSpec& spec_;
};

Result<HttpJsonTime> TimeFormat(const Params& p, const std::string& key) {
  PAWS_ASSIGN_OR_RETURN(std::string v,
                        p.Choice(key, {"rfc3339", "epoch_seconds", "epoch_millis"}, false));
  if (v == "epoch_seconds") return HttpJsonTime::kEpochSeconds;
  if (v == "epoch_millis") return HttpJsonTime::kEpochMillis;
  return HttpJsonTime::kRfc3339;
}

// A list of paths, "a.b, c" -> {{a, b}, {c}}; each must be non-empty.
Result<std::vector<JsonPath>> PathList(const CollectorSpec& spec, const std::string& key,
                                       const std::string& text) {
  std::vector<JsonPath> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string one =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    one.erase(0, one.find_first_not_of(' '));
    one.erase(one.find_last_not_of(' ') + 1);
    JsonPath path = SplitJsonPath(one);
    if (path.empty() || std::find(path.begin(), path.end(), "") != path.end()) {
      return BadParam(spec, key,
                      "must be a field path like \"id\" or \"meta.id\" (several "
                      "separated by commas), got \"" +
                          text + "\"");
    }
    out.push_back(std::move(path));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// The placeholders of a URL template, in order; an error for an unknown
// one or a lone "{".
Result<std::vector<std::string>> Placeholders(const CollectorSpec& spec, const std::string& tpl) {
  static const std::set<std::string> kKnown = {"endpoint", "since", "until", "cursor", "page_size"};
  std::vector<std::string> out;
  for (size_t i = 0; i < tpl.size(); ++i) {
    if (tpl[i] == '}' && i + 1 < tpl.size() && tpl[i + 1] == '}') {
      ++i;
      continue;
    }
    if (tpl[i] != '{') continue;
    if (i + 1 < tpl.size() && tpl[i + 1] == '{') {
      ++i;
      continue;
    }
    const size_t close = tpl.find('}', i);
    const std::string name = close == std::string::npos ? "" : tpl.substr(i + 1, close - i - 1);
    if (!kKnown.count(name)) {
      return BadParam(spec, "url",
                      "has an unknown placeholder at offset " + std::to_string(i) +
                          " (known: {endpoint}, {since}, {until}, {cursor}, "
                          "{page_size}; write a literal brace as {{ or }})");
    }
    out.push_back(name);
    i = close;
  }
  return out;
}

Status ParseAuth(const CollectorSpec& spec, const Params& p, HttpJsonConfig* c) {
  PAWS_ASSIGN_OR_RETURN(std::string auth,
                        p.Choice("auth", {"none", "header", "bearer", "basic", "oauth2"}, true));
  const bool needs_secret = auth != "none";
  if (needs_secret && spec.secret.empty()) {
    return Bad(spec, "auth = \"" + auth + "\" needs the secret (secret_env or secret_file)");
  }
  if (auth == "none") c->auth = HttpJsonAuth::kNone;
  if (auth == "bearer") c->auth = HttpJsonAuth::kBearer;
  if (auth == "basic") c->auth = HttpJsonAuth::kBasic;
  if (auth == "header") {
    c->auth = HttpJsonAuth::kHeader;
    PAWS_ASSIGN_OR_RETURN(c->auth_header, p.NonEmpty("auth_header"));
    const bool token_chars = std::all_of(c->auth_header.begin(), c->auth_header.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
    });
    if (!token_chars) return BadParam(spec, "auth_header", "must be a header name like X-Api-Key");
    c->auth_value = p.GetOr("auth_value", "{secret}");
    if (c->auth_value.find("{secret}") == std::string::npos) {
      return BadParam(spec, "auth_value", "must contain {secret}, like \"SSWS {secret}\"");
    }
  }
  if (auth == "oauth2") {
    c->auth = HttpJsonAuth::kOAuth2;
    if (spec.client_id.empty()) return Bad(spec, "auth = \"oauth2\" needs client_id");
    PAWS_ASSIGN_OR_RETURN(c->oauth2.token_url, p.NonEmpty("token_url"));
    const std::string origin = UrlOrigin(c->oauth2.token_url);
    if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
      return BadParam(spec, "token_url", "must be an http(s) URL");
    }
    c->oauth2.client_id = spec.client_id;
    c->oauth2.client_secret = spec.secret;
    c->oauth2.scope = p.GetOr("scope", "");
    c->oauth2.audience = p.GetOr("audience", "");
    c->oauth2.resource = p.GetOr("resource", "");
    PAWS_ASSIGN_OR_RETURN(std::string client_auth,
                          p.Choice("token_auth", {"post", "basic"}, false));
    c->oauth2.client_auth = client_auth == "basic" ? ClientAuth::kBasic : ClientAuth::kPost;
  }
  return Status::Ok();
}

Status ParseRecords(const CollectorSpec& spec, const Params& p, HttpJsonConfig* c) {
  c->records_path = SplitJsonPath(p.GetOr("records_path", ""));
  if (std::find(c->records_path.begin(), c->records_path.end(), "") != c->records_path.end()) {
    return BadParam(spec, "records_path", "must be a path like \"data.items\", or empty");
  }
  PAWS_ASSIGN_OR_RETURN(std::string id, p.NonEmpty("id_field"));
  PAWS_ASSIGN_OR_RETURN(c->id_fields, PathList(spec, "id_field", id));
  PAWS_ASSIGN_OR_RETURN(std::string ts, p.NonEmpty("timestamp_field"));
  PAWS_ASSIGN_OR_RETURN(c->timestamp_fields, PathList(spec, "timestamp_field", ts));
  PAWS_ASSIGN_OR_RETURN(c->timestamp_format, TimeFormat(p, "timestamp_format"));
  if (std::optional<std::string> type = p.Get("type_field"); type && !type->empty()) {
    PAWS_ASSIGN_OR_RETURN(c->type_fields, PathList(spec, "type_field", *type));
  }
  return Status::Ok();
}

Status ParsePaging(const CollectorSpec& spec, const Params& p, HttpJsonConfig* c) {
  PAWS_ASSIGN_OR_RETURN(std::string paging,
                        p.Choice("paging", {"none", "link", "token", "offset"}, false));
  const std::string param_key = paging == "token" ? "token_param" : "offset_param";
  if (paging == "none") c->paging = HttpJsonPaging::kNone;
  if (paging == "link") c->paging = HttpJsonPaging::kLink;
  if (paging == "token") {
    c->paging = HttpJsonPaging::kToken;
    PAWS_ASSIGN_OR_RETURN(std::string path, p.NonEmpty("next_token_path"));
    c->next_token_path = SplitJsonPath(path);
    if (std::find(c->next_token_path.begin(), c->next_token_path.end(), "") !=
        c->next_token_path.end()) {
      return BadParam(spec, "next_token_path", "must be a path like \"meta.next\"");
    }
    c->token_param = p.GetOr("token_param", "");
  }
  if (paging == "offset") {
    c->paging = HttpJsonPaging::kOffset;
    c->offset_param = p.GetOr("offset_param", "");
    if (!p.Get("page_size")) return BadParam(spec, "page_size", "is required with paging = offset");
    PAWS_ASSIGN_OR_RETURN(c->page_size, p.Count("page_size", 0, 1));
    PAWS_ASSIGN_OR_RETURN(c->offset_start, p.Count("offset_start", 0, 0));
    PAWS_ASSIGN_OR_RETURN(std::string unit, p.Choice("offset_unit", {"records", "pages"}, false));
    c->offset_counts_pages = unit == "pages";
  }
  const bool cursor_paging = paging == "token" || paging == "offset";
  if (c->cursor_in_template && !cursor_paging) {
    return BadParam(spec, "url", "has {cursor}, which only paging = token or offset fills");
  }
  const std::string& param = paging == "token" ? c->token_param : c->offset_param;
  if (cursor_paging && !c->cursor_in_template && param.empty()) {
    return BadParam(spec, param_key,
                    "is required with paging = " + paging + " (or put {cursor} into url)");
  }
  if (cursor_paging && c->cursor_in_template && !param.empty()) {
    return BadParam(spec, param_key, "must not be set when url has {cursor}");
  }
  return Status::Ok();
}

Status ParseUrl(const CollectorSpec& spec, const Params& p, HttpJsonConfig* c) {
  PAWS_ASSIGN_OR_RETURN(c->url_template, p.NonEmpty("url"));
  PAWS_ASSIGN_OR_RETURN(std::vector<std::string> names, Placeholders(spec, c->url_template));
  auto has = [&](const char* n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  if (!has("since")) {
    return BadParam(spec, "url", "must contain {since}: each request asks for one time window");
  }
  c->cursor_in_template = has("cursor");
  PAWS_ASSIGN_OR_RETURN(c->time_format, TimeFormat(p, "time_format"));
  PAWS_ASSIGN_OR_RETURN(std::string filter, p.Choice("filter_window", {"false", "true"}, false));
  c->filter_window = filter == "true";
  if (!has("until") && !c->filter_window) {
    return BadParam(spec, "url",
                    "must contain {until}, unless filter_window = true drops the "
                    "records past the window");
  }
  if (has("page_size") && !p.Get("page_size")) {
    return BadParam(spec, "url", "has {page_size} but param page_size is not set");
  }
  return Status::Ok();
}

}  // namespace

JsonPath SplitJsonPath(const std::string& text) {
  JsonPath out;
  if (text.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t dot = text.find('.', start);
    out.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

std::string JoinJsonPath(const JsonPath& path) {
  std::string out;
  for (const std::string& s : path) out += (out.empty() ? "" : ".") + s;
  return out;
}

std::string FormatHttpJsonTime(WallTime t, HttpJsonTime format) {
  const int64_t ms = ToUnixMillis(t);
  switch (format) {
    case HttpJsonTime::kEpochSeconds:
      // Rounded down at both ends, consecutive windows still meet exactly.
      return std::to_string(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
    case HttpJsonTime::kEpochMillis:
      return std::to_string(ms);
    case HttpJsonTime::kRfc3339:
      break;
  }
  return FormatRfc3339(t);
}

std::string ExpandUrlTemplate(const HttpJsonConfig& c, WallTime since, WallTime until,
                              const std::string& cursor) {
  const std::string& tpl = c.url_template;
  std::string out;
  for (size_t i = 0; i < tpl.size(); ++i) {
    const char ch = tpl[i];
    if ((ch == '{' || ch == '}') && i + 1 < tpl.size() && tpl[i + 1] == ch) {
      out.push_back(ch);
      ++i;
      continue;
    }
    if (ch != '{') {
      out.push_back(ch);
      continue;
    }
    const size_t close = tpl.find('}', i);
    const std::string name = tpl.substr(i + 1, close - i - 1);
    if (name == "endpoint") out += c.endpoint;
    if (name == "since") out += UrlEncode(FormatHttpJsonTime(since, c.time_format));
    if (name == "until") out += UrlEncode(FormatHttpJsonTime(until, c.time_format));
    if (name == "cursor") out += UrlEncode(cursor);
    if (name == "page_size") out += std::to_string(c.page_size);
    i = close;
  }
  return out;
}

Result<HttpJsonConfig> ParseHttpJsonConfig(const CollectorSpec& spec) {
  HttpJsonConfig c;
  Params p(spec);
  // Unknown keys first: a misspelt key explains the errors after it.
  for (const auto& [key, value] : spec.params) {
    bool known = kCommonKeys.count(key) > 0;
    for (const auto& [choice, keys] : kKeysOfChoice) {
      if (!keys.count(key)) continue;
      known = true;
      const std::string choice_key = choice.substr(0, choice.find('='));
      const std::string chosen = choice.substr(choice.find('=') + 1);
      if (p.GetOr(choice_key, "") != chosen) {
        return BadParam(spec, key, "applies only to " + choice_key + " = \"" + chosen + "\"");
      }
    }
    if (!known)
      return BadParam(spec, key,
                      "is not a parameter of http_json (see "
                      "docs/sources/http_json.md)");
  }
  c.endpoint = spec.endpoint;
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  const std::string origin = UrlOrigin(c.endpoint);
  if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
    return Bad(spec, "endpoint must be an http(s) URL, got \"" + spec.endpoint + "\"");
  }
  if (spec.poll_interval < std::chrono::seconds(1))
    return Bad(spec, "poll interval must be >= 1 s");
  if (spec.streams.size() > 1) {
    return Bad(spec,
               "http_json collects one stream; streams has " + std::to_string(spec.streams.size()));
  }
  c.stream = spec.streams.empty() ? kDefaultStream : spec.streams.front();
  if (c.stream.empty()) return Bad(spec, "the stream name must not be empty");
  PAWS_RETURN_IF_ERROR(ParseUrl(spec, p, &c));
  PAWS_RETURN_IF_ERROR(ParseAuth(spec, p, &c));
  PAWS_RETURN_IF_ERROR(ParseRecords(spec, p, &c));
  PAWS_RETURN_IF_ERROR(ParsePaging(spec, p, &c));
  c.quota_error_text = p.GetOr("quota_error_text", "");
  PAWS_ASSIGN_OR_RETURN(int64_t retry, p.Count("quota_retry_sec", 60, 1));
  c.quota_retry = std::chrono::seconds(std::min<int64_t>(retry, 3600));
  // What the template gives must be a URL of the web.
  const std::string sample = ExpandUrlTemplate(c, WallTime{}, WallTime{}, "0");
  const std::string url_origin = UrlOrigin(sample);
  if (url_origin.rfind("http://", 0) != 0 && url_origin.rfind("https://", 0) != 0) {
    return BadParam(spec, "url", "must give an http(s) URL (start it with {endpoint} or https://)");
  }
  return c;
}

}  // namespace paws
