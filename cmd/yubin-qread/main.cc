// yubin-qread: lists the queued messages and their recipients, as
// qmail-qread does; sendmail -bp and mailq run it.
//
//   YUBIN_ROOT=/var/yubin yubin-qread
//
// Exits 0, 100 on a usage error, 111 when the queue cannot be listed or a
// message's files cannot be read (the others are still listed).
#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/yubin_root.h"
#include "lib/qtools/commands.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-qread\n"
    "Lists every message in $YUBIN_ROOT/queue (default /var/yubin/queue),\n"
    "oldest first:\n"
    "  DATE  #ID  SIZE  <SENDER>  [not yet preprocessed] [bouncing] [held]\n"
    "then one line per recipient: [done] todo|local|remote ADDRESS.\n"
    "Dates are the message's arrival, in GMT. Exits 0, 100 on a usage\n"
    "error, 111 when the queue or a message cannot be read (a warning on\n"
    "stderr names each unreadable message; the others are listed).\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  if (argc > 1) yubin::Usage("yubin-qread (no arguments)");
  return yubin::qtools::RunQread(yubin::YubinRoot(), 1);
}
