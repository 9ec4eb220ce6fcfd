#include "lib/inject/sendmail_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "lib/base/fatal.h"
#include "lib/base/fd.h"
#include "lib/base/yubin_root.h"
#include "lib/inject/flag_scanner.h"
#include "lib/inject/inject_defaults.h"
#include "lib/queue/queue_client.h"

namespace yubin::inject {
namespace {

Status SetMode(SendmailCommand* c, std::string_view mode) {
  if (mode == "m") {
    c->mode = SendmailMode::kDeliver;
  } else if (mode == "s") {
    c->mode = SendmailMode::kSmtp;
  } else if (mode == "p") {
    c->mode = SendmailMode::kListQueue;
  } else if (mode == "i") {
    c->mode = SendmailMode::kNewAliases;
  } else if (mode == "d" || mode == "D") {
    return Status::Permanent(
        "-bd is not supported: yubin's SMTP service runs supervised; start it "
        "with yubinctl start");
  } else {
    return Status::Permanent("-b" + std::string(mode) + " is not supported");
  }
  return Status::Ok();
}

// Execs DIR/program (DIR = this executable's directory); returns only on
// failure, with the exit code.
int ExecBeside(const char* program, const char* what) {
  std::string path = OwnDirectory() + program;
  char* argv[] = {const_cast<char*>(path.c_str()), nullptr};
  execv(path.c_str(), argv);
  int err = errno;
  std::string message = std::string("unable to run ") + path + " (" + what + ")";
  if (err == ENOENT) {
    message += ": " + std::string(program) + " is not installed next to " +
               std::string(ProgramName());
  } else {
    message += ": " + std::string(std::strerror(err));
  }
  Fatal(kExitTemporary, message);
}

}  // namespace

Status SetLocalSmtpEnvironment() {
  // Local clients may relay, as tcpserver's 127.:allow,RELAYCLIENT="" says.
  if (setenv("RELAYCLIENT", "", 1) != 0) return Status::FromErrno("setenv", errno);
  if (std::getenv("PROTO") != nullptr) return Status::Ok();  // under tcpserver
  const std::string login = CurrentSystemUser().login;
  const std::pair<const char*, const char*> vars[] = {
      {"PROTO", "TCP"},
      {"TCPLOCALIP", "127.0.0.1"},
      {"TCPLOCALHOST", "localhost"},
      {"TCPREMOTEIP", "127.0.0.1"},
      {"TCPREMOTEHOST", "localhost"},
      {"TCPREMOTEINFO", login.c_str()}};
  for (const auto& [name, value] : vars) {
    if (setenv(name, value, 1) != 0) return Status::FromErrno("setenv", errno);
  }
  return Status::Ok();
}

Result<SendmailCommand> ParseSendmailArgs(std::string_view program_name,
                                          const std::vector<std::string>& args) {
  SendmailCommand c;
  c.inject.dot_ends_input = true;
  if (program_name == "mailq") c.mode = SendmailMode::kListQueue;
  if (program_name == "newaliases") c.mode = SendmailMode::kNewAliases;
  Result<size_t> first = ScanFlags(
      args, FlagSpec{.no_value = "tivmnUG", .value = "fFrBNRVhLOob",
                     .optional_value = "q"},
      [&c](char flag, std::string_view value) {
        switch (flag) {
          case 't': c.inject.recipients_from_header = true; break;
          case 'i': c.inject.dot_ends_input = false; break;
          case 'f':
          case 'r': c.inject.sender = std::string(value); break;
          case 'F': c.inject.full_name = std::string(value); break;
          case 'o':
            if (value == "i") c.inject.dot_ends_input = false;
            break;
          case 'b': return SetMode(&c, value);
          case 'q': c.mode = SendmailMode::kRunQueue; break;
          default: break;  // accepted and ignored
        }
        return Status::Ok();
      });
  if (!first.ok()) return first.status();
  c.inject.recipients.assign(args.begin() + static_cast<std::ptrdiff_t>(*first),
                             args.end());
  return c;
}

std::string NewAliasesText(const std::string& root) {
  return "yubin keeps no aliases database, so there is nothing to rebuild.\n"
         "Each alias is a file " + root + "/alias/.qmail-NAME holding where\n"
         "mail for NAME goes, one delivery per line: &address to forward,\n"
         "|command to pipe, ./Maildir/ or a mbox path to store. Changes take\n"
         "effect at once. To convert an existing /etc/aliases, run\n"
         "yubin-aliases (see its manual page).\n";
}

Status AskQueueManagerToRetry(const std::string& root) {
  std::string control = root + "/service/send/supervise/control";
  UniqueFd fd(OpenRetry(control.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) {
    int err = errno;
    if (err == ENXIO || err == ENOENT) {
      return Status::Temporary(
          "the queue manager is not running under supervision (" + control +
          " has no reader); yubin retries deferred mail on its own once it "
          "runs");
    }
    return Status::FromErrno("unable to open " + control, err);
  }
  return WriteAll(fd.get(), "a").Wrap("unable to write to " + control);
}

int RunSendmail(const SendmailCommand& command, int in_fd, int out_fd) {
  switch (command.mode) {
    case SendmailMode::kDeliver: {
      if (command.inject.recipients.empty() &&
          !command.inject.recipients_from_header) {
        return ExitWith(Status::Permanent(
            "no recipients: give addresses as arguments, or use -t to take "
            "them from the To:, Cc: and Bcc: fields"));
      }
      return ExitWith(RunInject(command.inject, in_fd, out_fd));
    }
    case SendmailMode::kSmtp:
      if (Status st = SetLocalSmtpEnvironment(); !st.ok()) return ExitWith(st);
      return ExecBeside("yubin-smtpd", "sendmail -bs");
    case SendmailMode::kListQueue:
      return ExecBeside("yubin-qread", "the queue lister");
    case SendmailMode::kNewAliases:
      return ExitWith(WriteAll(out_fd, NewAliasesText(YubinRoot())));
    case SendmailMode::kRunQueue:
      return ExitWith(AskQueueManagerToRetry(YubinRoot()));
  }
  return kExitTemporary;
}

}  // namespace yubin::inject
