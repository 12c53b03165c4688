#include "http/url.h"

#include <algorithm>
#include <cctype>

namespace paws {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Index just past "scheme://", or npos.
size_t AuthorityStart(std::string_view url) {
  size_t p = url.find("://");
  if (p == std::string_view::npos || p == 0) return std::string_view::npos;
  for (size_t i = 0; i < p; ++i) {
    if (!std::isalpha(static_cast<unsigned char>(url[i]))) return std::string_view::npos;
  }
  return p + 3;
}

// Whether one link-value's parameters (after the `>`) include rel=<rel>.
// rel may list several space-separated relation types.
bool HasRel(std::string_view params, std::string_view rel) {
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view param = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    size_t eq = param.find('=');
    if (eq == std::string_view::npos || !EqualsIgnoreCase(Trim(param.substr(0, eq)), "rel")) {
      continue;
    }
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    while (!value.empty()) {
      size_t sp = value.find(' ');
      if (EqualsIgnoreCase(value.substr(0, sp), rel)) return true;
      if (sp == std::string_view::npos) break;
      value.remove_prefix(sp + 1);
    }
  }
  return false;
}

}  // namespace

std::string UrlEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string UrlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string UrlOrigin(std::string_view url) {
  size_t start = AuthorityStart(url);
  if (start == std::string_view::npos) return "";
  size_t end = url.find_first_of("/?#", start);
  std::string out(url.substr(0, end));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string UrlPath(std::string_view url) {
  size_t start = AuthorityStart(url);
  if (start == std::string_view::npos) start = 0;
  size_t path = url.find_first_of("/?#", start);
  if (path == std::string_view::npos || url[path] != '/') return "/";
  size_t end = url.find_first_of("?#", path);
  return std::string(url.substr(path, end == std::string_view::npos ? end : end - path));
}

std::string UrlForMessage(std::string_view url) {
  std::string origin = UrlOrigin(url);
  if (origin.empty()) return "";
  size_t authority = origin.find("://") + 3;
  size_t at = origin.rfind('@');
  if (at != std::string::npos && at >= authority) origin.erase(authority, at + 1 - authority);
  return origin + UrlPath(url);
}

std::string FindLinkRel(const HttpHeaders& headers, std::string_view rel) {
  for (const auto& [name, value] : headers) {
    if (!EqualsIgnoreCase(name, "link")) continue;
    std::string_view rest = value;
    // Each link-value is `<target>` followed by parameters up to the next
    // `,` that is outside the angle brackets.
    while (true) {
      size_t open = rest.find('<');
      if (open == std::string_view::npos) break;
      size_t close = rest.find('>', open);
      if (close == std::string_view::npos) break;
      std::string_view target = rest.substr(open + 1, close - open - 1);
      rest.remove_prefix(close + 1);
      size_t comma = rest.find(',');
      std::string_view params = rest.substr(0, comma);
      if (HasRel(params, rel)) return std::string(target);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return "";
}

}  // namespace paws
