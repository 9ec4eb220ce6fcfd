// group_sync.h: one file system sync shared by the threads that need one.
//
//   GroupSync group([&] { return SyncFileSystem(queue_dir); });
//   // in each of many threads, after writing its files:
//   if (Status s = group.Sync(); !s.ok()) return s;   // they may be lost
//
// Sync() returns once a sync that started after the call has finished, so
// everything the caller wrote before calling is durable. While one sync
// runs, the callers that arrive wait and are served together by the next:
// N concurrent injections cost about two syncs, not N. A failure is
// sticky: the failing sync's callers and every later caller get it, so a
// failed sync is never retried into a success (Linux reports a writeback
// error to one syncfs only); whoever owns the GroupSync should stop and be
// restarted.
#ifndef YUBIN_LIB_QUEUE_GROUP_SYNC_H_
#define YUBIN_LIB_QUEUE_GROUP_SYNC_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "lib/base/status.h"

namespace yubin::queue {

class GroupSync {
 public:
  explicit GroupSync(std::function<Status()> sync) : sync_(std::move(sync)) {}
  GroupSync(const GroupSync&) = delete;
  GroupSync& operator=(const GroupSync&) = delete;

  Status Sync();
  bool failed();
  uint64_t syncs_run();  // how many times the sync function ran

 private:
  std::function<Status()> sync_;
  std::mutex mu_;
  std::condition_variable done_;
  uint64_t requested_ = 0;  // tickets handed out
  uint64_t covered_ = 0;    // every ticket up to this one is synced
  uint64_t runs_ = 0;
  bool running_ = false;
  Status failure_;          // ok until a sync fails
};

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_GROUP_SYNC_H_
