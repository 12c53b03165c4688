#include "backends/aws/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <string_view>
#include <utility>
#include <vector>

#include "paws/codes.h"

namespace paws::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr int64_t kMaxPresignSeconds = 7 * 24 * 3600;  // what AWS accepts

Status Invalid(std::string msg) {
  return Status::InvalidArgument("AWS signature: " + std::move(msg), codes::kConfigInvalid);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
}

// Text that may appear in a message: printable ASCII kept, the rest escaped,
// and at most 200 characters.
std::string Printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s.substr(0, 200)) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (s.size() > 200) out += "...";
  return out;
}

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// RFC 7230 token characters (header names, methods).
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (std::isalnum(c)) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos)
      return false;
  }
  return true;
}

// Percent-encodes every byte outside the unreserved set (upper-case hex).
// `keep_escapes` leaves valid %XX sequences as they are (S3-style paths).
std::string UriEncode(std::string_view s, bool keep_escapes = false) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (IsUnreserved(c)) {
      out += static_cast<char>(c);
    } else if (keep_escapes && c == '%' && i + 2 < s.size() && IsHex(s[i + 1]) && IsHex(s[i + 2])) {
      out.append(s.substr(i, 3));
      i += 2;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Decodes %XX escapes; malformed ones are kept. '+' stays a plus: RFC 3986
// gives it no meaning, and AWS wants spaces sent as %20.
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && IsHex(s[i + 1]) && IsHex(s[i + 2])) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct UrlParts {
  std::string scheme;     // lower-case
  std::string authority;  // without user info
  std::string path;       // as written, "" when absent
  std::string query;      // without '?', as written
};

// Splits an absolute URL without judging its characters: the signer must
// see the path exactly as the caller wrote it.
Result<UrlParts> SplitUrl(const std::string& url) {
  std::string_view u = url;
  if (size_t hash = u.find('#'); hash != std::string_view::npos) u = u.substr(0, hash);
  size_t sep = u.find("://");
  std::string_view before_query = u.substr(0, u.find('?'));
  if (sep == std::string_view::npos || sep == 0 || sep > before_query.size()) {
    return Invalid("request URL '" + Printable(before_query) +
                   "' is not absolute (expected scheme://host/path)");
  }
  UrlParts parts;
  parts.scheme = Lower(u.substr(0, sep));
  std::string_view rest = u.substr(sep + 3);
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  if (authority.empty()) {
    return Invalid("request URL '" + Printable(before_query) + "' has no host");
  }
  parts.authority = Lower(authority);
  if (end != std::string_view::npos) {
    rest = rest.substr(end);
    size_t q = rest.find('?');
    parts.path = std::string(rest.substr(0, q));
    if (q != std::string_view::npos) parts.query = std::string(rest.substr(q + 1));
  }
  return parts;
}

// The Host header curl sends for this authority: the default port dropped.
std::string HostHeaderFor(const UrlParts& url) {
  std::string_view a = url.authority;
  if ((url.scheme == "https" && a.ends_with(":443")) ||
      (url.scheme == "http" && a.ends_with(":80"))) {
    a = a.substr(0, a.rfind(':'));
  }
  return std::string(a);
}

std::string CanonicalPath(std::string_view path, bool normalize) {
  if (path.empty()) return "/";
  if (!normalize) {
    // S3-style: no segment is dropped and existing escapes are kept.
    std::string out;
    size_t start = 0;
    while (true) {
      size_t slash = path.find('/', start);
      out += UriEncode(path.substr(start, slash - start), /*keep_escapes=*/true);
      if (slash == std::string_view::npos) break;
      out += '/';
      start = slash + 1;
    }
    return out;
  }
  // RFC 3986 dot-segment removal, with empty segments dropped too.
  std::vector<std::string_view> segments;
  bool trailing_slash = false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view seg =
        path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
    bool last = slash == std::string_view::npos;
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      trailing_slash = true;
    } else if (seg == ".") {
      trailing_slash = true;
    } else if (seg.empty()) {
      trailing_slash = true;
    } else {
      segments.push_back(seg);
      trailing_slash = false;
    }
    if (last) break;
    start = slash + 1;
  }
  std::string out;
  for (std::string_view seg : segments) out += "/" + UriEncode(seg);
  if (out.empty() || trailing_slash) out += '/';
  return out;
}

