// child_run.h: runs a delivery child (a |program or the queue program) with
// the message fed on its stdin and its output collected, in one poll loop.
//
//   ChildSpec spec;
//   spec.argv = {"/bin/sh", "-c", command};
//   spec.cwd = home;
//   spec.env = env;                       // the child's whole environment
//   spec.header_lines = "Return-Path: <a@b>\nDelivered-To: kim@x\n";
//   spec.message_fd = fd;                 // seekable; rewound first
//   Result<ChildResult> r = RunChild(spec);
//   // r->wait_status as from waitpid; r->output: the first kMaxChildOutput
//   // bytes the child wrote on stdout and stderr.
//
// stdin is a socket so that a child that stops reading (exits early) makes
// the feed fail with EPIPE without a SIGPIPE in the caller; a child that does
// not read its input is not an error here, its exit status decides. With
// fd1_data set, stdout is a second socket fed with that data instead of being
// collected (the qmail-queue envelope). A child still running after
// spec.timeout is killed (SIGKILL) and reported as timed_out. Fails
// (temporary) only when the child cannot be started or the message cannot be
// read.
#ifndef YUBIN_LIB_DELIVER_CHILD_RUN_H_
#define YUBIN_LIB_DELIVER_CHILD_RUN_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/status.h"

namespace yubin::deliver {

inline constexpr size_t kMaxChildOutput = 4000;
inline constexpr std::chrono::seconds kDefaultChildTimeout{86400};

struct ChildSpec {
  std::vector<std::string> argv;
  std::string cwd;                        // empty: the caller's
  std::vector<std::string> env;           // NAME=value, the whole environment
  std::string header_lines;               // written on stdin before the message
  int message_fd = -1;
  std::optional<std::string> fd1_data;    // fed on stdout instead of collecting
  std::chrono::milliseconds timeout = kDefaultChildTimeout;
};

struct ChildResult {
  int wait_status = 0;
  bool timed_out = false;
  std::string output;  // stdout (unless fd1_data) and stderr, truncated
};

Result<ChildResult> RunChild(const ChildSpec& spec);

}  // namespace yubin::deliver

#endif  // YUBIN_LIB_DELIVER_CHILD_RUN_H_
