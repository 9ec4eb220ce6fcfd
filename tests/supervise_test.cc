// Drives yubin's supervise through supervise/control and reads
// supervise/status with status_record.h, as svc and svstat do.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "tests/harness/harness.h"
#include "tests/supervision_helpers.h"

namespace yubin::testing {
namespace {

constexpr char kSleeper[] = "#!/bin/sh\nexec sleep 100\n";

class SuperviseTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = MakeTempDir("sv"); }
  void TearDown() override {
    if (!dir_.empty()) StopSupervise(sup_, dir_);
  }
  void Start(const std::string& name, std::string_view run) {
    dir_ = MakeService(root_, name, run);
  }
  void Launch() { ASSERT_TRUE(StartSupervise(sup_, dir_, root_ + "/err")); }

  std::string root_;
  std::string dir_;
  ChildProcess sup_;
};

TEST_F(SuperviseTest, CrashIsRestartedWithANewPid) {
  Start("crash", kSleeper);
  Launch();
  pid_t first = WaitForUp(dir_);
  ASSERT_GT(first, 0);
  ASSERT_EQ(kill(first, SIGKILL), 0);
  pid_t second = WaitForUp(dir_, first);
  EXPECT_GT(second, 0) << "got no new pid after kill -9 of " << first;
  std::optional<ServiceStatus> st = ReadStatus(dir_);
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->want_up);
  EXPECT_TRUE(WIFSIGNALED(st->wstat) && WTERMSIG(st->wstat) == SIGKILL)
      << "got wstat " << st->wstat << ", want killed by SIGKILL";
  EXPECT_EQ(ReadFileOrEmpty(dir_ + "/supervise/death_tally").size(), 14u);
}

TEST_F(SuperviseTest, CrashLoopIsThrottled) {
  Start("loop", "#!/bin/sh\necho start >> ../starts\nexit 1\n");
  auto begin = std::chrono::steady_clock::now();
  Launch();
  // Watch the starts for 3 s: the window itself is what is measured.
  WaitUntil([&] { return CountLines(root_ + "/starts") > 4; }, 3s);
  auto elapsed = std::chrono::steady_clock::now() - begin;
  int starts = CountLines(root_ + "/starts");
  EXPECT_LE(starts, 4) << "got " << starts << " starts in "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(
                              elapsed).count()
                       << " ms, want at most 4 in 3 s";
  EXPECT_GE(starts, 2) << "got " << starts << " starts, want the loop to go on";
}

TEST_F(SuperviseTest, DownUpOncePauseContinue) {
  Start("ctl", kSleeper);
  Launch();
  pid_t p1 = WaitForUp(dir_);
  ASSERT_GT(p1, 0);

  ASSERT_TRUE(SendControl(dir_, "d"));
  EXPECT_TRUE(WaitForStatus(dir_, [](const ServiceStatus& s) {
    return s.pid == 0 && !s.want_up && s.ready;
  })) << "d: want down and really down";
  EXPECT_TRUE(WaitGone(p1));

  ASSERT_TRUE(SendControl(dir_, "u"));
  pid_t p2 = WaitForUp(dir_, p1);
  ASSERT_GT(p2, 0) << "u: want a new pid";
  EXPECT_TRUE(ReadStatus(dir_)->want_up);

  ASSERT_TRUE(SendControl(dir_, "p"));
  EXPECT_TRUE(WaitForStatus(dir_, [](const ServiceStatus& s) { return s.paused; }));
  EXPECT_TRUE(WaitUntil([&] {
    std::string st = ReadFileOrEmpty("/proc/" + std::to_string(p2) + "/stat");
    size_t paren = st.rfind(')');
    return paren != std::string::npos && st[paren + 2] == 'T';
  }, kWait)) << "p: want the process stopped";
  ASSERT_TRUE(SendControl(dir_, "c"));
  EXPECT_TRUE(WaitForStatus(dir_, [](const ServiceStatus& s) { return !s.paused; }));

  // o: runs once; after it dies it stays down.
  ASSERT_TRUE(SendControl(dir_, "o"));
  EXPECT_TRUE(WaitForStatus(dir_, [](const ServiceStatus& s) { return !s.want_up; }));
  ASSERT_EQ(kill(p2, SIGKILL), 0);
  EXPECT_TRUE(WaitForStatus(dir_, [](const ServiceStatus& s) {
    return s.pid == 0 && s.ready;
  }));
  EXPECT_EQ(ReadStatus(dir_)->pid, 0u) << "o: want no restart";
  // o while down: starts it once.
  ASSERT_TRUE(SendControl(dir_, "o"));
  pid_t p3 = WaitForUp(dir_, p2);
  EXPECT_GT(p3, 0);
  EXPECT_FALSE(ReadStatus(dir_)->want_up);
}