using Params = std::vector<std::pair<std::string, std::string>>;  // encoded

// The parameters of a query string, each key and value decoded then
// re-encoded, so raw and percent-encoded input give the same result.
Params EncodedQueryParams(std::string_view query) {
  Params params;
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    std::string_view item = query.substr(start, amp == query.npos ? query.npos : amp - start);
    if (!item.empty()) {
      size_t eq = item.find('=');
      std::string_view key = item.substr(0, eq);
      std::string_view value = eq == item.npos ? std::string_view() : item.substr(eq + 1);
      params.emplace_back(UriEncode(PercentDecode(key)), UriEncode(PercentDecode(value)));
    }
    if (amp == query.npos) break;
    start = amp + 1;
  }
  return params;
}

std::string CanonicalQuery(Params params) {
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += key + "=" + value;
  }
  return out;
}

// Trims the value and collapses every run of whitespace, line breaks of
// obs-fold included, into one space (what the v4 suite expects).
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = !out.empty();
    } else {
      if (pending_space) out += ' ';
      pending_space = false;
      out += c;
    }
  }
  return out;
}

bool IsUnsignedHeader(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "user-agent" || lower_name == "expect" ||
         lower_name == "connection" || lower_name == "transfer-encoding" ||
         lower_name == "x-amzn-trace-id";
}

struct CanonicalHeaders {
  std::string block;         // "name:value\n" lines
  std::string signed_names;  // "a;b;c"
};

CanonicalHeaders Canonicalize(const HttpHeaders& headers, const std::string& host) {
  // Sorted by name; a stable sort keeps duplicate names in request order.
  std::vector<std::pair<std::string, std::string>> lines;
  bool has_host = false;
  for (const auto& [name, value] : headers) {
    std::string lower = Lower(name);
    if (IsUnsignedHeader(lower)) continue;
    has_host = has_host || lower == "host";
    lines.emplace_back(std::move(lower), CanonicalHeaderValue(value));
  }
  if (!has_host) lines.emplace_back("host", host);
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0 && lines[i].first == lines[i - 1].first) {
      out.block.back() = ',';  // replaces the previous line's '\n'
    } else {
      out.block += lines[i].first + ":";
      if (!out.signed_names.empty()) out.signed_names += ';';
      out.signed_names += lines[i].first;
    }
    out.block += lines[i].second + "\n";
  }
  return out;
}

