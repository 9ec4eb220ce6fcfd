// yubin's whole supervision suite together: svscan and supervise driven and
// checked only by yubin's own clients (svc, svstat, svok), as an
// administrator would use them.
#include <signal.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/supervision_helpers.h"

namespace yubin::testing {
namespace {

std::string Tool(const char* name) {
  return RunfilePath(std::string("cmd/") + name + "/" + name);
}

ProcessResult Svc(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {Tool("svc")};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, {.timeout = 20s});
}

ProcessResult Svstat(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {Tool("svstat")};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv);
}

// The pid in "DIR: up (pid N) ..." or 0.
pid_t PidFromSvstat(const std::string& line) {
  size_t at = line.find("up (pid ");
  if (at == std::string::npos) return 0;
  return static_cast<pid_t>(std::stol(line.substr(at + 8)));
}

class SupervisionStackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scan_ = MakeTempDir("scan");
    service_ = MakeService(scan_, "web",
                           "#!/bin/sh\necho ready >&3\nexec sleep 1000\n");
    WriteFileOrDie(service_ + "/notification-fd", "3\n");
    ASSERT_TRUE(svscan_.Start({SvscanPath(), "-t", "1", scan_},
                              {.env = {"YUBIN_SUPERVISE=" + SupervisePath()}}));
    // svc needs supervise's control FIFO and event directory to exist.
    ASSERT_TRUE(WaitUntil(
        [&] {
          return RunProcess({Tool("svok"), service_}).exit_code == 0 &&
                 FileExists(service_ + "/event");
        },
        kWait));
  }
  void TearDown() override {
    svscan_.Signal(SIGTERM);
    EXPECT_NE(svscan_.Wait(30s), -1) << "svscan did not exit on SIGTERM";
  }
  std::string scan_;
  std::string service_;
  ChildProcess svscan_;
};

TEST_F(SupervisionStackTest, ControlAndCheckWithYubinsClients) {
  // svc -wU waits (without polling) until the service said it is ready.
  ProcessResult ready = Svc({"-wU", "-T", "10000", "-u", service_});
  ASSERT_EQ(ready.exit_code, 0) << ready.err;
  ProcessResult st = Svstat({service_});
  ASSERT_EQ(st.exit_code, 0);
  EXPECT_NE(st.out.find(": up (pid "), std::string::npos) << st.out;
  EXPECT_NE(st.out.find(", ready "), std::string::npos) << st.out;
  pid_t first = PidFromSvstat(st.out);
  ASSERT_GT(first, 0);
  EXPECT_EQ(Svstat({"-c", service_}).exit_code, 0) << "healthy: up and ready";
  EXPECT_EQ(RunProcess({Tool("svok"), service_}).exit_code, 0);

  // A crash: supervise starts it again, svstat shows the new pid.
  ASSERT_EQ(kill(first, SIGKILL), 0);
  pid_t second = 0;
  ASSERT_TRUE(WaitUntil(
      [&] {
        second = PidFromSvstat(Svstat({service_}).out);
        return second != 0 && second != first;
      },
      kWait));

  // svc -d (waiting for it) stops it; svstat -c says unhealthy.
  ProcessResult down = Svc({"-wD", "-T", "10000", "-d", service_});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  st = Svstat({service_});
  EXPECT_NE(st.out.find(": down "), std::string::npos) << st.out;
  EXPECT_NE(st.out.find("normally up"), std::string::npos) << st.out;
  EXPECT_EQ(Svstat({"-c", service_}).exit_code, 1);
  EXPECT_TRUE(ProcessGone(second));

  // svc -u brings it back.
  ASSERT_EQ(Svc({"-wU", "-T", "10000", "-u", service_}).exit_code, 0);
  EXPECT_GT(PidFromSvstat(Svstat({service_}).out), 0);

  // svc -o: once; after a crash it stays down.
  ASSERT_EQ(Svc({"-o", service_}).exit_code, 0);
  pid_t once = PidFromSvstat(Svstat({service_}).out);
  ASSERT_GT(once, 0);
  ASSERT_EQ(kill(once, SIGKILL), 0);
  ASSERT_TRUE(WaitUntil(
      [&] { return Svstat({service_}).out.find(": down ") != std::string::npos; },
      kWait));
}

TEST_F(SupervisionStackTest, SvscanTermLeavesSuperviseNotRunning) {
  ASSERT_EQ(Svc({"-wU", "-T", "10000", "-u", service_}).exit_code, 0);
  pid_t pid = PidFromSvstat(Svstat({service_}).out);
  ASSERT_GT(pid, 0);
  svscan_.Signal(SIGTERM);
  ASSERT_NE(svscan_.Wait(30s), -1);
  EXPECT_TRUE(WaitGone(pid)) << "the service outlived svscan";
  EXPECT_EQ(RunProcess({Tool("svok"), service_}).exit_code, 100);
  ProcessResult st = Svstat({service_});
  EXPECT_NE(st.out.find("supervise not running"), std::string::npos) << st.out;
  EXPECT_EQ(Svc({"-u", service_}).exit_code, 102);
}

}  // namespace
}  // namespace yubin::testing
