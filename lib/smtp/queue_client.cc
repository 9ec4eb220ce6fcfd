#include "lib/smtp/queue_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace yubin::smtp {

std::string QueueProgramPath() {
  const char* env = std::getenv("QMAILQUEUE");
  if (env != nullptr && *env != '\0') return env;
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "yubin-queue";
  std::string self(buf, static_cast<size_t>(n));
  size_t slash = self.rfind('/');
  if (slash == std::string::npos) return "yubin-queue";
  return self.substr(0, slash + 1) + "yubin-queue";
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

std::string FindQueueId(std::string_view out) {
  std::string id;
  while (!out.empty()) {
    size_t nl = out.find('\n');
    std::string_view line = out.substr(0, nl);
    out.remove_prefix(nl == std::string_view::npos ? out.size() : nl + 1);
    constexpr std::string_view kPrefix = "queued ";
    if (line.substr(0, kPrefix.size()) != kPrefix) continue;
    std::string_view candidate = line.substr(kPrefix.size());
    bool ok = !candidate.empty() && candidate.size() <= kMaxQueueIdBytes;
    for (char c : candidate) ok = ok && c > 32 && c < 127;
    if (ok) id = std::string(candidate);
  }
  return id;
}

QueueClient::~QueueClient() {
  if (pid_ > 0) Abort();
}

Status QueueClient::Start(const std::string& program) {
  int msg[2], env[2], err[2];
  if (pipe2(msg, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  UniqueFd msg_r(msg[0]), msg_w(msg[1]);
  if (pipe2(env, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  UniqueFd env_r(env[0]), env_w(env[1]);
  if (pipe2(err, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  UniqueFd err_r(err[0]), err_w(err[1]);
  pid_t pid = fork();
  if (pid < 0) return Status::FromErrno("fork", errno);
  if (pid == 0) {
    // All pipe ends are >= 3 (RunSmtpd keeps 0, 1 and 2 open), so dup2
    // cannot clobber one source with another; the originals close on exec.
    if (dup2(msg_r.get(), 0) < 0 || dup2(env_r.get(), 1) < 0 ||
        dup2(err_w.get(), 2) < 0) {
      _exit(71);
    }
    signal(SIGPIPE, SIG_DFL);  // ignored in yubin-smtpd, not in the queue
    char* argv[] = {const_cast<char*>(program.c_str()), nullptr};
    execv(program.c_str(), argv);
    _exit(errno == ENOENT ? 55 : 81);
  }
  pid_ = pid;
  message_ = std::move(msg_w);
  envelope_ = std::move(env_w);
  stderr_ = std::move(err_r);
  if (!SetNonBlocking(message_.get(), true).ok() ||
      !SetNonBlocking(envelope_.get(), true).ok() ||
      !SetNonBlocking(stderr_.get(), true).ok()) {
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
        if (err_line_.rfind("queued ", 0) != 0) {
          (void)WriteAll(2, err_line_);
        }
        err_line_.clear();
      }
    }
  }
  if (!err_line_.empty() && err_line_.rfind("queued ", 0) != 0) {
    (void)WriteAll(2, err_line_ + "\n");
  }
  err_line_.clear();
}

bool QueueClient::WriteAllPolled(int fd, std::string_view data) {
  while (!data.empty()) {
    struct pollfd p[2] = {{fd, POLLOUT, 0}, {stderr_.get(), POLLIN, 0}};
    int nfds = stderr_.valid() ? 2 : 1;
    if (poll(p, nfds, -1) < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (nfds == 2 && (p[1].revents & (POLLIN | POLLHUP))) DrainStderr(false);
    if (p[0].revents & (POLLERR | POLLNVAL)) return false;
    if (!(p[0].revents & (POLLOUT | POLLHUP))) continue;
    ssize_t n = WriteRetry(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EAGAIN) continue;
      return false;  // EPIPE: the program is gone
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void QueueClient::WriteMessage(std::string_view data) {
  if (write_failed_ || pid_ <= 0 || data.empty()) return;
  if (!WriteAllPolled(message_.get(), data)) write_failed_ = true;
}

int QueueClient::Wait() {
  DrainStderr(true);
  int wstatus = 0;
  while (waitpid(pid_, &wstatus, 0) < 0) {
    if (errno != EINTR) {
      pid_ = -1;
      return -1;
    }
  }
  pid_ = -1;
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  return -1;
}

QueueOutcome QueueClient::Finish(std::string_view envelope) {
  QueueOutcome out;
  if (pid_ <= 0) return out;
  out.pid = pid_;
  message_.reset();
  bool envelope_ok =
      !write_failed_ && WriteAllPolled(envelope_.get(), envelope);
  envelope_.reset();
  out.exit_code = Wait();
  // A program that exits 0 without having read the whole envelope did not
  // get our message: we never call that queued. A failing exit code is
  // reported as it is, even when it cut our writes short.
  out.ran = envelope_ok || out.exit_code > 0;
  out.queue_id = FindQueueId(err_output_);
  return out;
}

void QueueClient::Abort() {
  if (pid_ <= 0) return;
  message_.reset();
  envelope_.reset();
  (void)Wait();
}

}  // namespace yubin::smtp
