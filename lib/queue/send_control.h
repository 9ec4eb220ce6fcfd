// send_control.h: the control files yubin-send reads (ROOT/control/NAME).
//
//   Result<SendControl> c = ReadSendControl(root);   // again on SIGHUP
//
// me (default: the host name), locals (default: me), virtualdomains (none),
// concurrencylocal (10, at most kMaxConcurrencyLocal), concurrencyremote
// (20, at most kMaxConcurrencyRemote; 0 counts as 1), queuelifetime
// (604800 seconds), bouncefrom (MAILER-DAEMON), bouncehost (me),
// doublebounceto (postmaster), doublebouncehost (me). An unreadable or
// malformed file fails the whole read (the caller keeps its old settings).
#ifndef YUBIN_LIB_QUEUE_SEND_CONTROL_H_
#define YUBIN_LIB_QUEUE_SEND_CONTROL_H_

#include <ctime>
#include <string>

#include "lib/base/status.h"
#include "lib/queue/bounce_message.h"
#include "lib/queue/recipient_split.h"

namespace yubin::queue {

inline constexpr unsigned kDefaultConcurrencyLocal = 10;
inline constexpr unsigned kMaxConcurrencyLocal = 1000;
inline constexpr unsigned kDefaultConcurrencyRemote = 20;
inline constexpr unsigned kMaxConcurrencyRemote = 1000;

struct SendControl {
  RecipientRules rules;
  unsigned concurrency_local = kDefaultConcurrencyLocal;
  unsigned concurrency_remote = kDefaultConcurrencyRemote;
  time_t queue_lifetime = 0;
  BounceSettings bounce;
};

Result<SendControl> ReadSendControl(const std::string& root);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_SEND_CONTROL_H_
