#include "core/migration.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/adoption.h"
#include "paws/collector_types.h"
#include "paws/state.h"

namespace paws {
namespace {

using nlohmann::json;

// Rewrites per call of RewriteMessages (each call scans the queue once).
constexpr size_t kRewriteBatch = 500;

// The state in its normalised form: "stream" set, the type's legacy field
// dropped (DESIGN.md: both forms are read, only the normalised one written).
std::string NormalisedState(const std::string& state_json, const CollectorType* type,
                            const std::string& stream) {
  json j = json::parse(state_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return state_json;
  if (type != nullptr && !type->legacy_state_field.empty() &&
      type->legacy_state_field != "stream") {
    j.erase(type->legacy_state_field);
  }
  if (type == nullptr || type->has_streams) j["stream"] = stream;
  return j.dump();
}

using Key = std::pair<std::string, std::string>;  // (collector, stream)

}  // namespace

Result<MigrationPlan> PlanMigration(const std::vector<CollectorSpec>& specs,
                                    const std::function<bool(const std::string&)>& has_source,
                                    Backend* backend, const MigrationProgress& progress) {
  MigrationPlan plan;
  std::vector<const CollectorSpec*> spec_ptrs;
  std::map<std::string, const CollectorSpec*> by_id;
  for (const CollectorSpec& s : specs) {
    spec_ptrs.push_back(&s);
    by_id[s.id] = &s;
  }

  // Rows first: a message is judged against the rows as they are.
  std::map<Key, StreamRow> rows;
  for (const CollectorSpec& s : specs) {
    PAWS_ASSIGN_OR_RETURN(auto list, backend->store()->ListStreams(s.id));
    for (StreamRow& r : list) rows.emplace(Key{r.collector_id, r.stream}, std::move(r));
  }

  // Messages: the upstream ones to upgrade, and who adopts each stream.
  PAWS_ASSIGN_OR_RETURN(auto queued, backend->queue()->ListAll());
  const int64_t total = static_cast<int64_t>(queued.size());
  std::map<Key, std::string> adopter;  // the first adoption message of a stream
  for (const QueueMessage& m : queued) {
    if (progress && plan.messages_scanned % 1000 == 0) {
      progress("messages", plan.messages_scanned, total);
    }
    ++plan.messages_scanned;
    auto sm = ParseStateMessage(m.body);
    if (!sm.ok() || !sm->adopting()) continue;  // poison is the runtime's business
    const CollectorSpec* owner = nullptr;
    if (sm->legacy) {
      MigrationMessage mm;
      mm.message_id = m.id;
      auto o = OwnerOfUpstreamState(spec_ptrs, sm->state_json);
      if (!o.ok()) {
        mm.action = "unowned";
        mm.reason = o.status().message();
        plan.messages.push_back(std::move(mm));
        continue;
      }
      owner = *o;
    } else {
      auto it = by_id.find(sm->collector_id);
      if (it == by_id.end()) continue;
      owner = it->second;
    }
    std::string stream = StreamOfCollectorState(*owner, sm->state_json);
    Key key{owner->id, stream};
    std::string action = rows.count(key) > 0             ? "stale"
                         : adopter.emplace(key, m.id).second ? "adopt"
                                                             : "duplicate";
    if (!sm->legacy) continue;  // already upgraded: counted as its stream's adopter
    MigrationMessage mm;
    mm.message_id = m.id;
    mm.collector_id = owner->id;
    mm.stream = stream;
    mm.action = action;
    if (!stream.empty()) {
      StateMessage up = *sm;
      up.legacy = false;
      up.collector_id = owner->id;
      up.state_json = NormalisedState(sm->state_json, FindCollectorType(owner->type), stream);
      mm.new_body = SerializeStateMessage(up);
    } else {
      mm.action = "unowned";
      mm.reason = "the state names no stream of collector " + owner->id;
    }
    plan.messages.push_back(std::move(mm));
  }
  if (progress) progress("messages", plan.messages_scanned, total);

  for (const CollectorSpec& s : specs) {
    MigrationCollector c;
    c.id = s.id;
    c.type = s.type;
    c.type_known = FindCollectorType(s.type) != nullptr;
    c.has_source = has_source && has_source(s.type);
    c.takeover = s.takeover;
    c.upstream_form = s.upstream_form;
    c.streams = s.streams;
    if (progress) progress("records of " + s.id, 0, -1);
    PAWS_ASSIGN_OR_RETURN(auto records, backend->store()->ListRecords(s.id));
    plan.records_scanned += static_cast<int64_t>(records.size());
    for (const StateRecord& r : records) c.legacy_records += r.stream.empty() ? 1 : 0;
    std::set<std::string> configured(s.streams.begin(), s.streams.end());
    for (const std::string& stream : s.streams) {
      MigrationStream ms;
      ms.stream = stream;
      auto row = rows.find(Key{s.id, stream});
      auto adopt = adopter.find(Key{s.id, stream});
      if (row != rows.end()) {
        ms.state = "row";
        ms.epoch = row->second.epoch;
        ms.seq = row->second.seq;
        ms.action = "none: collected by its chain";
      } else if (adopt != adopter.end()) {
        ms.state = "adoption";
        ms.message_id = adopt->second;
        ms.seq = 1;
        ms.action = "adopted from its upstream state when the message is received";
      } else if (!c.has_source) {
        ms.state = "none";
        ms.action = "cannot be collected: no source implements type " + s.type;
      } else if (s.takeover) {
        ms.state = "none";
        ms.action = "seeded from the source's initial state after grace";
      } else {
        ms.state = "none";
        ms.action = "registered when paws run or paws register starts";
      }
      c.stream_states.push_back(std::move(ms));
    }
    for (const auto& [key, row] : rows) {
      if (key.first != s.id || configured.count(key.second) > 0) continue;
      MigrationStream ms;
      ms.stream = key.second;
      ms.state = "unconfigured";
      ms.epoch = row.epoch;
      ms.seq = row.seq;
      ms.action = "retired by the health check (not in collector_streams)";
      c.stream_states.push_back(std::move(ms));
    }
    plan.collectors.push_back(std::move(c));
  }
  return plan;
}

Result<MigrationApplied> ApplyMigration(const MigrationPlan& plan, StateQueue* queue,
                                        const MigrationProgress& progress) {
  MigrationApplied applied;
  std::vector<MessageRewrite> batch;
  int64_t done = 0, total = 0;
  for (const MigrationMessage& m : plan.messages) total += m.new_body.empty() ? 0 : 1;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    PAWS_ASSIGN_OR_RETURN(auto statuses, queue->RewriteMessages(batch));
    for (const Status& st : statuses) {
      if (st.ok()) {
        ++applied.upgraded;
      } else if (st.code() == StatusCode::kConflict) {
        ++applied.in_flight;
      } else if (st.code() == StatusCode::kNotFound) {
        ++applied.gone;
      } else {
        return st;
      }
    }
    done += static_cast<int64_t>(batch.size());
    if (progress) progress("upgrading messages", done, total);
    batch.clear();
    return Status::Ok();
  };
  for (const MigrationMessage& m : plan.messages) {
    if (m.new_body.empty()) continue;
    batch.push_back(MessageRewrite{m.message_id, m.new_body});
    if (batch.size() == kRewriteBatch) PAWS_RETURN_IF_ERROR(flush());
  }
  PAWS_RETURN_IF_ERROR(flush());
  return applied;
}

}  // namespace paws
