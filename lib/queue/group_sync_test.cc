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

// With gathering, the caller that would sync first waits for the callers
// expected: two callers 30 ms apart share one sync; without, each gets its
// own.
TEST(GroupSyncTest, GatheringWaitsForTheExpectedCallers) {
  for (bool gather : {false, true}) {
    GroupSync group([] { return Status::Ok(); });
    if (gather) {
      group.SetGathering([] { return size_t{2}; }, std::chrono::seconds(10));
    }
    std::thread first([&] { EXPECT_TRUE(group.Sync().ok()); });
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_TRUE(group.Sync().ok());
    first.join();
    EXPECT_EQ(group.syncs_run(), gather ? 1u : 2u) << (gather ? "gathering" : "not gathering");
  }
}

// A caller expected but never coming delays the sync by max_wait only.
TEST(GroupSyncTest, GatheringIsBounded) {
  GroupSync group([] { return Status::Ok(); });
  group.SetGathering([] { return size_t{5}; }, std::chrono::milliseconds(20));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(group.Sync().ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));
  EXPECT_EQ(group.syncs_run(), 1u);
  // A lone caller expected alone does not wait at all.
  GroupSync alone([] { return Status::Ok(); });
  alone.SetGathering([] { return size_t{1}; }, std::chrono::seconds(30));
  const auto lone_start = std::chrono::steady_clock::now();
  EXPECT_TRUE(alone.Sync().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - lone_start, std::chrono::seconds(30));
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
