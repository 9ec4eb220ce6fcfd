// yubin's svc, svstat and svok against Debian's real s6-supervise, checked
// with its status file and with s6-svstat's own output.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/supervised_dir.h"

namespace yubin::testing {
namespace {

using supervise::ServiceStatus;

class SvcS6Test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveS6()) GTEST_SKIP() << "s6 is not installed (apt-get install s6)";
  }
};

// utime + stime of a process, in clock ticks; -1 if unreadable.
long CpuTicks(pid_t pid) {
  std::string stat = ReadFileOrEmpty("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  long utime = -1, stime = -1;
  // Fields after the command: state is field 3; utime 14, stime 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime < 0 || stime < 0 ? -1 : utime + stime;
}

// s6-svstat's line without "(exitcode N)" / "(signal X)" after "down",
// prefixed with the directory: the facts yubin's svstat prints.
std::string S6LineAsOurs(const std::string& dir, std::string s6_line) {
  s6_line = std::regex_replace(s6_line, std::regex("^down \\([^)]*\\)"), "down");
  if (!s6_line.empty() && s6_line.back() == '\n') s6_line.pop_back();
  return dir + ": " + s6_line;
}

// Our svstat line equals s6-svstat's (retried: a second may tick between).
void ExpectSameAsS6Svstat(const std::string& dir) {
  std::string ours, theirs;
  bool same = WaitUntil(
      [&] {
        ProcessResult a = RunProcess({OurSvstat(), dir});
        ProcessResult b = RunProcess({kS6Svstat, dir});
        ours = a.out;
        if (!ours.empty()) ours.pop_back();
        theirs = S6LineAsOurs(dir, b.out);
        return a.exit_code == 0 && ours == theirs;
      },
      5s);
  EXPECT_TRUE(same) << "got '" << ours << "', want (from s6-svstat) '" << theirs << "'";
}

TEST_F(SvcS6Test, DownUpOncePauseContinue) {
  SupervisedDir sv(Supervisor::kS6, "exec sleep 1000\n");
  ASSERT_TRUE(sv.Start());
  ASSERT_TRUE(sv.WaitFor(IsUp));
  ExpectSameAsS6Svstat(sv.dir());

  ProcessResult r = RunProcess({OurSvc(), "-d", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(sv.WaitFor(IsDown)) << "svc -d: still up";
  EXPECT_FALSE(sv.Status().want_up);
  ExpectSameAsS6Svstat(sv.dir());

  r = RunProcess({OurSvc(), "-u", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(sv.WaitFor([](const ServiceStatus& st) { return st.pid != 0 && st.want_up; }));
  uint64_t first_pid = sv.Status().pid;

  r = RunProcess({OurSvc(), "-p", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(sv.WaitFor([](const ServiceStatus& st) { return st.paused; }));
  ExpectSameAsS6Svstat(sv.dir());
  EXPECT_NE(RunProcess({OurSvstat(), sv.dir()}).out.find(", paused"), std::string::npos);

  r = RunProcess({OurSvc(), "-c", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(sv.WaitFor([](const ServiceStatus& st) { return !st.paused; }));

  // -o on a running service: stays up, but is not restarted when it dies.
  r = RunProcess({OurSvc(), "-o", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(sv.WaitFor([](const ServiceStatus& st) { return !st.want_up; }));
  EXPECT_EQ(sv.Status().pid, first_pid);
  ExpectSameAsS6Svstat(sv.dir());
  r = RunProcess({OurSvc(), "-k", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(sv.WaitFor(IsDown)) << "-o service was restarted after -k";
  ExpectSameAsS6Svstat(sv.dir());
}

TEST_F(SvcS6Test, WaitDownAndReallyDown) {
  SupervisedDir sv(Supervisor::kS6, "exec sleep 1000\n");
  WriteFileOrDie(sv.dir() + "/finish", "#!/bin/sh\nexit 0\n", 0755);
  ASSERT_TRUE(sv.Start());
  ASSERT_TRUE(sv.WaitFor(IsUp));
  ProcessResult r = RunProcess({OurSvc(), "-wD", "-T", "10000", "-d", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ServiceStatus st = sv.Status();
  EXPECT_EQ(st.pid, 0u) << "svc -wD -d returned while the service was up";
  EXPECT_FALSE(st.finishing) << "svc -wD returned before ./finish completed";

  r = RunProcess({OurSvc(), "-wu", "-T", "10000", "-u", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(sv.Status().pid, 0u) << "svc -wu -u returned before the service was up";
}

TEST_F(SvcS6Test, WaitRestartSeesANewPid) {
  SupervisedDir sv(Supervisor::kS6, "exec sleep 1000\n");
  ASSERT_TRUE(sv.Start());
  ASSERT_TRUE(sv.WaitFor(IsUp));
  uint64_t before = sv.Status().pid;
  ProcessResult r = RunProcess({OurSvc(), "-wr", "-T", "10000", "-r", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  uint64_t after = sv.Status().pid;
  EXPECT_NE(after, 0u);
  EXPECT_NE(after, before) << "got the same pid after svc -wr -r";
}

TEST_F(SvcS6Test, WaitReadyUnblocksWhenTheServiceNotifies) {
  // The service becomes ready only when the test writes to ./gate.
  SupervisedDir sv(Supervisor::kS6,
                   "read line < ./gate\necho ready >&3\nexec sleep 1000\n");
  WriteFileOrDie(sv.dir() + "/notification-fd", "3\n");
  ASSERT_EQ(mkfifo((sv.dir() + "/gate").c_str(), 0600), 0);
  ASSERT_TRUE(sv.Start());
  ASSERT_TRUE(sv.WaitFor(IsUp));
  EXPECT_FALSE(sv.Status().ready);

  std::string out = MakeTempDir("wait") + "/out";
  ChildProcess waiter;
  ASSERT_TRUE(waiter.Start({OurSvc(), "-wU", "-T", "20000", sv.dir()}, {}, out, out));
  // svstat -c: up but not ready, with notification-fd: unhealthy.
  ProcessResult check = RunProcess({OurSvstat(), "-c", sv.dir()});
  EXPECT_EQ(check.exit_code, 1) << check.out;
  // The waiter is subscribed once its FIFO shows in event/.
  ASSERT_TRUE(WaitUntil(
      [&] {
        ProcessResult ls = RunShell("ls '" + sv.dir() + "/event' | grep -c '^ftrig1:'");
        return ls.out == "1\n";
      },
      10s));
  EXPECT_EQ(waiter.Wait(300ms), -1) << "svc -wU returned before readiness: "
                                    << ReadFileOrEmpty(out);
  // Blocked in poll(2), not spinning: next to no CPU time while waiting.
  long ticks = CpuTicks(waiter.pid());
  EXPECT_GE(ticks, 0);
  EXPECT_LT(ticks, 10) << "svc -wU used " << ticks << " clock ticks while waiting";

  int gate = open((sv.dir() + "/gate").c_str(), O_WRONLY);
  ASSERT_GE(gate, 0);
  ASSERT_EQ(write(gate, "go\n", 3), 3);
  close(gate);
  int ws = waiter.Wait(10s);
  ASSERT_NE(ws, -1) << "svc -wU still waiting after the service became ready";
  EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << ReadFileOrEmpty(out);
  EXPECT_TRUE(sv.Status().ready);
  // The subscription FIFO is gone.
  EXPECT_EQ(RunShell("ls '" + sv.dir() + "/event' | grep -c '^ftrig1:'").out, "0\n");

  check = RunProcess({OurSvstat(), "-c", sv.dir()});
  EXPECT_EQ(check.exit_code, 0) << check.out;
  ExpectSameAsS6Svstat(sv.dir());
}

TEST_F(SvcS6Test, WaitTimesOutWith99) {
  SupervisedDir sv(Supervisor::kS6, "exec sleep 1000\n");
  ASSERT_TRUE(sv.Start());
  ASSERT_TRUE(sv.WaitFor(IsUp));
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = RunProcess({OurSvc(), "-wd", "-T", "400", sv.dir()});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 99) << r.err;
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
  EXPECT_GE(took, 400ms);
  EXPECT_LT(took, 5s);
  // Same code as s6-svc itself.
  ProcessResult s6 = RunProcess({kS6Svc, "-wd", "-T", "400", sv.dir()});
  EXPECT_EQ(s6.exit_code, r.exit_code);
}

TEST_F(SvcS6Test, SupervisorExitWhileWaitingIs102) {
  SupervisedDir sv(Supervisor::kS6, "exec sleep 1000\n");
  WriteFileOrDie(sv.dir() + "/down", "");
  ASSERT_TRUE(sv.Start());
  std::string out = MakeTempDir("wait") + "/out";
  ChildProcess waiter;
  ASSERT_TRUE(waiter.Start({OurSvc(), "-wu", "-T", "20000", sv.dir()}, {}, out, out));
  ASSERT_TRUE(WaitUntil(
      [&] {
        return RunShell("ls '" + sv.dir() + "/event' | grep -c '^ftrig1:'").out == "1\n";
      },
      10s));
  ASSERT_EQ(RunProcess({kS6Svc, "-x", sv.dir()}).exit_code, 0);
  int ws = waiter.Wait(10s);
  ASSERT_NE(ws, -1);
  EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 102)
      << "got wait status " << ws << ": " << ReadFileOrEmpty(out);
}

TEST_F(SvcS6Test, NotRunning) {
  SupervisedDir sv(Supervisor::kS6, "exec sleep 1000\n");
  ASSERT_TRUE(sv.Start());
  ASSERT_TRUE(sv.WaitFor(IsUp));
  EXPECT_EQ(RunProcess({OurSvok(), sv.dir()}).exit_code, 0);
  ProcessResult check = RunProcess({OurSvstat(), "-c", sv.dir()});
  EXPECT_EQ(check.exit_code, 0) << check.out;
  ASSERT_TRUE(sv.Stop());

  ProcessResult r = RunProcess({OurSvc(), "-u", sv.dir()});
  EXPECT_EQ(r.exit_code, 102) << r.err;
  EXPECT_NE(r.err.find("supervise not running"), std::string::npos) << r.err;
  EXPECT_EQ(RunProcess({OurSvok(), sv.dir()}).exit_code, 100);
  ProcessResult st = RunProcess({OurSvstat(), sv.dir()});
  EXPECT_EQ(st.exit_code, 0);
  EXPECT_EQ(st.out, sv.dir() + ": supervise not running\n");
  EXPECT_EQ(RunProcess({OurSvstat(), "-c", sv.dir()}).exit_code, 1);
  ProcessResult j = RunProcess({OurSvstat(), "-j", sv.dir()});
  EXPECT_NE(j.out.find("\"supervised\":false"), std::string::npos) << j.out;

  // A directory that was never supervised, and one that does not exist.
  std::string fresh = MakeTempDir("fresh");
  EXPECT_EQ(RunProcess({OurSvc(), "-u", fresh}).exit_code, 102);
  EXPECT_EQ(RunProcess({OurSvc(), "-u", fresh + "/nonexistent"}).exit_code, 111);
  EXPECT_EQ(RunProcess({OurSvok(), fresh + "/nonexistent"}).exit_code, 111);
}

TEST_F(SvcS6Test, JsonMatchesTheStatusRecord) {
  SupervisedDir sv(Supervisor::kS6, "exec sleep 1000\n");
  ASSERT_TRUE(sv.Start());
  ASSERT_TRUE(sv.WaitFor(IsUp));
  ProcessResult j = RunProcess({OurSvstat(), "-j", sv.dir()});
  EXPECT_EQ(j.exit_code, 0);
  std::string pid = "\"pid\":" + std::to_string(sv.Status().pid) + ",";
  EXPECT_NE(j.out.find(pid), std::string::npos) << "got " << j.out << ", want " << pid;
  EXPECT_NE(j.out.find("\"layout\":\"s6\",\"up\":true"), std::string::npos) << j.out;
  ASSERT_EQ(RunProcess({OurSvc(), "-wD", "-T", "10000", "-d", sv.dir()}).exit_code, 0);
  j = RunProcess({OurSvstat(), "-j", sv.dir()});
  EXPECT_NE(j.out.find("\"exit_code\":null,\"signal\":\"SIGTERM\""), std::string::npos)
      << j.out;
  EXPECT_NE(j.out.find("\"want\":\"down\""), std::string::npos) << j.out;
}

}  // namespace
}  // namespace yubin::testing
