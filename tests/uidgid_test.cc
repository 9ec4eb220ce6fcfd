// setuidgid and envuidgid as real root with a throwaway account, compared
// with daemontools' tools.
#include <pwd.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"

namespace yubin::testing {
namespace {

std::string Setuidgid() { return RunfilePath("cmd/setuidgid/setuidgid"); }
std::string Envuidgid() { return RunfilePath("cmd/envuidgid/envuidgid"); }

class UidGidTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveRealRoot()) GTEST_SKIP() << "needs real root to create an account and setuid";
    user_ = "yubint" + std::to_string(getpid() % 100000);
    ProcessResult r = RunProcess({"/usr/sbin/useradd", "--system", "--no-create-home",
                                  "--user-group", "--shell", "/usr/sbin/nologin", user_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    created_ = true;
    passwd* pw = getpwnam(user_.c_str());
    ASSERT_NE(pw, nullptr);
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;
    ASSERT_NE(uid_, 0u);
  }
  void TearDown() override {
    if (created_) RunProcess({"/usr/sbin/userdel", user_});
  }
  std::string user_;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  bool created_ = false;
};

constexpr char kShowIds[] =
    "echo \"$(id -u) $(id -ru) $(id -g) $(id -rg) groups=$(id -G)\"";

TEST_F(UidGidTest, SetuidgidDropsEverythingInOrder) {
  ProcessResult r = RunProcess({Setuidgid(), user_, "/bin/sh", "-c", kShowIds});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string u = std::to_string(uid_), g = std::to_string(gid_);
  EXPECT_EQ(r.out, u + " " + u + " " + g + " " + g + " groups=" + g + "\n");
  if (access("/usr/bin/setuidgid", X_OK) == 0) {
    ProcessResult theirs = RunProcess({"/usr/bin/setuidgid", user_, "/bin/sh", "-c", kShowIds});
    EXPECT_EQ(r.out, theirs.out);
  }
  // The child cannot get root back.
  ProcessResult back = RunProcess({Setuidgid(), user_, Setuidgid(), "root", "true"});
  EXPECT_EQ(back.exit_code, 111) << back.err;
}

TEST_F(UidGidTest, EnvuidgidSetsVariablesOnly) {
  ProcessResult r = RunProcess(
      {Envuidgid(), user_, "/bin/sh", "-c", "echo \"$UID $GID $(id -u)\""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::to_string(uid_) + " " + std::to_string(gid_) + " 0\n");
  if (access("/usr/bin/envuidgid", X_OK) == 0) {
    ProcessResult theirs =
        RunProcess({"/usr/bin/envuidgid", user_, "/bin/sh", "-c", "echo \"$UID $GID $(id -u)\""});
    EXPECT_EQ(r.out, theirs.out);
  }
}

TEST(UidGidErrorsTest, UnknownAccountAndUsage) {
  ProcessResult r = RunProcess({Setuidgid(), "no-such-account-yubin", "true"});
  EXPECT_EQ(r.exit_code, 111);
  EXPECT_NE(r.err.find("unknown account"), std::string::npos) << r.err;
  EXPECT_EQ(RunProcess({Envuidgid(), "no-such-account-yubin", "true"}).exit_code, 111);
  EXPECT_EQ(RunProcess({Setuidgid(), "root"}).exit_code, 100);
  EXPECT_EQ(RunProcess({Envuidgid()}).exit_code, 100);
}

}  // namespace
}  // namespace yubin::testing
