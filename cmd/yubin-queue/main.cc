// yubin-queue: puts a message into the queue (the qmail-queue interface).
//
//   yubin-queue < message 1< envelope
//
// Message on fd 0; envelope on fd 1: F<sender>\0 T<recipient>\0 ... \0.
// Exits 0 once the message is durably queued, else qmail-queue's codes.
#include "lib/base/command_line.h"
#include "lib/queue/queue_command.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-queue < message 1< envelope\n"
    "Queues the message read from fd 0 for the envelope read from fd 1\n"
    "(F<sender>\\0, then T<recipient>\\0 for each recipient, then \\0) under\n"
    "$YUBIN_ROOT/queue (default /var/yubin/queue), adding a Received: line.\n"
    "Exit codes (qmail-queue's): 0 queued durably; 11 address too long;\n"
    "51 out of memory; 52 timeout; 53 write error (disk full, fsync failed);\n"
    "54 cannot read message or envelope (also a truncated envelope);\n"
    "61 no queue directory; 63 trouble in queue/tmp; 64 queue/mess;\n"
    "65 queue/intd; 66 queue/todo; 81 internal bug; 91 envelope format error.\n"
    "Testing aid: YUBIN_QUEUE_CRASH_AT=N (1-8) kills the process with\n"
    "SIGKILL right before step N (see yubin-queue(8)).\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::HandleHelp(argc, argv, kHelp);
  return yubin::queue::RunQueueCommand(argc, argv);
}
