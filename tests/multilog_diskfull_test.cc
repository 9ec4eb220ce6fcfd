// yubin's multilog on a full disk: the writer blocks and retries; once space
// is freed every line arrives, once, in order. Needs real root (mount).
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"

namespace yubin::testing {
namespace {

std::string AllLogged(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return "";
  while (struct dirent* e = readdir(d)) {
    if (e->d_name[0] == '@') names.emplace_back(e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  std::string all;
  for (const std::string& n : names) all += ReadFileOrEmpty(dir + "/" + n);
  return all + ReadFileOrEmpty(dir + "/current");
}

TEST(MultilogDiskFullTest, BlocksWhileFullLosesNothing) {
  if (!HaveRealRoot()) {
    GTEST_SKIP() << "needs real root to mount a tmpfs (run tools/test as root "
                    "outside a user namespace)";
  }
  std::string base = MakeTempDir("full");
  std::string mnt = base + "/mnt";
  ProcessResult m = RunShell("mkdir " + mnt + " && mount -t tmpfs -o size=1m tmpfs " + mnt);
  ASSERT_EQ(m.exit_code, 0) << m.err;
  struct Unmount {
    std::string path;
    ~Unmount() { RunShell("umount -l " + path); }
  } unmount{mnt};

  // Fill the file system completely.
  RunShell("head -c 4194304 /dev/zero > " + mnt + "/filler");
  std::string input;
  for (int i = 1; i <= 10000; ++i) input += "line " + std::to_string(i) + "\n";
  WriteFileOrDie(base + "/input", input);

  ChildProcess child;
  ASSERT_TRUE(child.Start({"/bin/sh", "-c",
                           "exec " + RunfilePath("cmd/multilog/multilog") +
                               " s4096 n1000 " + mnt + "/log < " + base +
                               "/input"},
                          {}, "", base + "/err"));
  // The writer reports the full disk and keeps running, blocked.
  ASSERT_TRUE(WaitUntil(
      [&] {
        return ReadFileOrEmpty(base + "/err").find("No space left on device") !=
               std::string::npos;
      },
      20s))
      << "got stderr: " << ReadFileOrEmpty(base + "/err");
  EXPECT_TRUE(child.running()) << "multilog exited on a full disk";
  EXPECT_LT(AllLogged(mnt + "/log").size(), input.size());

  // Free the space: everything arrives.
  ASSERT_EQ(unlink((mnt + "/filler").c_str()), 0);
  int ws = child.Wait(60s);
  ASSERT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << "status " << ws;
  std::string logged = AllLogged(mnt + "/log");
  EXPECT_TRUE(logged == input) << "got " << logged.size() << " bytes, want "
                               << input.size();
}

}  // namespace
}  // namespace yubin::testing
