// logtail.h: reads a multilog directory: the last lines, then follows it.
//
//   LogTailOptions o{.lines = 20, .follow = true, .local_time = true};
//   return ExitWith(RunLogTail("/var/yubin/log/smtpd", o, 1));
//
// The log is the archives (@*.s and @*.u in name order, which is time
// order) followed by current, read as one stream. Following watches the
// directory with inotify (a bounded poll of kFollowPollMs is only a safety
// net) and, when current is rotated, drains the old file, prints archives
// it has not seen (files are told apart by inode) and continues with the new
// current, so no line is lost or printed twice. Returns a temporary status
// when the directory cannot be read or output cannot be written.
#ifndef YUBIN_LIB_MULTILOG_LOGTAIL_H_
#define YUBIN_LIB_MULTILOG_LOGTAIL_H_

#include <cstddef>
#include <string>

#include "lib/base/status.h"

namespace yubin::multilog {

inline constexpr size_t kDefaultTailLines = 10;
inline constexpr int kFollowPollMs = 1000;
inline constexpr size_t kMaxPartialLine = 1 << 24;

struct LogTailOptions {
  size_t lines = kDefaultTailLines;
  bool follow = false;
  bool local_time = false;
};

Status RunLogTail(const std::string& dir, const LogTailOptions& options,
                  int out_fd);

}  // namespace yubin::multilog

#endif  // YUBIN_LIB_MULTILOG_LOGTAIL_H_
