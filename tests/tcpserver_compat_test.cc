// Interop with Debian's ucspi-tcp 0.88: cdb files, tcprulescheck reports,
// child environments and -v log lines compared side by side.
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/tcpserver_fixture.h"

namespace yubin::testing {
namespace {

constexpr char kRichRules[] =
    "# every form tcprules knows\n"
    "joe@127.0.0.1:allow,WHO=\"joe@ip\"\n"
    "joe@=h.example.com:allow,WHO=\"joe@host\"\n"
    "127.0.0.1:allow,RELAYCLIENT=\"\",WHO=\"ip\"\n"
    "127.0.0.2:deny\n"
    "=h.example.com:allow,WHO=/=host/\n"
    "127.0.0.3-5:allow,WHO='range',A=\"a,b\",B=:x=y:\n"
    "10.2-3.:allow,WHO=\"10.range\"\n"
    "127.0.:allow,WHO=\"127.0.\"\n"
    "=.example.com:deny,WHO=\"suffix\"\n"
    "  spaced:allow  \n"
    "no colon is ignored\n"
    "\n"
    "=:allow,WHO=\"=\"\n"
    "127.0.0.1:deny\n"
    ":allow,WHO=\"default\"\n";

class CompatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* peer : {kUcspiTcpserver, kUcspiTcprules, kUcspiTcprulescheck}) {
      if (access(peer, X_OK) != 0)
        GTEST_SKIP() << peer << " is not installed (apt-get install ucspi-tcp; "
                     << "tools/test installs it)";
    }
    dir_ = MakeTempDir("compat");
  }
  std::string dir_;
};

TEST_F(CompatTest, CdbFilesAreByteIdentical) {
  std::string theirs = CompileRules(kUcspiTcprules, dir_, "theirs", kRichRules);
  std::string ours = CompileRules(OurTcprules(), dir_, "ours", kRichRules);
  ASSERT_FALSE(theirs.empty());
  ASSERT_FALSE(ours.empty());
  std::string want = ReadFileOrEmpty(theirs);
  EXPECT_GT(want.size(), 2048u);
  EXPECT_TRUE(ReadFileOrEmpty(ours) == want) << "cdb files differ";
}

TEST_F(CompatTest, SameVerdictOnOddLines) {
  const std::vector<std::string> lines = {
      "1.2.3.4:bogus",        "1.2.3.4:allow,X=\"abc", "1.2.3.4:allow,X",
      "1.2.3.4:allow,",       "1.2.3-a.:deny",         "a-b:deny",
      "1.2.3.4:allow\r",      "a:b:allow",             "1.2.3.4:allow,,X=\"1\"",
      "1.2.3.39-37:deny",     "1.2.-3.:deny",          "1.2.3-300.:deny",
      "-:deny",               "x=1-2.:deny",           "1-2.3-4.:deny",
      "1.2.3.4:deny,X=\"\"",  "#1.2.3.4:deny",         "1.2.3.4:allow,=\"\""};
  for (const std::string& line : lines) {
    std::string input = line + "\n";
    ProcessResult theirs = RunProcess(
        {kUcspiTcprules, dir_ + "/t.cdb", dir_ + "/t.tmp"}, {.input = input});
    ProcessResult ours = RunProcess(
        {OurTcprules(), dir_ + "/o.cdb", dir_ + "/o.tmp"}, {.input = input});
    EXPECT_EQ(ours.exit_code, theirs.exit_code) << "line: " << line;
    if (theirs.exit_code == 0 && ours.exit_code == 0) {
      EXPECT_TRUE(ReadFileOrEmpty(dir_ + "/o.cdb") ==
                  ReadFileOrEmpty(dir_ + "/t.cdb"))
          << "cdb differs for line: " << line;
    }
  }
}

TEST_F(CompatTest, TcprulescheckAgrees) {
  std::string cdb = CompileRules(kUcspiTcprules, dir_, "r", kRichRules);
  ASSERT_FALSE(cdb.empty());
  const std::vector<std::vector<std::string>> queries = {
      {"TCPREMOTEIP=127.0.0.1"},
      {"TCPREMOTEIP=127.0.0.1", "TCPREMOTEINFO=joe"},
      {"TCPREMOTEIP=127.0.0.9", "TCPREMOTEINFO=joe", "TCPREMOTEHOST=h.example.com"},
      {"TCPREMOTEIP=127.0.0.2"},
      {"TCPREMOTEIP=127.0.0.4"},
      {"TCPREMOTEIP=10.3.7.7"},
      {"TCPREMOTEIP=127.0.9.9"},
      {"TCPREMOTEIP=9.9.9.9", "TCPREMOTEHOST=h.example.com"},
      {"TCPREMOTEIP=9.9.9.9", "TCPREMOTEHOST=x.example.com"},
      {"TCPREMOTEIP=9.9.9.9", "TCPREMOTEHOST=other.org"},
      {"TCPREMOTEIP=9.9.9.9"},
      {"TCPREMOTEIP=  spaced"},
  };
  for (const std::vector<std::string>& env : queries) {
    ProcessResult theirs = RunProcess({kUcspiTcprulescheck, cdb}, {.env = env});
    ProcessResult ours = RunProcess({OurTcprulescheck(), cdb}, {.env = env});
    EXPECT_EQ(ours.exit_code, theirs.exit_code) << env[0];
    EXPECT_EQ(ours.out, theirs.out) << "for " << ::testing::PrintToString(env);
  }
}

