#include "lib/base/yubin_root.h"

#include <stdlib.h>

#include <gtest/gtest.h>

namespace yubin {
namespace {

TEST(YubinRootTest, DefaultAndOverride) {
  unsetenv("YUBIN_ROOT");
  EXPECT_EQ(YubinRoot(), "/var/yubin");
  setenv("YUBIN_ROOT", "", 1);
  EXPECT_EQ(YubinRoot(), "/var/yubin");
  setenv("YUBIN_ROOT", "/tmp/r//", 1);
  EXPECT_EQ(YubinRoot(), "/tmp/r");
  setenv("YUBIN_ROOT", "/", 1);
  EXPECT_EQ(YubinRoot(), "/");
}

}  // namespace
}  // namespace yubin
