// supervisor_probe.h: is a supervisor running on a service directory?
//
//   Result<bool> running = SupervisorRunning("/service/smtpd");
//   if (running.ok() && !*running) puts("supervise not running");
//
// Opens DIR/supervise/ok (daemontools) or, where there is none (s6 2.11),
// DIR/supervise/control for writing with O_NONBLOCK: the open succeeds only
// while a supervisor holds the FIFO open for reading; ENXIO means nobody
// listens. A directory with no supervise/ at all is not running either. A
// missing DIR or any other error is a temporary status.
#ifndef YUBIN_LIB_SVC_SUPERVISOR_PROBE_H_
#define YUBIN_LIB_SVC_SUPERVISOR_PROBE_H_

#include <string>

#include "lib/base/status.h"

namespace yubin::svc {

Result<bool> SupervisorRunning(const std::string& service_dir);

}  // namespace yubin::svc

#endif  // YUBIN_LIB_SVC_SUPERVISOR_PROBE_H_
