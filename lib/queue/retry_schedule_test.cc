#include "lib/queue/retry_schedule.h"

#include <gtest/gtest.h>

namespace yubin::queue {
namespace {

TEST(RetrySchedule, LocalSequenceIsQmails) {
  const time_t birth = 1000000;
  time_t t = birth;
  const time_t want[] = {100, 400, 900, 1600, 2500};
  for (time_t w : want) {
    t = NextRetry(birth, t, kLocalRetryConstant);
    EXPECT_EQ(t - birth, w) << "got " << t - birth << ", want " << w;
  }
}

TEST(RetrySchedule, RemoteStartsLater) {
  EXPECT_EQ(NextRetry(0, 0, kRemoteRetryConstant), 400);
  EXPECT_EQ(NextRetry(0, 400, kRemoteRetryConstant), 1600);
}

TEST(RetrySchedule, AlwaysInTheFuture) {
  for (time_t age = 0; age < 700000; age += 997) {
    EXPECT_GT(NextRetry(50, 50 + age, kLocalRetryConstant), 50 + age) << age;
  }
}

TEST(RetrySchedule, ClockBackwardsCountsAsAgeZero) {
  EXPECT_EQ(NextRetry(5000, 10, kLocalRetryConstant), 5100);
}

TEST(RetrySchedule, AttemptsInAWeek) {
  int attempts = 0;
  for (time_t t = 0; t < kDefaultQueueLifetime; t = NextRetry(0, t, kLocalRetryConstant)) {
    ++attempts;
  }
  EXPECT_EQ(attempts, 78) << "got " << attempts << ", want 78";
}

TEST(RetrySchedule, Lifetime) {
  EXPECT_FALSE(LifetimeExpired(100, 150, 100));
  EXPECT_TRUE(LifetimeExpired(100, 200, 100));
  EXPECT_TRUE(LifetimeExpired(100, 100, 0));
}

}  // namespace
}  // namespace yubin::queue
