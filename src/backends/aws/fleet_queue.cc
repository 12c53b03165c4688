#include "backends/aws/fleet_queue.h"

#include <algorithm>

#include "paws/state.h"

namespace paws::aws {
namespace {

constexpr char kPrefix[] = "att";

std::string Tag(size_t index, const std::string& receipt) {
  return kPrefix + std::to_string(index) + ":" + receipt;
}

}  // namespace

std::string AdoptFromAttached(const std::string& body, const std::string& collector_id) {
  Result<StateMessage> m = ParseStateMessage(body);
  if (!m.ok() || !m->legacy) return body;
  m->collector_id = collector_id;
  m->epoch = 0;
  m->seq = 1;
  m->legacy = false;
  return SerializeStateMessage(*m);
}

FleetQueue::FleetQueue(std::unique_ptr<SqsQueue> shared, std::vector<AttachedQueue> attached,
                       Clock* clock, Duration idle_poll)
    : shared_(std::move(shared)),
      attached_(std::move(attached)),
      clock_(clock),
      idle_poll_(idle_poll),
      next_poll_(attached_.size(), MonoTime{}) {}

Result<std::string> FleetQueue::Send(const std::string& body, Duration delay) {
  return shared_->Send(body, delay);
}

std::vector<QueueMessage> FleetQueue::ReceiveAttached(int max, Duration visibility) {
  std::vector<QueueMessage> out;
  if (attached_.empty()) return out;
  std::vector<size_t> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const MonoTime now = clock_->MonotonicNow();
    for (size_t k = 0; k < attached_.size(); ++k) {
      const size_t i = (next_ + k) % attached_.size();
      if (next_poll_[i] <= now) {
        due.push_back(i);
        // Claimed for this round; set back to now below if it had messages.
        next_poll_[i] = now + idle_poll_;
      }
    }
    next_ = (next_ + 1) % attached_.size();
  }
  for (size_t i : due) {
    if (static_cast<int>(out.size()) >= max) break;
    auto got = attached_[i].queue->Receive(max - static_cast<int>(out.size()), visibility,
                                           Duration(0));
    // A failing attached queue must not stop the shared one: it is tried
    // again after idle_poll.
    if (!got.ok() || got->empty()) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      next_poll_[i] = MonoTime{};
    }
    for (auto& m : *got) {
      m.receipt = Tag(i, m.receipt);
      m.body = AdoptFromAttached(m.body, attached_[i].collector_id);
      out.push_back(std::move(m));
    }
  }
  return out;
}

Result<std::vector<QueueMessage>> FleetQueue::Receive(int max, Duration visibility,
                                                      Duration wait) {
  if (max <= 0) return shared_->Receive(max, visibility, wait);
  std::vector<QueueMessage> out = ReceiveAttached(max, visibility);
  if (!out.empty()) return out;
  return shared_->Receive(max, visibility, wait);
}

std::pair<SqsQueue*, std::string> FleetQueue::Route(const std::string& receipt) {
  if (receipt.rfind(kPrefix, 0) == 0) {
    const size_t colon = receipt.find(':');
    const std::string digits = receipt.substr(3, colon == std::string::npos ? 0 : colon - 3);
    if (colon != std::string::npos && !digits.empty() &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      const size_t i = std::stoul(digits);
      if (i < attached_.size()) return {attached_[i].queue.get(), receipt.substr(colon + 1)};
    }
  }
  return {shared_.get(), receipt};
}

Status FleetQueue::Delete(const std::string& receipt) {
  auto [q, r] = Route(receipt);
  return q->Delete(r);
}

Status FleetQueue::ChangeVisibility(const std::string& receipt, Duration visibility) {
  auto [q, r] = Route(receipt);
  return q->ChangeVisibility(r, visibility);
}

Status FleetQueue::MoveToDeadLetter(const std::string& receipt, const std::string& reason) {
  auto [q, r] = Route(receipt);
  return q->MoveToDeadLetter(r, reason);
}

std::vector<Status> FleetQueue::DeleteBatch(const std::vector<std::string>& receipts) {
  std::vector<Status> out(receipts.size());
  std::vector<size_t> shared_idx;
  std::vector<std::string> shared_receipts;
  for (size_t k = 0; k < receipts.size(); ++k) {
    auto [q, r] = Route(receipts[k]);
    if (q == shared_.get()) {
      shared_idx.push_back(k);
      shared_receipts.push_back(r);
    } else {
      out[k] = q->Delete(r);
    }
  }
  std::vector<Status> deleted = shared_->DeleteBatch(shared_receipts);
  for (size_t j = 0; j < shared_idx.size(); ++j) {
    out[shared_idx[j]] = j < deleted.size() ? deleted[j] : Status::Internal("not deleted");
  }
  return out;
}

Result<QueueCounts> FleetQueue::Counts() {
  PAWS_ASSIGN_OR_RETURN(QueueCounts c, shared_->Counts());
  for (auto& a : attached_) {
    auto more = a.queue->Counts();
    if (!more.ok()) continue;  // an attached queue that is gone holds nothing
    c.visible += more->visible;
    c.delayed += more->delayed;
    c.in_flight += more->in_flight;
  }
  return c;
}

}  // namespace paws::aws
