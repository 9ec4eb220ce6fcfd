#include "lib/deliver/child_run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "lib/base/fd.h"

namespace yubin::deliver {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kFeedChunk = 65536;

// Pending bytes for one fed descriptor: a fixed string, then (for stdin)
// the message read from its fd chunk by chunk.
struct Feed {
  UniqueFd fd;
  std::string pending;
  size_t offset = 0;
  int source_fd = -1;  // -1: nothing more to read after pending
  bool done = false;
};

// Child side, between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(const ChildSpec& spec, char** argv, char** envp,
                            int in_fd, int out_fd, int err_fd) {
  if (::dup2(in_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) {
    ::_exit(111);
  }
  if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) {
    const char msg[] = "unable to chdir to home directory\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(111);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  ::execve(argv[0], argv, envp);
  const char msg[] = "unable to run program\n";
  (void)!::write(2, msg, sizeof msg - 1);
  ::_exit(111);
}

// Refills feed->pending from its source; false on a read error.
bool Refill(Feed* feed, int* read_errno) {
  if (feed->offset < feed->pending.size()) return true;
  feed->pending.clear();
  feed->offset = 0;
  if (feed->source_fd < 0) return true;
  feed->pending.resize(kFeedChunk);
  ssize_t n = ReadRetry(feed->source_fd, feed->pending.data(), kFeedChunk);
  if (n < 0) {
    *read_errno = errno;
    feed->pending.clear();
    return false;
  }
  feed->pending.resize(static_cast<size_t>(n));
  if (n == 0) feed->source_fd = -1;
  return true;
}

}  // namespace

Result<ChildResult> RunChild(const ChildSpec& spec) {
  if (spec.argv.empty()) return Status::Permanent("no program to run");
  if (spec.message_fd >= 0 && ::lseek(spec.message_fd, 0, SEEK_SET) < 0) {
    return Status::FromErrno("rewind message", errno);
  }
  int in_pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0) {
    return Status::FromErrno("socketpair", errno);
  }
  UniqueFd in_parent(in_pair[0]), in_child(in_pair[1]);
  UniqueFd fd1_parent, fd1_child;
  if (spec.fd1_data) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      return Status::FromErrno("socketpair", errno);
    }
    fd1_parent.reset(pair[0]);
    fd1_child.reset(pair[1]);
  }
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  UniqueFd out_parent(out_pipe[0]), out_child(out_pipe[1]);

  // Everything exec needs is built before fork.
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) return Status::FromErrno("fork", errno);
  if (pid == 0) {
    ExecChild(spec, argv.data(), envp.data(), in_child.get(),
              spec.fd1_data ? fd1_child.get() : out_child.get(), out_child.get());
  }
  in_child.reset();
  fd1_child.reset();
  out_child.reset();

  Feed feeds[2];
  feeds[0].fd = std::move(in_parent);
  feeds[0].pending = spec.header_lines;
  feeds[0].source_fd = spec.message_fd;
  if (spec.fd1_data) {
    feeds[1].fd = std::move(fd1_parent);
    feeds[1].pending = *spec.fd1_data;
  } else {
    feeds[1].done = true;
  }
  for (Feed& f : feeds) {
    if (f.fd.valid()) (void)SetNonBlocking(f.fd.get(), true);
  }

  ChildResult result;
  int read_errno = 0;
  int poll_errno = 0;
  bool output_open = true;
  const auto deadline = Clock::now() + spec.timeout;
  while (output_open || !feeds[0].done || !feeds[1].done) {
    pollfd fds[3];
    int nfds = 0;
    int feed_index[3] = {-1, -1, -1};
    for (int i = 0; i < 2; ++i) {
      if (feeds[i].done) continue;
      fds[nfds] = {feeds[i].fd.get(), POLLOUT, 0};
      feed_index[nfds++] = i;
    }
    int out_slot = -1;
    if (output_open) {
      out_slot = nfds;
      fds[nfds++] = {out_parent.get(), POLLIN, 0};
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    int r = ::poll(fds, nfds, static_cast<int>(std::min<long long>(left.count(), 60000)));
    if (r < 0 && errno != EINTR) {
      poll_errno = errno;
      break;
    }
    if (r <= 0) continue;
    for (int k = 0; k < nfds; ++k) {
      if (fds[k].revents == 0) continue;
      if (k == out_slot) {
        char buf[4096];
        ssize_t n = ReadRetry(out_parent.get(), buf, sizeof buf);
        if (n <= 0) {
          output_open = false;
          continue;
        }
        size_t room = kMaxChildOutput - std::min(kMaxChildOutput, result.output.size());
        result.output.append(buf, std::min(room, static_cast<size_t>(n)));
        continue;
      }
      Feed& f = feeds[feed_index[k]];
      if (!Refill(&f, &read_errno)) {
        f.done = true;
        f.fd.reset();
        continue;
      }
      if (f.pending.empty()) {  // everything written: end of file for the child
        f.done = true;
        f.fd.reset();
        continue;
      }
      ssize_t n = ::send(f.fd.get(), f.pending.data() + f.offset,
                         f.pending.size() - f.offset, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        // EPIPE and the like: the child stopped reading.
        f.done = true;
        f.fd.reset();
        continue;
      }
      f.offset += static_cast<size_t>(n);
    }
  }
  if (result.timed_out || poll_errno != 0) ::kill(pid, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return Status::FromErrno("waitpid", errno);
  }
  result.wait_status = wstatus;
  if (poll_errno != 0) return Status::FromErrno("poll", poll_errno);
  if (read_errno != 0) return Status::FromErrno("read message", read_errno);
  return result;
}

}  // namespace yubin::deliver
