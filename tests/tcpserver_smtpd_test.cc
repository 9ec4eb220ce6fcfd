// tcpserver with the yubin-smtpd installed beside it runs smtpd's code in
// the forked child, without an exec: the child's executable is tcpserver,
// its name is yubin-smtpd, and the session behaves as an exec'd one would
// (the rule's RELAYCLIENT and tcpserver's TCPREMOTEIP reach it; the message
// reaches the queue program). A yubin-smtpd replaced since tcpserver started
// is exec'd. YUBIN_SMTPD_EXEC=1 restores the exec, and
// both of tcpserver's child paths (-H -l prepared by the parent, or name
// lookups in the child) do the same. With -m, one process serves several
// connections in turn, on both paths.
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/smtpd_fixture.h"
#include "tests/tcpserver_fixture.h"

namespace yubin::testing {
namespace {

std::string Exe(pid_t pid) {
  char buf[PATH_MAX];
  ssize_t n = readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// The first child of pid, or 0.
pid_t FirstChild(pid_t pid) {
  std::string children = ReadFileOrEmpty("/proc/" + std::to_string(pid) + "/task/" +
                                         std::to_string(pid) + "/children");
  return static_cast<pid_t>(std::atol(children.c_str()));
}

class TcpserverSmtpdTest : public ::testing::TestWithParam<std::vector<std::string>> {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("tcpsmtpd");
    ProcessResult cp = RunShell(
        "set -e; mkdir -p " + dir_ + "/bin " + dir_ + "/root/control " + dir_ + "/q; cp " +
        RunfilePath("cmd/tcpserver/tcpserver") + " " +
        RunfilePath("cmd/yubin-smtpd/yubin-smtpd") + " " + dir_ + "/bin/");
    ASSERT_EQ(cp.exit_code, 0) << cp.err;
    WriteFileOrDie(dir_ + "/root/control/me", "mx.test\n");
    WriteFileOrDie(dir_ + "/root/control/rcpthosts", "example.com\n");
    const std::string rules =
        "127.0.0.1:allow,RELAYCLIENT=\"\",GREETDELAY=\"0\"\n127.0.0.2:deny\n";
    ProcessResult r = RunProcess({RunfilePath("cmd/tcprules/tcprules"), dir_ + "/rules.cdb",
                                  dir_ + "/rules.tmp"},
                                 {.input = rules});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Starts tcpserver with the extra flags and environment; false if it
  // does not accept connections within 10 s.
  bool Start(const std::vector<std::string>& env, const std::vector<std::string>& flags = {}) {
    port_ = PickFreePort();
    std::vector<std::string> argv = {dir_ + "/bin/tcpserver", "-1"};
    for (const std::string& flag : GetParam()) argv.push_back(flag);
    for (const std::string& flag : flags) argv.push_back(flag);
    argv.push_back("-x");
    argv.push_back(dir_ + "/rules.cdb");
    argv.push_back("127.0.0.1");
    argv.push_back(std::to_string(port_));
    argv.push_back(dir_ + "/bin/yubin-smtpd");
    RunOptions run;
    run.env = {"YUBIN_ROOT=" + dir_ + "/root", "QMAILQUEUE=" + RunfilePath("tests/queue_recorder"),
               "QUEUE_RECORDER_DIR=" + dir_ + "/q"};
    for (const std::string& e : env) run.env.push_back(e);
    // Ready when -1 has printed the port: no probe connection, whose
    // session could be mistaken for the test's.
    if (!server_.Start(argv, run, dir_ + "/port", dir_ + "/log")) return false;
    const std::string printed = std::to_string(port_) + "\n";
    return WaitUntil([&] { return ReadFileOrEmpty(dir_ + "/port") == printed; }, 10s);
  }

  // Waits until the sessions before have ended, so that the next child of
  // tcpserver is the next session's.
  bool NoSessionLeft() {
    return WaitUntil([&] { return FirstChild(server_.pid()) == 0; }, 10s);
  }

  // One session relaying to a domain outside rcpthosts, which only the
  // rule's RELAYCLIENT allows; returns the pid that served it.
  pid_t RelayOneMessage() {
    SmtpClient c;
    EXPECT_TRUE(c.Connect(port_));
    EXPECT_EQ(Code(c.ReadReply()), "220");
    pid_t child = 0;
    WaitUntil([&] { return (child = FirstChild(server_.pid())) > 0; }, 10s);
    c.Send("HELO client.test\r\nMAIL FROM:<a@client.test>\r\nRCPT TO:<u@elsewhere.test>\r\n"
           "DATA\r\n");
    EXPECT_EQ(Code(c.ReadReply()), "250");
    EXPECT_EQ(Code(c.ReadReply()), "250");
    EXPECT_EQ(Code(c.ReadReply()), "250") << "RELAYCLIENT from the rule reached smtpd";
    EXPECT_EQ(Code(c.ReadReply()), "354");
    c.Send("Subject: t\r\n\r\nbody\r\n.\r\n");
    EXPECT_EQ(Code(c.ReadReply()), "250") << ReadFileOrEmpty(dir_ + "/log");
    c.Send("QUIT\r\n");
    EXPECT_EQ(Code(c.ReadReply()), "221");
    return child;
  }

  struct Session {
    std::string exe;   // what the serving child runs
    std::string comm;  // its name
  };
  // Opens a session, looks at the child serving it, and quits.
  Session OneSession() {
    Session out;
    SmtpClient c;
    EXPECT_TRUE(c.Connect(port_));
    EXPECT_EQ(Code(c.ReadReply()), "220");
    pid_t child = 0;
    EXPECT_TRUE(WaitUntil([&] { return (child = FirstChild(server_.pid())) > 0; }, 10s));
    out.exe = Exe(child);
    out.comm = ReadFileOrEmpty("/proc/" + std::to_string(child) + "/comm");
    c.Send("QUIT\r\n");
    EXPECT_EQ(Code(c.ReadReply()), "221");
    return out;
  }

  // The recorder stores PID.msg; the test queues one message per server.
  std::string QueuedMessage() {
    ProcessResult r = RunShell("cat " + dir_ + "/q/*.msg");
    return r.out;
  }

  std::string dir_;
  int port_ = 0;
  ChildProcess server_;
};

TEST_P(TcpserverSmtpdTest, SiblingSmtpdRunsInTheForkedChild) {
  ASSERT_TRUE(Start({}));
  pid_t child = RelayOneMessage();
  ASSERT_GT(child, 0);
  // Checked after the session: the child lives until QUIT is answered.
  const std::string message = QueuedMessage();
  EXPECT_NE(message.find("[127.0.0.1]"), std::string::npos)
      << "TCPREMOTEIP reached smtpd:\n" << message;
  EXPECT_NE(message.find("Subject: t\n\nbody\n"), std::string::npos) << message;
}

TEST_P(TcpserverSmtpdTest, ChildIsTcpserverNamedYubinSmtpd) {
  ASSERT_TRUE(Start({}));
  Session s = OneSession();
  EXPECT_EQ(s.exe, dir_ + "/bin/tcpserver");
  EXPECT_EQ(s.comm, "yubin-smtpd\n");
}

TEST_P(TcpserverSmtpdTest, YubinSmtpdExecRunsTheProgram) {
  ASSERT_TRUE(Start({"YUBIN_SMTPD_EXEC=1"}));
  EXPECT_EQ(OneSession().exe, dir_ + "/bin/yubin-smtpd");
  ASSERT_TRUE(NoSessionLeft());
  pid_t relayed_by = RelayOneMessage();
  ASSERT_GT(relayed_by, 0);
  EXPECT_NE(QueuedMessage().find("[127.0.0.1]"), std::string::npos);
}

// A yubin-smtpd replaced while tcpserver runs (an upgrade) is another file:
// it is exec'd, not the old code linked into tcpserver.
TEST_P(TcpserverSmtpdTest, ReplacedYubinSmtpdIsExeced) {
  ASSERT_TRUE(Start({}));
  ProcessResult up = RunShell("cp " + dir_ + "/bin/yubin-smtpd " + dir_ + "/bin/new && mv " +
                              dir_ + "/bin/new " + dir_ + "/bin/yubin-smtpd");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(OneSession().exe, dir_ + "/bin/yubin-smtpd");
}

// The pids of the log's "pid N from" lines and the number of its "end"
// lines with status 0.
struct LogCounts {
  std::vector<std::string> pids;
  int ended_ok = 0;
};
LogCounts CountLog(const std::string& log) {
  LogCounts out;
  size_t at = 0;
  while ((at = log.find("tcpserver: pid ", at)) != std::string::npos) {
    at += 15;
    out.pids.push_back(log.substr(at, log.find(' ', at) - at));
  }
  at = 0;
  while ((at = log.find(" status 0\n", at)) != std::string::npos) {
    if (log.rfind("tcpserver: end ", at) != std::string::npos) ++out.ended_ok;
    ++at;
  }
  return out;
}

// -m 2: one process serves two connections in turn, each with its own
// rule (RELAYCLIENT) and address, and the log has a pid, ok and end line
// for each; the third connection gets a new process.
TEST_P(TcpserverSmtpdTest, WorkersServeConnectionsInTurn) {
  ASSERT_TRUE(Start({}, {"-v", "-m", "2"}));
  LogCounts log;
  for (int i = 1; i <= 3; ++i) {
    ASSERT_GT(RelayOneMessage(), 0) << ReadFileOrEmpty(dir_ + "/log");
    // Its end is logged when the worker has reported and is idle again;
    // a client quicker than that would get a process of its own.
    ASSERT_TRUE(WaitUntil(
        [&] { return (log = CountLog(ReadFileOrEmpty(dir_ + "/log"))).ended_ok == i; }, 10s))
        << ReadFileOrEmpty(dir_ + "/log");
  }
  ASSERT_EQ(log.pids.size(), 3u) << ReadFileOrEmpty(dir_ + "/log");
  EXPECT_EQ(log.pids[0], log.pids[1]);
  EXPECT_NE(log.pids[1], log.pids[2]);
  ProcessResult queued = RunShell("grep -l '\\[127.0.0.1\\]' " + dir_ + "/q/*.msg | wc -l");
  EXPECT_EQ(queued.out, "3\n") << "TCPREMOTEIP reached each session";
}

// A denied client does not cost the idle worker its place: the next
// allowed client is served by the same process.
TEST_P(TcpserverSmtpdTest, ADeniedClientLeavesTheIdleWorker) {
  ASSERT_TRUE(Start({}, {"-v", "-m", "5"}));
  ASSERT_GT(RelayOneMessage(), 0);
  ASSERT_TRUE(WaitUntil([&] { return CountLog(ReadFileOrEmpty(dir_ + "/log")).ended_ok == 1; },
                        10s));
  UniqueSocket denied = Connect("127.0.0.1", port_, "127.0.0.2");
  ASSERT_TRUE(denied.valid());
  bool eof = false;
  EXPECT_EQ(ReadUntilEof(denied.get(), 10s, &eof), "");
  EXPECT_TRUE(eof);
  // 25600: exit 100, a deny.
  ASSERT_TRUE(WaitUntil(
      [&] { return ReadFileOrEmpty(dir_ + "/log").find(" status 25600\n") != std::string::npos; },
      10s))
      << ReadFileOrEmpty(dir_ + "/log");
  ASSERT_GT(RelayOneMessage(), 0);
  LogCounts log;
  ASSERT_TRUE(WaitUntil(
      [&] { return (log = CountLog(ReadFileOrEmpty(dir_ + "/log"))).ended_ok == 2; }, 10s));
  ASSERT_GE(log.pids.size(), 2u);
  EXPECT_EQ(log.pids.front(), log.pids.back()) << ReadFileOrEmpty(dir_ + "/log");
}

// A busy worker counts against -c: with -c 1 the second client is
// accepted only when the first session ends, although the worker that
// served it is then idle and could have been joined by another.
TEST_P(TcpserverSmtpdTest, BusyWorkersCountAgainstTheLimit) {
  ASSERT_TRUE(Start({}, {"-c", "1", "-m", "5"}));
  SmtpClient first;
  ASSERT_TRUE(first.Connect(port_));
  EXPECT_EQ(Code(first.ReadReply()), "220");
  SmtpClient second;
  ASSERT_TRUE(second.Connect(port_));  // waits in the backlog
  EXPECT_EQ(second.ReadReply(300ms), "TIMEOUT");
  first.Send("QUIT\r\n");
  EXPECT_EQ(Code(first.ReadReply()), "221");
  EXPECT_EQ(Code(second.ReadReply()), "220");
  second.Send("QUIT\r\n");
  EXPECT_EQ(Code(second.ReadReply()), "221");
}

// "-H -l" (the parent prepares the connection) and the default of name
// lookups in the child (as the smtpd service runs it).
// The Anonymous: kilobytes of pid's executable mapping of the C library.
long LibcCodeAnonymousKb(pid_t pid) {
  const std::string smaps = ReadFileOrEmpty("/proc/" + std::to_string(pid) + "/smaps");
  size_t at = smaps.find(" r-xp ");
  while (at != std::string::npos) {
    const size_t eol = smaps.find('\n', at);
    if (smaps.substr(at, eol - at).find("/libc.so") != std::string::npos) {
      const size_t anon = smaps.find("\nAnonymous:", eol);
      return anon == std::string::npos ? -1 : std::atol(smaps.c_str() + anon + 11);
    }
    at = smaps.find(" r-xp ", eol);
  }
  return -1;
}

// Running smtpd in process, tcpserver gives its code mappings a private
// page (lib/tcpserver/code_mappings.h), and does so before -u/-g change its
// ids: after that it may no longer open its own /proc/self/mem.
TEST_P(TcpserverSmtpdTest, CodeMappingsArePreparedBeforeTheIdsChange) {
  if (!HaveRealRoot()) GTEST_SKIP() << "needs real root for -u/-g, as CI has";
  ASSERT_TRUE(Start({}, {"-u", "65534", "-g", "65534"})) << ReadFileOrEmpty(dir_ + "/log");
  EXPECT_GT(LibcCodeAnonymousKb(server_.pid()), 0);
}

INSTANTIATE_TEST_SUITE_P(ChildPaths, TcpserverSmtpdTest,
                         ::testing::Values(std::vector<std::string>{"-H", "-R", "-l", "mx.test"},
                                           std::vector<std::string>{"-R"}));

}  // namespace
}  // namespace yubin::testing
