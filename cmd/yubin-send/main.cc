// yubin-send: the queue manager. Delivers queued messages through the local
// and remote delivery services (yubin-lspawn, yubin-rspawn), records
// results, retries, bounces.
//
//   yubin-send [-d FD]

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/yubin_root.h"
#include "lib/queue/send_manager.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-send [-d FD]\n"
    "The queue manager: delivers the messages in $YUBIN_ROOT/queue (default\n"
    "/var/yubin/queue) through the local delivery service yubin-lspawn\n"
    "(socket $YUBIN_ROOT/queue/lock/lspawn.sock) and the remote one\n"
    "yubin-rspawn (rspawn.sock there), retries temporary failures, bounces\n"
    "permanent ones and removes finished messages.\n"
    "  -d FD  when running, write a newline to FD and close it (readiness)\n"
    "Signals: SIGALRM retry everything now; SIGHUP reread control files;\n"
    "SIGTERM finish deliveries in flight (up to 60 s) and exit 0.\n"
    "Exit codes: 0 after SIGTERM; 100 usage; 111 cannot start (no queue,\n"
    "another yubin-send running, unreadable control files).\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::HandleHelp(argc, argv, kHelp);
  yubin::SetProgramName(argv[0]);
  yubin::queue::SendOptions o;
  o.root = yubin::YubinRoot();
  o.ready_fd = yubin::ParseReadinessOption(argc, argv, kHelp);
  return yubin::queue::RunSendManager(o);
}
