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
//
// Gathering (SetGathering): the caller about to run a sync first waits, at
// most max_wait, until as many callers wait as expected() says are on
// their way (the intake service: the injections running). Without it a
// sync starts as soon as one caller asks, and with ten SMTP sessions the
// intake made about 0.75 syncs per message; gathering for up to 1 ms made
// it about 0.4 and raised the intake rate by about 7 %. A lone caller
// (expected() <= 1) never waits. The gathering caller is woken when the
// count it waits for is reached (or at max_wait), not at every arrival.
#ifndef YUBIN_LIB_QUEUE_GROUP_SYNC_H_
#define YUBIN_LIB_QUEUE_GROUP_SYNC_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "lib/base/status.h"

namespace yubin::queue {

class GroupSync {
 public:
  explicit GroupSync(std::function<Status()> sync) : sync_(std::move(sync)) {}
  // Before it syncs, the caller that runs the sync waits (at most
  // max_wait) until as many callers wait as expected() says may come.
  // Set before the first Sync().
  void SetGathering(std::function<size_t()> expected, std::chrono::microseconds max_wait) {
    expected_ = std::move(expected);
    max_wait_ = max_wait;
  }
  GroupSync(const GroupSync&) = delete;
  GroupSync& operator=(const GroupSync&) = delete;

  Status Sync();
  bool failed();
  uint64_t syncs_run();  // how many times the sync function ran

 private:
  std::function<Status()> sync_;
  std::function<size_t()> expected_;
  std::chrono::microseconds max_wait_{0};
  std::mutex mu_;
  std::condition_variable done_;
  std::condition_variable arrived_;
  uint64_t requested_ = 0;  // tickets handed out
  uint64_t covered_ = 0;    // every ticket up to this one is synced
  uint64_t runs_ = 0;
  bool running_ = false;
  bool gathering_ = false;  // the running caller waits on arrived_
  Status failure_;          // ok until a sync fails
};

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_GROUP_SYNC_H_
