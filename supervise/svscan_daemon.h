// svscan_daemon.h: svscan, the root of the supervision tree.
//
//   SvscanOptions o;  o.dir = "/var/yubin/service";  o.rescan_seconds = 5;
//   int code = RunSvscan(o);   // returns 0 after SIGTERM took the tree down
//
// Every rescan_seconds (and at once on SIGHUP or SIGALRM) it lists o.dir and
// starts one `supervise NAME` per subdirectory not starting with '.', plus
// `supervise NAME/log` when NAME/log is a directory. NAME's stdout and
// NAME/log's stdin are the two ends of one pipe that svscan creates once and
// holds open for as long as it tracks NAME, so either side may restart
// without a line being lost. A supervise that died is started again at the
// next scan. A directory that disappeared: its supervise gets SIGTERM (stop
// the service, then exit), then once that has exited svscan closes its end
// of the pipe and sends SIGHUP to the log's supervise (exit when the logger,
// having read everything, has stopped); the entry is dropped when both are
// gone.
//
// SIGTERM (or SIGINT) does the same for every service: services first, each
// logger once nothing can write into its pipe any more; svscan returns 0 when
// no supervise is left. A logger that has not ended kShutdownLogGraceMs after
// its input closed gets its supervise SIGTERMed.
//
// The supervise binary is $YUBIN_SUPERVISE, or "supervise" in the directory
// of svscan's own executable. Fatal errors (dir cannot be entered) exit 111.
#ifndef YUBIN_SUPERVISE_SVSCAN_DAEMON_H_
#define YUBIN_SUPERVISE_SVSCAN_DAEMON_H_

#include <cstdint>
#include <string>

namespace yubin::supervise {

inline constexpr int kDefaultRescanSeconds = 5;
inline constexpr int kMaxRescanSeconds = 86400;
inline constexpr int kMaxServices = 1000;
inline constexpr int64_t kShutdownLogGraceMs = 10000;

struct SvscanOptions {
  std::string dir = ".";
  int rescan_seconds = kDefaultRescanSeconds;  // 0: only on SIGHUP/SIGALRM
};

// "" when neither $YUBIN_SUPERVISE nor /proc/self/exe gives a path.
std::string FindSuperviseBinary();

int RunSvscan(const SvscanOptions& options);

}  // namespace yubin::supervise

#endif  // YUBIN_SUPERVISE_SVSCAN_DAEMON_H_
