// yubin-local: delivers the message on stdin to one local recipient.
//
//   yubin-local [-n] LOCAL DOMAIN SENDER < message
//
// Exit 0 delivered, 100 permanent failure (bounce), 111 temporary failure
// (retry). The failure reason is the one line(s) on stdout; on success
// stdout lists what was done. See yubin-local(8).
#include <string>
#include <vector>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/dotqmail/local_command.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-local [-n] local domain sender < message\n"
    "Delivers the message on stdin to the local address local@domain as its\n"
    ".qmail file says (Maildir, mbox, program, forward), after finding the\n"
    "account (users/assign.cdb, password database, else the alias user).\n"
    "Run as root it becomes the recipient first. -n prints the delivery plan\n"
    "and delivers nothing. Environment: YUBIN_ROOT (default /var/yubin),\n"
    "QMAILQUEUE (program for forwards, default yubin-queue beside this one).\n"
    "Exit 0 delivered, 100 permanent failure, 111 temporary failure; the\n"
    "reason is printed on stdout.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  return yubin::dotqmail::LocalCommandMain(std::vector<std::string>(argv + 1, argv + argc));
}
