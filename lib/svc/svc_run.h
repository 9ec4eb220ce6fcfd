// svc_run.h: sends control letters to supervisors and waits for events.
//
//   Result<SvcRequest> req = ParseSvcArgs(args);
//   int code = RunSvc(*req);   // 0, 99, 102 or 111; messages on stderr
//
// For each directory, in order: open DIR/supervise/control O_WRONLY|
// O_NONBLOCK (ENXIO or no FIFO: "supervise not running", 102) and write the
// letters in one write(2). With a wait, svc first subscribes to every
// DIR/event (see event_fifo.h), reads each status, sends the commands, then
// sleeps in poll(2) until each condition holds, the timeout passes (99) or a
// supervisor exits (102). A directory without event/ (daemontools
// supervise) cannot be waited on: 100 before anything is sent. The exit
// code is that of the last directory that failed.
#ifndef YUBIN_LIB_SVC_SVC_RUN_H_
#define YUBIN_LIB_SVC_SVC_RUN_H_

#include "lib/svc/svc_args.h"

namespace yubin::svc {

inline constexpr int kExitTimedOut = 99;
inline constexpr int kExitNotSupervised = 102;

int RunSvc(const SvcRequest& request);

}  // namespace yubin::svc

#endif  // YUBIN_LIB_SVC_SVC_RUN_H_
