// supervise_daemon.h: supervise, the process that keeps one service running.
//
//   int code = RunSupervise("/var/yubin/service/smtpd");   // returns at 'x'
//
// Runs DIR/run (and DIR/finish after each death), keeps DIR/supervise/
// (lock, control, ok, status, death_tally) and DIR/event/ as s6-supervise
// does, so the s6 tools and yubin's svc/svstat work against it. One poll
// loop over the signal self-pipe, the control FIFO and the readiness pipe;
// a ServiceMachine decides, this file carries out.
//
// Returns 0 after 'x' (or SIGTERM/SIGHUP) once the service is down; exits
// 111 with "supervise: fatal: ..." when DIR cannot be entered or set up, and
// 111 with "DIR: supervise already running" when another supervisor holds
// DIR/supervise/lock.
#ifndef YUBIN_SUPERVISE_SUPERVISE_DAEMON_H_
#define YUBIN_SUPERVISE_SUPERVISE_DAEMON_H_

namespace yubin::supervise {

// Limits of the readiness line read from notification-fd: bytes read per
// wake-up, and bytes read in all before giving up on a service that writes
// without a newline.
inline constexpr int kReadinessChunk = 256;
inline constexpr int kMaxReadinessBytes = 4096;
// Control letters handled per wake-up.
inline constexpr int kControlChunk = 64;

int RunSupervise(const char* dir);

}  // namespace yubin::supervise

#endif  // YUBIN_SUPERVISE_SUPERVISE_DAEMON_H_
