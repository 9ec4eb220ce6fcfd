#include "lib/tcpserver/per_ip_limits.h"

#include <gtest/gtest.h>

namespace yubin::tcpserver {
namespace {

using Clock = PerIpLimits::Clock;

TEST(PerIpLimitsTest, NoLimitsAdmitEverything) {
  PerIpLimits limits(0, 0);
  Clock::time_point t0;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(limits.Admit("10.0.0.1", t0), Refusal::kNone);
    limits.Started("10.0.0.1");
  }
  EXPECT_EQ(limits.running("10.0.0.1"), 1000u);
  EXPECT_EQ(limits.tracked_addresses(), 0u);
}

TEST(PerIpLimitsTest, ConcurrencyPerAddress) {
  PerIpLimits limits(2, 0);
  Clock::time_point t0;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(limits.Admit("127.0.0.1", t0), Refusal::kNone);
    limits.Started("127.0.0.1");
  }
  EXPECT_EQ(limits.Admit("127.0.0.1", t0), Refusal::kConcurrency);
  EXPECT_EQ(limits.Admit("127.0.0.2", t0), Refusal::kNone);
  limits.Ended("127.0.0.1");
  EXPECT_EQ(limits.Admit("127.0.0.1", t0), Refusal::kNone);
  limits.Ended("unknown");  // harmless
  EXPECT_EQ(limits.running("127.0.0.1"), 1u);
}

TEST(PerIpLimitsTest, RateIsASlidingMinute) {
  PerIpLimits limits(0, 3);
  Clock::time_point t0;
  EXPECT_EQ(limits.Admit("a", t0), Refusal::kNone);
  EXPECT_EQ(limits.Admit("a", t0 + std::chrono::seconds(10)), Refusal::kNone);
  EXPECT_EQ(limits.Admit("a", t0 + std::chrono::seconds(20)), Refusal::kNone);
  EXPECT_EQ(limits.Admit("a", t0 + std::chrono::seconds(30)), Refusal::kRate);
  EXPECT_EQ(limits.Admit("b", t0 + std::chrono::seconds(30)), Refusal::kNone);
  // Refused attempts do not count: at 60 s the first start has left the
  // window, so exactly one more fits.
  EXPECT_EQ(limits.Admit("a", t0 + std::chrono::seconds(60)), Refusal::kNone);
  EXPECT_EQ(limits.Admit("a", t0 + std::chrono::seconds(61)), Refusal::kRate);
}

TEST(PerIpLimitsTest, TableIsBounded) {
  PerIpLimits limits(0, 1);
  Clock::time_point t0;
  for (size_t i = 0; i < kMaxTrackedAddresses; ++i)
    ASSERT_EQ(limits.Admit(std::to_string(i), t0), Refusal::kNone);
  EXPECT_EQ(limits.tracked_addresses(), kMaxTrackedAddresses);
  // Full and nothing idle: a new address gets in untracked.
  EXPECT_EQ(limits.Admit("new", t0), Refusal::kNone);
  EXPECT_EQ(limits.tracked_addresses(), kMaxTrackedAddresses);
  // A minute later the idle ones are forgotten to make room.
  EXPECT_EQ(limits.Admit("later", t0 + kRateWindow), Refusal::kNone);
  EXPECT_EQ(limits.tracked_addresses(), 1u);
  EXPECT_EQ(limits.Admit("later", t0 + kRateWindow), Refusal::kRate);
}

}  // namespace
}  // namespace yubin::tcpserver