TEST_F(SuperviseTest, SignalLettersReachTheService) {
  Start("sig",
        "#!/bin/sh\n"
        "trap 'echo hup >> ../got' HUP\n"
        "trap 'echo usr1 >> ../got' USR1\n"
        "while :; do sleep 0.05; done\n");
  Launch();
  pid_t p = WaitForUp(dir_);
  ASSERT_GT(p, 0);
  ASSERT_TRUE(WaitUntil([&] {
    return ProcessCatches(p, SIGHUP) && ProcessCatches(p, SIGUSR1);
  }, kWait));
  ASSERT_TRUE(SendControl(dir_, "h"));
  EXPECT_TRUE(WaitUntil([&] {
    return ReadFileOrEmpty(root_ + "/got").find("hup") != std::string::npos;
  }, kWait));
  ASSERT_TRUE(SendControl(dir_, "1"));
  EXPECT_TRUE(WaitUntil([&] {
    return ReadFileOrEmpty(root_ + "/got").find("usr1") != std::string::npos;
  }, kWait));
}

TEST_F(SuperviseTest, DownFileIsRespected) {
  Start("nd", kSleeper);
  WriteFileOrDie(dir_ + "/down", "");
  Launch();
  ASSERT_TRUE(WaitForStatus(dir_, [](const ServiceStatus&) { return true; }));
  std::optional<ServiceStatus> st = ReadStatus(dir_);
  EXPECT_EQ(st->pid, 0u) << "down file: want not started";
  EXPECT_FALSE(st->want_up);
  ASSERT_TRUE(SendControl(dir_, "u"));
  EXPECT_GT(WaitForUp(dir_), 0);
}

TEST_F(SuperviseTest, FinishGetsItsArguments) {
  Start("fin", "#!/bin/sh\nexit 3\n");
  WriteExecutable(dir_ + "/finish",
                  "#!/bin/sh\necho \"$@\" >> ../finish-args\n");
  WriteFileOrDie(dir_ + "/down", "");
  Launch();
  ASSERT_TRUE(WaitForStatus(dir_, [](const ServiceStatus&) { return true; }));
  ASSERT_TRUE(SendControl(dir_, "o"));
  ASSERT_TRUE(WaitUntil([&] { return CountLines(root_ + "/finish-args") == 1; },
                        kWait));
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/finish-args"), "3 0 " + dir_ + "\n");

  WriteExecutable(dir_ + "/run", kSleeper);
  ASSERT_TRUE(WaitForStatus(dir_, [](const ServiceStatus& s) {
    return s.pid == 0 && !s.finishing;
  }));
  ASSERT_TRUE(SendControl(dir_, "o"));
  pid_t p = WaitForUp(dir_);
  ASSERT_GT(p, 0);
  ASSERT_EQ(kill(p, SIGKILL), 0);
  ASSERT_TRUE(WaitUntil([&] { return CountLines(root_ + "/finish-args") == 2; },
                        kWait));
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/finish-args"),
            "3 0 " + dir_ + "\n256 9 " + dir_ + "\n");
}

