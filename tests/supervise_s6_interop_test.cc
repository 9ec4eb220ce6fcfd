// Debian's s6 tools against yubin's supervise, and yubin's service
// directories under Debian's s6-svscan.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "tests/harness/harness.h"
#include "tests/supervision_helpers.h"

namespace yubin::testing {
namespace {

constexpr char kSleeper[] = "#!/bin/sh\nexec sleep 100\n";

bool HaveS6() { return access("/usr/bin/s6-svc", X_OK) == 0; }

class S6InteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveS6()) GTEST_SKIP() << "Debian's s6 package is not installed";
    root_ = MakeTempDir("s6");
  }
  void TearDown() override {
    if (!dir_.empty()) StopSupervise(sup_, dir_);
  }
  void Launch() { ASSERT_TRUE(StartSupervise(sup_, dir_, root_ + "/err")); }
  std::string root_;
  std::string dir_;
  ChildProcess sup_;
};

TEST_F(S6InteropTest, S6SvcAndS6SvstatDriveOurSupervise) {
  dir_ = MakeService(root_, "a", kSleeper);
  Launch();
  pid_t p = WaitForUp(dir_);
  ASSERT_GT(p, 0);
  ProcessResult r = RunProcess({"s6-svstat", dir_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("up (pid " + std::to_string(p) + ") ", 0), 0u)
      << "got " << r.out;

  r = RunProcess({"s6-svc", "-wD", "-T", "5000", "-d", dir_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::optional<ServiceStatus> st = ReadStatus(dir_);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->pid, 0u) << "s6-svc -wD returned before the service was down";
  EXPECT_FALSE(st->want_up);
  r = RunProcess({"s6-svstat", dir_});
  EXPECT_EQ(r.out.rfind("down (signal SIGTERM) ", 0), 0u) << "got " << r.out;
  EXPECT_NE(r.out.find("normally up"), std::string::npos) << "got " << r.out;

  r = RunProcess({"s6-svc", "-wu", "-T", "5000", "-u", dir_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(ReadStatus(dir_)->pid, 0u);

  // Signals and pause through s6-svc.
  pid_t q = WaitForUp(dir_);
  r = RunProcess({"s6-svc", "-p", dir_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(WaitForStatus(dir_, [](const ServiceStatus& s) { return s.paused; }));
  r = RunProcess({"s6-svstat", dir_});
  EXPECT_NE(r.out.find("paused"), std::string::npos) << "got " << r.out;
  RunProcess({"s6-svc", "-c", dir_});
  r = RunProcess({"s6-svc", "-k", dir_});
  EXPECT_GT(WaitForUp(dir_, q), 0) << "s6-svc -k: want a restart";
}

TEST_F(S6InteropTest, S6SvwaitSeesReadiness) {
  dir_ = MakeService(root_, "r",
                     "#!/bin/sh\nsleep 0.3\necho ready >&3\nexec sleep 100\n");
  WriteFileOrDie(dir_ + "/notification-fd", "3\n");
  WriteFileOrDie(dir_ + "/down", "");
  Launch();
  ASSERT_TRUE(WaitForStatus(dir_, [](const ServiceStatus&) { return true; }));
  // s6-svwait subscribes through event/ before the service is even started.
  ChildProcess waiter;
  ASSERT_TRUE(waiter.Start({"s6-svwait", "-U", "-t", "8000", dir_}));
  ASSERT_TRUE(WaitUntil([&] {
    return RunShell("ls " + dir_ + "/event | grep -q ftrig1").exit_code == 0;
  }, kWait)) << "s6-svwait did not subscribe";
  EXPECT_EQ(waiter.Wait(200ms), -1) << "s6-svwait -U returned before ready";
  ASSERT_TRUE(SendControl(dir_, "u"));
  int ws = waiter.Wait(kWait);
  EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << "got wait status " << ws;
  std::optional<ServiceStatus> st = ReadStatus(dir_);
  EXPECT_TRUE(st->ready) << "s6-svwait -U returned but status is not ready";
  ProcessResult r = RunProcess({"s6-svstat", dir_});
  EXPECT_NE(r.out.find(", ready "), std::string::npos) << "got " << r.out;

  // s6-svc -wU -u from down returns once the new instance is ready.
  pid_t old = static_cast<pid_t>(st->pid);
  r = RunProcess({"s6-svc", "-wD", "-T", "8000", "-d", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunProcess({"s6-svc", "-wU", "-T", "8000", "-u", dir_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  st = ReadStatus(dir_);
  EXPECT_TRUE(st->ready && st->pid != 0 && static_cast<pid_t>(st->pid) != old)
      << "s6-svc -wU -u returned before the new instance was ready";
}

TEST_F(S6InteropTest, S6SvwaitSeesReallyDownAfterFinish) {
  dir_ = MakeService(root_, "f", kSleeper);
  WriteExecutable(dir_ + "/finish", "#!/bin/sh\nsleep 0.3\necho done > ../fin\n");
  Launch();
  ASSERT_GT(WaitForUp(dir_), 0);
  ProcessResult r = RunProcess({"s6-svc", "-wD", "-T", "8000", "-d", dir_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/fin"), "done\n")
      << "-wD returned before finish ended";
}

TEST_F(S6InteropTest, SameServiceDirectoriesRunUnderS6Svscan) {
  std::string scan = root_ + "/service";
  ASSERT_EQ(mkdir(scan.c_str(), 0755), 0);
  MakeService(scan, "talk",
              "#!/bin/sh\nfor i in 1 2 3; do echo \"$$ line$i\"; done\n"
              "exec sleep 100\n");
  MakeService(scan + "/talk", "log", "#!/bin/sh\nexec cat >> " + root_ + "/out\n");
  ChildProcess s6scan;
  ASSERT_TRUE(s6scan.Start({"s6-svscan", scan}));
  std::string svc = scan + "/talk";
  pid_t first = WaitForUp(svc);
  ASSERT_GT(first, 0);
  ASSERT_TRUE(WaitUntil([&] { return CountLines(root_ + "/out") == 3; }, kWait));
  ASSERT_EQ(kill(first, SIGKILL), 0);
  pid_t second = WaitForUp(svc, first);
  ASSERT_GT(second, 0);
  ASSERT_TRUE(WaitUntil([&] { return CountLines(root_ + "/out") == 6; }, kWait))
      << ReadFileOrEmpty(root_ + "/out");
  pid_t logger = static_cast<pid_t>(ReadStatus(svc + "/log")->pid);
  s6scan.Signal(SIGTERM);
  EXPECT_NE(s6scan.Wait(kWait), -1);
  EXPECT_TRUE(WaitGone(second));
  EXPECT_TRUE(WaitGone(logger));
}

}  // namespace
}  // namespace yubin::testing
