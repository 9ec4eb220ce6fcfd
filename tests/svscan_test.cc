// yubin's svscan: services and their loggers, the kept log pipe, restarts of
// dead supervisors, removed services, and SIGTERM taking the tree down.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/harness/harness.h"
#include "tests/supervision_helpers.h"

namespace yubin::testing {
namespace {

constexpr int kLinesPerStart = 200;

// A service that writes kLinesPerStart numbered lines tagged with its pid,
// then idles; its logger appends its input to root/out.
void MakeLoggedService(const std::string& scan, const std::string& root,
                       const std::string& name) {
  MakeService(scan, name,
              "#!/bin/sh\ni=0\nwhile [ $i -lt " +
                  std::to_string(kLinesPerStart) +
                  " ]; do echo \"$$ $i\"; i=$((i+1)); done\nexec sleep 100\n");
  MakeService(scan + "/" + name, "log",
              "#!/bin/sh\nexec cat >> " + root + "/out\n");
}

// pid -> every line number it wrote, from root/out.
std::map<std::string, std::set<int>> LinesByPid(const std::string& path) {
  std::map<std::string, std::set<int>> got;
  std::istringstream in(ReadFileOrEmpty(path));
  std::string pid;
  int n;
  while (in >> pid >> n) got[pid].insert(n);
  return got;
}

class SvscanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("scan");
    scan_ = root_ + "/service";
    ASSERT_EQ(mkdir(scan_.c_str(), 0755), 0);
  }
  void TearDown() override {
    if (scan_proc_.running()) {
      scan_proc_.Signal(SIGTERM);
      scan_proc_.Wait(kWait);
    }
  }
  void StartSvscan(const std::string& t = "1") {
    ASSERT_TRUE(scan_proc_.Start({SvscanPath(), "-t", t, scan_},
                                 {.env = {"YUBIN_SUPERVISE=" + SupervisePath()}},
                                 "", root_ + "/svscan.err"));
  }
  std::string root_;
  std::string scan_;
  ChildProcess scan_proc_;
};

TEST_F(SvscanTest, LogPipeSurvivesLoggerAndServiceRestarts) {
  MakeLoggedService(scan_, root_, "talk");
  std::string svc = scan_ + "/talk";
  std::string log = svc + "/log";
  StartSvscan("0");
  pid_t first = WaitForUp(svc);
  ASSERT_GT(first, 0);
  ASSERT_TRUE(WaitUntil([&] { return CountLines(root_ + "/out") == kLinesPerStart; },
                        kWait))
      << "got " << CountLines(root_ + "/out") << " lines";

  // Logger down: the restarted service writes into the pipe svscan keeps.
  ASSERT_TRUE(SendControl(log, "d"));
  ASSERT_TRUE(WaitForStatus(log, [](const ServiceStatus& s) { return s.pid == 0; }));
  ASSERT_EQ(kill(first, SIGKILL), 0);
  pid_t second = WaitForUp(svc, first);
  ASSERT_GT(second, 0);
  // Logger back: it reads what waited in the pipe.
  ASSERT_TRUE(SendControl(log, "u"));
  ASSERT_TRUE(WaitUntil(
      [&] { return CountLines(root_ + "/out") == 2 * kLinesPerStart; }, kWait))
      << "got " << CountLines(root_ + "/out") << " lines, want "
      << 2 * kLinesPerStart;
  // And once more with the logger killed outright while idle.
  pid_t logger = static_cast<pid_t>(ReadStatus(log)->pid);
  ASSERT_EQ(kill(logger, SIGKILL), 0);
  ASSERT_EQ(kill(second, SIGKILL), 0);
  ASSERT_GT(WaitForUp(svc, second), 0);
  ASSERT_TRUE(WaitUntil(
      [&] { return CountLines(root_ + "/out") == 3 * kLinesPerStart; }, kWait))
      << "got " << CountLines(root_ + "/out") << " lines";

  std::map<std::string, std::set<int>> got = LinesByPid(root_ + "/out");
  ASSERT_EQ(got.size(), 3u) << "want lines from three service instances";
  for (const auto& [pid, lines] : got) {
    EXPECT_EQ(lines.size(), static_cast<size_t>(kLinesPerStart))
        << "instance " << pid << " lost lines";
  }
}

