#include "backends/aws/aws_settings.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "config/config_loader.h"
#include "paws/codes.h"

namespace paws::aws {
namespace {

// ---------------------------------------------------------------------------
// Small text helpers.

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// `text` in double quotes with control characters escaped, cut after 80
// characters. Only for values that are never secrets (names, regions, URLs).
std::string Quote(const std::string& text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < 80; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > 80) out += "...";
  return out + "\"";
}

bool StartsWithNoCase(const std::string& text, const std::string& prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// An environment variable; set-but-empty counts as unset, as in the SDKs.
std::optional<std::string> Var(const AwsEnv& env, const std::string& name) {
  if (!env.getenv) return std::nullopt;
  std::optional<std::string> value = env.getenv(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

// ---------------------------------------------------------------------------
// The shared config and credentials files (INI).

struct IniSection {
  std::map<std::string, std::string> keys;
};

struct IniFile {
  std::string path;
  bool exists = false;
  std::map<std::string, IniSection> sections;  // by name as written in [ ], trimmed
};

Status IniError(const std::string& path, size_t line, const std::string& text) {
  return Status::InvalidArgument(path + ":" + std::to_string(line) + ": " + text,
                                 codes::kAwsCredentials);
}

// Messages never quote a line: it may hold a secret key. Indented lines
// after a setting are continuations or nested settings ("s3 =\n  x = 1"),
// which paws has no use for; duplicate sections merge, later keys winning,
// as in the SDKs.
Status ParseIni(const std::string& text, IniFile* out) {
  IniSection* section = nullptr;
  bool after_setting = false;  // a key = value line precedes, in this section
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    std::string line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (after_setting && IsSpace(raw[0])) continue;
    if (line[0] == '[') {
      size_t close = line.find(']');
      if (close == std::string::npos) {
        return IniError(out->path, line_no, "a section header without its closing ']'");
      }
      std::string rest = Trim(line.substr(close + 1));
      if (!rest.empty() && rest[0] != '#' && rest[0] != ';') {
        return IniError(out->path, line_no, "text after a section header's ']'");
      }
      std::string name = Trim(line.substr(1, close - 1));
      if (name.empty()) return IniError(out->path, line_no, "a section header without a name");
      section = &out->sections[name];
      after_setting = false;
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string::npos) {
      return IniError(out->path, line_no,
                      "expected [section], key = value, or a comment (the line is not shown)");
    }
    std::string key = Trim(line.substr(0, eq));
    if (key.empty()) return IniError(out->path, line_no, "a setting without a key before '='");
    if (section == nullptr) {
      return IniError(out->path, line_no, "a setting before the first [section] header");
    }
    section->keys[key] = Trim(line.substr(eq + 1));
    after_setting = true;
  }
  return Status::Ok();
}

// The file at `path` ("" when it could not be located): absent files give
// an IniFile with exists = false.
Result<IniFile> LoadIni(const AwsEnv& env, const std::string& path, const char* kind) {
  IniFile file;
  file.path = path;
  if (path.empty() || !env.read_file) return file;
  Result<std::string> text = env.read_file(path);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return file;
    return Status(text.status().code(),
                  std::string("cannot read the AWS ") + kind + " file " + path + ": " +
                      text.status().message(),
                  codes::kAwsCredentials);
  }
  file.exists = true;
  PAWS_RETURN_IF_ERROR(ParseIni(*text, &file));
  return file;
}

// AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE, else $HOME/.aws/<name>;
// "" when neither the variable nor HOME is set.
std::string FilePath(const AwsEnv& env, const char* variable, const char* name) {
  std::optional<std::string> home = Var(env, "HOME");
  if (std::optional<std::string> set = Var(env, variable)) {
    if (home && (*set == "~" || set->rfind("~/", 0) == 0)) return *home + set->substr(1);
    return *set;
  }
  if (!home) return "";
  std::string base = *home;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base + "/.aws/" + name;
}

// The settings of `profile` in the config file: "[profile <name>]", and for
// the default profile "[default]" too ("[profile default]" wins a key both
// set). Null when the file has no such section.
std::optional<IniSection> ConfigSection(const IniFile& file, const std::string& profile) {
  std::optional<IniSection> merged;
  auto take = [&](const IniSection& s) {
    if (!merged) merged.emplace();
    for (const auto& [k, v] : s.keys) merged->keys[k] = v;
  };
  if (profile == "default") {
    if (auto it = file.sections.find("default"); it != file.sections.end()) take(it->second);
  }
  for (const auto& [name, section] : file.sections) {
    // "profile" then whitespace then the name; extra spaces are tolerated.
    if (name.size() <= 7 || name.compare(0, 7, "profile") != 0 || !IsSpace(name[7])) continue;
    if (Trim(name.substr(7)) == profile) take(section);
  }
  return merged;
}

std::optional<IniSection> CredentialsSection(const IniFile& file, const std::string& profile) {
  auto it = file.sections.find(profile);
  if (it == file.sections.end()) return std::nullopt;
  return it->second;
}

// ---------------------------------------------------------------------------
// Credentials.

struct Profile {
  std::string name;
  std::string origin;  // "store.aws.profile", "AWS_PROFILE", or "" (the default)
};

std::string Where(const IniFile& file, const std::string& profile) {
  return file.path + " [profile " + profile + "]";
}

// The keys of one file section: none (nullopt), both, or an error naming
// the missing one.
Result<std::optional<AwsCredentials>> FromSection(const IniSection& section,
                                                  const std::string& where) {
  auto get = [&](const char* key) -> std::string {
    auto it = section.keys.find(key);
    return it == section.keys.end() ? "" : it->second;
  };
  std::string id = get("aws_access_key_id");
  std::string secret = get("aws_secret_access_key");
  if (id.empty() && secret.empty()) return std::optional<AwsCredentials>();
  if (id.empty() || secret.empty()) {
    const char* missing = id.empty() ? "aws_access_key_id" : "aws_secret_access_key";
    const char* present = id.empty() ? "aws_secret_access_key" : "aws_access_key_id";
    return Status::InvalidArgument(
        where + ": " + present + " is set but " + missing + " is not; set both",
        codes::kAwsCredentials);
  }
  AwsCredentials creds;
  creds.access_key_id = std::move(id);
  creds.secret_access_key = Secret(std::move(secret));
  creds.session_token = get("aws_session_token");
  return std::optional<AwsCredentials>(std::move(creds));
}

Result<std::optional<AwsCredentials>> FromEnvironment(const AwsEnv& env) {
  std::optional<std::string> id = Var(env, "AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret = Var(env, "AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) return std::optional<AwsCredentials>();
  if (!id || !secret) {
    const char* missing = id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID";
    const char* present = id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY";
    return Status::InvalidArgument(std::string("environment variable ") + present + " is set but " +
                                       missing +
                                       " is not (or is empty); set both, or neither to use "
                                       "a profile",
                                   codes::kAwsCredentials);
  }
  AwsCredentials creds;
  creds.access_key_id = std::move(*id);
  creds.secret_access_key = Secret(std::move(*secret));
  creds.session_token = Var(env, "AWS_SESSION_TOKEN").value_or("");
  return std::optional<AwsCredentials>(std::move(creds));
}

// "/root/.aws/credentials [profile prod] (no such file)", for the message
// saying where paws looked.
std::string Looked(const IniFile& file, const std::string& profile, bool has_section,
                   const char* variable) {
  if (file.path.empty()) return std::string("no ") + variable + " and no HOME";
  std::string text = Where(file, profile);
  if (!file.exists) return text + " (no such file)";
  if (!has_section) return text + " (no such profile)";
  return text + " (no aws_access_key_id)";
}

// Credential sources paws does not implement; named in the "no credentials"
// message so that the operator knows why a working CLI profile is not used.
std::string UnsupportedHint(const std::optional<IniSection>& config_section) {
  if (!config_section) return "";
  for (const char* key : {"role_arn", "credential_process", "sso_session", "sso_start_url",
                          "web_identity_token_file", "credential_source"}) {
    if (config_section->keys.count(key) != 0) {
      return std::string("; the profile uses ") + key +
             ", which paws does not support: give it aws_access_key_id and "
             "aws_secret_access_key, or set the environment variables";
    }
  }
  return "";
}

// ---------------------------------------------------------------------------
// Region and endpoints.

Status CheckRegion(const std::string& region, const std::string& origin) {
  bool ok = !region.empty() && region.size() <= 64 && region.front() != '-' && region.back() != '-';
  for (char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) ok = false;
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument(origin +
                                     ": expected an AWS region like \"us-east-1\" (lower-case "
                                     "letters, digits and '-'), got " +
                                     Quote(region),
                                 codes::kConfigInvalid);
}

// Checks `url` and removes its trailing slashes. User info is refused
// without showing the value: it would be a password.
Result<std::string> NormalizeEndpoint(std::string url, const std::string& origin) {
  auto bad = [&](const std::string& why, bool show = true) -> Status {
    return Status::InvalidArgument(
        origin + ": " + why + (show ? ", got " + Quote(url) : " (the value is not shown)"),
        codes::kConfigInvalid);
  };
  size_t scheme = StartsWithNoCase(url, "http://")    ? 7
                  : StartsWithNoCase(url, "https://") ? 8
                                                      : 0;
  if (scheme == 0) return bad("expected an absolute URL starting with http:// or https://");
  // Any '@': a password holding '/' would otherwise pass as a path.
  if (url.find('@') != std::string::npos) {
    return bad("an endpoint URL must not hold '@' (a user name or password)", false);
  }
  size_t host_end = url.find('/', scheme);
  std::string authority =
      url.substr(scheme, host_end == std::string::npos ? std::string::npos : host_end - scheme);
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return bad("expected a URL without spaces or control characters");
    }
  }
  if (url.find_first_of("?#") != std::string::npos) {
    return bad("expected a URL without a query or fragment");
  }
  if (authority.empty() || authority[0] == ':') return bad("expected a URL with a host");
  while (url.size() > scheme && url.back() == '/') url.pop_back();
  return url;
}

