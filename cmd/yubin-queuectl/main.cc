// yubin-queuectl: holds, releases, deletes or requeues queued messages by
// id, as Postfix's postsuper -h/-H/-d and postqueue -i do.
//
//   yubin-queuectl hold 1234 5678
//   yubin-queuectl requeue ALL
//
// Exits 0, 100 on a usage error, a wrong user or an id not queued, 111 on a
// system error.
#include <string>
#include <vector>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/yubin_root.h"
#include "lib/queue/queue_control.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-queuectl hold|release|delete ID... | requeue ID...|ALL\n"
    "Acts on messages in $YUBIN_ROOT/queue (default /var/yubin/queue) by the\n"
    "ids yubin-qread shows:\n"
    "  hold     yubin-send starts no new delivery for the message\n"
    "  release  takes the hold back (the retry schedule is kept)\n"
    "  delete   removes the message without a bounce: at once when yubin-send\n"
    "           is not running, else yubin-send removes it once no delivery\n"
    "           of it is in flight\n"
    "  requeue  makes every pending recipient due now (ALL: every message)\n"
    "Runs as the queue's owner or root. Exits 0, 100 on a usage error, a\n"
    "wrong user or an id that is not queued (the others are handled), 111 on\n"
    "a system error.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  if (argc < 3) yubin::Usage(yubin::queue::kQueueCtlUsage);
  std::vector<std::string> args(argv + 1, argv + argc);
  return yubin::queue::RunQueueCtl(yubin::YubinRoot(), args, 1);
}
