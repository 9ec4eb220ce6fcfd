// softlimit and envdir: yubin's against daemontools' on the same inputs, and
// softlimit -d really stopping a program that keeps allocating.
#include <sys/stat.h>
#include <unistd.h>

#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/supervised_dir.h"

namespace yubin::testing {
namespace {

std::string Softlimit() { return RunfilePath("cmd/softlimit/softlimit"); }
std::string Envdir() { return RunfilePath("cmd/envdir/envdir"); }
std::string MallocLoop() { return RunfilePath("tests/malloc_loop"); }
constexpr char kTheirSoftlimit[] = "/usr/bin/softlimit";
constexpr char kTheirEnvdir[] = "/usr/bin/envdir";

int MiBReached(const std::string& out) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("malloc failed after ([0-9]+) MiB"))) return -1;
  return std::stoi(m[1]);
}

TEST(SoftlimitTest, DataLimitStopsAllocation) {
  ProcessResult free_run = RunProcess({MallocLoop()});
  ASSERT_EQ(free_run.exit_code, 1) << "without a limit: " << free_run.out;

  ProcessResult r = RunProcess({Softlimit(), "-d", "50000000", MallocLoop()});
  EXPECT_EQ(r.exit_code, 0) << "got '" << r.out << "', want a malloc failure";
  int mib = MiBReached(r.out);
  EXPECT_GE(mib, 1) << r.out;
  EXPECT_LT(mib, 48) << "got " << mib << " MiB under a 50000000-byte limit";

  if (access(kTheirSoftlimit, X_OK) == 0) {
    ProcessResult theirs = RunProcess({kTheirSoftlimit, "-d", "50000000", MallocLoop()});
    EXPECT_EQ(theirs.exit_code, 0) << theirs.out;
    EXPECT_LE(std::abs(MiBReached(theirs.out) - mib), 2)
        << "ours " << r.out << " theirs " << theirs.out;
  }
}

TEST(SoftlimitTest, SupervisedRunScriptWithSoftlimit) {
  if (!HaveS6()) GTEST_SKIP() << "s6 is not installed";
  std::string out = MakeTempDir("out") + "/result";
  SupervisedDir sv(Supervisor::kS6,
                   "exec " + Softlimit() + " -d 30000000 " + MallocLoop() + " > " + out +
                       " 2>&1\n");
  WriteFileOrDie(sv.dir() + "/down", "");
  ASSERT_TRUE(sv.Start());
  ASSERT_EQ(RunProcess({OurSvc(), "-wD", "-T", "20000", "-o", sv.dir()})
                .exit_code,
            0);
  ASSERT_TRUE(WaitUntil([&] { return MiBReached(ReadFileOrEmpty(out)) >= 0; }, 10s))
      << ReadFileOrEmpty(out);
  EXPECT_LT(MiBReached(ReadFileOrEmpty(out)), 29) << ReadFileOrEmpty(out);
}

// `ulimit -a` as seen by a shell started under each softlimit.
TEST(SoftlimitTest, SameLimitsAsDaemontools) {
  if (access(kTheirSoftlimit, X_OK) != 0) GTEST_SKIP() << "daemontools not installed";
  const std::vector<std::vector<std::string>> cases = {
      {"-m", "200000000"},
      {"-a", "300000000", "-d", "100000000", "-s", "8000000", "-l", "65536"},
      {"-f", "1000000", "-c", "0", "-o", "100", "-p", "500", "-t", "60", "-r", "100000000"},
      {"-o", "="},
      {"-d", "=", "-c", "="},
      {"-o", "99999999"},  // above the hard limit: lowered to it
      {"-d5000000", "-o64"},
  };
  for (const auto& flags : cases) {
    std::vector<std::string> ours = {Softlimit()};
    std::vector<std::string> theirs = {kTheirSoftlimit};
    ours.insert(ours.end(), flags.begin(), flags.end());
    theirs.insert(theirs.end(), flags.begin(), flags.end());
    for (auto* argv : {&ours, &theirs}) {
      argv->insert(argv->end(), {"/bin/sh", "-c", "ulimit -a"});
    }
    ProcessResult a = RunProcess(ours);
    ProcessResult b = RunProcess(theirs);
    std::string label = flags[0] + " " + (flags.size() > 1 ? flags[1] : "");
    EXPECT_EQ(a.exit_code, 0) << label << ": " << a.err;
    EXPECT_EQ(a.out, b.out) << label;
  }
}

