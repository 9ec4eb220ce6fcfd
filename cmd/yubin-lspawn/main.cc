// yubin-lspawn: the local delivery service. Accepts yubin-send's connection
// on $YUBIN_ROOT/queue/lock/lspawn.sock and runs yubin-local per request.
//
//   yubin-lspawn [-d FD]

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/yubin_root.h"
#include "lib/queue/lspawn_server.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-lspawn [-d FD]\n"
    "The local delivery service: listens on $YUBIN_ROOT/queue/lock/lspawn.sock\n"
    "(default root /var/yubin), takes delivery requests from yubin-send and\n"
    "runs yubin-local (beside this program, or $YUBIN_LOCAL) for each with the\n"
    "queued message on stdin, reporting its exit status and output. Without\n"
    "$YUBIN_LOCAL, yubin-local's code runs in the forked child, without an exec.\n"
    "  -d FD  when listening, write a newline to FD and close it (readiness)\n"
    "SIGTERM: stop accepting, wait up to 60 s for running deliveries, exit 0.\n"
    "Exit codes: 0 after SIGTERM; 100 usage; 111 cannot listen.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::HandleHelp(argc, argv, kHelp);
  yubin::SetProgramName(argv[0]);
  yubin::queue::LspawnOptions o;
  o.root = yubin::YubinRoot();
  o.local_program = yubin::queue::LocalProgramPath();
  o.in_process = yubin::queue::LocalProgramIsOurs();
  o.ready_fd = yubin::ParseReadinessOption(argc, argv, kHelp);
  return yubin::queue::RunLspawn(o);
}
