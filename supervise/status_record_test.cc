#include "supervise/status_record.h"

#include <string>

#include <gtest/gtest.h>

namespace yubin::supervise {
namespace {

ServiceStatus Sample() {
  ServiceStatus st;
  st.stamp = Tai64n::FromUnix(1795837740, 123456789);
  st.ready_stamp = Tai64n::FromUnix(1795837741, 5);
  st.pid = 11606;
  st.wstat = 0x0100;  // exited 1
  st.want_up = true;
  st.ready = true;
  return st;
}

TEST(StatusRecordTest, S6RoundTrip) {
  for (int flags = 0; flags < 16; ++flags) {
    ServiceStatus st = Sample();
    st.paused = flags & 1;
    st.finishing = flags & 2;
    st.want_up = flags & 4;
    st.ready = flags & 8;
    uint8_t rec[kS6StatusSize];
    PackS6Status(st, rec);
    EXPECT_EQ(rec[34], flags);
    EXPECT_EQ(UnpackS6Status(rec), st);
  }
}

TEST(StatusRecordTest, S6LayoutMatchesRealS6Supervise) {
  // Bytes of a status file written by Debian's s6-supervise (s6 2.11.3.2):
  // up, pid 11606, want up, started at Unix 1795837739.
  const uint8_t real[kS6StatusSize] = {
      0x40, 0x00, 0x00, 0x00, 0x6b, 0x0a, 0x4f, 0x50, 0x1a, 0xd0, 0x83, 0x68,
      0x40, 0x00, 0x00, 0x00, 0x6b, 0x0a, 0x4f, 0x50, 0x1a, 0xc9, 0xd4, 0x83,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2d, 0x56, 0x00, 0x00, 0x04};
  ServiceStatus st = UnpackS6Status(real);
  EXPECT_EQ(st.pid, 11606u);
  EXPECT_EQ(st.stamp.UnixSeconds(), 1795837739);  // 37 s of TAI removed
  EXPECT_TRUE(st.want_up);
  EXPECT_FALSE(st.ready);
  EXPECT_FALSE(st.paused);
  uint8_t again[kS6StatusSize];
  PackS6Status(st, again);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(again), kS6StatusSize),
            std::string(reinterpret_cast<const char*>(real), kS6StatusSize));
}

TEST(StatusRecordTest, DaemontoolsRoundTripAndByteOrder) {
  ServiceStatus st = Sample();
  st.layout = StatusLayout::kDaemontools;
  st.ready_stamp = Tai64n();
  st.wstat = 0;
  st.ready = false;
  st.paused = true;
  uint8_t rec[kDaemontoolsStatusSize];
  PackDaemontoolsStatus(st, rec);
  EXPECT_EQ(rec[12], 11606 & 0xff);  // pid little-endian
  EXPECT_EQ(rec[13], 11606 >> 8);
  EXPECT_EQ(rec[16], 1);
  EXPECT_EQ(rec[17], 'u');
  EXPECT_EQ(UnpackDaemontoolsStatus(rec), st);
  st.want_known = false;
  st.want_up = false;
  PackDaemontoolsStatus(st, rec);
  EXPECT_EQ(rec[17], 0);
  EXPECT_EQ(UnpackDaemontoolsStatus(rec), st);
}

TEST(StatusRecordTest, ParseChoosesLayoutBySize) {
  uint8_t s6[kS6StatusSize];
  PackS6Status(Sample(), s6);
  auto a = ParseStatusRecord(std::string_view(reinterpret_cast<char*>(s6), 35));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->layout, StatusLayout::kS6);
  uint8_t dt[kDaemontoolsStatusSize];
  PackDaemontoolsStatus(Sample(), dt);
  auto b = ParseStatusRecord(std::string_view(reinterpret_cast<char*>(dt), 18));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->layout, StatusLayout::kDaemontools);
  EXPECT_FALSE(ParseStatusRecord("").has_value());
  EXPECT_FALSE(ParseStatusRecord(std::string(34, '\0')).has_value());
}

TEST(StatusRecordTest, LeapSeconds) {
  EXPECT_EQ(LeapSecondsAt(0), 0);
  EXPECT_EQ(LeapSecondsAt(78796799), 0);
  EXPECT_EQ(LeapSecondsAt(78796800), 1);
  EXPECT_EQ(LeapSecondsAt(1483228799), 26);
  EXPECT_EQ(LeapSecondsAt(1483228800), 27);
  EXPECT_EQ(LeapSecondsAt(1795837740), 27);
}

}  // namespace
}  // namespace yubin::supervise
