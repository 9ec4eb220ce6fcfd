// yubin-rspawn: the remote delivery service. Accepts yubin-send's connection
// on $YUBIN_ROOT/queue/lock/rspawn.sock and runs yubin-remote per request.
//
//   yubin-rspawn [-d FD]

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/yubin_root.h"
#include "lib/queue/rspawn_server.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-rspawn [-d FD]\n"
    "The remote delivery service: listens on $YUBIN_ROOT/queue/lock/rspawn.sock\n"
    "(default root /var/yubin), takes delivery requests (one recipient each)\n"
    "from yubin-send and runs yubin-remote (beside this program, or\n"
    "$YUBIN_REMOTE) for each with the queued message on stdin, turning its\n"
    "report into the result: delivered, permanent or temporary failure.\n"
    "Without $YUBIN_REMOTE, yubin-remote's code runs in the forked child,\n"
    "without an exec.\n"
    "  -d FD  when listening, write a newline to FD and close it (readiness)\n"
    "SIGTERM: stop accepting, wait up to 60 s for running deliveries, exit 0.\n"
    "Exit codes: 0 after SIGTERM; 100 usage; 111 cannot listen.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::HandleHelp(argc, argv, kHelp);
  yubin::SetProgramName(argv[0]);
  yubin::queue::RspawnOptions o;
  o.root = yubin::YubinRoot();
  o.remote_program = yubin::queue::RemoteProgramPath();
  o.in_process = yubin::queue::RemoteProgramIsOurs();
  o.ready_fd = yubin::ParseReadinessOption(argc, argv, kHelp);
  return yubin::queue::RunRspawn(o);
}
