// remote_control.h: the control files yubin-remote reads at each run.
//
//   Result<RemoteControl> c = LoadRemoteControl(YubinRoot() + "/control",
//                                               hostname);
//   if (!c.ok()) ...                 // yubin-remote exits 111, no report
//   std::optional<SmtpRoute> r = c->routes.Lookup("example.com");
//
// Defaults are in docs/control.md: me (the host name), helohost (me),
// localiphost (me), locals (me), smtproutes (none), dnsservers (none:
// /etc/resolv.conf), timeoutconnect (60 s), timeoutremote (1200 s),
// timeoutdns (5 s per try), outgoingip (none: the kernel chooses).
#ifndef YUBIN_LIB_CONTROL_REMOTE_CONTROL_H_
#define YUBIN_LIB_CONTROL_REMOTE_CONTROL_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "lib/base/status.h"
#include "lib/control/smtproutes.h"

namespace yubin::control {

inline constexpr uint64_t kDefaultTimeoutConnect = 60;    // seconds
inline constexpr uint64_t kDefaultTimeoutRemote = 1200;   // seconds
inline constexpr uint64_t kDefaultTimeoutDns = 5;         // seconds per try
inline constexpr uint64_t kMaxRemoteTimeout = 86400;

struct RemoteControl {
  std::string me;
  std::string helohost;
  std::string localiphost;
  std::set<std::string> locals;      // lowercased
  SmtpRoutes routes;
  std::vector<std::string> dnsservers;  // empty: /etc/resolv.conf
  uint64_t timeout_connect = kDefaultTimeoutConnect;
  uint64_t timeout_remote = kDefaultTimeoutRemote;
  uint64_t timeout_dns = kDefaultTimeoutDns;
  std::string outgoingip;  // numeric; empty: none

  // me, helohost, localiphost or one of locals (any case).
  bool IsOurName(std::string_view host) const;
};

Result<RemoteControl> LoadRemoteControl(const std::string& control_dir,
                                        std::string_view hostname);

}  // namespace yubin::control

#endif  // YUBIN_LIB_CONTROL_REMOTE_CONTROL_H_
