// supervise: keeps the service in DIR running (daemontools/s6 compatible).
//
//   supervise /var/yubin/service/smtpd
//
// See docs/man/supervise.8 and supervise_daemon.h. Exits 0 after 'x' once
// the service is down, 100 on bad usage, 111 when DIR cannot be set up or
// another supervise already holds DIR/supervise/lock.
#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "supervise/supervise_daemon.h"

namespace {
constexpr char kHelp[] =
    "usage: supervise DIR\n"
    "Runs DIR/run and restarts it when it dies (at most one start per\n"
    "second in a crash loop), running DIR/finish after each death. Control:\n"
    "one letter per command written to DIR/supervise/control (u d o p c h a\n"
    "i t k x q 1 2 y b O r); status: DIR/supervise/status (s6 layout);\n"
    "events for s6-svwait in DIR/event. Exits 0 after x once the service is\n"
    "down, 100 on bad usage, 111 on a system error or when another supervise\n"
    "runs on DIR.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  if (argc != 2 || argv[1][0] == '\0') yubin::Usage("supervise DIR");
  return yubin::supervise::RunSupervise(argv[1]);
}
