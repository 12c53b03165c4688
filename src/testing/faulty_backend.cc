#include "testing/faulty_backend.h"

namespace paws {
namespace {

Status Crash(const char* op) { return Status::Unavailable(std::string("injected crash at ") + op); }

// Runs `write` under the plan: the Status the caller sees.
template <typename T, typename F>
Result<T> Guard(const FaultyBackend::Plan& plan, const char* op, int* crashes, F write) {
  FaultAction a = plan ? plan(op) : FaultAction::kNone;
  if (a == FaultAction::kCrashBefore) {
    ++*crashes;
    return Crash(op);
  }
  Result<T> r = write();
  if (a == FaultAction::kCrashAfter) {
    ++*crashes;
    return Crash(op);
  }
  return r;
}

struct Unit {};
Result<Unit> FromStatus(const Status& st) {
  if (st.ok()) return Unit{};
  return st;
}
Status ToStatus(const Result<Unit>& r) { return r.ok() ? Status::Ok() : r.status(); }

}  // namespace

class FaultyBackend::Queue : public StateQueue {
 public:
  Queue(StateQueue* inner, const Plan* plan, int* crashes)
      : inner_(inner), plan_(plan), crashes_(crashes) {}
  Result<std::string> Send(const std::string& body, Duration delay) override {
    return Guard<std::string>(*plan_, "Send", crashes_, [&] { return inner_->Send(body, delay); });
  }
  Result<std::vector<QueueMessage>> Receive(int max, Duration visibility, Duration wait) override {
    return inner_->Receive(max, visibility, wait);
  }
  Status Delete(const std::string& receipt) override {
    return ToStatus(Guard<Unit>(*plan_, "Delete", crashes_,
                                [&] { return FromStatus(inner_->Delete(receipt)); }));
  }
  Status ChangeVisibility(const std::string& receipt, Duration visibility) override {
    return inner_->ChangeVisibility(receipt, visibility);
  }
  Status MoveToDeadLetter(const std::string& receipt, const std::string& reason) override {
    return inner_->MoveToDeadLetter(receipt, reason);
  }
  Result<int64_t> PurgeExpired() override { return inner_->PurgeExpired(); }
  Duration retention() const override { return inner_->retention(); }
  Result<std::vector<QueueMessage>> ListAll() override { return inner_->ListAll(); }
  Result<std::vector<Status>> RewriteMessages(
      const std::vector<MessageRewrite>& rewrites) override {
    return inner_->RewriteMessages(rewrites);
  }
  Result<std::vector<DeadLetter>> ListDeadLetters() override { return inner_->ListDeadLetters(); }
  Result<QueueCounts> Counts() override { return inner_->Counts(); }

 private:
  StateQueue* inner_;
  const Plan* plan_;
  int* crashes_;
};

class FaultyBackend::Store : public StateStore {
 public:
  Store(StateStore* inner, const Plan* plan, int* crashes)
      : inner_(inner), plan_(plan), crashes_(crashes) {}

  Result<std::optional<StreamRow>> GetStream(const std::string& c, const std::string& s) override {
    return inner_->GetStream(c, s);
  }
  Result<std::vector<StreamRow>> ListStreams(const std::string& c) override {
    return inner_->ListStreams(c);
  }
  Result<std::vector<StreamRow>> ListAllStreams() override { return inner_->ListAllStreams(); }
  Status CreateStream(const StreamRow& row) override {
    return Write("CreateStream", [&] { return inner_->CreateStream(row); });
  }
  Status ClaimStream(const ClaimUpdate& u) override {
    return Write("ClaimStream", [&] {
      Status st = inner_->ClaimStream(u);
      if (st.ok()) claims.emplace_back(u.collector_id, u.stream, u.epoch, u.seq);
      return st;
    });
  }
  Result<int> RecordFailure(const FailureUpdate& u) override {
    return Guard<int>(*plan_, "RecordFailure", crashes_, [&] { return inner_->RecordFailure(u); });
  }
  Status BumpEpoch(const std::string& c, const std::string& s, int64_t e, int64_t q,
                   WallTime due) override {
    return Write("BumpEpoch", [&] { return inner_->BumpEpoch(c, s, e, q, due); });
  }
  Status SetStreamStatus(const std::string& c, const std::string& s, int64_t e, int64_t q,
                         const std::string& status) override {
    return Write("SetStreamStatus", [&] { return inner_->SetStreamStatus(c, s, e, q, status); });
  }
  Result<AcquireOutcome> AcquireRecord(const StateRecord& rec, Duration lease) override {
    return Guard<AcquireOutcome>(*plan_, "AcquireRecord", crashes_,
                                 [&] { return inner_->AcquireRecord(rec, lease); });
  }
  Result<std::optional<StateRecord>> GetRecord(const std::string& c,
                                               const std::string& m) override {
    return inner_->GetRecord(c, m);
  }
  Status SetRecordStatus(const std::string& c, const std::string& m, const std::string& s,
                         RecordStatus status, WallTime now, const std::string& reason) override {
    return Write("SetRecordStatus",
                 [&] { return inner_->SetRecordStatus(c, m, s, status, now, reason); });
  }
  Result<std::vector<StateRecord>> ListRecords(const std::string& c) override {
    return inner_->ListRecords(c);
  }
  Result<int64_t> PurgeExpiredRecords(WallTime now) override {
    return inner_->PurgeExpiredRecords(now);
  }

  std::vector<ClaimKey> claims;

 private:
  template <typename F>
  Status Write(const char* op, F f) {
    return ToStatus(Guard<Unit>(*plan_, op, crashes_, [&] { return FromStatus(f()); }));
  }
  StateStore* inner_;
  const Plan* plan_;
  int* crashes_;
};

FaultyBackend::FaultyBackend(std::unique_ptr<Backend> inner, Plan plan) : inner_(std::move(inner)) {
  plan_ = std::move(plan);
  queue_ = std::make_unique<Queue>(inner_->queue(), &plan_, &crashes_);
  store_ = std::make_unique<Store>(inner_->store(), &plan_, &crashes_);
}
FaultyBackend::~FaultyBackend() = default;

StateQueue* FaultyBackend::queue() { return queue_.get(); }
StateStore* FaultyBackend::store() { return store_.get(); }
const std::vector<FaultyBackend::ClaimKey>& FaultyBackend::claims() const { return store_->claims; }
int FaultyBackend::crashes() const { return crashes_; }

}  // namespace paws
