// sendmail: the sendmail-compatible way for programs to send mail; also
// runs as mailq and newaliases.
//
//   echo 'To: joe' | sendmail -t
//
// See lib/inject/sendmail_command.h for the flags. Exits 0, 100 (permanent
// or usage), 111 (temporary).
#include <string>
#include <vector>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/inject/sendmail_command.h"

namespace {
constexpr char kHelp[] =
    "usage: sendmail [-t] [-i] [-f sender] [-F fullname] [recipient ...]\n"
    "       sendmail -bs | -bp | -bi | -q     mailq     newaliases\n"
    "Reads a message on stdin and queues it through yubin-inject's rules.\n"
    "  -t            also send to the To:, Cc: and Bcc: addresses\n"
    "  -i, -oi       a line with a single '.' does not end the message\n"
    "  -f, -r sender envelope sender ('' or '<>' for none)\n"
    "  -F fullname   the name in a generated From: field\n"
    "  -bs           speak SMTP on stdin/stdout (runs yubin-smtpd)\n"
    "  -bp, mailq    list the queue (runs yubin-qread)\n"
    "  -bi, newaliases  explain yubin's .qmail aliases; exits 0\n"
    "  -q            ask the queue manager to retry deferred mail now\n"
    "Ignored: other -o options, -O, -B, -N, -R, -V, -h, -L, -v, -m, -n, -U, -G.\n"
    "Exits 0 on success, 100 for a permanent error or usage mistake, 111 for\n"
    "a temporary one.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  std::vector<std::string> args(argv + 1, argv + argc);
  yubin::Result<yubin::inject::SendmailCommand> command =
      yubin::inject::ParseSendmailArgs(yubin::ProgramName(), args);
  if (!command.ok()) yubin::Usage(command.status().message() + "; see --help");
  return yubin::inject::RunSendmail(*command, 0, 1);
}
