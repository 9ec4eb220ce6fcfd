// Integration tests: yubin's tcpserver, tcprules and tcprulescheck on
// loopback, with programs run per connection.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/tcpserver_fixture.h"

namespace yubin::testing {
namespace {

// Holds the connection open until the client shuts down its side.
const std::vector<std::string> kHoldProgram = {"sh", "-c", "echo go; exec cat"};

class TcpserverTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("tcpserver"); }
  std::string Rules(const std::string& text, const std::string& name = "r") {
    std::string cdb = CompileRules(OurTcprules(), dir_, name, text);
    EXPECT_FALSE(cdb.empty()) << "tcprules failed on: " << text;
    return cdb;
  }
  std::string dir_;
};

TEST_F(TcpserverTest, ProgramSeesUcspiEnvironment) {
  std::string cdb = Rules("127.:allow,RELAYCLIENT=\"\",GREETING='hi there'\n"
                          ":allow\n");
  RunningServer s;
  ASSERT_TRUE(s.Start({OurTcpserver(), "-HR", "-l", "mx.example", "-x", cdb,
                       "127.0.0.1", "0", "env"},
                      {.env = {"TCPREMOTEINFO=stale", "TCPREMOTEHOST=stale"}}));
  UniqueSocket c = Connect("127.0.0.1", s.port());
  ASSERT_TRUE(c.valid());
  sockaddr_in self{};
  socklen_t len = sizeof self;
  getsockname(c.get(), reinterpret_cast<sockaddr*>(&self), &len);
  bool eof = false;
  std::map<std::string, std::string> env = ParseEnv(ReadUntilEof(c.get(), 10s, &eof));
  EXPECT_TRUE(eof);
  EXPECT_EQ(env["PROTO"], "TCP");
  EXPECT_EQ(env["TCPLOCALIP"], "127.0.0.1");
  EXPECT_EQ(env["TCPLOCALPORT"], std::to_string(s.port()));
  EXPECT_EQ(env["TCPLOCALHOST"], "mx.example");
  EXPECT_EQ(env["TCPREMOTEIP"], "127.0.0.1");
  EXPECT_EQ(env["TCPREMOTEPORT"], std::to_string(ntohs(self.sin_port)));
  EXPECT_EQ(env.count("TCPREMOTEHOST"), 0u) << "got " << env["TCPREMOTEHOST"];
  EXPECT_EQ(env.count("TCPREMOTEINFO"), 0u) << "got " << env["TCPREMOTEINFO"];
  ASSERT_EQ(env.count("RELAYCLIENT"), 1u) << "RELAYCLIENT not set";
  EXPECT_EQ(env["RELAYCLIENT"], "");
  EXPECT_EQ(env["GREETING"], "hi there");
}

// With -h (the default) the forked child looks names up and reads the rules
// itself; without lookups the server does that before fork. Both ways must
// give the same environment. RES_OPTIONS bounds how long an unreachable DNS server
// can make the lookup take.
TEST_F(TcpserverTest, ChildPlannedAndServerPlannedConnectionsAgree) {
  std::string cdb = Rules("127.:allow,RELAYCLIENT=\"\",X=\"y\"\n");
  std::map<std::string, std::string> envs[2];
  const std::vector<std::string> flags[2] = {{"-HR", "-l", "mx.example"},
                                             {"-hpR", "-l", "mx.example"}};
  for (int i = 0; i < 2; ++i) {
    RunningServer s;
    std::vector<std::string> argv = {OurTcpserver()};
    argv.insert(argv.end(), flags[i].begin(), flags[i].end());
    argv.insert(argv.end(), {"-x", cdb, "127.0.0.1", "0", "env"});
    ASSERT_TRUE(s.Start(argv, {.env = {"RES_OPTIONS=timeout:1 attempts:1"}}));
    UniqueSocket c = Connect("127.0.0.1", s.port());
    envs[i] = ParseEnv(ReadUntilEof(c.get(), 20s));
    envs[i].erase("TCPREMOTEPORT");
    envs[i].erase("TCPLOCALPORT");
    envs[i].erase("TCPREMOTEHOST");  // whatever DNS says, if reachable
    EXPECT_EQ(envs[i]["RELAYCLIENT"], "") << flags[i][0];
    EXPECT_EQ(envs[i]["X"], "y") << flags[i][0];
  }
  EXPECT_EQ(envs[0], envs[1]);
}

