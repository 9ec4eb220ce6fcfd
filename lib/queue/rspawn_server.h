// rspawn_server.h: yubin-rspawn, the remote delivery service: runs
// yubin-remote for each delivery request yubin-send sends over
// ROOT/queue/lock/rspawn.sock (the service itself is agent_server.h).
//
//   RspawnOptions o{.root = YubinRoot(), .remote_program = RemoteProgramPath()};
//   return RunRspawn(o);   // returns at SIGTERM (0) or on a fatal error (111)
//
// A delivery is the requests yubin-send sent together (agent_server.h): the
// recipients of one domain, from one message or several. For one message,
// `remote_program domain sender rcpt...` (qmail-remote's interface) runs
// with the message on stdin; for several, `remote_program --batch domain
// sender1 count1 rcpt... sender2 count2 rcpt...` with message k on
// descriptor 3 + k, delivered over one connection. Its stdout is the report
// (at most kMaxRemoteReportBytes kept), its stderr goes to our log; the
// results are RemoteResults (remote_report.h). When remote_program is
// yubin-remote beside us (no $YUBIN_REMOTE), the forked child runs
// yubin-remote's code (RunRemote) itself rather than exec'ing it: the same
// delivery and report, one program start (and its dynamic linking) less
// per connection.
#ifndef YUBIN_LIB_QUEUE_RSPAWN_SERVER_H_
#define YUBIN_LIB_QUEUE_RSPAWN_SERVER_H_

#include <string>
#include <vector>

#include "lib/queue/delivery_records.h"

namespace yubin::queue {

struct RspawnOptions {
  std::string root;
  std::string remote_program;
  bool in_process = false;  // run yubin-remote's code in the forked child
  int ready_fd = -1;  // when >= 0: "\n" written and closed once listening
};

// $YUBIN_REMOTE if set and not empty, else yubin-remote beside this program.
std::string RemoteProgramPath();
// True when no $YUBIN_REMOTE names another program.
bool RemoteProgramIsOurs();

// The argv for a delivery, as above.
std::vector<std::string> RemoteArguments(const std::string& program, const Delivery& d);

int RunRspawn(const RspawnOptions& options);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_RSPAWN_SERVER_H_
