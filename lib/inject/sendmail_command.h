// sendmail_command.h: the sendmail-compatible front end (sendmail, mailq,
// newaliases) on top of RunInject.
//
//   Result<SendmailCommand> c = ParseSendmailArgs("sendmail", {"-t", "-oi"});
//   return RunSendmail(*c, 0, 1);   // an exit code: 0, 100 or 111
//
// Modes: deliver (the default, -bm): inject stdin; -bs: exec yubin-smtpd
// beside this program with RELAYCLIENT set and loopback tcpserver variables
// (SetLocalSmtpEnvironment), SMTP on stdin/stdout; -bp or
// the name mailq: exec yubin-qread beside this program; -bi or the name
// newaliases: explain .qmail aliases, exit 0; -q[...]: ask the supervised
// queue manager (ROOT/service/send) to retry now with SIGALRM (svc -a).
// Deliver flags: -t (recipients from To/Cc/Bcc, added to the arguments),
// -f/-r sender, -F fullname, -i/-oi (a "." line does not end input).
// Ignored as sendmail users expect: -o<anything else>, -O opt, -B type,
// -N dsn, -R ret, -V envid, -h hops, -L label, -v, -m, -n, -U, -G.
// Unknown flags and unsupported modes are usage errors (exit 100).
#ifndef YUBIN_LIB_INJECT_SENDMAIL_COMMAND_H_
#define YUBIN_LIB_INJECT_SENDMAIL_COMMAND_H_

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"
#include "lib/inject/inject.h"

namespace yubin::inject {

enum class SendmailMode { kDeliver, kSmtp, kListQueue, kNewAliases, kRunQueue };

struct SendmailCommand {
  SendmailMode mode = SendmailMode::kDeliver;
  InjectOptions inject;  // dot_ends_input true unless -i/-oi
};

// program_name is the basename of argv[0] ("mailq", "newaliases" or any
// other name for sendmail).
Result<SendmailCommand> ParseSendmailArgs(std::string_view program_name,
                                          const std::vector<std::string>& args);

// Runs the command; returns the exit code. Messages go to stderr as
// "sendmail: fatal: ...". The -bs and -bp modes exec and return only on
// failure (111).
int RunSendmail(const SendmailCommand& command, int in_fd, int out_fd);

// What newaliases and sendmail -bi print.
std::string NewAliasesText(const std::string& root);

// For -bs: RELAYCLIENT="" (local clients may relay) and, unless PROTO is
// already set (run by tcpserver), the tcpserver variables of a loopback
// connection: PROTO=TCP, TCPLOCALIP/TCPREMOTEIP=127.0.0.1,
// TCPLOCALHOST/TCPREMOTEHOST=localhost, TCPREMOTEINFO=<login name>.
Status SetLocalSmtpEnvironment();

// Writes 'a' to ROOT/service/send/supervise/control (svc -a). Fails
// (temporary) when no supervisor is reading it.
Status AskQueueManagerToRetry(const std::string& root);

}  // namespace yubin::inject

#endif  // YUBIN_LIB_INJECT_SENDMAIL_COMMAND_H_
