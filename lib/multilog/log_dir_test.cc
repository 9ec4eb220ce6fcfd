#include "lib/multilog/log_dir.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace yubin::multilog {
namespace {

class CountingPauser : public Pauser {
 public:
  void Pause() override { ++pauses; }
  int pauses = 0;
};

std::string TempDir() {
  std::string tmpl = std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR")
                                                       : "/tmp") +
                     "/logdirXXXXXX";
  char* d = mkdtemp(tmpl.data());
  return d ? std::string(d) : std::string();
}

std::vector<std::string> Archives(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  while (struct dirent* e = readdir(d)) {
    if (e->d_name[0] == '@') names.emplace_back(e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

TEST(LogDirTest, SplitsAtSizeAndEndsNearLineEnd) {
  std::string path = TempDir() + "/log";
  CountingPauser pauser;
  LogDir dir({path, 4096, 100, ""}, &pauser);
  ASSERT_TRUE(dir.Open().ok());
  EXPECT_EQ(ModeOf(path + "/current"), 0644u);
  // 2100 bytes then a newline: at least 4096-2000, so the file ends there.
  dir.Append(std::string(2099, 'a') + "\n");
  // A 5000-byte line is split at exactly 4096 bytes.
  dir.Append(std::string(4999, 'b') + "\n");
  dir.Close();
  std::vector<std::string> names = Archives(path);
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(Slurp(path + "/" + names[0]), std::string(2099, 'a') + "\n");
  EXPECT_EQ(Slurp(path + "/" + names[1]), std::string(4096, 'b'));
  EXPECT_EQ(Slurp(path + "/current"), std::string(903, 'b') + "\n");
  EXPECT_EQ(ModeOf(path + "/" + names[0]), 0744u);
  EXPECT_EQ(ModeOf(path + "/current"), 0744u);
  EXPECT_EQ(names[0].size(), 27u);
  EXPECT_EQ(names[0].substr(25), ".s");
  EXPECT_EQ(pauser.pauses, 0);
}

TEST(LogDirTest, KeepsAtMostCountMinusOneArchives) {
  std::string path = TempDir() + "/log";
  CountingPauser pauser;
  LogDir dir({path, 4096, 3, ""}, &pauser);
  ASSERT_TRUE(dir.Open().ok());
  for (int i = 0; i < 10; ++i) {
    dir.Append("line " + std::to_string(i) + "\n");
    dir.Rotate();
  }
  dir.Close();
  std::vector<std::string> names = Archives(path);
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(Slurp(path + "/" + names[0]), "line 8\n");
  EXPECT_EQ(Slurp(path + "/" + names[1]), "line 9\n");
}

TEST(LogDirTest, UnfinishedCurrentBecomesU) {
  std::string path = TempDir() + "/log";
  ASSERT_EQ(mkdir(path.c_str(), 0700), 0);
  {
    std::ofstream(path + "/current") << "half\n";
  }
  chmod((path + "/current").c_str(), 0644);
  CountingPauser pauser;
  LogDir dir({path, 4096, 10, ""}, &pauser);
  ASSERT_TRUE(dir.Open().ok());
  dir.Append("new\n");
  dir.Close();
  std::vector<std::string> names = Archives(path);
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].substr(25), ".u");
  EXPECT_EQ(Slurp(path + "/" + names[0]), "half\n");
  EXPECT_EQ(Slurp(path + "/current"), "new\n");
}

TEST(LogDirTest, FinishedCurrentIsContinued) {
  std::string path = TempDir() + "/log";
  ASSERT_EQ(mkdir(path.c_str(), 0700), 0);
  {
    std::ofstream(path + "/current") << "old\n";
  }
  chmod((path + "/current").c_str(), 0744);
  CountingPauser pauser;
  LogDir dir({path, 4096, 10, ""}, &pauser);
  ASSERT_TRUE(dir.Open().ok());
  dir.Append("new\n");
  dir.Close();
  EXPECT_TRUE(Archives(path).empty());
  EXPECT_EQ(Slurp(path + "/current"), "old\nnew\n");
}

TEST(LogDirTest, SecondWriterIsLockedOut) {
  std::string path = TempDir() + "/log";
  CountingPauser pauser;
  LogDir first({path, 4096, 10, ""}, &pauser);
  ASSERT_TRUE(first.Open().ok());
  LogDir second({path, 4096, 10, ""}, &pauser);
  Status s = second.Open();
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.temporary());
  EXPECT_NE(s.message().find("unable to lock directory"), std::string::npos)
      << s.message();
}

TEST(LogDirTest, ProcessorOutputBecomesArchiveAndStateCarries) {
  std::string path = TempDir() + "/log";
  CountingPauser pauser;
  LogDir dir({path, 4096, 10,
              "n=$(cat <&4); n=${n:-0}; c=$(wc -l); echo $((n + c)) >&5; "
              "echo $c"},
             &pauser);
  ASSERT_TRUE(dir.Open().ok());
  dir.Append("a\nb\n");
  dir.Rotate();
  dir.Append("c\n");
  dir.Rotate();
  dir.Close();
  std::vector<std::string> names = Archives(path);
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(Slurp(path + "/" + names[0]), "2\n");
  EXPECT_EQ(Slurp(path + "/" + names[1]), "1\n");
  EXPECT_EQ(Slurp(path + "/state"), "3\n");
  EXPECT_EQ(access((path + "/previous").c_str(), F_OK), -1);
  EXPECT_EQ(access((path + "/processed").c_str(), F_OK), -1);
}

TEST(LogDirTest, FailingProcessorIsRetried) {
  std::string dir_path = TempDir();
  std::string path = dir_path + "/log";
  std::string marker = dir_path + "/failed-once";
  CountingPauser pauser;
  LogDir dir({path, 4096, 10,
              "if [ -e " + marker + " ]; then cat; else touch " + marker +
                  "; exit 1; fi"},
             &pauser);
  ASSERT_TRUE(dir.Open().ok());
  dir.Append("kept\n");
  dir.Rotate();
  dir.Close();
  EXPECT_EQ(pauser.pauses, 1);
  std::vector<std::string> names = Archives(path);
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(Slurp(path + "/" + names[0]), "kept\n");
}

}  // namespace
}  // namespace yubin::multilog
