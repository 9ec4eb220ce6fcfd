// multilog.h: the multilog daemon: reads lines, runs the script on each.
//
//   Result<Script> script = ParseScript(args);
//   return ExitWith(RunMultilog(*script, 0));
//
// Reads in_fd in kReadSize chunks, stamps and selects each line, and appends
// it to the selected directories with one write(2) per directory per chunk.
// Only the first kMatchBytes bytes of a line are matched, kept for =file and
// (kAlertBytes of them) printed by e; longer lines are still logged whole.
// SIGALRM rotates every non-empty current; SIGTERM finishes what was read up
// to the end of a line, then exits 0 like end of input. Returns a temporary
// status when a directory or status file cannot be opened at start (nothing
// has been read then); once running, errors are retried, never returned.
#ifndef YUBIN_LIB_MULTILOG_MULTILOG_H_
#define YUBIN_LIB_MULTILOG_MULTILOG_H_

#include <chrono>
#include <cstddef>

#include "lib/base/status.h"
#include "lib/multilog/script.h"

namespace yubin::multilog {

inline constexpr size_t kReadSize = 131072;
inline constexpr size_t kMatchBytes = 1000;
inline constexpr size_t kAlertBytes = 200;
inline constexpr size_t kStatusFileBytes = 1001;
inline constexpr std::chrono::milliseconds kRetryPause{5000};

Status RunMultilog(const Script& script, int in_fd);

}  // namespace yubin::multilog

#endif  // YUBIN_LIB_MULTILOG_MULTILOG_H_
