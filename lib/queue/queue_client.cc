#include "lib/queue/queue_client.h"

#include <fcntl.h>
#include <spawn.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "lib/base/yubin_root.h"
#include "lib/queue/envelope.h"
#include "lib/queue/intake_protocol.h"

extern char** environ;

namespace yubin::queue {
namespace {

constexpr std::string_view kQueuedPrefix = "queued ";

Status CheckAddress(std::string_view address) {
  if (address.size() > kMaxAddressLength) {
    return Status::Permanent("address longer than " +
                             std::to_string(kMaxAddressLength) + " bytes");
  }
  for (char c : address) {
    if (c == '\0' || c == '\n' || c == '\r') {
      return Status::Permanent("address with a control character");
    }
  }
  return Status::Ok();
}

// A close-on-exec pipe whose ends are both above 2, so that the child's
// dup2() onto 0, 1 and 2 never clobbers one source with another even when
// this process runs with one of them closed. flags may add O_NONBLOCK (for
// both ends).
Status MakePipe(UniqueFd* read_end, UniqueFd* write_end, int flags = 0) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | flags) != 0) return Status::FromErrno("pipe", errno);
  UniqueFd ends[2] = {UniqueFd(fds[0]), UniqueFd(fds[1])};
  for (UniqueFd& end : ends) {
    if (end.get() > 2) continue;
    int moved = fcntl(end.get(), F_DUPFD_CLOEXEC, 3);
    if (moved < 0) return Status::FromErrno("fcntl", errno);
    end = UniqueFd(moved);
  }
  *read_end = std::move(ends[0]);
  *write_end = std::move(ends[1]);
  return Status::Ok();
}

// Our environment with kReportIdVariable=1 in place of any value it had.
std::vector<std::string> ReportingEnvironment() {
  const std::string name = std::string(kReportIdVariable) + "=";
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::string_view(*e).substr(0, name.size()) != name) env.emplace_back(*e);
  }
  env.push_back(name + "1");
  return env;
}

}  // namespace

std::string QueueProgramPath() {
  const char* env = std::getenv("QMAILQUEUE");
  if (env != nullptr && *env != '\0') return env;
  return OwnDirectory() + "yubin-queue";
}

std::string PackEnvelope(std::string_view sender,
                         const std::vector<std::string>& recipients) {
  std::string env;
  env.push_back('F');
  env += sender;
  env.push_back('\0');
  for (const std::string& r : recipients) {
    env.push_back('T');
    env += r;
    env.push_back('\0');
  }
  env.push_back('\0');
  return env;
}

