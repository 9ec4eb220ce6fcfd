// logtail against directories written by yubin's multilog: the last lines
// across files, local time, and following across rotations.
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"

namespace yubin::testing {
namespace {

std::string Logtail() { return RunfilePath("cmd/logtail/logtail"); }
std::string Multilog() { return RunfilePath("cmd/multilog/multilog"); }

size_t CountArchives(const std::string& dir) {
  size_t n = 0;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return 0;
  while (struct dirent* e = readdir(d)) n += e->d_name[0] == '@';
  closedir(d);
  return n;
}

std::string Numbered(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += "entry " + std::to_string(i) + "\n";
  return s;
}

void Log(const std::string& dir, const std::string& script,
         const std::string& input) {
  ProcessResult r = RunShell(Multilog() + " " + script + " " + dir,
                             {.input = input});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST(LogtailTest, LastLinesAcrossArchivesAndCurrent) {
  std::string dir = MakeTempDir("lt") + "/log";
  Log(dir, "s4096 n100", Numbered(1, 2000));
  ASSERT_GE(CountArchives(dir), 3u);
  // More lines than current holds: archives are read too.
  ProcessResult r = RunProcess({Logtail(), "-n", "700", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, Numbered(1301, 2000));
  r = RunProcess({Logtail(), dir});
  EXPECT_EQ(r.out, Numbered(1991, 2000));
  r = RunProcess({Logtail(), "-n", "100000", dir});
  EXPECT_EQ(r.out, Numbered(1, 2000));
  r = RunProcess({Logtail(), "-n", "0", dir});
  EXPECT_EQ(r.out, "");
}

TEST(LogtailTest, LineSplitAcrossFilesIsJoined) {
  std::string dir = MakeTempDir("lt") + "/log";
  std::string longline(5000, 'z');
  Log(dir, "s4096", "before\n" + longline + "\nafter\n");
  ProcessResult r = RunProcess({Logtail(), "-n", "2", dir});
  EXPECT_EQ(r.out, longline + "\nafter\n");
}

TEST(LogtailTest, LocalTimeLikeTai64nlocal) {
  std::string dir = MakeTempDir("lt");
  WriteFileOrDie(dir + "/current",
                 "@400000000000000a00000000 epoch\nplain line\n", 0744);
  ProcessResult r =
      RunProcess({Logtail(), "-l", dir}, {.env = {"TZ=UTC"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1970-01-01 00:00:00.000000000 epoch\nplain line\n");
}

TEST(LogtailTest, UsageAndMissingDirectory) {
  EXPECT_EQ(RunProcess({Logtail()}).exit_code, 100);
  EXPECT_EQ(RunProcess({Logtail(), "-n", "x", "d"}).exit_code, 100);
  ProcessResult r = RunProcess({Logtail(), "/proc/no/such/log"});
  EXPECT_EQ(r.exit_code, 111);
  EXPECT_NE(r.err.find("/proc/no/such/log"), std::string::npos) << r.err;
}

TEST(LogtailTest, FollowPrintsLinesWrittenDuringRotationsExactlyOnce) {
  std::string base = MakeTempDir("ltf");
  std::string dir = base + "/log";
  Log(dir, "s4096 n100", Numbered(1, 10));
  ChildProcess follower;
  ASSERT_TRUE(follower.Start({Logtail(), "-f", "-n", "5", dir}, {},
                             base + "/out", base + "/err"));
  std::string want = Numbered(6, 10);
  ASSERT_TRUE(WaitUntil([&] { return ReadFileOrEmpty(base + "/out") == want; },
                        10s))
      << "got " << ReadFileOrEmpty(base + "/out");
  // Three separate writers, each rotating at least once while followed.
  int next = 11;
  for (int round = 0; round < 3; ++round) {
    size_t before = CountArchives(dir);
    Log(dir, "s4096 n100", Numbered(next, next + 399));
    ASSERT_GT(CountArchives(dir), before) << "round " << round;
    want += Numbered(next, next + 399);
    next += 400;
  }
  // And one fast writer that rotates many times in a row.
  size_t before = CountArchives(dir);
  Log(dir, "s4096 n100", Numbered(next, next + 1999));
  ASSERT_GE(CountArchives(dir), before + 3);
  want += Numbered(next, next + 1999);
  bool complete = WaitUntil(
      [&] { return ReadFileOrEmpty(base + "/out").size() >= want.size(); },
      20s);
  std::string got = ReadFileOrEmpty(base + "/out");
  EXPECT_TRUE(complete) << "got " << got.size() << " bytes, want "
                        << want.size();
  EXPECT_TRUE(got == want) << "lines lost, repeated or reordered; got "
                           << got.size() << " bytes, want " << want.size();
  EXPECT_TRUE(follower.running()) << ReadFileOrEmpty(base + "/err");
}

}  // namespace
}  // namespace yubin::testing