TEST_F(TcpserverTest, RelayClientOnlyForTheRuleAddress) {
  std::string cdb = Rules("127.0.0.1:allow,RELAYCLIENT=\"\"\n:allow\n");
  RunningServer s;
  ASSERT_TRUE(s.Start({OurTcpserver(), "-HRl0", "-x", cdb, "127.0.0.1", "0", "env"}));
  UniqueSocket a = Connect("127.0.0.1", s.port(), "127.0.0.1");
  UniqueSocket b = Connect("127.0.0.1", s.port(), "127.0.0.2");
  ASSERT_TRUE(a.valid() && b.valid());
  EXPECT_EQ(ParseEnv(ReadUntilEof(a.get(), 10s)).count("RELAYCLIENT"), 1u);
  std::map<std::string, std::string> env_b = ParseEnv(ReadUntilEof(b.get(), 10s));
  EXPECT_EQ(env_b["TCPREMOTEIP"], "127.0.0.2");
  EXPECT_EQ(env_b.count("RELAYCLIENT"), 0u);
}

TEST_F(TcpserverTest, DenyClosesWithoutRunningTheProgram) {
  std::string cdb = Rules("127.0.0.1:deny\n:allow\n");
  std::string ran = dir_ + "/ran";
  RunningServer s;
  ASSERT_TRUE(s.Start({OurTcpserver(), "-vHRl0", "-x", cdb, "127.0.0.1", "0",
                       "sh", "-c", "echo ran; touch " + ran}));
  UniqueSocket c = Connect("127.0.0.1", s.port(), "127.0.0.1");
  ASSERT_TRUE(c.valid());
  bool eof = false;
  EXPECT_EQ(ReadUntilEof(c.get(), 10s, &eof), "");
  EXPECT_TRUE(eof);
  EXPECT_TRUE(WaitUntil([&] { return s.LogContains("status 25600"); }, 10s))
      << s.Log();
  EXPECT_TRUE(s.LogContains("tcpserver: deny ")) << s.Log();
  EXPECT_FALSE(FileExists(ran));
  // Another address is allowed by ":allow".
  UniqueSocket d = Connect("127.0.0.1", s.port(), "127.0.0.2");
  EXPECT_EQ(ReadUntilEof(d.get(), 10s), "ran\n");
}

TEST_F(TcpserverTest, RulesAreReopenedForEveryConnection) {
  std::string cdb = Rules(":allow\n");
  RunningServer s;
  ASSERT_TRUE(s.Start({OurTcpserver(), "-HRl0", "-x", cdb, "127.0.0.1", "0",
                       "echo", "ok"}));
  UniqueSocket a = Connect("127.0.0.1", s.port());
  EXPECT_EQ(ReadUntilEof(a.get(), 10s), "ok\n");
  ASSERT_EQ(Rules(":deny\n"), cdb);
  UniqueSocket b = Connect("127.0.0.1", s.port());
  EXPECT_EQ(ReadUntilEof(b.get(), 10s), "");
  // The server keeps the cdb mapped between connections: a file that is
  // gone is gone for the next connection too (dropped, no -X)...
  ASSERT_TRUE(Rules(":allow\n") == cdb);
  UniqueSocket c = Connect("127.0.0.1", s.port());
  EXPECT_EQ(ReadUntilEof(c.get(), 10s), "ok\n");
  ASSERT_EQ(unlink(cdb.c_str()), 0);
  UniqueSocket d = Connect("127.0.0.1", s.port());
  EXPECT_EQ(ReadUntilEof(d.get(), 10s), "");
  // ...and one written over in place is read again.
  const std::string deny = Rules(":deny\n", "deny");
  ASSERT_TRUE(Rules(":allow\n") == cdb);
  UniqueSocket f = Connect("127.0.0.1", s.port());
  EXPECT_EQ(ReadUntilEof(f.get(), 10s), "ok\n");
  {
    std::ifstream in(deny, std::ios::binary);
    std::ofstream out(cdb, std::ios::binary | std::ios::trunc);
    out << in.rdbuf();
  }
  UniqueSocket e = Connect("127.0.0.1", s.port());
  EXPECT_EQ(ReadUntilEof(e.get(), 10s), "");
}

