// yubinctl.h: the administrator's front door to a yubin tree (what
// `yubinctl` runs): start, stop, restart, status, logs, reload, queue, doctor.
//
//   CtlOptions o{.root = "/var/yubin", .bindir = "/usr/local/bin"};
//   return RunYubinctl(o, {"status"});
//
// start runs `svscan ROOT/service` detached (own session, output appended to
// ROOT/log/svscan.log, pid in ROOT/service/.svscan.pid), or `systemctl start
// yubin` when systemd runs and ETC/systemd/system/yubin.service is the unit
// for this root; then it waits up to kStartWait (or start -t SECONDS) for every service to be
// healthy and prints the status table. stop sends svscan SIGTERM (every
// service gets SIGTERM; yubin-send finishes or defers its deliveries) and
// waits up to kStopWait for it to exit. Programs (svscan, logtail) are
// looked for in bindir first, then in $PATH.
//
// Exit codes: 0 ok (status/start: every service healthy; doctor: no
// problem); 1 status/start: some service not healthy, doctor: problems
// found; 100 usage; 111 system error (cannot start, stop timed out, queue
// unreadable).
#ifndef YUBIN_LIB_CTL_YUBINCTL_H_
#define YUBIN_LIB_CTL_YUBINCTL_H_

#include <chrono>
#include <string>
#include <vector>

namespace yubin::ctl {

inline constexpr std::chrono::seconds kStartWait{30};
inline constexpr std::chrono::seconds kStopWait{120};
inline constexpr int kDefaultLogLines = 20;

inline constexpr int kExitUnhealthy = 1;

struct CtlOptions {
  std::string root;
  std::string bindir;  // where svscan, logtail live
  std::string etc = "/etc";
};

extern const char kYubinctlHelp[];

// args: the command and its arguments (argv after the global options).
int RunYubinctl(const CtlOptions& options, const std::vector<std::string>& args);

// ROOT/service/.svscan.pid
std::string SvscanPidFile(const std::string& root);

}  // namespace yubin::ctl

#endif  // YUBIN_LIB_CTL_YUBINCTL_H_
