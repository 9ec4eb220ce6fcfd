#include "supervise/death_tally.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>

namespace yubin::supervise {
namespace {

const Tai64n kWhen = Tai64n::FromUnix(1700000000, 5);

TEST(DeathTallyTest, ExitAndSignalRecords) {
  uint8_t rec[kDeathRecordSize];
  PackDeathRecord(3 << 8, kWhen, rec);
  EXPECT_EQ(rec[12], 3);
  EXPECT_EQ(rec[13], 0);
  PackDeathRecord(SIGKILL, kWhen, rec);
  EXPECT_EQ(rec[12], 128 + SIGKILL);
  EXPECT_EQ(rec[13], SIGKILL);
  // s6's clock: TAI64 label plus the 27 leap seconds of 2023.
  Tai64n back = UnpackTai64n(rec);
  EXPECT_EQ(back.seconds, kWhen.seconds + 27);
  EXPECT_EQ(back.nanoseconds, 5u);
}

TEST(DeathTallyTest, AppendsAndTrimsToTheNewest) {
  std::string content;
  for (int i = 0; i < 5; ++i) {
    content = AppendDeathRecord(content, i << 8, kWhen, 3);
  }
  ASSERT_EQ(content.size(), 3 * kDeathRecordSize);
  EXPECT_EQ(static_cast<uint8_t>(content[12]), 2);
  EXPECT_EQ(static_cast<uint8_t>(content[2 * kDeathRecordSize + 12]), 4);
}

TEST(DeathTallyTest, IgnoresATrailingPartialRecordAndZeroMax) {
  std::string content(kDeathRecordSize + 5, 'x');
  std::string got = AppendDeathRecord(content, 0, kWhen, 10);
  EXPECT_EQ(got.size(), 2 * kDeathRecordSize);
  EXPECT_EQ(AppendDeathRecord(content, 0, kWhen, 0), "");
}

}  // namespace
}  // namespace yubin::supervise
