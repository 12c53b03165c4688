#include "core/cycle.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "paws/codes.h"

namespace paws {
namespace {

// Fields in which upstream collectors name the stream of a state
// (DESIGN.md, "Streams and legacy configuration").
constexpr const char* kLegacyStreamFields[] = {"stream",     "object",   "apiName",
                                               "application", "objectName", "resource"};

std::string Describe(const std::string& collector, const std::string& stream, int64_t e,
                     int64_t s) {
  return "collector " + collector + " stream " + stream + " (" + std::to_string(e) + "," +
         std::to_string(s) + ")";
}

}  // namespace

std::string_view CycleOutcomeName(CycleOutcome o) {
  switch (o) {
    case CycleOutcome::kCommitted: return "committed";
    case CycleOutcome::kFailed: return "failed";
    case CycleOutcome::kStale: return "stale";
    case CycleOutcome::kDuplicate: return "duplicate";
    case CycleOutcome::kClaimLost: return "claim_lost";
    case CycleOutcome::kPoison: return "poison";
    case CycleOutcome::kBackendError: return "backend_error";
  }
  return "unknown";
}

CycleRunner::CycleRunner(Backend* backend, const CollectorSet* collectors, Sink* sink,
                         Clock* clock, const RuntimeOptions& options, CycleCounters* counters)
    : backend_(backend),
      collectors_(collectors),
      sink_(sink),
      clock_(clock),
      options_(options),
      counters_(counters),
      rng_(std::random_device{}()) {}

Duration CycleRunner::Backoff(const RuntimeOptions& options, int retry) {
  Duration d = options.min_backoff;
  for (int i = 1; i < retry && d < options.max_backoff; ++i) d *= 2;
  return std::min(d, options.max_backoff);
}

Duration CycleRunner::Jittered(Duration d) {
  std::lock_guard<std::mutex> lock(rng_mu_);
  std::uniform_real_distribution<double> dist(0.8, 1.2);
  return Duration(static_cast<int64_t>(static_cast<double>(d.count()) * dist(rng_)));
}

CycleOutcome CycleRunner::Poison(const QueueMessage& m, const std::string& collector_id,
                                 const Status& why) {
  CycleCounters::Inc(counters_->poison);
  spdlog::error("[{}] message {} moved to the dead-letter area: {}", why.paws_code(), m.id,
                why.message());
  if (!collector_id.empty()) {
    Status st = backend_->store()->SetRecordStatus(collector_id, m.id, "", RecordStatus::kFailed,
                                                   clock_->Now(), why.ToString());
    if (!st.ok()) spdlog::warn("could not record poison message {}: {}", m.id, st.ToString());
  }
  Status st = backend_->queue()->MoveToDeadLetter(m.receipt, why.ToString());
  if (!st.ok()) {
    spdlog::warn("could not dead-letter message {}: {}", m.id, st.ToString());
    return CycleOutcome::kBackendError;
  }
  return CycleOutcome::kPoison;
}

Result<std::string> CycleRunner::ResolveStream(const StateMessage& sm, const CollectorSpec& spec) {
  std::string stream = StateStringField(sm.state_json, "stream");
  if (stream.empty() && sm.legacy) {
    for (const char* field : kLegacyStreamFields) {
      stream = StateStringField(sm.state_json, field);
      if (!stream.empty()) break;
    }
  }
  if (stream.empty() && spec.streams.size() == 1) stream = spec.streams.front();
  if (stream.empty()) {
    return Status::InvalidArgument(
        "state of collector " + spec.id + " names no stream and the collector has " +
            std::to_string(spec.streams.size()) + " streams",
        codes::kMessageNoStream);
  }
  return stream;
}

// DESIGN.md step 2. Called only for a message the fence rejects.
CycleOutcome CycleRunner::Fence(const QueueMessage& m, const StateMessage& sm,
                                const std::string& stream, const StreamRow& row) {
  CycleCounters::Inc(counters_->stale);
  if (!sm.legacy && sm.epoch == row.epoch && sm.seq == row.seq) {
    // Successor recovery: the cycle of m claimed, then the worker died
    // before its successor was known to be enqueued.
    auto rec = backend_->store()->GetRecord(row.collector_id, m.id);
    if (!rec.ok()) return CycleOutcome::kBackendError;
    if (!rec->has_value() || (*rec)->status != RecordStatus::kComplete) {
      StateMessage next{row.collector_id, row.epoch, row.seq + 1, 0, row.checkpoint, false};
      Duration delay = std::max(Duration(0), std::chrono::duration_cast<Duration>(
                                                 row.due_at - clock_->Now()));
      auto sent = backend_->queue()->Send(SerializeStateMessage(next), delay);
      if (!sent.ok()) return CycleOutcome::kBackendError;
      CycleCounters::Inc(counters_->recovered);
      spdlog::warn("{}: successor recovered after an interrupted cycle",
                   Describe(row.collector_id, stream, next.epoch, next.seq));
      Status st = backend_->store()->SetRecordStatus(row.collector_id, m.id, stream,
                                                     RecordStatus::kComplete, clock_->Now(), "");
      if (!st.ok()) spdlog::warn("could not complete record {}: {}", m.id, st.ToString());
    }
  } else {
    spdlog::info("[{}] {}: stale message dropped (row at ({},{}))", codes::kMessageStale,
                 Describe(row.collector_id, stream, sm.epoch, sm.seq), row.epoch, row.seq);
  }
  Status del = backend_->queue()->Delete(m.receipt);
  return del.ok() ? CycleOutcome::kStale : CycleOutcome::kBackendError;
}

CycleOutcome CycleRunner::Fail(const QueueMessage& m, const StateMessage& sm,
                               const CollectorSpec& spec, const std::string& stream,
                               const Status& error) {
  CycleCounters::Inc(counters_->failed);
  int retry = sm.retry_count + 1;
  Duration delay = Jittered(Backoff(options_, retry));
  if (error.code() == StatusCode::kRateLimited) delay = std::max(delay, error.retry_after());
  WallTime now = clock_->Now();
  StateMessage again = sm;
  again.collector_id = spec.id;
  again.retry_count = retry;
  again.legacy = false;
  FailureCommit f;
  f.failure = FailureUpdate{.collector_id = spec.id,
                            .stream = stream,
                            .epoch = sm.epoch,
                            .seq = sm.seq,
                            .error = error.ToString(),
                            .now = now,
                            .due_at = now + delay};
  f.retry_body = SerializeStateMessage(again);
  f.retry_delay = delay;
  f.message_id = m.id;
  f.receipt = m.receipt;
  auto count = backend_->CommitFailure(f);
  if (!count.ok()) {
    if (count.status().code() == StatusCode::kConflict) {
      CycleCounters::Inc(counters_->claims_lost);
      return CycleOutcome::kClaimLost;
    }
    CycleCounters::Inc(counters_->commit_errors);
    spdlog::warn("{}: could not record failure: {}",
                 Describe(spec.id, stream, sm.epoch, sm.seq), count.status().ToString());
    return CycleOutcome::kBackendError;
  }
  if (retry >= options_.error_retry_count) {
    spdlog::error("[{}] {}: {} consecutive failures, last: {}", codes::kStreamRetriesExhausted,
                  Describe(spec.id, stream, sm.epoch, sm.seq), retry, error.ToString());
  } else {
    spdlog::warn("{}: cycle failed (retry {} in {} ms): {}",
                 Describe(spec.id, stream, sm.epoch, sm.seq), retry, delay.count(),
                 error.ToString());
  }
  return CycleOutcome::kFailed;
}

CycleOutcome CycleRunner::Process(const QueueMessage& m) {
  CycleCounters::Inc(counters_->received);
  // 1. Parse.
  auto parsed = ParseStateMessage(m.body);
  if (!parsed.ok()) return Poison(m, "", parsed.status());
  StateMessage sm = std::move(parsed).value();
  if (sm.legacy) {
    // An upstream body carries no collector: it belongs to the only
    // collector whose queue this is.
    if (collectors_->entries().size() != 1) {
      return Poison(m, "",
                    Status::InvalidArgument("upstream-format message on a queue shared by " +
                                                std::to_string(collectors_->entries().size()) +
                                                " collectors",
                                            codes::kMessageUnknownCollector));
    }
    sm.collector_id = collectors_->entries().begin()->first;
  }
  const CollectorSet::Entry* entry = collectors_->Find(sm.collector_id);
  if (entry == nullptr) {
    return Poison(m, sm.collector_id,
                  Status::InvalidArgument("unknown collector \"" + sm.collector_id + "\"",
                                          codes::kMessageUnknownCollector));
  }
  const CollectorSpec& spec = entry->spec;
  auto stream_or = ResolveStream(sm, spec);
  if (!stream_or.ok()) return Poison(m, spec.id, stream_or.status());
  const std::string stream = *stream_or;
  StateStore* store = backend_->store();

  // 2. Fence.
  auto row_or = store->GetStream(spec.id, stream);
  if (!row_or.ok()) return CycleOutcome::kBackendError;
  if (row_or->has_value()) {
    const StreamRow& row = **row_or;
    if (sm.legacy || sm.epoch != row.epoch || sm.seq != row.seq + 1) {
      return Fence(m, sm, stream, row);
    }
  } else if (!sm.legacy) {
    // A fenced message whose stream has no row (the store was reset): adopt
    // the chain by creating its row just behind the message.
    StreamRow row;
    row.collector_id = spec.id;
    row.stream = stream;
    row.epoch = sm.epoch;
    row.seq = sm.seq - 1;
    row.checkpoint = sm.state_json;
    row.due_at = row.first_seen = clock_->Now();
    Status st = store->CreateStream(row);
    if (!st.ok() && st.code() != StatusCode::kConflict) return CycleOutcome::kBackendError;
    spdlog::warn("{}: no stream row; adopted the message's chain",
                 Describe(spec.id, stream, sm.epoch, sm.seq));
  }

  // 3. Dedup.
  WallTime now = clock_->Now();
  StateRecord rec{spec.id, m.id, spec.cid, now + kStateRecordTtl, now,
                  RecordStatus::kIncomplete, stream, ""};
  auto acquired = store->AcquireRecord(rec, options_.visibility_timeout);
  if (!acquired.ok()) return CycleOutcome::kBackendError;
  if (*acquired == AcquireOutcome::kHeldElsewhere) {
    CycleCounters::Inc(counters_->duplicates);
    return CycleOutcome::kDuplicate;
  }
  if (*acquired == AcquireOutcome::kAlreadyComplete) {
    CycleCounters::Inc(counters_->duplicates);
    return backend_->queue()->Delete(m.receipt).ok() ? CycleOutcome::kDuplicate
                                                     : CycleOutcome::kBackendError;
  }

  // 4. Poll and send. The poll must end well within the lease.
  Duration budget = std::min(options_.poll_timeout, options_.visibility_timeout * 4 / 5);
  auto polled = entry->source->Poll(sm.state_json, clock_->MonotonicNow() + budget);
  if (!polled.ok()) return Fail(m, sm, spec, stream, polled.status());
  if (!polled->events.empty()) {
    Status sent = sink_->Write(SinkBatch{spec.id, spec.type, stream, polled->events});
    if (!sent.ok()) return Fail(m, sm, spec, stream, sent.WithCode(codes::kSinkFailed));
  }

  // 5-7. Claim, enqueue the successor, complete.
  now = clock_->Now();
  StateMessage next{spec.id, sm.epoch, sm.seq + 1, 0, polled->next_state_json, false};
  CycleCommit c;
  c.claim = ClaimUpdate{.collector_id = spec.id,
                        .stream = stream,
                        .epoch = sm.epoch,
                        .seq = sm.seq,
                        .checkpoint = polled->next_state_json,
                        .now = now,
                        .due_at = now + polled->next_delay};
  c.successor_body = SerializeStateMessage(next);
  c.successor_delay = polled->next_delay;
  c.message_id = m.id;
  c.receipt = m.receipt;
  Status committed = backend_->CommitCycle(c);
  if (committed.code() == StatusCode::kConflict) {
    CycleCounters::Inc(counters_->claims_lost);
    spdlog::warn("[{}] {}: claim lost, another chain owns the stream", codes::kClaimLost,
                 Describe(spec.id, stream, sm.epoch, sm.seq));
    return CycleOutcome::kClaimLost;
  }
  if (!committed.ok()) {
    CycleCounters::Inc(counters_->commit_errors);
    spdlog::warn("{}: commit failed, the message will be redelivered: {}",
                 Describe(spec.id, stream, sm.epoch, sm.seq), committed.ToString());
    return CycleOutcome::kBackendError;
  }
  CycleCounters::Inc(counters_->committed);
  CycleCounters::Inc(counters_->events, static_cast<int64_t>(polled->events.size()));
  spdlog::debug("{}: committed {} events, next in {} ms",
                Describe(spec.id, stream, sm.epoch, sm.seq), polled->events.size(),
                polled->next_delay.count());
  return CycleOutcome::kCommitted;
}

}  // namespace paws
