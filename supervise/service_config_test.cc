#include "supervise/service_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace yubin::supervise {
namespace {

TEST(ServiceConfigTest, Numbers) {
  EXPECT_EQ(ParseConfigNumber("3\n", 10), 3);
  EXPECT_EQ(ParseConfigNumber("  2500 ", 5000), 2500);
  EXPECT_EQ(ParseConfigNumber("0", 5), 0);
  EXPECT_FALSE(ParseConfigNumber("", 10).has_value());
  EXPECT_FALSE(ParseConfigNumber("11", 10).has_value());
  EXPECT_FALSE(ParseConfigNumber("-1", 10).has_value());
  EXPECT_FALSE(ParseConfigNumber("3x", 10).has_value());
  EXPECT_FALSE(ParseConfigNumber("1 2", 100).has_value());
  EXPECT_FALSE(ParseConfigNumber("9999999999999999999999", kMaxTimeoutMs).has_value());
}

TEST(ServiceConfigTest, Signals) {
  EXPECT_EQ(ParseSignal("SIGHUP\n"), SIGHUP);
  EXPECT_EQ(ParseSignal("TERM"), SIGTERM);
  EXPECT_EQ(ParseSignal("SIGUSR2"), SIGUSR2);
  EXPECT_EQ(ParseSignal("9"), SIGKILL);
  EXPECT_FALSE(ParseSignal("").has_value());
  EXPECT_FALSE(ParseSignal("0").has_value());
  EXPECT_FALSE(ParseSignal("65").has_value());
  EXPECT_FALSE(ParseSignal("SIGNOPE").has_value());
  EXPECT_FALSE(ParseSignal("hup").has_value());
}

class ServiceDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = getenv("TEST_TMPDIR");
    dir_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/svcdirXXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    char buf[4096];
    ASSERT_NE(getcwd(buf, sizeof buf), nullptr);
    old_cwd_ = buf;
    ASSERT_EQ(chdir(dir_.c_str()), 0);
  }
  void TearDown() override { ASSERT_EQ(chdir(old_cwd_.c_str()), 0); }
  static void Write(const char* name, const char* content) {
    FILE* f = fopen(name, "w");
    ASSERT_NE(f, nullptr);
    fputs(content, f);
    fclose(f);
  }
  std::string dir_;
  std::string old_cwd_;
};

TEST_F(ServiceDirTest, Defaults) {
  ServiceConfig c = ReadServiceConfig();
  EXPECT_FALSE(c.normally_down);
  EXPECT_FALSE(c.has_finish);
  EXPECT_EQ(c.notification_fd, -1);
  EXPECT_EQ(c.timeout_kill_ms, 0);
  EXPECT_EQ(c.timeout_finish_ms, 5000);
  EXPECT_EQ(c.max_death_tally, kDefaultMaxDeathTally);
  EXPECT_EQ(c.down_signal, SIGTERM);
}

TEST_F(ServiceDirTest, EveryFile) {
  Write("down", "");
  Write("finish", "#!/bin/sh\n");
  Write("notification-fd", "3\n");
  Write("timeout-kill", "250\n");
  Write("timeout-finish", "0\n");
  Write("max-death-tally", "7\n");
  Write("down-signal", "SIGHUP\n");
  ServiceConfig c = ReadServiceConfig();
  EXPECT_TRUE(c.normally_down);
  EXPECT_TRUE(c.has_finish);
  EXPECT_EQ(c.notification_fd, 3);
  EXPECT_EQ(c.timeout_kill_ms, 250);
  EXPECT_EQ(c.timeout_finish_ms, 0);
  EXPECT_EQ(c.max_death_tally, 7);
  EXPECT_EQ(c.down_signal, SIGHUP);
}

TEST_F(ServiceDirTest, BadValuesKeepDefaults) {
  Write("notification-fd", "1\n");  // stdout: not a notification fd
  Write("max-death-tally", "99999\n");
  Write("down-signal", "SIGBOGUS\n");
  Write("timeout-kill", std::string(100, '1').c_str());  // over the size cap
  ServiceConfig c = ReadServiceConfig();
  EXPECT_EQ(c.notification_fd, -1);
  EXPECT_EQ(c.max_death_tally, kDefaultMaxDeathTally);
  EXPECT_EQ(c.down_signal, SIGTERM);
  EXPECT_EQ(c.timeout_kill_ms, 0);
}

}  // namespace
}  // namespace yubin::supervise
