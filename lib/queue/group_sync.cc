// group_sync.cc: see group_sync.h.
#include "lib/queue/group_sync.h"

namespace yubin::queue {

Status GroupSync::Sync() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t ticket = ++requested_;
  // Only the gathering caller waits on arrived_, and only for the count it
  // is waiting for: waking it at every arrival cost a context switch each.
  if (gathering_ && requested_ - covered_ >= expected_()) arrived_.notify_one();
  while (covered_ < ticket && failure_.ok()) {
    if (running_) {
      done_.wait(lock);
      continue;
    }
    // This thread runs the next sync for every ticket handed out so far;
    // a sync already running when they arrived may have missed their data.
    running_ = true;  // those arriving now wait for this sync, not run one
    if (expected_ && max_wait_.count() > 0) {
      const auto deadline = std::chrono::steady_clock::now() + max_wait_;
      gathering_ = true;
      while (requested_ - covered_ < expected_() &&
             arrived_.wait_until(lock, deadline) != std::cv_status::timeout) {
      }
      gathering_ = false;
    }
    const uint64_t target = requested_;
    lock.unlock();
    Status result = sync_();
    lock.lock();
    running_ = false;
    ++runs_;
    covered_ = target;
    if (!result.ok() && failure_.ok()) failure_ = result;
    done_.notify_all();
  }
  return failure_;
}

bool GroupSync::failed() {
  std::lock_guard<std::mutex> lock(mu_);
  return !failure_.ok();
}

uint64_t GroupSync::syncs_run() {
  std::lock_guard<std::mutex> lock(mu_);
  return runs_;
}

}  // namespace yubin::queue