TEST_F(TcpserverTest, MissingRulesDropUnlessX) {
  std::string missing = dir_ + "/missing.cdb";
  RunningServer strict;
  ASSERT_TRUE(strict.Start({OurTcpserver(), "-HRl0", "-x", missing,
                            "127.0.0.1", "0", "echo", "ok"}));
  UniqueSocket a = Connect("127.0.0.1", strict.port());
  EXPECT_EQ(ReadUntilEof(a.get(), 10s), "");
  EXPECT_TRUE(WaitUntil(
      [&] {
        return strict.LogContains(
            "tcpserver: warning: dropping connection, unable to read " +
            missing);
      },
      10s))
      << strict.Log();
  RunningServer lenient;
  ASSERT_TRUE(lenient.Start({OurTcpserver(), "-XHRl0", "-x", missing,
                             "127.0.0.1", "0", "echo", "ok"}));
  UniqueSocket b = Connect("127.0.0.1", lenient.port());
  EXPECT_EQ(ReadUntilEof(b.get(), 10s), "ok\n");
}

TEST_F(TcpserverTest, BannerComesFirst) {
  RunningServer s;
  ASSERT_TRUE(s.Start({OurTcpserver(), "-HRl0", "-B", "220 hello\r\n",
                       "127.0.0.1", "0", "echo", "ok"}));
  UniqueSocket c = Connect("127.0.0.1", s.port());
  EXPECT_EQ(ReadUntilEof(c.get(), 10s), "220 hello\r\nok\n");
}

TEST_F(TcpserverTest, ConcurrencyLimitHoldsTheThirdUntilOneEnds) {
  RunningServer s;
  std::vector<std::string> argv = {OurTcpserver(), "-vHRl0", "-c", "2",
                                   "127.0.0.1", "0"};
  argv.insert(argv.end(), kHoldProgram.begin(), kHoldProgram.end());
  ASSERT_TRUE(s.Start(argv));
  UniqueSocket a = Connect("127.0.0.1", s.port());
  UniqueSocket b = Connect("127.0.0.1", s.port());
  ASSERT_TRUE(ReadUntil(a.get(), "go\n", 10s));
  ASSERT_TRUE(ReadUntil(b.get(), "go\n", 10s));
  // The third connects (the kernel queues it) but is not served.
  UniqueSocket c = Connect("127.0.0.1", s.port());
  ASSERT_TRUE(c.valid());
  std::string got;
  EXPECT_FALSE(ReadUntil(c.get(), "go\n", 500ms, &got))
      << "third connection served at -c 2";
  EXPECT_TRUE(s.LogContains("tcpserver: status: 2/2")) << s.Log();
  shutdown(a.get(), SHUT_WR);  // cat ends, the first child exits
  EXPECT_TRUE(ReadUntil(c.get(), "go\n", 10s))
      << "third connection not served after one ended";
}

TEST_F(TcpserverTest, PerIpLimitRefusesOneAddressOnly) {
  RunningServer s;
  std::vector<std::string> argv = {OurTcpserver(), "-HRl0", "-C", "2",
                                   "127.0.0.1", "0"};
  argv.insert(argv.end(), kHoldProgram.begin(), kHoldProgram.end());
  ASSERT_TRUE(s.Start(argv));
  UniqueSocket a = Connect("127.0.0.1", s.port(), "127.0.0.1");
  UniqueSocket b = Connect("127.0.0.1", s.port(), "127.0.0.1");
  ASSERT_TRUE(ReadUntil(a.get(), "go\n", 10s));
  ASSERT_TRUE(ReadUntil(b.get(), "go\n", 10s));
  UniqueSocket c = Connect("127.0.0.1", s.port(), "127.0.0.1");
  bool eof = false;
  EXPECT_EQ(ReadUntilEof(c.get(), 10s, &eof), "");
  EXPECT_TRUE(eof) << "third connection from 127.0.0.1 not closed";
  EXPECT_TRUE(WaitUntil(
      [&] {
        return s.LogContains(
            "tcpserver: refuse 127.0.0.1 per-IP concurrency limit 2");
      },
      10s))
      << s.Log();
  UniqueSocket d = Connect("127.0.0.1", s.port(), "127.0.0.2");
  EXPECT_TRUE(ReadUntil(d.get(), "go\n", 10s)) << "127.0.0.2 refused";
  // When one from 127.0.0.1 ends, 127.0.0.1 gets in again.
  shutdown(a.get(), SHUT_WR);
  EXPECT_TRUE(ReadUntilEof(a.get(), 10s).empty());
  bool served = WaitUntil(
      [&] {
        UniqueSocket e = Connect("127.0.0.1", s.port(), "127.0.0.1");
        return ReadUntil(e.get(), "go\n", 1s);
      },
      10s);
  EXPECT_TRUE(served);
}

