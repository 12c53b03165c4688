#include "backends/aws/dynamodb_table.h"

#include <map>

#include "paws/codes.h"

namespace paws::aws {
namespace {

using nlohmann::json;

constexpr int kActivePolls = 60;
constexpr Duration kActivePollInterval = std::chrono::seconds(1);

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Checks the key schema against (CollectorId HASH S, MessageId RANGE S);
// returns what is wrong, "" when nothing is.
std::string KeySchemaProblem(const json& table) {
  std::map<std::string, std::string> types;
  if (auto defs = table.find("AttributeDefinitions"); defs != table.end() && defs->is_array()) {
    for (const auto& d : *defs) types[Str(d, "AttributeName")] = Str(d, "AttributeType");
  }
  std::string found;
  std::string hash, range;
  if (auto ks = table.find("KeySchema"); ks != table.end() && ks->is_array()) {
    for (const auto& k : *ks) {
      const std::string name = Str(k, "AttributeName");
      const std::string kind = Str(k, "KeyType");
      found += (found.empty() ? "" : ", ") + name + " " + kind + " " + types[name];
      if (kind == "HASH") hash = name;
      if (kind == "RANGE") range = name;
    }
  }
  if (hash == "CollectorId" && range == "MessageId" && types["CollectorId"] == "S" &&
      types["MessageId"] == "S") {
    return "";
  }
  return "key schema is (" + (found.empty() ? std::string("none") : found) +
         "), expected (CollectorId HASH S, MessageId RANGE S)";
}

}  // namespace

Result<TableReport> DescribeStateTable(AwsJsonClient& c, const std::string& table) {
  TableReport report;
  auto desc = c.Call("DescribeTable", json{{"TableName", table}});
  if (!desc.ok()) {
    if (desc.status().code() == StatusCode::kNotFound) return report;
    return desc.status().Annotate("describe dynamodb table " + table);
  }
  const json t = (*desc).value("Table", json::object());
  report.exists = true;
  report.status = Str(t, "TableStatus");
  report.key_schema_problem = KeySchemaProblem(t);
  report.key_schema_ok = report.key_schema_problem.empty();
  report.billing_mode = "PROVISIONED";  // what DynamoDB means by an absent summary
  if (auto b = t.find("BillingModeSummary"); b != t.end() && b->is_object()) {
    if (std::string m = Str(*b, "BillingMode"); !m.empty()) report.billing_mode = m;
  }
  if (auto n = t.find("ItemCount"); n != t.end() && n->is_number_integer()) {
    report.item_count = n->get<int64_t>();
  }
  CallInfo info;
  auto ttl = c.Call("DescribeTimeToLive", json{{"TableName", table}}, &info);
  if (!ttl.ok()) {
    if (info.error_type != "UnknownOperationException") {
      return ttl.status().Annotate("describe TTL of dynamodb table " + table);
    }
    report.ttl_status = "unknown (the server has no DescribeTimeToLive)";
    return report;
  }
  const json d = (*ttl).value("TimeToLiveDescription", json::object());
  report.ttl_status = Str(d, "TimeToLiveStatus");
  report.ttl_attribute = Str(d, "AttributeName");
  report.ttl_enabled = report.ttl_status == "ENABLED" || report.ttl_status == "ENABLING";
  return report;
}

Result<std::vector<std::string>> EnsureStateTable(AwsJsonClient& c, const std::string& table,
                                                  std::function<void(Duration)> sleep) {
  std::vector<std::string> done;
  PAWS_ASSIGN_OR_RETURN(TableReport report, DescribeStateTable(c, table));
  const bool existed = report.exists;
  if (!report.exists) {
    json create = {
        {"TableName", table},
        {"AttributeDefinitions",
         json::array({{{"AttributeName", "CollectorId"}, {"AttributeType", "S"}},
                      {{"AttributeName", "MessageId"}, {"AttributeType", "S"}}})},
        {"KeySchema", json::array({{{"AttributeName", "CollectorId"}, {"KeyType", "HASH"}},
                                   {{"AttributeName", "MessageId"}, {"KeyType", "RANGE"}}})},
        {"BillingMode", "PAY_PER_REQUEST"}};
    CallInfo info;
    auto created = c.Call("CreateTable", create, &info);
    // Another `paws aws init` may have created it in between: fine (its
    // key schema is checked below).
    if (!created.ok() && info.error_type != "ResourceInUseException") {
      return created.status().Annotate("create dynamodb table " + table);
    }
    done.push_back(created.ok() ? "created table " + table
                                : "table " + table + " was created meanwhile by someone else");
    PAWS_ASSIGN_OR_RETURN(report, DescribeStateTable(c, table));
  }
  if (report.exists && !report.key_schema_ok) {
    return Status::InvalidArgument("dynamodb table " + table + " exists but its " +
                                       report.key_schema_problem +
                                       "; paws does not change it: use another table name",
                                   codes::kAwsRejected);
  }
  if (existed) done.push_back("table " + table + " exists: key schema ok");
  for (int i = 0; report.status != "ACTIVE"; ++i) {
    if (!report.exists || i >= kActivePolls) {
      return Status::Unavailable("dynamodb table " + table + " is not ACTIVE after " +
                                     std::to_string(kActivePolls) + " s (status " +
                                     (report.status.empty() ? "absent" : report.status) + ")",
                                 codes::kStoreUnavailable);
    }
    sleep(kActivePollInterval);
    PAWS_ASSIGN_OR_RETURN(report, DescribeStateTable(c, table));
  }
  if (report.ttl_enabled) {
    if (report.ttl_attribute != kTtlAttribute) {
      return Status::InvalidArgument("dynamodb table " + table + " has TTL on " +
                                         report.ttl_attribute + ", not on " + kTtlAttribute +
                                         "; paws does not change it",
                                     codes::kAwsRejected);
    }
    done.push_back(std::string("TTL already enabled on ") + kTtlAttribute);
    return done;
  }
  CallInfo info;
  json ttl = {{"TableName", table},
              {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", kTtlAttribute}}}};
  auto enabled = c.Call("UpdateTimeToLive", ttl, &info);
  if (enabled.ok()) {
    done.push_back(std::string("enabled TTL on ") + kTtlAttribute);
  } else if (info.error_type == "UnknownOperationException") {
    done.push_back(std::string("TTL not enabled on ") + kTtlAttribute +
                   ": the server has no UpdateTimeToLive");
  } else {
    return enabled.status().Annotate("enable TTL on dynamodb table " + table);
  }
  return done;
}

}  // namespace paws::aws
