#include "lib/base/tai64n.h"

#include <stdlib.h>
#include <time.h>

#include <gtest/gtest.h>

namespace yubin {
namespace {

class Tai64nTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
};

TEST_F(Tai64nTest, UnixEpochLabel) {
  Tai64n t = Tai64n::FromUnix(0, 0);
  EXPECT_EQ(FormatTai64nLabel(t), "@400000000000000a00000000");
  EXPECT_EQ(t.UnixSeconds(), 0);
}

TEST_F(Tai64nTest, PackIsBigEndian) {
  Tai64n t{0x0102030405060708ull, 0x090a0b0cu};
  uint8_t packed[kTai64nPackedSize];
  PackTai64n(t, packed);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(packed[i], i + 1) << "byte " << i;
  EXPECT_EQ(UnpackTai64n(packed), t);
}

TEST_F(Tai64nTest, RoundTripsIncludingBefore1970) {
  for (int64_t unix_seconds : {int64_t{-86400 * 365}, int64_t{-1}, int64_t{0},
                               int64_t{1}, int64_t{1795837235}}) {
    Tai64n t = Tai64n::FromUnix(unix_seconds, 999999999);
    uint8_t packed[kTai64nPackedSize];
    PackTai64n(t, packed);
    EXPECT_EQ(UnpackTai64n(packed), t);
    std::optional<Tai64n> parsed = ParseTai64nLabel(FormatTai64nLabel(t));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, t);
    EXPECT_EQ(parsed->UnixSeconds(), unix_seconds);
  }
}

TEST_F(Tai64nTest, Before1970LocalTime) {
  Tai64n t = Tai64n::FromUnix(-1, 500);
  EXPECT_EQ(FormatTai64nLabel(t), "@4000000000000009000001f4");
  EXPECT_EQ(FormatLocalTime(t), "1969-12-31 23:59:59.000000500");
}

TEST_F(Tai64nTest, LocalTimeText) {
  // 2026-11-28 03:40:35 UTC
  Tai64n t = Tai64n::FromUnix(1795837235, 123456789);
  EXPECT_EQ(FormatLocalTime(t), "2026-11-28 03:40:35.123456789");
}

TEST_F(Tai64nTest, ParseRejectsMalformed) {
  EXPECT_FALSE(ParseTai64nLabel("").has_value());
  EXPECT_FALSE(ParseTai64nLabel("400000000000000a00000000").has_value());
  EXPECT_FALSE(ParseTai64nLabel("@400000000000000a0000000").has_value());
  EXPECT_FALSE(ParseTai64nLabel("@400000000000000a000000000").has_value());
  EXPECT_FALSE(ParseTai64nLabel("@400000000000000a0000000g").has_value());
  // 10^9 nanoseconds is not a valid fraction.
  EXPECT_FALSE(ParseTai64nLabel("@400000000000000a3b9aca00").has_value());
  EXPECT_TRUE(ParseTai64nLabel("@400000000000000a3B9AC9FF").has_value());
}

TEST_F(Tai64nTest, NowIsRecent) {
  Tai64n now = Tai64n::Now();
  int64_t diff = now.UnixSeconds() - static_cast<int64_t>(time(nullptr));
  EXPECT_LE(diff < 0 ? -diff : diff, 2);
  EXPECT_LT(now.nanoseconds, 1000000000u);
}

TEST_F(Tai64nTest, ConvertLineLikeTai64nlocal) {
  EXPECT_EQ(ConvertTai64nLine("@400000000000000a00000000 hello"),
            "1970-01-01 00:00:00.000000000 hello");
  EXPECT_EQ(ConvertTai64nLine("no stamp"), "no stamp");
  EXPECT_EQ(ConvertTai64nLine(""), "");
  // Uppercase digits end the stamp, as in daemontools.
  EXPECT_EQ(ConvertTai64nLine("@400000000000000a00000000A x"),
            "1970-01-01 00:00:00.000000000A x");
}

}  // namespace
}  // namespace yubin
