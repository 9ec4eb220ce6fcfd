// yubin-qstat: how many messages are queued, as qmail-qstat says it.
//
//   YUBIN_ROOT=/var/yubin yubin-qstat
//
// Prints "messages in queue: N" and "messages in queue but not yet
// preprocessed: M". Exits 0, 100 on a usage error, 111 when the queue
// cannot be read.
#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/yubin_root.h"
#include "lib/qtools/commands.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-qstat\n"
    "Counts the messages in $YUBIN_ROOT/queue (default /var/yubin/queue):\n"
    "  messages in queue: N\n"
    "  messages in queue but not yet preprocessed: M\n"
    "The first count includes injections in progress. Exits 0, 100 on a\n"
    "usage error, 111 when the queue cannot be read.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  if (argc > 1) yubin::Usage("yubin-qstat (no arguments)");
  return yubin::qtools::RunQstat(yubin::YubinRoot(), 1);
}