TEST_F(SuperviseTest, FinishIsKilledAfterTimeoutFinish) {
  Start("slowfin", "#!/bin/sh\nexit 0\n");
  WriteExecutable(dir_ + "/finish", "#!/bin/sh\nexec sleep 100\n");
  WriteFileOrDie(dir_ + "/timeout-finish", "200\n");
  WriteFileOrDie(dir_ + "/down", "");
  Launch();
  ASSERT_TRUE(WaitForStatus(dir_, [](const ServiceStatus&) { return true; }));
  ASSERT_TRUE(SendControl(dir_, "o"));
  EXPECT_TRUE(WaitForStatus(dir_, [](const ServiceStatus& s) { return s.finishing; }));
  auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitForStatus(dir_, [](const ServiceStatus& s) {
    return !s.finishing && s.pid == 0 && s.ready;
  }, 3s)) << "finish still running";
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);
}

TEST_F(SuperviseTest, TimeoutKillAndDownSignal) {
  Start("stubborn",
        "#!/bin/sh\ntrap 'echo term >> ../got' TERM\n"
        "trap 'echo hup >> ../got' HUP\n"
        "while :; do sleep 0.05; done\n");
  WriteFileOrDie(dir_ + "/timeout-kill", "300\n");
  WriteFileOrDie(dir_ + "/down-signal", "SIGHUP\n");
  Launch();
  pid_t p = WaitForUp(dir_);
  ASSERT_GT(p, 0);
  // Let the shell set its traps before asking it to stop.
  ASSERT_TRUE(WaitUntil([&] {
    return ProcessCatches(p, SIGTERM) && ProcessCatches(p, SIGHUP);
  }, kWait));
  ASSERT_TRUE(SendControl(dir_, "d"));
  EXPECT_TRUE(WaitGone(p)) << "timeout-kill: want the service killed";
  std::optional<ServiceStatus> st = ReadStatus(dir_);
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(WIFSIGNALED(st->wstat) && WTERMSIG(st->wstat) == SIGKILL)
      << "got wstat " << st->wstat << ", want SIGKILL";
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/got"), "hup\n")
      << "down-signal: want HUP, not TERM";
}

TEST_F(SuperviseTest, ReadinessSetsTheReadyFlag) {
  Start("ready", "#!/bin/sh\nsleep 0.2\necho ready >&3\nexec sleep 100\n");
  WriteFileOrDie(dir_ + "/notification-fd", "3\n");
  Launch();
  ASSERT_GT(WaitForUp(dir_), 0);
  EXPECT_FALSE(ReadStatus(dir_)->ready) << "ready before the line";
  EXPECT_TRUE(WaitForStatus(dir_, [](const ServiceStatus& s) {
    return s.pid != 0 && s.ready;
  }));
  std::optional<ServiceStatus> st = ReadStatus(dir_);
  EXPECT_GE(st->ready_stamp, st->stamp);
}

TEST_F(SuperviseTest, SecondSuperviseExits111) {
  Start("lock", kSleeper);
  Launch();
  ASSERT_GT(WaitForUp(dir_), 0);
  ProcessResult r = RunProcess({SupervisePath(), dir_}, {.timeout = kWait});
  EXPECT_EQ(r.exit_code, 111) << r.err;
  EXPECT_NE(r.err.find("supervise already running"), std::string::npos)
      << "got stderr " << r.err;
}

TEST_F(SuperviseTest, ExitLetterEndsSuperviseOnceDown) {
  Start("exit", kSleeper);
  Launch();
  pid_t p = WaitForUp(dir_);
  ASSERT_GT(p, 0);
  ASSERT_TRUE(SendControl(dir_, "x"));
  EXPECT_EQ(sup_.Wait(300ms), -1) << "x alone must not stop the service";
  ASSERT_TRUE(SendControl(dir_, "d"));
  int ws = sup_.Wait(kWait);
  EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << "got wait status " << ws;
  EXPECT_TRUE(ProcessGone(p));
  EXPECT_FALSE(SendControl(dir_, "u")) << "control still has a reader";
}

TEST_F(SuperviseTest, UsageAndHelp) {
  ProcessResult r = RunProcess({SupervisePath()});
  EXPECT_EQ(r.exit_code, 100);
  r = RunProcess({SupervisePath(), "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("usage: supervise DIR"), std::string::npos);
  r = RunProcess({SupervisePath(), root_ + "/missing"});
  EXPECT_EQ(r.exit_code, 111);
}

}  // namespace
}  // namespace yubin::testing
