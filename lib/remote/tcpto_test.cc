#include "lib/remote/tcpto.h"

#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

namespace yubin::remote {
namespace {

std::string TablePath(const char* name) {
  return std::string(getenv("TEST_TMPDIR")) + "/" + name;
}

TEST(TcptoEntry, PackUnpackRoundTrip) {
  TcptoEntry e;
  ASSERT_TRUE(TcptoKey({true, "2001:db8::7"}, &e));
  e.timeouts = 3;
  e.last_timeout = 1700000000;
  unsigned char buf[kTcptoRecordBytes];
  PackTcptoEntry(e, buf);
  TcptoEntry back;
  ASSERT_TRUE(UnpackTcptoEntry(buf, &back));
  EXPECT_EQ(back.family, 6);
  EXPECT_EQ(back.timeouts, 3);
  EXPECT_EQ(back.last_timeout, 1700000000);
  EXPECT_EQ(std::memcmp(back.address, e.address, 16), 0);
  buf[0] = 5;
  EXPECT_FALSE(UnpackTcptoEntry(buf, &back)) << "family 5 is not a record";
}

TEST(TcptoSkipSeconds, Backoff) {
  EXPECT_EQ(TcptoSkipSeconds(0), 0);
  EXPECT_EQ(TcptoSkipSeconds(1), kTcptoBaseSkipSeconds);
  EXPECT_EQ(TcptoSkipSeconds(2), 2 * kTcptoBaseSkipSeconds);
  EXPECT_EQ(TcptoSkipSeconds(200), kTcptoMaxSkipSeconds);
}

TEST(TcptoTable, RememberSkipForget) {
  TcptoTable t(TablePath("remember"));
  dns::IpAddress ip{false, "192.0.2.9"};
  dns::IpAddress other{false, "192.0.2.10"};
  EXPECT_FALSE(t.ShouldSkip(ip, 1000));
  t.RecordTimeout(ip, 1000);
  EXPECT_TRUE(t.ShouldSkip(ip, 1000 + kTcptoBaseSkipSeconds - 1));
  EXPECT_FALSE(t.ShouldSkip(ip, 1000 + kTcptoBaseSkipSeconds));
  EXPECT_FALSE(t.ShouldSkip(other, 1000));
  t.RecordTimeout(ip, 2000);
  EXPECT_TRUE(t.ShouldSkip(ip, 2000 + kTcptoBaseSkipSeconds))
      << "the second timeout in a row doubles the wait";
  TcptoTable again(TablePath("remember"));  // another process, same file
  EXPECT_TRUE(again.ShouldSkip(ip, 2001));
  again.RecordSuccess(ip);
  EXPECT_FALSE(t.ShouldSkip(ip, 2001));
}

TEST(TcptoTable, BoundedReplacesOldest) {
  TcptoTable t(TablePath("bounded"));
  for (size_t i = 0; i < kTcptoEntries + 1; ++i) {
    t.RecordTimeout({false, "10.0.0." + std::to_string(i + 1)},
                    static_cast<time_t>(5000 + i));
  }
  EXPECT_FALSE(t.ShouldSkip({false, "10.0.0.1"}, 5100)) << "oldest evicted";
  EXPECT_TRUE(t.ShouldSkip({false, "10.0.0.2"}, 5100));
  EXPECT_TRUE(t.ShouldSkip({false, "10.0.0.65"}, 5100));
}

TEST(TcptoTable, DisabledOrUnwritableNeverSkips) {
  TcptoTable none("");
  none.RecordTimeout({false, "192.0.2.1"}, 10);
  EXPECT_FALSE(none.ShouldSkip({false, "192.0.2.1"}, 10));
  TcptoTable missing(TablePath("no/such/dir/tcpto"));
  missing.RecordTimeout({false, "192.0.2.1"}, 10);
  EXPECT_FALSE(missing.ShouldSkip({false, "192.0.2.1"}, 10));
}

}  // namespace
}  // namespace yubin::remote
