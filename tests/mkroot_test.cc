// yubin-mkroot: the root tools/install lays out, in user mode.
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "lib/queue/layout.h"
#include "tests/harness/harness.h"
#include "tests/queue_fixture.h"

namespace yubin::testing {
namespace {

std::string MkrootPath() { return RunfilePath("cmd/yubin-mkroot/yubin-mkroot"); }

mode_t ModeOf(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 ? st.st_mode : 0;
}

TEST(MkrootTest, LaysOutControlAndQueue) {
  std::string root = MakeTempDir("mkroot") + "/yubin";
  ProcessResult r = RunProcess({MkrootPath(), "--root", root, "--user-mode",
                                "--me", "mail.example.com"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"me", "rcpthosts", "locals"}) {
    std::string path = root + "/control/" + name;
    EXPECT_EQ(ReadFileOrEmpty(path), "mail.example.com\n") << path;
    EXPECT_EQ(ModeOf(path) & 07777, 0644u) << path;
  }
  EXPECT_TRUE(queue::CheckQueueLayout(root + "/queue").ok());
  EXPECT_EQ(ModeOf(root + "/queue") & 07777, 0700u);
  EXPECT_TRUE(S_ISFIFO(ModeOf(root + "/queue/lock/trigger")));
  struct stat st;
  ASSERT_EQ(stat((root + "/queue/todo/0").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, getuid()) << "user mode: owned by the caller";

  // The layout works for yubin-queue.
  QueueRoot q{root, root + "/queue"};
  ProcessResult inject = Inject(q, "x\n", Envelope("a", {"b"}));
  EXPECT_EQ(inject.exit_code, 0) << inject.err;
}

TEST(MkrootTest, DefaultsToThisHostsName) {
  std::string root = MakeTempDir("mkroot") + "/yubin";
  ProcessResult r = RunProcess({MkrootPath(), "--root=" + root, "--user-mode"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ProcessResult host = RunShell("hostname -f 2>/dev/null || hostname");
  ASSERT_EQ(host.exit_code, 0);
  EXPECT_EQ(ReadFileOrEmpty(root + "/control/me"), host.out);
  EXPECT_EQ(ReadFileOrEmpty(root + "/control/locals"), host.out);
}

TEST(MkrootTest, RerunKeepsQueuedMailAndControlFiles) {
  std::string root = MakeTempDir("mkroot") + "/yubin";
  std::vector<std::string> argv = {MkrootPath(), "--root", root, "--user-mode",
                                   "--me", "a.example"};
  ASSERT_EQ(RunProcess(argv).exit_code, 0);
  QueueRoot q{root, root + "/queue"};
  ASSERT_EQ(Inject(q, "kept\n", Envelope("a", {"b"})).exit_code, 0);
  WriteFileOrDie(root + "/control/rcpthosts", "edited.example\n");
  argv.back() = "b.example";
  ProcessResult again = RunProcess(argv);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(ReadFileOrEmpty(root + "/control/rcpthosts"), "edited.example\n");
  EXPECT_EQ(ReadFileOrEmpty(root + "/control/me"), "a.example\n");
  QueueSnapshot s = Snapshot(q.queue);
  ASSERT_EQ(s.queued.size(), 1u);
  EXPECT_NE(s.queued[0].content.find("kept\n"), std::string::npos);
}

TEST(MkrootTest, UsageErrors) {
  EXPECT_EQ(RunProcess({MkrootPath(), "--bogus"}).exit_code, 100);
  EXPECT_EQ(RunProcess({MkrootPath(), "--root"}).exit_code, 100);
  ProcessResult help = RunProcess({MkrootPath(), "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: yubin-mkroot"), std::string::npos);
}

}  // namespace
}  // namespace yubin::testing
