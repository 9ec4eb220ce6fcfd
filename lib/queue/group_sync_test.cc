#include "lib/queue/group_sync.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace yubin::queue {
namespace {

TEST(GroupSyncTest, OneCallerRunsOneSync) {
  int runs = 0;
  GroupSync group([&] {
    ++runs;
    return Status::Ok();
  });
  EXPECT_TRUE(group.Sync().ok());
  EXPECT_TRUE(group.Sync().ok());
  EXPECT_EQ(runs, 2);  // each call needs a sync that started after it
  EXPECT_EQ(group.syncs_run(), 2u);
}

// While one slow sync runs, every caller that arrives is served by the
// next one: many callers, few syncs, and no caller returns before a sync
// that started after its call has ended.
TEST(GroupSyncTest, CallersArrivingDuringASyncShareTheNext) {
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  GroupSync group([&] {
    ++started;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ++finished;
    return Status::Ok();
  });
  constexpr int kCallers = 20;
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&] {
      const int before = started.load();
      if (!group.Sync().ok()) ++bad;
      // A sync that began after our call has finished by now.
      if (finished.load() <= before) ++bad;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_LT(group.syncs_run(), static_cast<uint64_t>(kCallers) / 2);
  EXPECT_GE(group.syncs_run(), 1u);
}

TEST(GroupSyncTest, AFailureIsNeverFollowedByASuccess) {
  int runs = 0;
  GroupSync group([&] {
    ++runs;
    return runs == 2 ? Status::Temporary("syncfs: Input/output error") : Status::Ok();
  });
  EXPECT_TRUE(group.Sync().ok());
  EXPECT_FALSE(group.failed());
  Status failed = group.Sync();
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.message(), "syncfs: Input/output error");
  EXPECT_TRUE(group.failed());
  // The third sync would succeed; nobody is told so.
  EXPECT_FALSE(group.Sync().ok());
  EXPECT_EQ(runs, 2);
}

}  // namespace
}  // namespace yubin::queue