std::string Hex(const unsigned char* data, size_t len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (size_t i = 0; i < len; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

std::string Hmac(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  std::string out(reinterpret_cast<const char*>(mac), len);
  OPENSSL_cleanse(mac, sizeof(mac));
  return out;
}

// A string that is wiped when it goes out of scope: derived keys are as good
// as the secret for a day.
struct WipedString {
  std::string value;
  ~WipedString() {
    if (!value.empty()) OPENSSL_cleanse(value.data(), value.size());
  }
};

std::string Signature(const Secret& secret, const std::string& date, const SigningParams& p,
                      const std::string& string_to_sign) {
  WipedString k_secret{"AWS4" + secret.reveal()};
  WipedString k_date{Hmac(k_secret.value, date)};
  WipedString k_region{Hmac(k_date.value, p.region)};
  WipedString k_service{Hmac(k_region.value, p.service)};
  WipedString k_signing{Hmac(k_service.value, "aws4_request")};
  std::string mac = Hmac(k_signing.value, string_to_sign);
  return Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

bool IsScopeName(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

Result<std::string> AmzDate(WallTime t) {
  std::time_t secs =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  std::tm tm{};
  if (secs < 0 || gmtime_r(&secs, &tm) == nullptr || tm.tm_year + 1900 > 9999) {
    return Invalid("signing time " + std::to_string(ToUnixMillis(t)) +
                   " ms since the epoch is outside 1970..9999");
  }
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf);
}

Status Validate(const HttpRequest& req, const AwsCredentials& creds, const SigningParams& p) {
  if (creds.access_key_id.empty()) return Invalid("the AWS access key id is empty");
  for (unsigned char c : creds.access_key_id) {
    if (c <= 0x20 || c >= 0x7f || c == '/' || c == ',' || c == '=') {
      return Invalid("the AWS access key id '" + Printable(creds.access_key_id) +
                     "' contains a character not allowed in a credential scope");
    }
  }
  if (creds.secret_access_key.empty()) return Invalid("the AWS secret access key is empty");
  for (unsigned char c : creds.session_token) {
    if (c < 0x20 || c == 0x7f) {
      return Invalid("the AWS session token contains a control character");
    }
  }
  if (!IsScopeName(p.region)) {
    return Invalid("region '" + Printable(p.region) +
                   "' is not a region name (letters, digits, '-', '_', '.')");
  }
  if (!IsScopeName(p.service)) {
    return Invalid("service '" + Printable(p.service) +
                   "' is not a service name (letters, digits, '-', '_', '.')");
  }
  if (!IsToken(req.method))
    return Invalid("HTTP method '" + Printable(req.method) + "' is not valid");
  for (const auto& [name, value] : req.headers) {
    if (!IsToken(name)) return Invalid("header name '" + Printable(name) + "' is not valid");
    // A line break is allowed only as obs-fold (followed by a blank), so a
    // value cannot smuggle in a header of its own. The value itself is not
    // shown: it may be a credential.
    for (size_t i = 0; i < value.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(value[i]);
      bool folds =
          (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') ||
          (c == '\n' && i + 1 < value.size() && (value[i + 1] == ' ' || value[i + 1] == '\t'));
      if ((c < 0x20 && c != '\t' && !folds) || c == 0x7f) {
        return Invalid("the value of header '" + name + "' contains a control character");
      }
    }
  }
  return Status::Ok();
}

void RemoveHeader(HttpHeaders* headers, std::string_view name) {
  std::erase_if(*headers, [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
}

struct Prepared {
  UrlParts url;
  std::string amz_date;
  std::string scope;
};

Result<Prepared> Prepare(const HttpRequest& req, const AwsCredentials& creds,
                         const SigningParams& p) {
  PAWS_RETURN_IF_ERROR(Validate(req, creds, p));
  Prepared out;
  PAWS_ASSIGN_OR_RETURN(out.url, SplitUrl(req.url));
  PAWS_ASSIGN_OR_RETURN(out.amz_date, AmzDate(p.time));
  out.scope = out.amz_date.substr(0, 8) + "/" + p.region + "/" + p.service + "/aws4_request";
  return out;
}

// Fills canonical_request, string_to_sign and signature.
SignedParts Sign(const HttpRequest& req, const Prepared& prep, const std::string& canonical_query,
                 const CanonicalHeaders& headers, const AwsCredentials& creds,
                 const SigningParams& p, const std::string& payload_hash) {
  SignedParts parts;
  parts.canonical_request = req.method + "\n" + CanonicalPath(prep.url.path, p.normalize_path) +
                            "\n" + canonical_query + "\n" + headers.block + "\n" +
                            headers.signed_names + "\n" + payload_hash;
  parts.string_to_sign = std::string(kAlgorithm) + "\n" + prep.amz_date + "\n" + prep.scope + "\n" +
                         Sha256Hex(parts.canonical_request);
  parts.signature =
      Signature(creds.secret_access_key, prep.amz_date.substr(0, 8), p, parts.string_to_sign);
  return parts;
}

}  // namespace

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return Hex(digest, len);
}

Result<SignedParts> SignRequest(HttpRequest* req, const AwsCredentials& creds,
                                const SigningParams& params) {
  PAWS_ASSIGN_OR_RETURN(Prepared prep, Prepare(*req, creds, params));
  const bool has_token = !creds.session_token.empty();
  const std::string payload_hash = Sha256Hex(req->body);

  HttpHeaders headers = req->headers;
  RemoveHeader(&headers, "Authorization");
  RemoveHeader(&headers, "X-Amz-Date");
  if (has_token) RemoveHeader(&headers, "X-Amz-Security-Token");
  if (params.sign_body) RemoveHeader(&headers, "x-amz-content-sha256");
  headers.emplace_back("X-Amz-Date", prep.amz_date);
  if (params.sign_body) headers.emplace_back("x-amz-content-sha256", payload_hash);
  if (has_token && !params.omit_session_token) {
    headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  }

  CanonicalHeaders canonical = Canonicalize(headers, HostHeaderFor(prep.url));
  SignedParts parts = Sign(*req, prep, CanonicalQuery(EncodedQueryParams(prep.url.query)),
                           canonical, creds, params, payload_hash);
  parts.authorization = std::string(kAlgorithm) + " Credential=" + creds.access_key_id + "/" +
                        prep.scope + ", SignedHeaders=" + canonical.signed_names +
                        ", Signature=" + parts.signature;

  if (has_token && params.omit_session_token) {
    headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  }
  headers.emplace_back("Authorization", parts.authorization);
  req->headers = std::move(headers);
  return parts;
}

Result<SignedParts> PresignRequest(HttpRequest* req, const AwsCredentials& creds,
                                   const SigningParams& params, Duration expires) {
  const int64_t expires_s = std::chrono::duration_cast<std::chrono::seconds>(expires).count();
  if (expires_s < 1 || expires_s > kMaxPresignSeconds) {
    return Invalid("presigned URL lifetime of " + std::to_string(expires.count()) +
                   " ms is not between 1 s and 7 days");
  }
  PAWS_ASSIGN_OR_RETURN(Prepared prep, Prepare(*req, creds, params));
  const bool has_token = !creds.session_token.empty();
  CanonicalHeaders canonical = Canonicalize(req->headers, HostHeaderFor(prep.url));

  // In the order the suite's signed requests show them.
  Params added = {
      {"X-Amz-Algorithm", std::string(kAlgorithm)},
      {"X-Amz-Credential", creds.access_key_id + "/" + prep.scope},
      {"X-Amz-Date", prep.amz_date},
      {"X-Amz-SignedHeaders", canonical.signed_names},
      {"X-Amz-Expires", std::to_string(expires_s)},
  };
  if (has_token && !params.omit_session_token) {
    added.emplace_back("X-Amz-Security-Token", creds.session_token);
  }
  Params query = EncodedQueryParams(prep.url.query);
  for (const auto& [key, value] : added) query.emplace_back(UriEncode(key), UriEncode(value));

  SignedParts parts = Sign(*req, prep, CanonicalQuery(std::move(query)), canonical, creds, params,
                           Sha256Hex(req->body));

  if (has_token && params.omit_session_token) {
    added.emplace_back("X-Amz-Security-Token", creds.session_token);
  }
  added.emplace_back("X-Amz-Signature", parts.signature);
  std::string url = req->url.substr(0, req->url.find('#'));
  if (url.find('?') == std::string::npos) {
    url += '?';
  } else if (!url.ends_with('?') && !url.ends_with('&')) {
    url += '&';
  }
  for (size_t i = 0; i < added.size(); ++i) {
    if (i > 0) url += '&';
    url += UriEncode(added[i].first) + "=" + UriEncode(added[i].second);
  }
  req->url = std::move(url);
  return parts;
}

}  // namespace paws::aws