// The environment a program sees through the given server and cdb, from the
// given source address; ports (which differ by nature) are dropped.
std::map<std::string, std::string> EnvThrough(const std::string& server,
                                              const std::string& cdb,
                                              const std::string& source) {
  RunningServer s;
  if (!s.Start({server, "-HR", "-l", "mx.example", "-x", cdb, "127.0.0.1",
                "0", "env"},
               {.env = {"TCPREMOTEINFO=stale"}}))
    return {};
  UniqueSocket c = Connect("127.0.0.1", s.port(), source);
  std::map<std::string, std::string> env =
      ParseEnv(ReadUntilEof(c.get(), std::chrono::seconds(10)));
  if (!env.empty()) {
    EXPECT_EQ(env["TCPLOCALPORT"], std::to_string(s.port())) << server;
  }
  env.erase("TCPLOCALPORT");
  env.erase("TCPREMOTEPORT");
  return env;
}

void CompareServers(const std::string& cdb) {
  for (const char* source : {"127.0.0.1", "127.0.0.2", "127.0.0.4", "127.0.0.7"}) {
    std::map<std::string, std::string> theirs =
        EnvThrough(kUcspiTcpserver, cdb, source);
    std::map<std::string, std::string> ours =
        EnvThrough(OurTcpserver(), cdb, source);
    EXPECT_EQ(ours, theirs) << "from " << source;
    if (std::string(source) == "127.0.0.1") {
      EXPECT_EQ(ours.count("RELAYCLIENT"), 1u);
      EXPECT_EQ(ours["WHO"], "ip");
    }
    if (std::string(source) == "127.0.0.2") {
      EXPECT_TRUE(ours.empty()) << "denied, yet the program ran";
    }
  }
}

TEST_F(CompatTest, UcspiCdbHonouredByOurTcpserver) {
  std::string cdb = CompileRules(kUcspiTcprules, dir_, "theirs", kRichRules);
  ASSERT_FALSE(cdb.empty());
  CompareServers(cdb);
}

TEST_F(CompatTest, OurCdbHonouredByUcspiTcpserver) {
  std::string cdb = CompileRules(OurTcprules(), dir_, "ours", kRichRules);
  ASSERT_FALSE(cdb.empty());
  CompareServers(cdb);
}

// -v lines with pids and ports replaced, after one ok and one deny.
std::string NormalizedLog(const std::string& server, const std::string& cdb) {
  RunningServer s;
  if (!s.Start({server, "-vHR", "-l", "mx.example", "-x", cdb, "127.0.0.1",
                "0", "echo", "ok"}))
    return "server did not start";
  for (const char* source : {"127.0.0.1", "127.0.0.2"}) {
    size_t ends = 0;
    for (size_t p = 0; (p = s.Log().find(" end ", p)) != std::string::npos; ++p)
      ++ends;
    UniqueSocket c = Connect("127.0.0.1", s.port(), source);
    ReadUntilEof(c.get(), std::chrono::seconds(10));
    WaitUntil(
        [&] {
          std::string log = s.Log();
          size_t n = 0;
          for (size_t p = 0; (p = log.find(" end ", p)) != std::string::npos; ++p)
            ++n;
          const std::string idle = "tcpserver: status: 0/40\n";
          return n > ends && log.size() >= idle.size() &&
                 log.compare(log.size() - idle.size(), idle.size(), idle) == 0;
        },
        std::chrono::seconds(10));
  }
  std::string log = s.Log();
  log = std::regex_replace(log, std::regex("(pid|ok|deny|end) [0-9]+"), "$1 PID");
  log = std::regex_replace(log, std::regex(":[0-9]{4,5}( |\n)"), ":PORT$1");
  return log;
}

TEST_F(CompatTest, VerboseLogLinesMatch) {
  std::string cdb = CompileRules(kUcspiTcprules, dir_, "r", kRichRules);
  std::string theirs = NormalizedLog(kUcspiTcpserver, cdb);
  std::string ours = NormalizedLog(OurTcpserver(), cdb);
  EXPECT_EQ(ours, theirs);
  EXPECT_NE(ours.find("tcpserver: deny PID mx.example:127.0.0.1:PORT "
                      ":127.0.0.2::PORT\n"),
            std::string::npos)
      << ours;
}

}  // namespace
}  // namespace yubin::testing
