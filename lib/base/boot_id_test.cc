#include "lib/base/boot_id.h"

#include <gtest/gtest.h>

namespace yubin {
namespace {

TEST(BootIdTest, ParsesTheKernelsFormat) {
  EXPECT_EQ(ParseBootId("0f3c5e1a-9b2d-4c7e-8a61-3d2f9e4b7c10\n"),
            "0f3c5e1a-9b2d-4c7e-8a61-3d2f9e4b7c10");
  EXPECT_EQ(ParseBootId("0f3c5e1a-9b2d-4c7e-8a61-3d2f9e4b7c10"),
            "0f3c5e1a-9b2d-4c7e-8a61-3d2f9e4b7c10");
  EXPECT_EQ(ParseBootId(""), "");
  EXPECT_EQ(ParseBootId("0F3C5E1A-9B2D-4C7E-8A61-3D2F9E4B7C10\n"), "");
  EXPECT_EQ(ParseBootId("0f3c5e1a-9b2d-4c7e-8a61-3d2f9e4b7c1\n"), "");
  EXPECT_EQ(ParseBootId("0f3c5e1a:9b2d-4c7e-8a61-3d2f9e4b7c10\n"), "");
}

TEST(BootIdTest, ThisMachineHasOne) {
  const std::string& id = CurrentBootId();
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(&CurrentBootId(), &id) << "read once";
}

}  // namespace
}  // namespace yubin
