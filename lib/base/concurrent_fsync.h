// concurrent_fsync.h: several fsync(2)s at once, for commit protocols that
// need a set of files and directories durable before their next step.
//
//   UniqueFd dir(OpenDirectoryForSync("queue/mess/7"));
//   SyncTarget targets[] = {{message_fd, "queue/tmp/123"},
//                           {dir.get(), "queue/mess/7"},
//                           {envelope_fd, "queue/intd/7/123"}};
//   std::vector<Status> done = FsyncConcurrently(targets);
//   // Only when every entry is ok may the caller publish (rename) anything
//   // that depends on them.
//
// Each target is fsynced in its own thread (the first in the caller's), so
// a journalling file system can make them durable in one journal commit
// instead of one commit after another. The call returns only after every
// fsync has returned: nothing is still in flight. A failed fsync is reported
// in its own entry (never retried into a success). When a thread cannot be
// started, its target is fsynced in the caller's thread instead (slower,
// same result).
#ifndef YUBIN_LIB_BASE_CONCURRENT_FSYNC_H_
#define YUBIN_LIB_BASE_CONCURRENT_FSYNC_H_

#include <span>
#include <string>
#include <vector>

#include "lib/base/status.h"

namespace yubin {

struct SyncTarget {
  int fd;            // a file or a directory open for reading or writing
  std::string name;  // for the error message
};

// A directory opened read-only, close-on-exec, for fsync; -1 and errno set
// on failure.
int OpenDirectoryForSync(const std::string& dir);

// fsync(2)s every target concurrently; one Status per target, in order.
std::vector<Status> FsyncConcurrently(std::span<const SyncTarget> targets);

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_CONCURRENT_FSYNC_H_
