// per_ip_limits.h: tcpserver's -C (per-address concurrency) and -L
// (per-address connections per minute), decided in the parent before fork.
//
//   PerIpLimits limits(/*max_concurrent=*/2, /*max_per_minute=*/60);
//   if (Refusal r = limits.Admit("127.0.0.1", now); r != Refusal::kNone)
//     log and close;                        // nothing was counted
//   ... limits.Started("127.0.0.1") after fork, Ended(ip) when it exits.
//
// Limits of 0 mean "no limit". The rate is a sliding window of the last
// kRateWindow: an address may start at most max_per_minute connections in
// any such window (refused attempts do not count). Memory is bounded: at
// most kMaxTrackedAddresses addresses are remembered for the rate; when the
// table is full even after forgetting idle addresses, a new address is
// admitted without being tracked (documented in tcpserver.8).
#ifndef YUBIN_LIB_TCPSERVER_PER_IP_LIMITS_H_
#define YUBIN_LIB_TCPSERVER_PER_IP_LIMITS_H_

#include <chrono>
#include <deque>
#include <string>
#include <unordered_map>

namespace yubin::tcpserver {

inline constexpr std::chrono::seconds kRateWindow{60};
inline constexpr size_t kMaxTrackedAddresses = 65536;

enum class Refusal { kNone, kConcurrency, kRate };

class PerIpLimits {
 public:
  using Clock = std::chrono::steady_clock;

  PerIpLimits(unsigned max_concurrent, unsigned max_per_minute)
      : max_concurrent_(max_concurrent), max_per_minute_(max_per_minute) {}

  // Whether a new connection from ip may start now; when it may, it is
  // counted against the rate at once.
  Refusal Admit(const std::string& ip, Clock::time_point now);
  // A child now serves ip / a child that served ip has exited.
  void Started(const std::string& ip);
  void Ended(const std::string& ip);

  unsigned running(const std::string& ip) const;
  size_t tracked_addresses() const { return starts_.size(); }

 private:
  void ForgetIdle(Clock::time_point now);

  unsigned max_concurrent_;
  unsigned max_per_minute_;
  std::unordered_map<std::string, unsigned> running_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> starts_;
};

}  // namespace yubin::tcpserver

#endif  // YUBIN_LIB_TCPSERVER_PER_IP_LIMITS_H_
