// yubinctl against a small tree of stand-in services (shell scripts) under
// yubin's svscan: start waits for readiness, status and its exit code,
// logs with local times, reload, stop, and usage errors.
#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/supervision_helpers.h"

namespace yubin::testing {
namespace {

std::string Dir(const std::string& path) { return path.substr(0, path.rfind('/')); }

class YubinctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("root");
    mkdir((root_ + "/service").c_str(), 0755);
    mkdir((root_ + "/log").c_str(), 0755);
    env_ = {"YUBIN_ROOT=" + root_,
            "PATH=" + Dir(SvscanPath()) + ":" + Dir(RunfilePath("cmd/multilog/multilog")) +
                ":" + Dir(RunfilePath("cmd/logtail/logtail")) + ":/usr/bin:/bin"};
    // "send": ready once it wrote to fd 3; records SIGHUPs. "smtpd": no
    // readiness file. Both log through multilog into ROOT/log/NAME.
    AddService("send",
               "#!/bin/sh\nexec 2>&1\ntrap 'echo got HUP' HUP\necho send starting\n"
               "echo >&3; exec 3>&-\nwhile :; do sleep 1; done\n",
               true);
    AddService("smtpd", "#!/bin/sh\nexec 2>&1\necho smtpd starting\nexec sleep 1000\n", false);
    // "local" and "remote" record SIGHUPs too (reload lets their kept
    // delivery children go).
    for (const char* name : {"local", "remote"}) {
      AddService(name, "#!/bin/sh\nexec 2>&1\ntrap 'echo got HUP' HUP\nwhile :; do sleep 1; done\n",
                 false);
    }
  }
  void TearDown() override {
    Ctl({"stop"});
  }
  void AddService(const std::string& name, const std::string& run, bool notification) {
    std::string dir = MakeService(root_ + "/service", name, run);
    if (notification) WriteFileOrDie(dir + "/notification-fd", "3\n");
    mkdir((dir + "/log").c_str(), 0755);
    WriteExecutable(dir + "/log/run", "#!/bin/sh\nexec multilog t " + root_ + "/log/" + name + "\n");
  }
  ProcessResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {RunfilePath("cmd/yubinctl/yubinctl"), "--root", root_});
    return RunProcess(args, {.env = env_, .timeout = 60s});
  }
  std::string root_;
  std::vector<std::string> env_;
};

TEST_F(YubinctlTest, StartStatusLogsReloadStop) {
  ProcessResult down = Ctl({"status"});
  EXPECT_EQ(down.exit_code, 1) << "not running is not healthy:\n" << down.out;
  EXPECT_NE(down.out.find("not supervised"), std::string::npos) << down.out;

  ProcessResult start = Ctl({"start"});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  EXPECT_NE(start.out.find("started svscan"), std::string::npos) << start.out;
  std::optional<ServiceStatus> send = ReadStatus(root_ + "/service/send");
  ASSERT_TRUE(send.has_value());
  EXPECT_TRUE(send->ready) << "start returned before send was ready";

  ProcessResult again = Ctl({"start"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("already running"), std::string::npos) << again.out;

  ProcessResult status = Ctl({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.out;
  const size_t send_line = status.out.find("\nsend ");
  ASSERT_NE(send_line, std::string::npos) << status.out;
  EXPECT_NE(status.out.substr(send_line, status.out.find('\n', send_line + 1) - send_line).find(" up "),
            std::string::npos) << status.out;
  EXPECT_NE(status.out.find(" yes    ok\n"), std::string::npos) << status.out;

  ASSERT_TRUE(SendControl(root_ + "/service/smtpd", "d"));
  ASSERT_TRUE(WaitForStatus(root_ + "/service/smtpd", [](const ServiceStatus& s) {
    return s.pid == 0;
  }));
  ProcessResult unhealthy = Ctl({"status"});
  EXPECT_EQ(unhealthy.exit_code, 1) << unhealthy.out;
  EXPECT_NE(unhealthy.out.find("down (svc -d)"), std::string::npos) << unhealthy.out;
  ASSERT_TRUE(SendControl(root_ + "/service/smtpd", "u"));

  EXPECT_EQ(Ctl({"reload"}).exit_code, 0);
  for (const char* service : {"send", "local", "remote"}) {
    EXPECT_TRUE(WaitUntil([&] {
      return Ctl({"logs", service}).out.find("got HUP") != std::string::npos;
    }, 10s)) << Ctl({"logs", service}).out;
  }
  ProcessResult logs = Ctl({"logs", "-n", "5"});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  // Local times ("2026-11-28 04:36:50.123...") after the service's name.
  EXPECT_NE(logs.out.find("send: 20"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("smtpd: 20"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("send starting"), std::string::npos) << logs.out;

  pid_t first = static_cast<pid_t>(
      std::atol(ReadFileOrEmpty(root_ + "/service/.svscan.pid").c_str()));
  ProcessResult restart = Ctl({"restart"});
  ASSERT_EQ(restart.exit_code, 0) << restart.out << restart.err;
  pid_t svscan = static_cast<pid_t>(
      std::atol(ReadFileOrEmpty(root_ + "/service/.svscan.pid").c_str()));
  EXPECT_TRUE(ProcessGone(first)) << "restart left the old svscan running";
  EXPECT_NE(svscan, first);
  EXPECT_EQ(Ctl({"status"}).exit_code, 0);

  ProcessResult stop = Ctl({"stop"});
  EXPECT_EQ(stop.exit_code, 0) << stop.out << stop.err;
  EXPECT_TRUE(ProcessGone(svscan));
  EXPECT_FALSE(SendControl(root_ + "/service/send", "u")) << "send still supervised";
  ProcessResult stopped = Ctl({"stop"});
  EXPECT_EQ(stopped.exit_code, 0);
  EXPECT_NE(stopped.out.find("not running"), std::string::npos) << stopped.out;
}

TEST_F(YubinctlTest, StartFailsWhenAServiceNeverGetsReady) {
  AddService("broken", "#!/bin/sh\nexec sleep 1000\n", true);
  WriteFileOrDie(root_ + "/service/broken/notification-fd", "3\n");
  ProcessResult start = Ctl({"start", "-t", "2"});
  EXPECT_EQ(start.exit_code, 1) << start.out << start.err;
  EXPECT_NE(start.out.find("not ready"), std::string::npos) << start.out;
}

TEST_F(YubinctlTest, UsageErrors) {
  EXPECT_EQ(Ctl({}).exit_code, 100);
  EXPECT_EQ(Ctl({"frobnicate"}).exit_code, 100);
  EXPECT_EQ(Ctl({"status", "extra"}).exit_code, 100);
  EXPECT_EQ(Ctl({"start", "-t", "x"}).exit_code, 100);
  ProcessResult help = RunProcess({RunfilePath("cmd/yubinctl/yubinctl"), "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: yubinctl"), std::string::npos);
}

}  // namespace
}  // namespace yubin::testing
