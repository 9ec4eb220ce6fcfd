// yubin-smtpd: receives mail over SMTP on fds 0 and 1, one connection per run.
//
//   tcpserver -x rules.cdb -u UID -g GID 0 25 yubin-smtpd
//
// Accepted messages go to the queue program ($QMAILQUEUE, else yubin-queue
// beside this binary) through the qmail-queue interface. See yubin-smtpd(8).
#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/smtp/server.h"

namespace {
constexpr char kHelp[] =
    "usage: tcpserver ... yubin-smtpd\n"
    "Speaks SMTP (RFC 5321) on standard input and output for one connection\n"
    "and hands each accepted message to the queue program ($QMAILQUEUE, else\n"
    "yubin-queue in this program's directory) through the qmail-queue\n"
    "interface. Reads ROOT/control (ROOT = $YUBIN_ROOT, default /var/yubin)\n"
    "and the environment: TCPREMOTEIP, TCPREMOTEHOST, TCPLOCALIP,\n"
    "RELAYCLIENT, DATABYTES, GREETDELAY (milliseconds).\n"
    "Exits 0 when the session ends, 111 when the control files cannot be\n"
    "read (after answering 421).\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  if (argc > 1) yubin::Usage("yubin-smtpd takes no arguments");
  return yubin::smtp::RunSmtpd(0, 1);
}
