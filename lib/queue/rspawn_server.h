// rspawn_server.h: yubin-rspawn, the remote delivery service: runs
// yubin-remote for each delivery request yubin-send sends over
// ROOT/queue/lock/rspawn.sock (the service itself is agent_server.h).
//
//   RspawnOptions o{.root = YubinRoot(), .remote_program = RemoteProgramPath()};
//   return RunRspawn(o);   // returns at SIGTERM (0) or on a fatal error (111)
//
// A request carries one recipient: `remote_program domain sender
// local@domain` runs with the message on stdin; its stdout is the report
// (at most kMaxRemoteReportBytes kept), its stderr goes to our log; the
// result is RemoteResult (remote_report.h).
#ifndef YUBIN_LIB_QUEUE_RSPAWN_SERVER_H_
#define YUBIN_LIB_QUEUE_RSPAWN_SERVER_H_

#include <string>

namespace yubin::queue {

struct RspawnOptions {
  std::string root;
  std::string remote_program;
  int ready_fd = -1;  // when >= 0: "\n" written and closed once listening
};

// $YUBIN_REMOTE if set and not empty, else yubin-remote beside this program.
std::string RemoteProgramPath();

int RunRspawn(const RspawnOptions& options);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_RSPAWN_SERVER_H_
