// yubin-inject: queues a message written by a local program.
//
//   printf 'Subject: hi\n\nhello\n' | yubin-inject joe
//
// Fixes the header (From, Date, Message-ID, qualified addresses, no Bcc)
// and hands message and envelope to the queue program ($QMAILQUEUE, else
// yubin-queue beside this program). Exits 0 queued, 100 permanent (no
// recipients, bad address or header, usage), 111 temporary.
#include <string>
#include <vector>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/inject/inject.h"
#include "lib/inject/inject_command.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-inject [-t] [-n] [-f sender] [-F fullname] [recipient ...]\n"
    "Reads a message on stdin and queues it. Adds From:, Date: and\n"
    "Message-ID: when missing, qualifies bare addresses with defaulthost and\n"
    "defaultdomain (ROOT/control), removes Bcc:. Recipients are the\n"
    "arguments; with -t or without arguments also To:, Cc: and Bcc:.\n"
    "  -f sender    envelope sender (default: you at defaulthost; '' = <>)\n"
    "  -F fullname  the name in a generated From: field\n"
    "  -t           add the recipients named in the header\n"
    "  -n           print the message instead of queueing it\n"
    "The queue program is $QMAILQUEUE, else yubin-queue beside this program.\n"
    "Exits 0 when queued, 100 for a permanent error (bad input, no\n"
    "recipients, usage), 111 for a temporary one (try again later).\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  std::vector<std::string> args(argv + 1, argv + argc);
  yubin::Result<yubin::inject::InjectOptions> options =
      yubin::inject::ParseInjectArgs(args);
  if (!options.ok()) yubin::Usage(options.status().message() + "; see --help");
  return yubin::ExitWith(yubin::inject::RunInject(*options, 0, 1));
}
