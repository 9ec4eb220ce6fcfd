// tcpserver -u/-g/-U as real root: the server and its children run as the
// asked ids, and a failed switch stops the server before it serves anyone.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/tcpserver_fixture.h"

namespace yubin::testing {
namespace {

constexpr char kNobody[] = "65534";

class PrivilegesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveRealRoot())
      GTEST_SKIP() << "needs real root (setuid/setgid); run outside the "
                      "sandbox as root, as CI does";
  }
};

// The "Uid:" or "Gid:" line of /proc/PID/status, tabs and all.
std::string ProcStatusLine(pid_t pid, const std::string& key) {
  std::string status = ReadFileOrEmpty("/proc/" + std::to_string(pid) + "/status");
  size_t at = status.find("\n" + key + ":");
  if (at == std::string::npos) return "";
  size_t end = status.find('\n', at + 1);
  return status.substr(at + 1, end - at - 1);
}

TEST_F(PrivilegesTest, ServerAndChildrenRunAsTheAskedIds) {
  RunningServer s;
  ASSERT_TRUE(s.Start({OurTcpserver(), "-HRl0", "-u", "65534", "-g", "65533",
                       "127.0.0.1", "0", "sh", "-c", "id -u; id -g; id -G"}));
  UniqueSocket c = Connect("127.0.0.1", s.port());
  EXPECT_EQ(ReadUntilEof(c.get(), 10s), "65534\n65533\n65533\n");
  EXPECT_EQ(ProcStatusLine(s.process().pid(), "Uid"),
            "Uid:\t65534\t65534\t65534\t65534");
  EXPECT_EQ(ProcStatusLine(s.process().pid(), "Gid"),
            "Gid:\t65533\t65533\t65533\t65533");
  EXPECT_EQ(ProcStatusLine(s.process().pid(), "Groups"), "Groups:\t65533 ");
}

TEST_F(PrivilegesTest, UidWithoutGidDropsSupplementaryGroups) {
  RunningServer s;
  ASSERT_TRUE(s.Start({OurTcpserver(), "-HRl0", "-u", kNobody, "127.0.0.1",
                       "0", "sh", "-c", "id -u; id -G"}));
  UniqueSocket c = Connect("127.0.0.1", s.port());
  // Only the primary group (root's 0) is left, no supplementary ones.
  EXPECT_EQ(ReadUntilEof(c.get(), 10s), "65534\n0\n");
  EXPECT_EQ(ProcStatusLine(s.process().pid(), "Groups"), "Groups:\t ");
}

TEST_F(PrivilegesTest, DashUTakesUidAndGidFromTheEnvironment) {
  RunningServer s;
  ASSERT_TRUE(s.Start({OurTcpserver(), "-UHRl0", "127.0.0.1", "0", "sh", "-c",
                       "id -u; id -g"},
                      {.env = {"UID=65534", "GID=65532"}}));
  UniqueSocket c = Connect("127.0.0.1", s.port());
  EXPECT_EQ(ReadUntilEof(c.get(), 10s), "65534\n65532\n");
}

TEST_F(PrivilegesTest, FailedSwitchRefusesToServe) {
  // As nobody, switching to uid 1 must fail; the server must exit rather
  // than serve as the wrong user. The binary is copied where nobody can
  // run it.
  char dir[] = "/tmp/yubin-privXXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  chmod(dir, 0755);
  std::string bin = std::string(dir) + "/tcpserver";
  ASSERT_EQ(RunProcess({"cp", OurTcpserver(), bin}).exit_code, 0);
  ProcessResult r = RunProcess(
      {"setpriv", "--reuid", kNobody, "--regid", kNobody, "--clear-groups",
       bin, "-1", "-u", "1", "127.0.0.1", "0", "echo", "served"},
      {.timeout = 10s});
  EXPECT_EQ(r.exit_code, 111) << r.err;
  EXPECT_EQ(r.out, "") << "the server got as far as printing its port";
  EXPECT_EQ(r.err, "tcpserver: fatal: unable to setuid: Operation not permitted\n");
  RunProcess({"rm", "-rf", dir});
}

}  // namespace
}  // namespace yubin::testing
