#include "lib/base/crc32c.h"

#include <string>

#include <gtest/gtest.h>

namespace yubin {
namespace {

TEST(Crc32cTest, KnownValues) {
  // RFC 3720, B.4, and the usual check value.
  EXPECT_EQ(Crc32c(0, "123456789"), 0xe3069283u);
  EXPECT_EQ(Crc32c(0, std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Crc32c(0, std::string(32, '\xff')), 0x62a8ab43u);
  EXPECT_EQ(Crc32c(0, ""), 0u);
  EXPECT_EQ(Crc32cPortable(0, "123456789"), 0xe3069283u);
}

TEST(Crc32cTest, IncrementalAndPortableAgree) {
  std::string data;
  for (int i = 0; i < 5000; ++i) data += static_cast<char>(i * 7 + i / 13);
  const uint32_t whole = Crc32c(0, data);
  EXPECT_EQ(Crc32cPortable(0, data), whole);
  for (size_t cut : {0ul, 1ul, 7ul, 8ul, 9ul, 4095ul, 5000ul}) {
    EXPECT_EQ(Crc32c(Crc32c(0, data.substr(0, cut)), data.substr(cut)), whole) << cut;
  }
  std::string changed = data;
  changed[2500] ^= 1;
  EXPECT_NE(Crc32c(0, changed), whole);
}

}  // namespace
}  // namespace yubin
