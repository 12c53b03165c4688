#include "config/table_reader.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <sstream>
#include <vector>

#include "config/duration.h"

namespace paws::config_internal {
namespace {

constexpr size_t kShownChars = 64;

// Levenshtein distance, for "did you mean" on unknown keys.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string FormatDouble(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  std::string out(buf, res.ptr);
  // As TOML writes it: 4.0, not 4, so a float is told apart from an integer.
  if (out.find_first_of(".en") == std::string::npos) out += ".0";
  return out;
}

}  // namespace

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string Quote(std::string_view text) {
  std::string out = "\"";
  size_t n = std::min(text.size(), kShownChars);
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  if (text.size() > kShownChars) out += "...";
  out += "\"";
  return out;
}

std::string DescribeValue(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return Quote(node.as_string()->get());
    case toml::node_type::integer:
      return std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point:
      return FormatDouble(node.as_floating_point()->get());
    case toml::node_type::boolean:
      return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: {
      std::ostringstream os;
      node.visit([&os](const auto& v) {
        if constexpr (toml::is_date<decltype(v)> || toml::is_time<decltype(v)> ||
                      toml::is_date_time<decltype(v)>) {
          os << v;
        }
      });
      return os.str();
    }
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string LineSuffix(const toml::source_region& where) {
  if (where.begin.line == 0) return "";
  return " (line " + std::to_string(where.begin.line) + ")";
}

TableReader::TableReader(const std::string& file, const toml::table& table, std::string path,
                         std::string title)
    : file_(&file), table_(&table), path_(std::move(path)), title_(std::move(title)) {}

std::string TableReader::KeyPath(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

Status TableReader::Error(std::string_view key, std::string_view text, const toml::node* at,
                          std::string_view paws_code) const {
  const toml::source_region* where = &table_->source();
  if (at != nullptr) {
    where = &at->source();
  } else if (auto it = table_->find(key); it != table_->end()) {
    where = &it->first.source();
  }
  std::string name = key.empty() ? path_ : KeyPath(key);
  return Status(StatusCode::kInvalidArgument,
                *file_ + ": " + name + ": " + std::string(text) + LineSuffix(*where), paws_code);
}

Status TableReader::CheckKeys(std::initializer_list<std::string_view> known) const {
  // toml::table is ordered by key; report the unknown key that comes first
  // in the file, as a reader fixing errors top-down expects.
  const toml::key* first = nullptr;
  for (const auto& [key, node] : *table_) {
    if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
    if (first == nullptr || key.source().begin.line < first->source().begin.line) first = &key;
  }
  if (first == nullptr) return Status::Ok();
  std::string text = "unknown key " + (path_.empty() ? "at the top level" : "in " + title_);
  std::string_view best;
  size_t best_distance = 3;  // suggest only near misses
  for (std::string_view candidate : known) {
    size_t d = EditDistance(first->str(), candidate);
    if (d < best_distance) best_distance = d, best = candidate;
  }
  if (!best.empty()) text += "; did you mean \"" + std::string(best) + "\"?";
  return Status(StatusCode::kInvalidArgument,
                *file_ + ": " + KeyPath(first->str()) + ": " + text + LineSuffix(first->source()),
                codes::kConfigInvalid);
}

Status TableReader::Require(std::string_view key) const {
  if (Find(key) != nullptr) return Status::Ok();
  return Error(key, "required key is missing");
}

Status TableReader::ReadString(std::string_view key, std::string* out) const {
  const toml::node* node = Find(key);
  if (node == nullptr) return Status::Ok();
  if (!node->is_string()) return Error(key, "expected a string, got " + DescribeValue(*node), node);
  *out = node->as_string()->get();
  return Status::Ok();
}

Status TableReader::ReadNonEmptyString(std::string_view key, std::string* out) const {
  const toml::node* node = Find(key);
  if (node == nullptr) return Status::Ok();
  if (!node->is_string() || node->as_string()->get().empty()) {
    return Error(key, "expected a non-empty string, got " + DescribeValue(*node), node);
  }
  *out = node->as_string()->get();
  return Status::Ok();
}

Status TableReader::ReadChoice(std::string_view key,
                               std::initializer_list<std::string_view> choices,
                               std::string* out) const {
  const toml::node* node = Find(key);
  if (node == nullptr) return Status::Ok();
  if (node->is_string()) {
    const std::string& value = node->as_string()->get();
    if (std::find(choices.begin(), choices.end(), value) != choices.end()) {
      *out = value;
      return Status::Ok();
    }
  }
  std::string expected;
  for (std::string_view choice : choices) {
    expected += expected.empty() ? "" : ", ";
    expected += Quote(choice);
  }
  return Error(key, "expected one of " + expected + ", got " + DescribeValue(*node), node);
}

Status TableReader::ReadInt(std::string_view key, int64_t min, int64_t max, int* out) const {
  max = std::min<int64_t>(max, std::numeric_limits<int>::max());
  const toml::node* node = Find(key);
  if (node == nullptr) return Status::Ok();
  if (node->is_integer()) {
    int64_t value = node->as_integer()->get();
    if (value >= min && value <= max) {
      *out = static_cast<int>(value);
      return Status::Ok();
    }
  }
  std::string expected =
      max == std::numeric_limits<int>::max()
          ? "an integer of at least " + std::to_string(min)
          : "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  return Error(key, "expected " + expected + ", got " + DescribeValue(*node), node);
}

Status TableReader::ReadBool(std::string_view key, bool* out) const {
  const toml::node* node = Find(key);
  if (node == nullptr) return Status::Ok();
  if (!node->is_boolean()) {
    return Error(key, "expected true or false, got " + DescribeValue(*node), node);
  }
  *out = node->as_boolean()->get();
  return Status::Ok();
}

Status TableReader::ReadDuration(std::string_view key, ZeroDuration zero, Duration* out) const {
  const toml::node* node = Find(key);
  if (node == nullptr) return Status::Ok();
  Result<Duration> parsed = Status::InvalidArgument("expected a duration like \"60s\" or 60, got " +
                                                    DescribeValue(*node));
  if (node->is_integer()) {
    parsed = DurationFromSeconds(node->as_integer()->get());
  } else if (node->is_string()) {
    parsed = ParseDuration(node->as_string()->get());
  }
  if (!parsed.ok()) return Error(key, parsed.status().message(), node);
  if (zero == ZeroDuration::kRejected && parsed->count() == 0) {
    return Error(key, "must be longer than zero, got " + DescribeValue(*node), node);
  }
  *out = *parsed;
  return Status::Ok();
}

}  // namespace paws::config_internal
