// yubin-intake: the intake service. Takes injections on
// $YUBIN_ROOT/intake/intake.sock and queues each as yubin-queue would.
//
//   yubin-intake [-d FD]
#include <new>

#include <unistd.h>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/yubin_root.h"
#include "lib/queue/enqueue.h"
#include "lib/queue/intake_server.h"
#include "lib/queue/queue_command.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-intake [-d FD]\n"
    "The intake service: listens on $YUBIN_ROOT/intake/intake.sock (default\n"
    "root /var/yubin) and queues the messages that yubin-smtpd, sendmail,\n"
    "yubin-inject and yubin-send's bounces hand it, with yubin-queue's steps,\n"
    "checks and exit codes, one thread per injection and one syncfs shared\n"
    "by the injections that commit together. Run it as the queue's owner.\n"
    "Programs use it when $QMAILQUEUE is unset and it is listening; else they\n"
    "run yubin-queue.\n"
    "  -d FD  when listening, write a newline to FD and close it (readiness)\n"
    "SIGTERM: stop accepting, wait up to 60 s for running injections, exit 0.\n"
    "Testing aid: YUBIN_QUEUE_CRASH_AT=N (1-8) kills the service with SIGKILL\n"
    "right before step N of an injection (see yubin-queue(8)).\n"
    "Exit codes: 0 after SIGTERM; 100 usage; 111 cannot listen, or a sync\n"
    "of the queue failed (it stops, to be restarted).\n";

void OnOutOfMemory() { ::_exit(yubin::queue::kQueueNoMemory); }
}  // namespace

int main(int argc, char** argv) {
  yubin::HandleHelp(argc, argv, kHelp);
  yubin::SetProgramName(argv[0]);
  // An allocation that fails mid-injection: every running injection's
  // client sees the service go and answers "temporary failure".
  std::set_new_handler(OnOutOfMemory);
  yubin::queue::IntakeOptions o;
  o.root = yubin::YubinRoot();
  o.ready_fd = yubin::ParseReadinessOption(argc, argv, kHelp);
  o.crash_before_step = yubin::queue::CrashStepFromEnvironment();
  return yubin::queue::RunIntakeServer(o);
}
