// Integration tests: yubin's tcprules and tcprulescheck commands.
#include <string>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/tcpserver_fixture.h"

namespace yubin::testing {
namespace {

TEST(TcprulesTest, BadLineExits100NamesTheLineAndKeepsTheOldCdb) {
  std::string dir = MakeTempDir("tcprules");
  std::string cdb = CompileRules(OurTcprules(), dir, "r", ":allow\n");
  ASSERT_FALSE(cdb.empty());
  std::string before = ReadFileOrEmpty(cdb);
  ProcessResult r = RunProcess(
      {OurTcprules(), cdb, dir + "/r.tmp"},
      {.input = "# comment\n127.:allow,RELAYCLIENT=\"\"\n10.0.0.1:allow,X=\"open\n"});
  EXPECT_EQ(r.exit_code, 100);
  EXPECT_EQ(r.err,
            "tcprules: fatal: line 3: value has no closing quote: "
            "10.0.0.1:allow,X=\"open\n");
  EXPECT_EQ(ReadFileOrEmpty(cdb), before);
  EXPECT_FALSE(FileExists(dir + "/r.tmp"));
}

TEST(TcprulesTest, UnwritableTmpExits111) {
  std::string dir = MakeTempDir("tcprules");
  ProcessResult r = RunProcess({OurTcprules(), dir + "/r.cdb",
                                dir + "/no/such/dir/r.tmp"},
                               {.input = ":allow\n"});
  EXPECT_EQ(r.exit_code, 111) << r.err;
  EXPECT_FALSE(FileExists(dir + "/r.cdb"));
}

TEST(TcprulesTest, Usage) {
  EXPECT_EQ(RunProcess({OurTcprules(), "only-one"}).exit_code, 100);
  ProcessResult help = RunProcess({OurTcprules(), "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: tcprules"), std::string::npos);
}

TEST(TcprulescheckTest, EnvironmentOrArguments) {
  std::string dir = MakeTempDir("tcprulescheck");
  std::string cdb = CompileRules(OurTcprules(), dir, "r",
                                 "joe@10.0.0.1:deny\n"
                                 "127.:allow,RELAYCLIENT=\"\"\n"
                                 "=.example.com:allow,DOMAIN=\"1\"\n");
  ASSERT_FALSE(cdb.empty());
  ProcessResult r = RunProcess({OurTcprulescheck(), cdb},
                               {.env = {"TCPREMOTEIP=127.0.0.1"}});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out,
            "rule 127.:\nset environment variable RELAYCLIENT=\n"
            "allow connection\n");
  r = RunProcess({OurTcprulescheck(), cdb, "10.0.0.1", "h.example.com", "joe"});
  EXPECT_EQ(r.out, "rule joe@10.0.0.1:\ndeny connection\n");
  r = RunProcess({OurTcprulescheck(), cdb, "10.0.0.1", "h.example.com"},
                 {.env = {"TCPREMOTEINFO=bob"}});
  EXPECT_EQ(r.out,
            "rule =.example.com:\nset environment variable DOMAIN=1\n"
            "allow connection\n");
  r = RunProcess({OurTcprulescheck(), cdb, "10.9.9.9"});
  EXPECT_EQ(r.out, "default:\nallow connection\n");
  r = RunProcess({OurTcprulescheck(), dir + "/missing.cdb"});
  EXPECT_EQ(r.exit_code, 111);
  EXPECT_EQ(RunProcess({OurTcprulescheck()}).exit_code, 100);
}

}  // namespace
}  // namespace yubin::testing