std::string PublicEndpoint(const char* service, const std::string& region) {
  const char* domain = region.rfind("cn-", 0) == 0 ? ".amazonaws.com.cn" : ".amazonaws.com";
  return std::string("https://") + service + "." + region + domain;
}

Result<std::string> ResolveEndpoint(const AwsEnv& env, const std::string& configured,
                                    const char* key, const char* variable, const char* service,
                                    const std::string& region) {
  if (!configured.empty()) return NormalizeEndpoint(configured, key);
  for (const char* name : {variable, "AWS_ENDPOINT_URL"}) {
    if (std::optional<std::string> value = Var(env, name)) {
      return NormalizeEndpoint(*value, std::string("environment variable ") + name);
    }
  }
  return PublicEndpoint(service, region);
}

Result<std::string> ResolveRegion(const AwsSettingsInput& in, const AwsEnv& env,
                                  const IniFile& config, const Profile& profile,
                                  const std::optional<IniSection>& config_section) {
  if (!in.region.empty()) {
    PAWS_RETURN_IF_ERROR(CheckRegion(in.region, "store.aws.region"));
    return in.region;
  }
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (std::optional<std::string> value = Var(env, name)) {
      PAWS_RETURN_IF_ERROR(CheckRegion(*value, std::string("environment variable ") + name));
      return *value;
    }
  }
  if (config_section) {
    auto it = config_section->keys.find("region");
    if (it != config_section->keys.end() && !it->second.empty()) {
      PAWS_RETURN_IF_ERROR(CheckRegion(it->second, Where(config, profile.name) + " region"));
      return it->second;
    }
  }
  std::string config_where = config.path.empty()
                                 ? "the AWS config file (AWS_CONFIG_FILE; HOME is not set)"
                                 : Where(config, profile.name);
  return Status::InvalidArgument(
      "store.aws.region: no region: set it, or AWS_REGION, or region in " + config_where,
      codes::kConfigInvalid);
}

