#include "tools/paws/aws_command.h"

#include <cstdio>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/aws/aws_backend.h"
#include "backends/aws/dynamodb_table.h"
#include "backends/aws/sqs_admin.h"
#include "paws/codes.h"

namespace paws::cli {
namespace {

using aws::AwsClients;

void PrintError(const Status& st) { std::fprintf(stderr, "paws: %s\n", st.ToString().c_str()); }

int ExitFor(const Status& st) {
  return st.code() == StatusCode::kInvalidArgument && st.paws_code() != codes::kAwsRejected
             ? kExitUsage
             : kExitFailure;
}

// The configuration and the clients of a `paws aws` verb; exit code on error.
struct Loaded {
  Config config;
  AwsClients clients;
};

std::variant<Loaded, int> LoadAws(const CommonFlags& flags) {
  auto config = LoadConfig(flags, /*read_secrets=*/false);
  if (!config.ok()) return PrintError(config.status()), kExitUsage;
  if (config->store.backend != "aws") {
    PrintError(Status::InvalidArgument("store.backend is \"" + config->store.backend +
                                           "\": paws aws works on the aws backend",
                                       codes::kUsage));
    return kExitUsage;
  }
  auto clients = aws::ConnectAws(config->store, aws::AwsEnv::Real());
  if (!clients.ok()) return PrintError(clients.status()), ExitFor(clients.status());
  return Loaded{std::move(*config), std::move(*clients)};
}

void PrintLines(const std::vector<std::string>& lines) {
  for (const auto& l : lines) std::printf("%s\n", l.c_str());
}

nlohmann::json TableJson(const aws::TableReport& t) {
  return {{"exists", t.exists},          {"status", t.status},
          {"key_schema_ok", t.key_schema_ok}, {"key_schema_problem", t.key_schema_problem},
          {"ttl_enabled", t.ttl_enabled}, {"ttl_attribute", t.ttl_attribute},
          {"ttl_status", t.ttl_status},  {"billing_mode", t.billing_mode},
          {"item_count", t.item_count}};
}

nlohmann::json QueueJson(const aws::QueueReport& q) {
  return {{"exists", q.exists},
          {"url", q.url},
          {"visibility_timeout_s", q.visibility_timeout_s},
          {"retention_s", q.retention_s},
          {"visible", q.visible},
          {"delayed", q.delayed},
          {"in_flight", q.in_flight}};
}

}  // namespace

int AwsInitCommand(const CommonFlags& flags) {
  auto loaded = LoadAws(flags);
  if (auto* code = std::get_if<int>(&loaded)) return *code;
  auto& [config, clients] = std::get<Loaded>(loaded);
  const auto& a = config.store.aws;
  nlohmann::json out = {{"table", a.table}, {"queue", a.queue}, {"ok", false}};
  auto table = aws::EnsureStateTable(*clients.dynamodb, a.table,
                                     [](Duration d) { std::this_thread::sleep_for(d); });
  if (!table.ok()) {
    PrintError(table.status().Annotate("table " + a.table));
    return ExitFor(table.status());
  }
  std::vector<std::string> lines = *table;
  // A queue given by URL (an upstream deployment's) is checked, never
  // created; its dead-letter queue is created beside it when missing.
  auto q = aws::EnsureStateQueue(*clients.sqs, a.queue, config.runtime.visibility_timeout,
                                 config.store.retention);
  if (!q.ok()) {
    PrintError(q.status().Annotate("queue " + a.queue));
    return ExitFor(q.status());
  }
  lines.insert(lines.end(), q->begin(), q->end());
  out["ok"] = true;
  out["done"] = lines;
  if (flags.json) {
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    PrintLines(lines);
  }
  return kExitOk;
}

int AwsStatusCommand(const CommonFlags& flags) {
  auto loaded = LoadAws(flags);
  if (auto* code = std::get_if<int>(&loaded)) return *code;
  auto& [config, clients] = std::get<Loaded>(loaded);
  const auto& a = config.store.aws;
  auto table = aws::DescribeStateTable(*clients.dynamodb, a.table);
  if (!table.ok()) return PrintError(table.status()), ExitFor(table.status());
  auto queue = aws::DescribeStateQueue(*clients.sqs, a.queue);
  if (!queue.ok()) return PrintError(queue.status()), ExitFor(queue.status());
  const std::string dead_name = aws::DeadLetterQueueOf(a);
  auto dead = aws::DescribeStateQueue(*clients.sqs, dead_name);
  if (!dead.ok()) return PrintError(dead.status()), ExitFor(dead.status());

  std::vector<std::string> problems;
  if (!table->exists) problems.push_back("table " + a.table + " does not exist");
  if (table->exists && !table->key_schema_ok) {
    problems.push_back("table " + a.table + ": " + table->key_schema_problem);
  }
  if (table->exists && !table->ttl_enabled && table->ttl_status.rfind("unknown", 0) != 0) {
    problems.push_back("table " + a.table + ": TTL is not enabled on ExpireDate");
  }
  if (!queue->exists) problems.push_back("queue " + a.queue + " does not exist");
  const int64_t want_retention =
      std::chrono::duration_cast<std::chrono::seconds>(config.store.retention).count();
  if (queue->exists && queue->retention_s != want_retention) {
    problems.push_back("queue " + a.queue + ": retention is " +
                       aws::FormatQueueDuration(queue->retention_s) + ", store.retention says " +
                       aws::FormatQueueDuration(want_retention));
  }
  if (!dead->exists) problems.push_back("dead-letter queue " + dead_name + " does not exist");
  // The upstream queues attached to collectors being taken over: they
  // should drain; an empty one can be detached (docs/aws.md).
  nlohmann::json attached = nlohmann::json::array();
  std::vector<std::string> attached_lines;
  for (const auto& c : config.collectors) {
    if (c.upstream_queue.empty()) continue;
    auto q = aws::DescribeStateQueue(*clients.sqs, c.upstream_queue);
    if (!q.ok()) return PrintError(q.status()), ExitFor(q.status());
    nlohmann::json j = QueueJson(*q);
    j["name"] = c.upstream_queue;
    j["collector"] = c.id;
    attached.push_back(j);
    if (!q->exists) {
      attached_lines.push_back(c.id + ": " + c.upstream_queue + ": gone");
      continue;
    }
    const int64_t left = q->visible + q->delayed + q->in_flight;
    attached_lines.push_back(c.id + ": " + c.upstream_queue + ": ~" + std::to_string(left) +
                             " messages left" +
                             (left == 0 ? " (drained: upstream_queue can be removed)" : ""));
  }

  const auto& s = clients.settings;
  if (flags.json) {
    nlohmann::json out = {{"region", s.region},
                          {"credentials", s.credentials_source},
                          {"dynamodb_endpoint", s.dynamodb_endpoint},
                          {"sqs_endpoint", s.sqs_endpoint},
                          {"table", TableJson(*table)},
                          {"queue", QueueJson(*queue)},
                          {"dead_letter_queue", QueueJson(*dead)},
                          {"attached", attached},
                          {"problems", problems},
                          {"ok", problems.empty()}};
    out["table"]["name"] = a.table;
    out["queue"]["name"] = a.queue;
    out["dead_letter_queue"]["name"] = dead_name;
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("region       %s\ncredentials  %s\ndynamodb     %s\nsqs          %s\n",
                s.region.c_str(), s.credentials_source.c_str(), s.dynamodb_endpoint.c_str(),
                s.sqs_endpoint.c_str());
    if (table->exists) {
      std::printf("table        %s: %s, key schema %s, TTL %s, %s, ~%lld items\n",
                  a.table.c_str(), table->status.c_str(),
                  table->key_schema_ok ? "ok" : table->key_schema_problem.c_str(),
                  table->ttl_status.c_str(), table->billing_mode.c_str(),
                  static_cast<long long>(table->item_count));
    } else {
      std::printf("table        %s: missing\n", a.table.c_str());
    }
    for (const auto* q : {&*queue, &*dead}) {
      const std::string& name = q == &*queue ? a.queue : dead_name;
      if (!q->exists) {
        std::printf("queue        %s: missing\n", name.c_str());
        continue;
      }
      std::printf("queue        %s: visibility %s, retention %s, ~%lld visible, ~%lld delayed, "
                  "~%lld in flight\n",
                  name.c_str(), aws::FormatQueueDuration(q->visibility_timeout_s).c_str(),
                  aws::FormatQueueDuration(q->retention_s).c_str(),
                  static_cast<long long>(q->visible), static_cast<long long>(q->delayed),
                  static_cast<long long>(q->in_flight));
    }
    for (const auto& l : attached_lines) std::printf("attached     %s\n", l.c_str());
    for (const auto& p : problems) std::printf("problem      %s\n", p.c_str());
  }
  return problems.empty() ? kExitOk : kExitFailure;
}

}  // namespace paws::cli
