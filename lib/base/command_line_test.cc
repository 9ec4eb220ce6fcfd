#include "lib/base/command_line.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace yubin {
namespace {

int Parse(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return ParseReadinessOption(static_cast<int>(args.size()), argv.data(), "x");
}

TEST(ReadinessOptionTest, AbsentOrGiven) {
  EXPECT_EQ(Parse({"prog"}), -1);
  EXPECT_EQ(Parse({"prog", "-d", "3"}), 3);
  EXPECT_EQ(Parse({"prog", "-d", "1048576"}), 1048576);
}

TEST(ReadinessOptionDeathTest, BadArgumentsAreUsageErrors) {
  EXPECT_EXIT(Parse({"prog", "-d"}), ::testing::ExitedWithCode(100), "usage");
  EXPECT_EXIT(Parse({"prog", "-d", ""}), ::testing::ExitedWithCode(100), "usage");
  EXPECT_EXIT(Parse({"prog", "-d", "3x"}), ::testing::ExitedWithCode(100), "usage");
  EXPECT_EXIT(Parse({"prog", "-d", "1048577"}), ::testing::ExitedWithCode(100), "usage");
  EXPECT_EXIT(Parse({"prog", "-x"}), ::testing::ExitedWithCode(100), "usage");
}

}  // namespace
}  // namespace yubin
