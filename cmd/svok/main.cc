// svok: exits 0 when a supervisor is running on the directory.
//
//   svok /service/smtpd && svc -h /service/smtpd
#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/svc/svstat_run.h"

namespace {
constexpr char kHelp[] =
    "usage: svok dir\n"
    "Exits 0 when a supervisor (yubin's, s6's or daemontools') is running on\n"
    "the service directory dir, 100 when none is, 111 on a system error\n"
    "(dir missing, permission denied).\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  if (argc != 2) yubin::Usage("svok dir");
  return yubin::svc::RunSvok(argv[1]);
}
