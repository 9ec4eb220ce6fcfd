#include "lib/tcpserver/per_ip_limits.h"

namespace yubin::tcpserver {

Refusal PerIpLimits::Admit(const std::string& ip, Clock::time_point now) {
  if (max_concurrent_ && running(ip) >= max_concurrent_)
    return Refusal::kConcurrency;
  if (!max_per_minute_) return Refusal::kNone;
  auto it = starts_.find(ip);
  if (it == starts_.end()) {
    if (starts_.size() >= kMaxTrackedAddresses) ForgetIdle(now);
    if (starts_.size() >= kMaxTrackedAddresses) return Refusal::kNone;
    it = starts_.emplace(ip, std::deque<Clock::time_point>()).first;
  }
  std::deque<Clock::time_point>& times = it->second;
  while (!times.empty() && now - times.front() >= kRateWindow)
    times.pop_front();
  if (times.size() >= max_per_minute_) return Refusal::kRate;
  times.push_back(now);
  return Refusal::kNone;
}

void PerIpLimits::Started(const std::string& ip) { ++running_[ip]; }

void PerIpLimits::Ended(const std::string& ip) {
  auto it = running_.find(ip);
  if (it == running_.end()) return;
  if (--it->second == 0) running_.erase(it);
}

unsigned PerIpLimits::running(const std::string& ip) const {
  auto it = running_.find(ip);
  return it == running_.end() ? 0 : it->second;
}

void PerIpLimits::ForgetIdle(Clock::time_point now) {
  for (auto it = starts_.begin(); it != starts_.end();) {
    if (it->second.empty() || now - it->second.back() >= kRateWindow) {
      it = starts_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace yubin::tcpserver
