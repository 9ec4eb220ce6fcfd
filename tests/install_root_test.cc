// tools/install as real root (accounts, setuid yubin-queue, privilege drops,
// boot files, init script, upgrade in place) through tests/install_root.sh,
// in a private mount namespace so that nothing it creates in /etc stays.
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/tree_fixture.h"

namespace yubin::testing {
namespace {

TEST(InstallRoot, AccountsOwnershipPrivilegeDropsMailAndUpgrade) {
  if (!HaveRealRoot()) GTEST_SKIP() << "needs real root (accounts, chown, setuid)";
  if (access("/usr/bin/unshare", X_OK) != 0) GTEST_SKIP() << "needs unshare (util-linux)";
  std::string built = MakeTempDir("built");
  std::string error;
  ASSERT_TRUE(CopyBuiltPrograms(built, &error)) << error;
  std::string install = RunfilePath("tools/install");
  std::string repo = install.substr(0, install.rfind("/tools/install"));
  ProcessResult r = RunProcess({"/usr/bin/unshare", "-m", "--propagation", "private", "/bin/bash",
                                RunfilePath("tests/install_root.sh"), repo, built},
                               {.timeout = 180s});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\nPASS\n"), std::string::npos) << r.out << r.err;
}

}  // namespace
}  // namespace yubin::testing
