// yubin-remote: delivers messages to the SMTP servers of one domain.
//
//   yubin-remote example.com sender@here rcpt1@example.com ... < message
//   yubin-remote --batch example.com s1 2 r1 r2 s2 1 r3 3<message1 4<message2
//
// Routing, the report format and the control files are in
// docs/man/yubin-remote.8 and docs/remote.md.
#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/remote/remote_delivery.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-remote host sender recipient... < message\n"
    "       yubin-remote --batch host sender count recipient... [sender count recipient...]\n"
    "Delivers the message on stdin over SMTP to host's mail servers\n"
    "(control/smtproutes, then MX, then A/AAAA), and writes a report on\n"
    "stdout: per recipient, in order, 'r' (accepted), 'h' (permanent\n"
    "failure) or 's' (temporary failure), a text and a NUL; then one\n"
    "record for the message: 'K', 'D' or 'Z', a text and a NUL.\n"
    "With --batch, message k (from 0) is read from descriptor 3+k, all go\n"
    "over one connection, and each message's report follows as it is done.\n"
    "Control files come from $YUBIN_ROOT/control (default /var/yubin).\n"
    "Exit codes: 0 the report was written (the results are in it),\n"
    "100 usage (or over 10000 recipients), 111 could not run (bad control file, unreadable message).\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  if (argc < 4) yubin::Usage("yubin-remote host sender recipient...");
  return yubin::remote::RunRemote(argc, argv, 0, 1);
}
