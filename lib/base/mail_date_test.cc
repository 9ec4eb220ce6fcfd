#include "lib/base/mail_date.h"

#include <stdlib.h>

#include <gtest/gtest.h>

namespace yubin {
namespace {

TEST(MailDateTest, UtcAndOffsets) {
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(FormatMailDate(1795837235), "Sat, 28 Nov 2026 03:40:35 +0000");
  setenv("TZ", "Asia/Tokyo", 1);
  tzset();
  EXPECT_EQ(FormatMailDate(1795837235), "Sat, 28 Nov 2026 12:40:35 +0900");
  setenv("TZ", "America/St_Johns", 1);  // a half-hour zone west of UTC
  tzset();
  EXPECT_EQ(FormatMailDate(1795837235), "Sat, 28 Nov 2026 00:10:35 -0330");
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(FormatMailDate(0), "Thu, 1 Jan 1970 00:00:00 +0000");
}

}  // namespace
}  // namespace yubin
