#include "supervise/self_pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace yubin::supervise {
namespace {

// One per process: a signal handler cannot find an object.
int g_pipe[2] = {-1, -1};
constexpr int kMaxInstalled = 16;
int g_installed[kMaxInstalled];
int g_installed_count = 0;

void OnSignal(int sig) {
  int saved = errno;
  unsigned char b = static_cast<unsigned char>(sig);
  (void)!write(g_pipe[1], &b, 1);
  errno = saved;
}

}  // namespace

Status SelfPipe::Install(std::initializer_list<int> signals) {
  if (g_pipe[0] < 0 && pipe2(g_pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
    return Status::FromErrno("pipe", errno);
  }
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigemptyset(&sa.sa_mask);
  for (int sig : signals) {
    if (g_installed_count >= kMaxInstalled) break;
    if (sigaction(sig, &sa, nullptr) < 0) {
      return Status::FromErrno("sigaction", errno);
    }
    g_installed[g_installed_count++] = sig;
  }
  signal(SIGPIPE, SIG_IGN);
  return Status::Ok();
}

int SelfPipe::fd() const { return g_pipe[0]; }

int SelfPipe::Next() {
  unsigned char b;
  for (;;) {
    ssize_t n = read(g_pipe[0], &b, 1);
    if (n == 1) return b;
    if (n < 0 && errno == EINTR) continue;
    return 0;
  }
}

sigset_t SelfPipe::BlockInstalled() {
  sigset_t block;
  sigset_t old;
  sigemptyset(&block);
  for (int i = 0; i < g_installed_count; ++i) sigaddset(&block, g_installed[i]);
  sigprocmask(SIG_BLOCK, &block, &old);
  return old;
}

void SelfPipe::RestoreMask(const sigset_t& old) {
  sigprocmask(SIG_SETMASK, &old, nullptr);
}

void SelfPipe::ResetInChild() {
  for (int i = 0; i < g_installed_count; ++i) signal(g_installed[i], SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  close(g_pipe[0]);
  close(g_pipe[1]);
}

}  // namespace yubin::supervise
