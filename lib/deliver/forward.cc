#include "lib/deliver/forward.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "lib/base/durable_file.h"
#include "lib/deliver/child_run.h"

extern char** environ;

namespace yubin::deliver {
namespace {

constexpr size_t kMaxExePath = 4096;

bool ValidAddress(std::string_view address) {
  return address.size() <= kMaxForwardAddress &&
         address.find('\0') == std::string_view::npos &&
         address.find('\n') == std::string_view::npos;
}

}  // namespace

std::string QueueProgram() {
  const char* env = std::getenv("QMAILQUEUE");
  if (env != nullptr && env[0] != '\0') return env;
  char exe[kMaxExePath];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return "yubin-queue";
  exe[n] = '\0';
  return DirectoryOf(exe) + "/yubin-queue";
}

std::string QmailQueueEnvelope(std::string_view sender,
                               const std::vector<std::string>& recipients) {
  std::string env = "F";
  env += sender;
  env += '\0';
  for (const std::string& r : recipients) {
    env += 'T';
    env += r;
    env += '\0';
  }
  env += '\0';
  return env;
}

std::string QmailQueueExitText(int code) {
  switch (code) {
    case 0: return "queued";
    case 11: return "address too long";
    case 31: return "mail server permanently refuses the message";
    case 51: return "out of memory";
    case 52: return "timeout";
    case 53: return "write error";
    case 54: return "unable to read the message or envelope";
    case 55: return "unable to read a configuration file";
    case 56: return "network problem";
    case 61: return "problem with the home directory";
    case 62: return "problem with the queue directory";
    case 63: return "problem with queue/pid";
    case 64: return "problem with queue/mess";
    case 65: return "problem with queue/intd";
    case 66: return "problem with queue/todo";
    case 81: return "internal bug";
    case 91: return "envelope format error";
    default: return "unexpected exit code " + std::to_string(code);
  }
}

Status InjectMessage(const std::string& queue_program, std::string_view sender,
                     const std::vector<std::string>& recipients,
                     std::string_view header_lines, int message_fd) {
  if (recipients.empty()) return Status::Ok();
  if (!ValidAddress(sender)) {
    return Status::Permanent("forward: sender address is invalid or too long");
  }
  for (const std::string& r : recipients) {
    if (!ValidAddress(r) || r.empty()) {
      return Status::Permanent("forward: address is invalid or too long: " +
                               r.substr(0, 100));
    }
  }
  ChildSpec spec;
  spec.argv = {queue_program};
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) spec.env.push_back(*e);
  spec.header_lines = std::string(header_lines);
  spec.message_fd = message_fd;
  spec.fd1_data = QmailQueueEnvelope(sender, recipients);
  Result<ChildResult> r = RunChild(spec);
  if (!r.ok()) return r.status().Wrap("forward: unable to run " + queue_program);
  if (r->timed_out) return Status::Temporary("forward: " + queue_program + " timed out");
  if (!WIFEXITED(r->wait_status)) {
    return Status::Temporary("forward: " + queue_program + " killed by signal");
  }
  int code = WEXITSTATUS(r->wait_status);
  if (code == 0) return Status::Ok();
  std::string text = "forward: " + queue_program + ": " + QmailQueueExitText(code);
  if (!r->output.empty()) text += ": " + r->output;
  if (code == 11 || code == 31 || code == 91) return Status::Permanent(text);
  return Status::Temporary(text);
}

}  // namespace yubin::deliver
