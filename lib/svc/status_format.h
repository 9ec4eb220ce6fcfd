// status_format.h: svstat's output for one service directory.
//
//   ServiceView v{.supervised = true, .status = st, .normally_up = true};
//   FormatStatusLine("/service/smtpd", v, now)
//     // "/service/smtpd: up (pid 123) 45 seconds, ready 44 seconds"
//   FormatStatusJson("/service/smtpd", v, now)   // one JSON object, no newline
//
// Lines follow daemontools' svstat: "DIR: up (pid N) S seconds[, normally
// down][, paused][, want down]", "DIR: down S seconds[, normally up][, want
// up]", "DIR: supervise not running"; an s6 record (35 bytes) adds what
// s6-svstat shows: ", finishing" and ", ready S seconds". Pure functions.
#ifndef YUBIN_LIB_SVC_STATUS_FORMAT_H_
#define YUBIN_LIB_SVC_STATUS_FORMAT_H_

#include <cstdint>
#include <string>

#include "supervise/status_record.h"

namespace yubin::svc {

struct ServiceView {
  bool supervised = false;  // false: nothing else is meaningful
  supervise::ServiceStatus status;
  bool normally_up = true;       // no DIR/down file
  bool notification_fd = false;  // DIR/notification-fd exists
};

std::string FormatStatusLine(const std::string& dir, const ServiceView& view,
                             int64_t now_unix);
std::string FormatStatusJson(const std::string& dir, const ServiceView& view,
                             int64_t now_unix);
// svstat -c's test: supervised, up, and ready where notification-fd exists
// (a daemontools record never says ready, so such a service fails).
bool ServiceHealthy(const ServiceView& view);
// A JSON string literal for text (quotes, backslashes, control characters
// escaped; other bytes passed through).
std::string JsonString(const std::string& text);
// "SIGTERM" for SIGTERM; "SIG" + number for signals without a name.
std::string SignalName(int sig);

}  // namespace yubin::svc

#endif  // YUBIN_LIB_SVC_STATUS_FORMAT_H_
