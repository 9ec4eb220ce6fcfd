// svc: controls supervised services (daemontools' svc with s6-svc's waits).
//
//   svc -d /service/smtpd            # down
//   svc -wU -T 5000 -u /service/send # up, and wait until ready
#include <string>
#include <vector>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/svc/svc_args.h"
#include "lib/svc/svc_run.h"

namespace {
constexpr char kHelp[] =
    "usage: svc [-udopchaitkxq12ybOr] [-wu|-wU|-wd|-wD|-wr|-wR] [-T ms] dir...\n"
    "Sends each command to the supervisor of each service directory, in the\n"
    "order given (one letter on dir/supervise/control):\n"
    "  -u up  -d down  -o once  -p pause (STOP)  -c continue (CONT)\n"
    "  -h HUP  -a ALRM  -i INT  -t TERM  -k KILL  -x exit when down\n"
    "  -q QUIT  -1 USR1  -2 USR2  -y WINCH  -b ABRT  -O once at most\n"
    "  -r restart (signal; supervise restarts it)\n"
    "Waits (need an event/ directory, as s6-supervise and yubin's supervise\n"
    "keep; daemontools supervise has none):\n"
    "  -wu up  -wU up and ready  -wd down  -wD down and finish done\n"
    "  -wr restarted  -wR restarted and ready   -T ms: give up after ms\n"
    "Exit codes: 0 ok; 99 a wait timed out; 100 usage, or a wait on a\n"
    "directory without event/; 102 supervise not running (or it exited while\n"
    "waiting); 111 system error.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  std::vector<std::string> args(argv + 1, argv + argc);
  yubin::Result<yubin::svc::SvcRequest> req = yubin::svc::ParseSvcArgs(args);
  if (!req.ok()) {
    yubin::Usage(req.status().message() +
                 "\nsvc [-udopchaitkxq12ybOr] [-wu|-wU|-wd|-wD|-wr|-wR] [-T ms] dir...");
  }
  return yubin::svc::RunSvc(*req);
}
