#include "sources/common/paging.h"

#include "http/url.h"
#include "paws/codes.h"
#include "sources/common/api_errors.h"

namespace paws {
namespace {

// UrlOrigin without the scheme's default port; "" when not absolute.
std::string NormalizedOrigin(std::string_view url) {
  std::string origin = UrlOrigin(url);
  if (origin.empty()) return "";
  const size_t authority = origin.find("://") + 3;
  // An IPv6 literal's colons are inside brackets.
  const size_t colon = origin.rfind(':');
  if (colon < authority || origin.find(']', colon) != std::string::npos) return origin;
  const std::string_view scheme = std::string_view(origin).substr(0, authority - 3);
  const std::string_view port = std::string_view(origin).substr(colon + 1);
  if (port.empty() || (scheme == "http" && port == "80") || (scheme == "https" && port == "443")) {
    origin.erase(colon);
  }
  return origin;
}

}  // namespace

std::string BuildQuery(const QueryParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += UrlEncode(name) + "=" + UrlEncode(value);
  }
  return out;
}

std::string AppendQuery(std::string_view url, const QueryParams& params) {
  if (params.empty()) return std::string(url);
  std::string out(url.substr(0, url.find('#')));
  const size_t q = out.find('?');
  if (q == std::string::npos) {
    out.push_back('?');
  } else if (q + 1 < out.size() && out.back() != '&') {
    out.push_back('&');
  }
  return out + BuildQuery(params);
}

std::string QueryParam(std::string_view url, std::string_view name) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return "";
  std::string_view query = url.substr(q + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    const size_t eq = param.find('=');
    const std::string_view key = param.substr(0, eq);
    if (key == name || UrlDecode(key) == name) {
      return eq == std::string_view::npos ? "" : UrlDecode(param.substr(eq + 1));
    }
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return "";
}

bool SameOrigin(std::string_view a, std::string_view b) {
  const std::string origin = NormalizedOrigin(a);
  return !origin.empty() && origin == NormalizedOrigin(b);
}

Status CheckSameOrigin(const std::string& next_url, const std::string& base_url,
                       const std::string& what) {
  if (SameOrigin(next_url, base_url)) return Status::Ok();
  const std::string shown = UrlForMessage(next_url);
  return Malformed(what + ": next link points to another origin" +
                   (shown.empty() ? "" : " (" + UrlOrigin(shown) + ")"));
}

Result<std::string> NextLink(const HttpHeaders& headers, const std::string& request_url,
                             const std::string& what) {
  std::string link = FindLinkRel(headers, "next");
  if (link.empty()) return link;
  if (link.rfind("//", 0) == 0) {
    // Scheme-relative: the authority is the link's own.
    const size_t colon = request_url.find("://");
    if (colon != std::string::npos) link = request_url.substr(0, colon + 1) + link;
  } else if (link.front() == '/') {
    link = UrlOrigin(request_url) + link;
  } else if (UrlOrigin(link).empty()) {
    return Malformed(what + ": next link is neither an absolute URL nor an absolute path");
  }
  PAWS_RETURN_IF_ERROR(CheckSameOrigin(link, request_url, what));
  return link;
}

}  // namespace paws
