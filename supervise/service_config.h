// service_config.h: the small files of a service directory that tune supervise.
//
//   ServiceConfig c = ReadServiceConfig();   // in the service directory
//   if (c.notification_fd >= 0) ...          // notification-fd
//
// Files (all optional, one value, trailing newline allowed, at most
// kMaxConfigFileBytes): notification-fd (fd number 3..kMaxNotificationFd),
// timeout-kill and timeout-finish (milliseconds), max-death-tally
// (0..kMaxDeathTally, default 100), down-signal (name like "SIGHUP", "HUP" or
// a number; default SIGTERM), and the presence of `down` and `finish`.
// A file that is missing or does not parse leaves the default, as s6 does
// for most of them; ParseConfigNumber/ParseSignal say why for tests.
#ifndef YUBIN_SUPERVISE_SERVICE_CONFIG_H_
#define YUBIN_SUPERVISE_SERVICE_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace yubin::supervise {

inline constexpr size_t kMaxConfigFileBytes = 64;
inline constexpr int kMaxNotificationFd = 1023;
inline constexpr int kDefaultMaxDeathTally = 100;
inline constexpr int kMaxDeathTally = 4096;
inline constexpr int64_t kMaxTimeoutMs = 86400000LL * 365;

struct ServiceConfig {
  bool normally_down = false;     // `down` exists
  bool has_finish = false;        // `finish` exists
  int notification_fd = -1;       // -1: no readiness notification
  int64_t timeout_kill_ms = 0;
  int64_t timeout_finish_ms = 5000;
  int max_death_tally = kDefaultMaxDeathTally;
  int down_signal = 15;           // SIGTERM
};

// Decimal number in [0, max], surrounded by optional whitespace.
std::optional<int64_t> ParseConfigNumber(std::string_view text, int64_t max);
// "SIGTERM", "TERM" or "15" (whitespace around allowed).
std::optional<int> ParseSignal(std::string_view text);

// Reads the files from the current directory.
ServiceConfig ReadServiceConfig();

}  // namespace yubin::supervise

#endif  // YUBIN_SUPERVISE_SERVICE_CONFIG_H_
