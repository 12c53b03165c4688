#include "sources/o365/o365_records.h"

#include <nlohmann/json.hpp>

#include "sources/common/api_errors.h"

namespace paws {
namespace {

using json = nlohmann::json;
// Records keep the key order the API sent.
using ordered_json = nlohmann::ordered_json;

std::string StringMember(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string O365ErrorSummary(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    auto err = j.find("error");
    if (err != j.end() && err->is_object()) {
      const std::string code = StringMember(*err, "code"), message = StringMember(*err, "message");
      if (!code.empty() || !message.empty()) {
        return code.empty() || message.empty() ? code + message : code + ": " + message;
      }
    }
    const std::string message = StringMember(j, "Message");
    if (!message.empty()) return message;
  }
  return JsonErrorSummary(body);
}

std::string O365ErrorCode(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return "";
  auto err = j.find("error");
  return err != j.end() && err->is_object() ? StringMember(*err, "code") : "";
}

Status ParseO365Listing(const std::string& body, const std::string& what,
                        std::vector<std::string>* uris) {
  json page = json::parse(body, nullptr, false);
  if (page.is_discarded()) return Malformed(what + ": response body is not JSON");
  if (!page.is_array())
    return Malformed(what + ": response body is not a JSON array of content blobs");
  for (size_t i = 0; i < page.size(); ++i) {
    const std::string uri = page[i].is_object() ? StringMember(page[i], "contentUri") : "";
    if (uri.empty()) {
      return Malformed(what + ": content blob " + std::to_string(i) + " has no contentUri");
    }
    uris->push_back(uri);
  }
  return Status::Ok();
}

std::optional<WallTime> ParseO365Time(const std::string& text) {
  Result<WallTime> t = ParseRfc3339(text);
  if (t.ok()) return *t;
  // No offset: UTC, as the API writes CreationTime.
  if (text.size() < 19 || text.find_first_of("Zz+", 19) != std::string::npos) return std::nullopt;
  t = ParseRfc3339(text + "Z");
  return t.ok() ? std::optional<WallTime>(*t) : std::nullopt;
}

Status ParseO365Records(const std::string& body, const std::string& what, std::vector<Event>* out) {
  ordered_json records = ordered_json::parse(body, nullptr, false);
  if (records.is_discarded()) return Malformed(what + ": response body is not JSON");
  if (!records.is_array()) {
    return Malformed(what + ": response body is not a JSON array of audit records");
  }
  for (size_t i = 0; i < records.size(); ++i) {
    const ordered_json& r = records[i];
    const std::string at = what + ": audit record " + std::to_string(i);
    if (!r.is_object()) return Malformed(at + " is not an object");
    auto id = r.find("Id");
    if (id == r.end() || !id->is_string() || id->get<std::string>().empty()) {
      return Malformed(at + " has no Id");
    }
    auto created = r.find("CreationTime");
    if (created == r.end() || !created->is_string()) return Malformed(at + " has no CreationTime");
    std::optional<WallTime> ts = ParseO365Time(created->get<std::string>());
    if (!ts) return Malformed(at + " has an invalid CreationTime");
    std::string type;
    auto rt = r.find("RecordType");
    auto op = r.find("Operation");
    if (rt != r.end() && rt->is_number_integer()) {
      type = std::to_string(rt->get<int64_t>());
    } else if (rt != r.end() && rt->is_string()) {
      type = rt->get<std::string>();
    } else if (op != r.end() && op->is_string()) {
      type = op->get<std::string>();
    }
    out->push_back(Event{id->get<std::string>(), *ts, std::move(type),
                         r.dump(-1, ' ', false, ordered_json::error_handler_t::replace), true});
  }
  return Status::Ok();
}

}  // namespace paws