Result<Profile> ChooseProfile(const AwsSettingsInput& in, const AwsEnv& env) {
  Profile p;
  if (!in.profile.empty()) {
    p.name = in.profile;
    p.origin = "store.aws.profile";
  } else if (std::optional<std::string> value = Var(env, "AWS_PROFILE")) {
    p.name = *value;
    p.origin = "environment variable AWS_PROFILE";
  } else {
    p.name = "default";
  }
  for (char c : p.name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '[' || c == ']') {
      return Status::InvalidArgument(
          (p.origin.empty() ? std::string("profile") : p.origin) +
              ": expected a profile name without brackets or control characters, got " +
              Quote(p.name),
          codes::kConfigInvalid);
    }
  }
  return p;
}

}  // namespace

Result<AwsSettings> ResolveAwsSettings(const AwsSettingsInput& in, const AwsEnv& env) {
  PAWS_ASSIGN_OR_RETURN(Profile profile, ChooseProfile(in, env));
  PAWS_ASSIGN_OR_RETURN(
      IniFile creds_file,
      LoadIni(env, FilePath(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials"), "credentials"));
  PAWS_ASSIGN_OR_RETURN(IniFile config_file,
                        LoadIni(env, FilePath(env, "AWS_CONFIG_FILE", "config"), "config"));
  std::optional<IniSection> creds_section = CredentialsSection(creds_file, profile.name);
  std::optional<IniSection> config_section = ConfigSection(config_file, profile.name);

  // A profile asked for by name must exist: silently using other keys (or
  // none) would sign requests as someone else.
  if (!profile.origin.empty() && !creds_section && !config_section) {
    auto in_file = [](const IniFile& f, const char* variable) {
      if (f.path.empty()) return std::string("(no ") + variable + " and no HOME)";
      return "in " + f.path + (f.exists ? "" : " (no such file)");
    };
    return Status::InvalidArgument(
        "AWS profile " + Quote(profile.name) + " (" + profile.origin + ") not found: no [" +
            profile.name + "] " + in_file(creds_file, "AWS_SHARED_CREDENTIALS_FILE") +
            ", and no [profile " + profile.name + "] " + in_file(config_file, "AWS_CONFIG_FILE"),
        codes::kAwsCredentials);
  }

  AwsSettings out;
  PAWS_ASSIGN_OR_RETURN(std::optional<AwsCredentials> creds, FromEnvironment(env));
  if (creds) {
    out.credentials_source = "environment";
  } else if (creds_section) {
    PAWS_ASSIGN_OR_RETURN(creds, FromSection(*creds_section, Where(creds_file, profile.name)));
    if (creds) out.credentials_source = Where(creds_file, profile.name);
  }
  if (!creds && config_section) {
    PAWS_ASSIGN_OR_RETURN(creds, FromSection(*config_section, Where(config_file, profile.name)));
    if (creds) out.credentials_source = Where(config_file, profile.name);
  }
  if (!creds) {
    return Status::Unauthenticated(
        "no AWS credentials: looked in the environment (AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY are not set), in " +
            Looked(creds_file, profile.name, creds_section.has_value(),
                   "AWS_SHARED_CREDENTIALS_FILE") +
            " and in " +
            Looked(config_file, profile.name, config_section.has_value(), "AWS_CONFIG_FILE") +
            UnsupportedHint(config_section),
        codes::kAwsCredentials);
  }
  out.credentials = std::move(*creds);

  PAWS_ASSIGN_OR_RETURN(out.region, ResolveRegion(in, env, config_file, profile, config_section));
  PAWS_ASSIGN_OR_RETURN(out.dynamodb_endpoint,
                        ResolveEndpoint(env, in.dynamodb_endpoint, "store.aws.dynamodb_endpoint",
                                        "AWS_ENDPOINT_URL_DYNAMODB", "dynamodb", out.region));
  PAWS_ASSIGN_OR_RETURN(out.sqs_endpoint,
                        ResolveEndpoint(env, in.sqs_endpoint, "store.aws.sqs_endpoint",
                                        "AWS_ENDPOINT_URL_SQS", "sqs", out.region));
  return out;
}

// ---------------------------------------------------------------------------
// The real environment.

AwsEnv AwsEnv::Real() {
  // The same environment and file reads as the configuration's.
  ConfigEnv real = ConfigEnv::Real();
  AwsEnv env;
  env.getenv = std::move(real.getenv);
  env.read_file = std::move(real.read_file);
  return env;
}

}  // namespace paws::aws
