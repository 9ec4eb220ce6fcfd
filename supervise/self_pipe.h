// self_pipe.h: turns signals into bytes on a pipe that a poll loop watches.
//
//   SelfPipe sp;
//   Status s = sp.Install({SIGCHLD, SIGTERM});   // once per process
//   poll({sp.fd(), POLLIN}) ... ;
//   int sig;
//   while ((sig = sp.Next()) > 0) Handle(sig);
//
// The handler only writes the signal number (one byte) to a non-blocking
// pipe; a full pipe drops the byte, which is harmless because the pipe is
// already readable. ResetInChild() restores default dispositions and an empty
// mask after fork(), before exec.
#ifndef YUBIN_SUPERVISE_SELF_PIPE_H_
#define YUBIN_SUPERVISE_SELF_PIPE_H_

#include <signal.h>

#include <initializer_list>

#include "lib/base/status.h"

namespace yubin::supervise {

class SelfPipe {
 public:
  SelfPipe() = default;
  SelfPipe(const SelfPipe&) = delete;
  SelfPipe& operator=(const SelfPipe&) = delete;

  Status Install(std::initializer_list<int> signals);
  int fd() const;
  // The next pending signal number, or 0 when none is pending.
  int Next();
  // Blocks the installed signals until the returned mask is restored with
  // RestoreMask: around fork(), so that a signal meant for the child
  // between fork and exec takes its default action there instead of
  // landing in the parent's pipe through the inherited handler.
  sigset_t BlockInstalled();
  void RestoreMask(const sigset_t& old);
  // In a forked child: default handlers for the installed signals, SIGPIPE
  // too, and an empty signal mask; closes the pipe.
  void ResetInChild();
};

}  // namespace yubin::supervise

#endif  // YUBIN_SUPERVISE_SELF_PIPE_H_