TEST(SoftlimitTest, BadValuesAreUsageErrorsNamingTheFlag) {
  const std::vector<std::vector<std::string>> cases = {
      {"-d", "abc", "true"}, {"-o", "12x", "true"}, {"-t", "-1", "true"},
      {"-m", "lots", "true"}, {"-z", "1", "true"},  {"-d", "1000"},
  };
  for (const auto& args : cases) {
    std::vector<std::string> ours = {Softlimit()};
    ours.insert(ours.end(), args.begin(), args.end());
    ProcessResult r = RunProcess(ours);
    EXPECT_EQ(r.exit_code, 100) << args[0] << " " << r.err;
    if (args.size() == 3) {
      EXPECT_NE(r.err.find(args[0]), std::string::npos)
          << "got '" << r.err << "', want it to name " << args[0];
    }
    if (access(kTheirSoftlimit, X_OK) == 0) {
      std::vector<std::string> theirs = {kTheirSoftlimit};
      theirs.insert(theirs.end(), args.begin(), args.end());
      EXPECT_EQ(RunProcess(theirs).exit_code, 100) << args[0];
    }
  }
  EXPECT_EQ(RunProcess({Softlimit(), "-d", "1000000", "/nonexistent/prog"}).exit_code, 111);
}

class EnvdirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("env");
    using namespace std::string_literals;
    WriteFileOrDie(dir_ + "/PLAIN", "hello\n");
    WriteFileOrDie(dir_ + "/TRAILING", "value \t \nsecond line\n");
    WriteFileOrDie(dir_ + "/NULS", "a\0b\0 \n"s);
    WriteFileOrDie(dir_ + "/NOEOL", "no newline");
    WriteFileOrDie(dir_ + "/BLANK", "\n");
    WriteFileOrDie(dir_ + "/REMOVED", "");
    WriteFileOrDie(dir_ + "/CR", "v\r\n");
    WriteFileOrDie(dir_ + "/.hidden", "skipped\n");
  }
  std::string dir_;
};

TEST_F(EnvdirTest, SameEnvironmentAsDaemontools) {
  RunOptions opts{.env = {"REMOVED=was set", "PLAIN=old"}};
  ProcessResult ours = RunProcess({Envdir(), dir_, "/usr/bin/env", "-0"}, opts);
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_NE(ours.out.find(std::string("PLAIN=hello\0", 12)), std::string::npos);
  EXPECT_NE(ours.out.find(std::string("NULS=a\nb\n\0", 10)), std::string::npos);
  EXPECT_NE(ours.out.find(std::string("TRAILING=value\0", 15)), std::string::npos);
  EXPECT_NE(ours.out.find(std::string("BLANK=\0", 7)), std::string::npos);
  EXPECT_EQ(ours.out.find("REMOVED="), std::string::npos);
  EXPECT_EQ(ours.out.find("hidden"), std::string::npos);
  if (access(kTheirEnvdir, X_OK) != 0) GTEST_SKIP() << "daemontools not installed";
  // Compare as sorted sets: the order of variables may differ.
  auto sorted = [](const std::string& env0) {
    std::vector<std::string> v;
    size_t start = 0;
    for (size_t i = 0; i < env0.size(); ++i) {
      if (env0[i] == '\0') {
        v.push_back(env0.substr(start, i - start));
        start = i + 1;
      }
    }
    std::sort(v.begin(), v.end());
    return v;
  };
  ProcessResult theirs = RunProcess({kTheirEnvdir, dir_, "/usr/bin/env", "-0"}, opts);
  EXPECT_EQ(sorted(ours.out), sorted(theirs.out));
}

TEST_F(EnvdirTest, ErrorsLikeDaemontools) {
  ASSERT_EQ(mkdir((dir_ + "/subdir").c_str(), 0700), 0);
  ProcessResult ours = RunProcess({Envdir(), dir_, "true"});
  EXPECT_EQ(ours.exit_code, 111) << ours.err;
  EXPECT_NE(ours.err.find("subdir"), std::string::npos) << ours.err;
  EXPECT_EQ(RunProcess({Envdir(), dir_ + "/missing", "true"}).exit_code, 111);
  EXPECT_EQ(RunProcess({Envdir(), dir_}).exit_code, 100);
  if (access(kTheirEnvdir, X_OK) == 0) {
    EXPECT_EQ(RunProcess({kTheirEnvdir, dir_, "true"}).exit_code, 111);
    EXPECT_EQ(RunProcess({kTheirEnvdir, dir_ + "/missing", "true"}).exit_code, 111);
  }
}

TEST_F(EnvdirTest, ChildExitCodePassesThrough) {
  EXPECT_EQ(RunProcess({Envdir(), dir_, "/bin/sh", "-c", "exit 7"}).exit_code, 7);
  EXPECT_EQ(RunProcess({Envdir(), dir_, "/nonexistent/prog"}).exit_code, 111);
}

}  // namespace
}  // namespace yubin::testing