Status CheckEnvelope(std::string_view sender,
                     const std::vector<std::string>& recipients) {
  if (recipients.empty()) return Status::Permanent("no recipients");
  if (recipients.size() > kMaxEnvelopeRecipients) {
    return Status::Permanent("more than " +
                             std::to_string(kMaxEnvelopeRecipients) +
                             " recipients");
  }
  if (Status st = CheckAddress(sender); !st.ok()) {
    return st.Wrap("sender " + std::string(sender.substr(0, 64)));
  }
  for (const std::string& r : recipients) {
    if (r.empty()) return Status::Permanent("empty recipient address");
    if (Status st = CheckAddress(r); !st.ok()) {
      return st.Wrap("recipient " + r.substr(0, 64));
    }
  }
  return Status::Ok();
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

std::string FindQueueId(std::string_view out) {
  std::string id;
  while (!out.empty()) {
    size_t nl = out.find('\n');
    std::string_view line = out.substr(0, nl);
    out.remove_prefix(nl == std::string_view::npos ? out.size() : nl + 1);
    if (line.substr(0, kQueuedPrefix.size()) != kQueuedPrefix) continue;
    std::string_view candidate = line.substr(kQueuedPrefix.size());
    bool ok = !candidate.empty() && candidate.size() <= kMaxQueueIdBytes;
    for (char c : candidate) ok = ok && c > 32 && c < 127;
    if (ok) id = std::string(candidate);
  }
  return id;
}

QueueClient::~QueueClient() {
  if (running()) Abort();
}

Status QueueClient::StartIntake(const std::string& socket_path) {
  signal(SIGPIPE, SIG_IGN);
  UniqueFd sock;
  if (Status st = ConnectIntake(socket_path, &sock); !st.ok()) return st;
  // Non-blocking at both ends: ours are written with poll, and the intake
  // service reads its ends non-blocking too.
  UniqueFd msg_r, msg_w, env_r, env_w;
  if (Status st = MakePipe(&msg_r, &msg_w, O_NONBLOCK); !st.ok()) return st;
  if (Status st = MakePipe(&env_r, &env_w, O_NONBLOCK); !st.ok()) return st;
  if (Status st = SendInjectionFds(sock.get(), msg_r.get(), env_r.get()); !st.ok()) {
    return st;
  }
  intake_ = std::move(sock);
  message_ = std::move(msg_w);
  envelope_ = std::move(env_w);
  return Status::Ok();
}

Status QueueClient::StartDefault(QueueStderr stderr_mode) {
  const char* env = std::getenv("QMAILQUEUE");
  const bool chosen = env != nullptr && *env != '\0';
  if (!chosen && StartIntake(IntakeSocketPath(YubinRoot())).ok()) return Status::Ok();
  return Start(QueueProgramPath(), stderr_mode);
}

int QueueClient::ReadIntakeReply(std::string* id) {
  std::string line;
  char buf[kMaxIntakeReplyBytes];
  while (line.find('\n') == std::string::npos && line.size() < kMaxIntakeReplyBytes) {
    ssize_t n = ReadRetry(intake_.get(), buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  intake_.reset();
  int code = 0;
  std::string text;
  const size_t nl = line.find('\n');
  if (nl == std::string::npos ||
      !ParseIntakeReply(std::string_view(line).substr(0, nl), &code, &text)) {
    (void)WriteAll(2, "yubin-intake: no answer from the intake service\n");
    return kUnknownWaitStatus;
  }
  if (code == 0) {
    *id = FindQueueId(std::string(kQueuedPrefix) + text + "\n");
  } else {
    (void)WriteAll(2, "yubin-intake: " + text + "\n");
  }
  return code << 8;  // as waitpid() reports an exit with that code
}

Status QueueClient::Start(const std::string& program, QueueStderr stderr_mode) {
  signal(SIGPIPE, SIG_IGN);
  // An ignored SIGCHLD (inherited from whoever ran us: swaks --pipe does
  // that to sendmail -bs) reaps the child by itself and waitpid() could
  // never tell its exit code.
  struct sigaction chld {};
  if (sigaction(SIGCHLD, nullptr, &chld) == 0 && chld.sa_handler == SIG_IGN) {
    signal(SIGCHLD, SIG_DFL);
  }
  const bool capture = stderr_mode == QueueStderr::kCapture;
  UniqueFd msg_r, msg_w, env_r, env_w, err_r, err_w;
  if (Status st = MakePipe(&msg_r, &msg_w); !st.ok()) return st;
  if (Status st = MakePipe(&env_r, &env_w); !st.ok()) return st;
  if (capture) {
    if (Status st = MakePipe(&err_r, &err_w); !st.ok()) return st;
  }
  std::vector<std::string> env_strings;
  std::vector<char*> envp;
  if (capture) {
    env_strings = ReportingEnvironment();
    for (std::string& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
  }
  char* const argv[] = {const_cast<char*>(program.c_str()), nullptr};

  // posix_spawn (a vfork underneath): no copy of our page tables for a child
  // that only execs, and an exec failure comes back as its result. The pipe
  // ends are above 2 (MakePipe), so the dup2s cannot clobber each other.
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&actions, msg_r.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, env_r.get(), 1);
  if (capture) posix_spawn_file_actions_adddup2(&actions, err_w.get(), 2);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, program.c_str(), &actions, &attr, argv,
                       capture ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Status::FromErrno("unable to run the queue program " + program, rc);
  }
  pid_ = pid;
  message_ = std::move(msg_w);
  envelope_ = std::move(env_w);
  stderr_ = std::move(err_r);
  if (!SetNonBlocking(message_.get(), true).ok() ||
      !SetNonBlocking(envelope_.get(), true).ok() ||
      (capture && !SetNonBlocking(stderr_.get(), true).ok())) {
    Abort();
    return Status::Temporary("cannot set the queue pipes non-blocking");
  }
  return Status::Ok();
}

void QueueClient::DrainStderr(bool until_eof) {
  if (!stderr_.valid()) return;
  char buf[1024];
  for (;;) {
    if (until_eof) {
      struct pollfd p = {stderr_.get(), POLLIN, 0};
      if (poll(&p, 1, -1) < 0 && errno != EINTR) break;
    }
    ssize_t n = ReadRetry(stderr_.get(), buf, sizeof buf);
    if (n < 0 && errno == EAGAIN) {
      if (until_eof) continue;
      return;
    }
    if (n <= 0) {
      stderr_.reset();
      break;
    }
    for (ssize_t i = 0; i < n; ++i) {
      char c = buf[i];
      if (err_output_.size() < kMaxQueueStderrBytes) err_output_.push_back(c);
      if (err_line_.size() < kMaxQueueStderrBytes) err_line_.push_back(c);
      if (c == '\n') {
        if (err_line_.rfind(kQueuedPrefix, 0) != 0) (void)WriteAll(2, err_line_);
        err_line_.clear();
      }
    }
  }
  if (!err_line_.empty() && err_line_.rfind(kQueuedPrefix, 0) != 0) {
    (void)WriteAll(2, err_line_ + "\n");
  }
  err_line_.clear();
}

// The fds are non-blocking: a write is tried first, and only a full pipe
// waits in poll, which also drains the program's stderr meanwhile (it may
// be blocked writing there while we wait for it to read).
bool QueueClient::WriteAllPolled(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = WriteRetry(fd, data.data(), data.size());
    if (n >= 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (errno != EAGAIN) return false;  // EPIPE: the program is gone
    struct pollfd p[2] = {{fd, POLLOUT, 0}, {stderr_.get(), POLLIN, 0}};
    int nfds = stderr_.valid() ? 2 : 1;
    if (poll(p, nfds, -1) < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (nfds == 2 && (p[1].revents & (POLLIN | POLLHUP))) DrainStderr(false);
    if (p[0].revents & (POLLERR | POLLNVAL)) return false;
  }
  return true;
}

void QueueClient::WriteMessage(std::string_view data) {
  if (write_failed_ || !running() || data.empty()) return;
  if (gathered_.size() + data.size() > kQueueWriteGather) {
    FlushMessage();
    if (write_failed_) return;
    if (data.size() >= kQueueWriteGather) {
      if (!WriteAllPolled(message_.get(), data)) write_failed_ = true;
      return;
    }
  }
  gathered_.append(data);
}

void QueueClient::FlushMessage() {
  if (!write_failed_ && !gathered_.empty() && !WriteAllPolled(message_.get(), gathered_)) {
    write_failed_ = true;
  }
  gathered_.clear();
}

int QueueClient::Wait() {
  DrainStderr(true);
  int wstatus = 0;
  while (waitpid(pid_, &wstatus, 0) < 0) {
    if (errno != EINTR) {
      wstatus = kUnknownWaitStatus;
      break;
    }
  }
  pid_ = -1;
  return wstatus;
}

QueueOutcome QueueClient::Finish(std::string_view envelope) {
  QueueOutcome out;
  if (!running()) return out;
  out.pid = pid_ > 0 ? pid_ : 0;
  FlushMessage();
  message_.reset();
  bool envelope_ok =
      !write_failed_ && WriteAllPolled(envelope_.get(), envelope);
  envelope_.reset();
  std::string intake_id;
  out.wait_status = intake_.valid() ? ReadIntakeReply(&intake_id) : Wait();
  out.exit_code =
      WIFEXITED(out.wait_status) ? WEXITSTATUS(out.wait_status) : -1;
  // A program that exits 0 without having read the whole envelope did not
  // get our message: we never call that queued. A failing exit code is
  // reported as it is, even when it cut our writes short.
  out.ran = envelope_ok || out.exit_code > 0;
  out.queue_id = out.pid > 0 ? FindQueueId(err_output_) : intake_id;
  return out;
}

void QueueClient::Abort() {
  gathered_.clear();
  if (!running()) return;
  message_.reset();
  envelope_.reset();
  if (intake_.valid()) {
    intake_.reset();  // the service sees a truncated envelope: nothing queued
    return;
  }
  (void)Wait();
}

}  // namespace yubin::queue