TEST_F(SvscanTest, KilledSuperviseIsRestarted) {
  MakeService(scan_, "a", "#!/bin/sh\nexec sleep 100\n");
  std::string svc = scan_ + "/a";
  StartSvscan("60");
  pid_t service = WaitForUp(svc);
  ASSERT_GT(service, 0);
  pid_t sup = LockHolder(svc);
  ASSERT_GT(sup, 0);
  ASSERT_EQ(kill(sup, SIGKILL), 0);
  ASSERT_EQ(kill(service, SIGKILL), 0);
  ASSERT_TRUE(WaitGone(sup));
  scan_proc_.Signal(SIGALRM);  // rescan now instead of in 60 s
  ASSERT_TRUE(WaitUntil([&] {
    pid_t p = LockHolder(svc);
    return p > 0 && p != sup;
  }, kWait)) << "no new supervise";
  EXPECT_GT(WaitForUp(svc, service), 0);
}

TEST_F(SvscanTest, RemovedServiceIsStoppedAndDropped) {
  MakeService(scan_, "gone", "#!/bin/sh\nexec sleep 100\n");
  std::string svc = scan_ + "/gone";
  StartSvscan("60");
  pid_t service = WaitForUp(svc);
  ASSERT_GT(service, 0);
  pid_t sup = LockHolder(svc);
  std::string hidden = scan_ + "/.gone";
  ASSERT_EQ(rename(svc.c_str(), hidden.c_str()), 0);
  scan_proc_.Signal(SIGHUP);
  EXPECT_TRUE(WaitGone(service)) << "service of a removed dir still runs";
  EXPECT_TRUE(WaitGone(sup)) << "supervise of a removed dir still runs";
  EXPECT_TRUE(scan_proc_.running());
}

TEST_F(SvscanTest, SigtermStopsEverythingAndFlushesLogs) {
  MakeService(scan_, "web",
              "#!/bin/sh\necho \"$$ hello\"\n"
              "trap 'echo \"$$ bye\"; exit 0' TERM\n"
              "while :; do sleep 0.05; done\n");
  MakeService(scan_ + "/web", "log", "#!/bin/sh\nexec cat >> " + root_ + "/out\n");
  MakeService(scan_, "plain", "#!/bin/sh\nexec sleep 100\n");
  StartSvscan();
  pid_t web = WaitForUp(scan_ + "/web");
  pid_t logger = WaitForUp(scan_ + "/web/log");
  pid_t plain = WaitForUp(scan_ + "/plain");
  ASSERT_GT(web, 0);
  ASSERT_GT(logger, 0);
  ASSERT_GT(plain, 0);
  std::vector<pid_t> all = {web, logger, plain, LockHolder(scan_ + "/web"),
                            LockHolder(scan_ + "/web/log"),
                            LockHolder(scan_ + "/plain")};
  ASSERT_TRUE(WaitUntil([&] { return ProcessCatches(web, SIGTERM); }, kWait));

  scan_proc_.Signal(SIGTERM);
  int ws = scan_proc_.Wait(kWait);
  ASSERT_NE(ws, -1) << "svscan did not exit after SIGTERM";
  EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << "got wait status " << ws;
  for (pid_t p : all) EXPECT_TRUE(ProcessGone(p)) << "pid " << p << " left behind";
  std::string out = ReadFileOrEmpty(root_ + "/out");
  EXPECT_NE(out.find(std::to_string(web) + " hello\n"), std::string::npos)
      << "out: " << out << "svscan stderr: " << ReadFileOrEmpty(root_ + "/svscan.err");
  EXPECT_NE(out.find(std::to_string(web) + " bye\n"), std::string::npos)
      << "the service's last line did not reach the log: " << out;
}

TEST_F(SvscanTest, BadUsage) {
  ProcessResult r = RunProcess({SvscanPath(), "-t", "x"});
  EXPECT_EQ(r.exit_code, 100);
  r = RunProcess({SvscanPath(), "a", "b"});
  EXPECT_EQ(r.exit_code, 100);
  r = RunProcess({SvscanPath(), root_ + "/missing"});
  EXPECT_EQ(r.exit_code, 111);
}

}  // namespace
}  // namespace yubin::testing
