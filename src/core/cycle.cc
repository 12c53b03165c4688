#include "core/cycle.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "core/adoption.h"
#include "paws/codes.h"

namespace paws {
namespace {

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
    case CycleOutcome::kDeferred: return "deferred";
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
  // DESIGN.md, "Streams and legacy configuration" (core/adoption.h).
  std::string stream = StreamOfCollectorState(spec, sm.state_json);
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
  if (!sm.adopting() && sm.epoch == row.epoch && sm.seq == row.seq) {
    // Successor recovery: the cycle of m claimed, then the worker died
    // before its successor was known to be enqueued. A cycle that claimed
    // passed the dedup step, so m has a record; a copy of m's (e, s) with
    // no record (a second successor left by an earlier recovery, or an SQS
    // duplicate) never claimed, and recovering for it would fork the chain.
    auto rec = backend_->store()->GetRecord(row.collector_id, m.id);
    if (!rec.ok()) return CycleOutcome::kBackendError;
    if (rec->has_value() && (*rec)->status != RecordStatus::kComplete) {
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

// The error path. DueAt is left where the schedule put it: a stream that
// keeps failing must become overdue, so that the health check sees it.
CycleOutcome CycleRunner::Fail(const Work& w, const Status& error) {
  const QueueMessage& m = *w.m;
  const StateMessage& sm = w.sm;
  const CollectorSpec& spec = w.entry->spec;
  const std::string& stream = w.stream;
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
                            .due_at = w.due_at};
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

CycleOutcome CycleRunner::Process(const QueueMessage& m) { return ProcessBatch({m}).front(); }

// Step 1 for one message. Returns the message with its collector and
// stream, or nullopt when it is done with (its outcome in *outcome).
std::optional<CycleRunner::Parsed> CycleRunner::Parse(const QueueMessage& m, CycleOutcome* outcome,
                                                      std::pair<std::string, std::string>* label) {
  CycleCounters::Inc(counters_->received);
  auto parsed = ParseStateMessage(m.body);
  if (!parsed.ok()) return *outcome = Poison(m, "", parsed.status()), std::nullopt;
  StateMessage sm = std::move(parsed).value();
  if (sm.legacy) {
    // An upstream body carries no collector (core/adoption.h).
    std::vector<const CollectorSpec*> specs;
    for (const auto& [id, e] : collectors_->entries()) specs.push_back(&e.spec);
    auto owner = OwnerOfUpstreamState(specs, sm.state_json);
    if (!owner.ok()) return *outcome = Poison(m, "", owner.status()), std::nullopt;
    sm.collector_id = (*owner)->id;
  }
  const CollectorSet::Entry* entry = collectors_->Find(sm.collector_id);
  if (entry == nullptr) {
    *outcome = Poison(m, sm.collector_id,
                      Status::InvalidArgument("unknown collector \"" + sm.collector_id + "\"",
                                              codes::kMessageUnknownCollector));
    return std::nullopt;
  }
  const CollectorSpec& spec = entry->spec;
  label->first = spec.id;
  auto stream = ResolveStream(sm, spec);
  if (!stream.ok()) return *outcome = Poison(m, spec.id, stream.status()), std::nullopt;
  label->second = *stream;
  return Parsed{&m, std::move(sm), entry, *stream};
}

// Step 2 for one parsed message and its stream row as read. Returns the
// work to go on with, or nullopt when the message is done with.
std::optional<CycleRunner::Work> CycleRunner::CheckFence(
    Parsed p, const Result<std::optional<StreamRow>>& row_or, CycleOutcome* outcome) {
  const QueueMessage& m = *p.m;
  const StateMessage& sm = p.sm;
  const CollectorSpec& spec = p.entry->spec;
  if (!row_or.ok()) return *outcome = CycleOutcome::kBackendError, std::nullopt;
  WallTime due_at = clock_->Now();
  if (row_or->has_value()) {
    due_at = (*row_or)->due_at;
    const StreamRow& row = **row_or;
    if (sm.adopting() || sm.epoch != row.epoch || sm.seq != row.seq + 1) {
      return *outcome = Fence(m, sm, p.stream, row), std::nullopt;
    }
  } else if (!sm.adopting()) {
    // A fenced message whose stream has no row (the store was reset): adopt
    // the chain by creating its row just behind the message.
    StreamRow row;
    row.collector_id = spec.id;
    row.stream = p.stream;
    row.epoch = sm.epoch;
    row.seq = sm.seq - 1;
    row.checkpoint = sm.state_json;
    row.due_at = row.first_seen = clock_->Now();
    Status st = backend_->store()->CreateStream(row);
    if (!st.ok() && st.code() != StatusCode::kConflict) {
      return *outcome = CycleOutcome::kBackendError, std::nullopt;
    }
    spdlog::warn("{}: no stream row; adopted the message's chain",
                 Describe(spec.id, p.stream, sm.epoch, sm.seq));
  }
  return Work{p.m, std::move(p.sm), p.entry, std::move(p.stream), due_at, {}};
}

// The cycles of a batch run step by step together, so that the dedup
// writes of all of them are one transaction and so are their commits (on
// backends that can). Each cycle still succeeds or fails on its own.
std::vector<CycleOutcome> CycleRunner::ProcessBatch(const std::vector<QueueMessage>& batch) {
  std::vector<CycleOutcome> out(batch.size(), CycleOutcome::kBackendError);
  std::vector<std::pair<std::string, std::string>> labels(batch.size());
  std::vector<int64_t> events(batch.size(), 0);
  std::vector<Parsed> parsed;
  std::vector<size_t> parsed_index;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto p = Parse(batch[i], &out[i], &labels[i]);
    if (p) {
      parsed.push_back(std::move(*p));
      parsed_index.push_back(i);
    }
  }
  // The rows of the whole batch in one read (one transaction on SQLite,
  // BatchGetItem on DynamoDB).
  std::vector<std::pair<std::string, std::string>> keys;
  keys.reserve(parsed.size());
  for (const auto& p : parsed) keys.emplace_back(p.entry->spec.id, p.stream);
  std::vector<Result<std::optional<StreamRow>>> rows;
  if (!keys.empty()) rows = backend_->store()->GetStreams(keys);
  std::vector<Work> work;
  std::vector<size_t> index;
  for (size_t j = 0; j < parsed.size(); ++j) {
    const size_t i = parsed_index[j];
    Result<std::optional<StreamRow>> row =
        j < rows.size() ? rows[j] : Result<std::optional<StreamRow>>(Status::Internal("no row"));
    auto w = CheckFence(std::move(parsed[j]), row, &out[i]);
    if (w) {
      work.push_back(std::move(*w));
      index.push_back(i);
    }
  }
  RunSteps(&work, index, &out, &events);
  if (observer_ != nullptr) {
    for (size_t i = 0; i < batch.size(); ++i) {
      observer_->OnCycle(labels[i].first, labels[i].second, out[i], events[i]);
    }
  }
  return out;
}

// Steps 3-7 for the messages that passed the fence.
void CycleRunner::RunSteps(std::vector<Work>* work_ptr, const std::vector<size_t>& index,
                           std::vector<CycleOutcome>* out_ptr, std::vector<int64_t>* events) {
  std::vector<Work>& work = *work_ptr;
  std::vector<CycleOutcome>& out = *out_ptr;
  if (work.empty()) return;

  // 3. Dedup.
  WallTime now = clock_->Now();
  std::vector<StateRecord> recs;
  for (const auto& w : work) {
    recs.push_back(StateRecord{w.entry->spec.id, w.m->id, w.entry->spec.cid, now + kStateRecordTtl,
                               now, RecordStatus::kIncomplete, w.stream, ""});
  }
  auto acquired = backend_->store()->AcquireRecords(recs, options_.visibility_timeout);

  // 4. Poll and send, one cycle after the other. Every poll must end well
  // within the lease the batch was received with.
  MonoTime lease_end = clock_->MonotonicNow() + options_.visibility_timeout * 4 / 5;
  std::vector<CycleCommit> commits;
  std::vector<size_t> committing;  // index into work
  for (size_t k = 0; k < work.size(); ++k) {
    Work& w = work[k];
    CycleOutcome& o = out[index[k]];
    if (!acquired[k].ok()) continue;  // kBackendError: redelivered after the lease
    if (*acquired[k] != AcquireOutcome::kAcquired) {
      CycleCounters::Inc(counters_->duplicates);
      bool complete = *acquired[k] == AcquireOutcome::kAlreadyComplete;
      o = !complete || backend_->queue()->Delete(w.m->receipt).ok() ? CycleOutcome::kDuplicate
                                                                    : CycleOutcome::kBackendError;
      continue;
    }
    const CollectorSpec& spec = w.entry->spec;
    if (lease_end - clock_->MonotonicNow() < options_.visibility_timeout / 5) {
      o = Defer(w);
      continue;
    }
    MonoTime deadline = std::min(clock_->MonotonicNow() + options_.poll_timeout, lease_end);
    auto polled = w.entry->source->Poll(w.sm.state_json, deadline);
    if (!polled.ok()) {
      o = Fail(w, polled.status());
      continue;
    }
    if (!polled->events.empty()) {
      Status sent = sink_->Write(SinkBatch{spec.id, spec.type, w.stream, polled->events});
      if (!sent.ok()) {
        o = Fail(w, sent.WithCode(codes::kSinkFailed));
        continue;
      }
    }
    w.polled = std::move(polled).value();
    commits.push_back(MakeCommit(w));
    committing.push_back(k);
  }
  if (commits.empty()) return;

  // 5-7. Claim, enqueue the successors, complete.
  std::vector<Status> committed = backend_->CommitCycles(commits);
  for (size_t c = 0; c < committing.size(); ++c) {
    const Work& w = work[committing[c]];
    size_t i = index[committing[c]];
    out[i] = Committed(w, committed[c]);
    if (out[i] == CycleOutcome::kCommitted) {
      (*events)[i] = static_cast<int64_t>(w.polled.events.size());
    }
  }
}

// The polls before this one used up the lease: rather than poll with no
// time left (and record a failure the stream did not have), hand the
// message back at once and free its record for the next receiver.
CycleOutcome CycleRunner::Defer(const Work& w) {
  CycleCounters::Inc(counters_->deferred);
  Status st = backend_->store()->SetRecordStatus(w.entry->spec.id, w.m->id, w.stream,
                                                 RecordStatus::kFailed, clock_->Now(),
                                                 "deferred: the batch ran out of lease");
  if (st.ok()) st = backend_->queue()->ChangeVisibility(w.m->receipt, Duration(0));
  if (!st.ok()) return CycleOutcome::kBackendError;
  spdlog::debug("{}: deferred, the batch ran out of lease",
                Describe(w.entry->spec.id, w.stream, w.sm.epoch, w.sm.seq));
  return CycleOutcome::kDeferred;
}

CycleCommit CycleRunner::MakeCommit(const Work& w) {
  WallTime now = clock_->Now();
  const std::string& id = w.entry->spec.id;
  CycleCommit c;
  c.claim = ClaimUpdate{.collector_id = id,
                        .stream = w.stream,
                        .epoch = w.sm.epoch,
                        .seq = w.sm.seq,
                        .checkpoint = w.polled.next_state_json,
                        .now = now,
                        .due_at = now + w.polled.next_delay};
  c.successor_body = SerializeStateMessage(
      StateMessage{id, w.sm.epoch, w.sm.seq + 1, 0, w.polled.next_state_json, false});
  c.successor_delay = w.polled.next_delay;
  c.message_id = w.m->id;
  c.receipt = w.m->receipt;
  return c;
}

CycleOutcome CycleRunner::Committed(const Work& w, const Status& st) {
  const std::string& id = w.entry->spec.id;
  if (st.code() == StatusCode::kConflict) {
    CycleCounters::Inc(counters_->claims_lost);
    spdlog::warn("[{}] {}: claim lost, another chain owns the stream", codes::kClaimLost,
                 Describe(id, w.stream, w.sm.epoch, w.sm.seq));
    return CycleOutcome::kClaimLost;
  }
  if (!st.ok()) {
    CycleCounters::Inc(counters_->commit_errors);
    spdlog::warn("{}: commit failed, the message will be redelivered: {}",
                 Describe(id, w.stream, w.sm.epoch, w.sm.seq), st.ToString());
    return CycleOutcome::kBackendError;
  }
  CycleCounters::Inc(counters_->committed);
  CycleCounters::Inc(counters_->events, static_cast<int64_t>(w.polled.events.size()));
  for (const Status& warning : w.polled.warnings) {
    CycleCounters::Inc(counters_->source_warnings);
    spdlog::warn("[{}] {}: {}", warning.paws_code(), Describe(id, w.stream, w.sm.epoch, w.sm.seq),
                 warning.message());
  }
  spdlog::debug("{}: committed {} events, next in {} ms", Describe(id, w.stream, w.sm.epoch, w.sm.seq),
                w.polled.events.size(), w.polled.next_delay.count());
  return CycleOutcome::kCommitted;
}

}  // namespace paws
