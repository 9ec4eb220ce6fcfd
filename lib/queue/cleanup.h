// cleanup.h: removes what crashed injections left in the queue.
//
//   CleanupReport r;
//   Status s = CleanupLeftovers(queue_dir, kDefaultCleanupGrace, time(nullptr), &r);
//
// The queue manager calls this at start and then periodically (qmail-send
// does the same). A file is a leftover when it is older than the grace
// period (by its ctime, which link and rename also update) and:
//   - it is in tmp/ (an injection never got its message into mess/);
//   - it is intd/B/id (an injection died before its commit point);
//   - it is mess/B/id with neither todo/B/id nor info/B/id (content whose
//     envelope was never committed).
// intd names are removed before mess names, so an id never stays in intd/
// after its inode is freed. The grace period must exceed the longest an
// injection can run (yubin-queue's timeout, kInjectionTimeoutSeconds), so a
// live injection's files are never taken. Unreadable directories make the
// call fail with a temporary Status after cleaning what it could.
#ifndef YUBIN_LIB_QUEUE_CLEANUP_H_
#define YUBIN_LIB_QUEUE_CLEANUP_H_

#include <cstdint>
#include <ctime>
#include <string>

#include "lib/base/status.h"

namespace yubin::queue {

// yubin-queue gives up after this long (exit 52), like qmail-queue.
inline constexpr unsigned kInjectionTimeoutSeconds = 86400;
// qmail-send's 36 hours: well past any injection's timeout.
inline constexpr time_t kDefaultCleanupGrace = 129600;

struct CleanupReport {
  uint64_t tmp_removed = 0;
  uint64_t intd_removed = 0;
  uint64_t mess_removed = 0;
};

// Removes leftovers at least grace seconds older than now.
Status CleanupLeftovers(const std::string& queue_dir, time_t grace, time_t now,
                        CleanupReport* report);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_CLEANUP_H_