TEST_F(TcpserverTest, PerIpRateRefusesOneAddressOnly) {
  RunningServer s;
  ASSERT_TRUE(s.Start({OurTcpserver(), "-HRl0", "-L", "2", "127.0.0.1", "0",
                       "echo", "ok"}));
  for (int i = 0; i < 2; ++i) {
    UniqueSocket c = Connect("127.0.0.1", s.port(), "127.0.0.1");
    EXPECT_EQ(ReadUntilEof(c.get(), 10s), "ok\n") << "connection " << i;
  }
  UniqueSocket third = Connect("127.0.0.1", s.port(), "127.0.0.1");
  EXPECT_EQ(ReadUntilEof(third.get(), 10s), "");
  EXPECT_TRUE(WaitUntil(
      [&] {
        return s.LogContains("tcpserver: refuse 127.0.0.1 per-IP rate limit 2/minute");
      },
      10s))
      << s.Log();
  UniqueSocket other = Connect("127.0.0.1", s.port(), "127.0.0.2");
  EXPECT_EQ(ReadUntilEof(other.get(), 10s), "ok\n");
}

TEST_F(TcpserverTest, ChildCrashDoesNotAffectTheServer) {
  RunningServer s;
  ASSERT_TRUE(s.Start({OurTcpserver(), "-vHRl0", "127.0.0.1", "0", "sh", "-c",
                       "read x; [ \"$x\" = crash ] && kill -SEGV $$; echo alive"}));
  UniqueSocket a = Connect("127.0.0.1", s.port());
  ASSERT_TRUE(SendAll(a.get(), "crash\n"));
  bool eof = false;
  EXPECT_EQ(ReadUntilEof(a.get(), 10s, &eof), "");
  EXPECT_TRUE(eof);
  EXPECT_TRUE(WaitUntil([&] { return s.LogContains(" status 11\n") ||
                                     s.LogContains(" status 139\n"); },
                        10s))
      << s.Log();
  UniqueSocket b = Connect("127.0.0.1", s.port());
  ASSERT_TRUE(SendAll(b.get(), "hello\n"));
  EXPECT_EQ(ReadUntilEof(b.get(), 10s), "alive\n");
  EXPECT_TRUE(s.process().running());
}

TEST_F(TcpserverTest, Ipv6RulesAndEnvironment) {
  std::string cdb = Rules("::1:allow,SIX=\"yes\"\n:deny\n");
  RunningServer s;
  ASSERT_TRUE(s.Start({OurTcpserver(), "-HRl0", "-x", cdb, "::1", "0", "env"}));
  UniqueSocket c = Connect("::1", s.port());
  ASSERT_TRUE(c.valid());
  std::map<std::string, std::string> env = ParseEnv(ReadUntilEof(c.get(), 10s));
  EXPECT_EQ(env["PROTO"], "TCP6");
  EXPECT_EQ(env["TCPREMOTEIP"], "::1");
  EXPECT_EQ(env["TCPLOCALIP"], "::1");
  EXPECT_EQ(env["SIX"], "yes");
}

TEST_F(TcpserverTest, DualStackShowsIpv4ClientsAsIpv4) {
  std::string cdb = Rules("127.:allow,FOUR=\"yes\"\n:deny\n");
  RunningServer s;
  ASSERT_TRUE(s.Start({OurTcpserver(), "-HRl0", "-x", cdb, "::", "0", "env"}));
  UniqueSocket c = Connect("127.0.0.1", s.port());
  std::map<std::string, std::string> env = ParseEnv(ReadUntilEof(c.get(), 10s));
  EXPECT_EQ(env["PROTO"], "TCP");
  EXPECT_EQ(env["TCPREMOTEIP"], "127.0.0.1");
  EXPECT_EQ(env["FOUR"], "yes");
}

TEST_F(TcpserverTest, UsageAndBindErrors) {
  EXPECT_EQ(RunProcess({OurTcpserver(), "0", "0"}).exit_code, 100);
  EXPECT_EQ(RunProcess({OurTcpserver(), "-c", "0", "0", "0", "echo"}).exit_code,
            100);
  ProcessResult r = RunProcess({OurTcpserver(), "127.0.0.1", "nosuchport", "echo"});
  EXPECT_EQ(r.exit_code, 111);
  EXPECT_EQ(r.err, "tcpserver: fatal: unable to figure out port number for nosuchport\n");
}

}  // namespace
}  // namespace yubin::testing
