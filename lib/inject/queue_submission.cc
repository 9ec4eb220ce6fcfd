#include "lib/inject/queue_submission.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "lib/inject/address_list.h"

namespace yubin::inject {
namespace {

Status CheckAddress(std::string_view address) {
  if (address.size() > kMaxAddressBytes) {
    return Status::Permanent("address longer than 1003 bytes");
  }
  for (char c : address) {
    if (c == '\0' || c == '\n' || c == '\r') {
      return Status::Permanent("address with a control character");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string OwnDirectory() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string self(buf, static_cast<size_t>(n));
  size_t slash = self.rfind('/');
  return slash == std::string::npos ? "" : self.substr(0, slash + 1);
}

std::string QueueProgramPath() {
  const char* env = std::getenv("QMAILQUEUE");
  if (env != nullptr && *env != '\0') return env;
  return OwnDirectory() + "yubin-queue";
}

Result<std::string> PackEnvelope(const Envelope& envelope) {
  if (envelope.recipients.empty()) return Status::Permanent("no recipients");
  if (envelope.recipients.size() > kMaxRecipients) {
    return Status::Permanent("more than 10000 recipients");
  }
  if (Status st = CheckAddress(envelope.sender); !st.ok()) {
    return st.Wrap("sender " + envelope.sender.substr(0, 64));
  }
  std::string out = "F" + envelope.sender;
  out.push_back('\0');
  for (const std::string& r : envelope.recipients) {
    if (r.empty()) return Status::Permanent("empty recipient address");
    if (Status st = CheckAddress(r); !st.ok()) {
      return st.Wrap("recipient " + r.substr(0, 64));
    }
    out += 'T';
    out += r;
    out.push_back('\0');
  }
  out.push_back('\0');
  return out;
}

Status QueueExitStatus(int wait_status) {
  if (WIFSIGNALED(wait_status)) {
    return Status::Temporary("queue program killed by signal " +
                             std::to_string(WTERMSIG(wait_status)));
  }
  if (!WIFEXITED(wait_status)) return Status::Temporary("queue program crashed");
  int code = WEXITSTATUS(wait_status);
  switch (code) {
    case 0:
      return Status::Ok();
    case 11:
      return Status::Permanent("queue: address too long (#5.1.3)");
    case 31:
      return Status::Permanent("queue: message permanently refused (#5.3.0)");
    case 91:
      return Status::Permanent("queue: envelope format error (#5.3.5)");
    case 51:
      return Status::Temporary("queue: out of memory (#4.3.0)");
    case 52:
      return Status::Temporary("queue: timeout (#4.3.0)");
    case 53:
      return Status::Temporary("queue: write error, disk full? (#4.3.0)");
    case 54:
      return Status::Temporary("queue: unable to read the message or envelope (#4.3.0)");
    case 55:
      return Status::Temporary("queue: unable to read its configuration (#4.3.0)");
    case 56:
      return Status::Temporary("queue: network problem (#4.3.0)");
    case 61:
      return Status::Temporary("queue: problem with the queue's home directory (#4.3.0)");
    case 62:
      return Status::Temporary("queue: problem with a queue file (#4.3.0)");
    case 63:
      return Status::Temporary("queue: problem with the queue directory (#4.3.0)");
    case 64:
      return Status::Temporary("queue: cannot lock the queue (#4.3.0)");
    case 65:
      return Status::Temporary("queue: cannot trigger the queue manager (#4.3.0)");
    case 81:
      return Status::Temporary("queue: internal bug (#4.3.0)");
    default:
      break;
  }
  std::string what = "queue program exited " + std::to_string(code);
  if (code >= 11 && code <= 40) return Status::Permanent(what + " (#5.3.0)");
  return Status::Temporary(what + " (#4.3.0)");
}

QueueSubmission::~QueueSubmission() {
  if (pid_ > 0) Abort();
}

Status QueueSubmission::Start(const std::string& program) {
  signal(SIGPIPE, SIG_IGN);
  int msg[2], env[2], report[2];
  if (pipe2(msg, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  UniqueFd msg_r(msg[0]), msg_w(msg[1]);
  if (pipe2(env, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  UniqueFd env_r(env[0]), env_w(env[1]);
  // Closed by a successful exec; otherwise carries the child's errno.
  if (pipe2(report, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  UniqueFd report_r(report[0]), report_w(report[1]);
  pid_t pid = fork();
  if (pid < 0) return Status::FromErrno("fork", errno);
  if (pid == 0) {
    signal(SIGPIPE, SIG_DFL);
    // fds 0-2 are open, so every pipe end is >= 3 and dup2 clobbers none.
    if (dup2(msg_r.get(), 0) < 0 || dup2(env_r.get(), 1) < 0) _exit(54);
    char* argv[] = {const_cast<char*>(program.c_str()), nullptr};
    execv(program.c_str(), argv);
    int err = errno;
    (void)!write(report_w.get(), &err, sizeof err);
    _exit(81);
  }
  pid_ = pid;
  report_w.reset();
  int child_errno = 0;
  ssize_t n = ReadFull(report_r.get(), &child_errno, sizeof child_errno);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    Wait();
    return Status::FromErrno("unable to run the queue program " + program,
                             child_errno);
  }
  message_ = std::move(msg_w);
  envelope_ = std::move(env_w);
  return Status::Ok();
}

void QueueSubmission::WriteMessage(std::string_view data) {
  if (write_failed_ || !message_.valid()) return;
  if (!WriteAll(message_.get(), data).ok()) write_failed_ = true;
}

Status QueueSubmission::Finish(const std::string& packed_envelope) {
  message_.reset();
  if (!write_failed_) (void)WriteAll(envelope_.get(), packed_envelope);
  envelope_.reset();
  return QueueExitStatus(Wait());
}

void QueueSubmission::Abort() {
  message_.reset();
  envelope_.reset();
  Wait();
}

int QueueSubmission::Wait() {
  if (pid_ <= 0) return 0;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) {
      status = 0x100 * 81;
      break;
    }
  }
  pid_ = -1;
  return status;
}

}  // namespace yubin::inject
