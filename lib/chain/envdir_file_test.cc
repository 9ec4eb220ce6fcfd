#include "lib/chain/envdir_file.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

namespace yubin::chain {
namespace {

using namespace std::string_literals;

TEST(EnvdirValueTest, DaemontoolsRules) {
  EXPECT_EQ(EnvdirValue(""), std::nullopt);
  EXPECT_EQ(EnvdirValue("\n"), "");
  EXPECT_EQ(EnvdirValue("hello"), "hello");
  EXPECT_EQ(EnvdirValue("hello  \t\nsecond line\n"), "hello");
  EXPECT_EQ(EnvdirValue("a\0b \n"s), "a\nb");
  EXPECT_EQ(EnvdirValue("  lead\n"), "  lead");
  EXPECT_EQ(EnvdirValue("v\r\n"), "v\r");  // only spaces and tabs go
  EXPECT_EQ(EnvdirValue(" \t \n"), "");
  EXPECT_EQ(EnvdirValue("x\0 \t"s), "x\n");
}

class EnvDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::string(tmp ? tmp : "/tmp") + "/envXXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }
  void Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ + "/" + name, std::ios::binary) << content;
  }
  std::string dir_;
};

TEST_F(EnvDirTest, ReadsInNameOrderSkippingDotFiles) {
  Write("B", "two\n");
  Write("A", "one  \n");
  Write("EMPTY", "");
  Write(".hidden", "no\n");
  auto r = ReadEnvDir(dir_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::vector<EnvChange> want = {{"A", "one"}, {"B", "two"}, {"EMPTY", std::nullopt}};
  EXPECT_EQ(*r, want);
}

TEST_F(EnvDirTest, AppliesSetAndRemove) {
  Write("YUBIN_ENVDIR_SET", "value\n");
  Write("YUBIN_ENVDIR_GONE", "");
  setenv("YUBIN_ENVDIR_GONE", "was here", 1);
  auto r = ReadEnvDir(dir_);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(ApplyEnvChanges(*r).ok());
  ASSERT_NE(std::getenv("YUBIN_ENVDIR_SET"), nullptr);
  EXPECT_STREQ(std::getenv("YUBIN_ENVDIR_SET"), "value");
  EXPECT_EQ(std::getenv("YUBIN_ENVDIR_GONE"), nullptr);
}

TEST_F(EnvDirTest, LongFirstLineIsBoundedButLaterLinesDoNotMatter) {
  Write("OK", "short\n" + std::string(kMaxEnvFileBytes * 2, 'x'));
  auto ok = ReadEnvDir(dir_);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ((*ok)[0].value, "short");
  Write("TOOLONG", std::string(kMaxEnvFileBytes + 10, 'y'));
  auto bad = ReadEnvDir(dir_);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().permanent());
  EXPECT_NE(bad.status().message().find("TOOLONG"), std::string::npos);
}

TEST_F(EnvDirTest, Errors) {
  ASSERT_EQ(mkdir((dir_ + "/sub").c_str(), 0700), 0);
  auto sub = ReadEnvDir(dir_);
  ASSERT_FALSE(sub.ok());
  EXPECT_TRUE(sub.status().temporary()) << sub.status().message();
  EXPECT_NE(sub.status().message().find("sub"), std::string::npos);

  auto missing = ReadEnvDir(dir_ + "/nonexistent");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().temporary());
}

TEST_F(EnvDirTest, NameWithEqualsIsRefused) {
  Write("A=B", "x\n");
  auto r = ReadEnvDir(dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().permanent());
}

}  // namespace
}  // namespace yubin::chain
