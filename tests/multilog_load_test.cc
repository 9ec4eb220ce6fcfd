// yubin's multilog under load and under signals: nothing lost, nothing
// repeated, nothing reordered.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"

namespace yubin::testing {
namespace {

std::string Multilog() { return RunfilePath("cmd/multilog/multilog"); }

std::vector<std::string> Archives(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (struct dirent* e = readdir(d)) {
    if (e->d_name[0] == '@') names.emplace_back(e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string Numbers(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += std::to_string(i) + "\n";
  return s;
}

// A scratch directory on tmpfs when there is one: the load test rotates
// thousands of times and each rotation fsyncs; on tmpfs that costs nothing.
std::string FastTempDir() {
  char tmpl[] = "/dev/shm/yubin-multilog-XXXXXX";
  if (access("/dev/shm", W_OK) == 0 && mkdtemp(tmpl) != nullptr) {
    return tmpl;
  }
  return MakeTempDir("load");
}

struct RemoveTree {
  std::string path;
  ~RemoveTree() { RunShell("rm -rf '" + path + "'"); }
};

TEST(MultilogLoadTest, MillionLinesThroughSmallFilesWithProcessor) {
  std::string dir = FastTempDir();
  RemoveTree cleanup{dir};
  std::string input = Numbers(0, 999999);
  WriteFileOrDie(dir + "/input", input);
  std::string outside = dir + "/processed-output";
  ProcessResult r = RunShell(
      "cd " + dir + " && exec " + Multilog() +
          " s4096 n3 '!tee -a " + outside + "' ./log < input",
      {.timeout = std::chrono::seconds(120)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string processed = ReadFileOrEmpty(outside);
  std::string current = ReadFileOrEmpty(dir + "/log/current");
  // Every number exactly once, in order: what the processor saw, then
  // what is still in current.
  EXPECT_TRUE(processed + current == input)
      << "got " << processed.size() + current.size() << " bytes, want "
      << input.size();
  std::vector<std::string> names = Archives(dir + "/log");
  ASSERT_EQ(names.size(), 2u) << "got " << names.size()
                              << " archives, want 2 (n3)";
  std::string kept = ReadFileOrEmpty(dir + "/log/" + names[0]) +
                     ReadFileOrEmpty(dir + "/log/" + names[1]);
  ASSERT_LE(kept.size(), processed.size());
  EXPECT_TRUE(processed.compare(processed.size() - kept.size(), kept.size(),
                                kept) == 0)
      << "kept archives are not the last processed files";
}

// Starts multilog reading a FIFO; returns the write end.
int StartOnFifo(ChildProcess* child, const std::string& dir,
                const std::string& script) {
  std::string fifo = dir + "/fifo";
  if (mkfifo(fifo.c_str(), 0600) != 0) return -1;
  if (!child->Start({"/bin/sh", "-c",
                     "cd " + dir + " && exec " + Multilog() + " " + script +
                         " < fifo"},
                    {}, dir + "/out", dir + "/err")) {
    return -1;
  }
  return open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
}

void WriteOrFail(int fd, const std::string& s) {
  ASSERT_EQ(write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size()));
}

TEST(MultilogPipeTest, LinesArrivingInPiecesStayWhole) {
  std::string dir = MakeTempDir("pieces");
  ChildProcess child;
  int fd = StartOnFifo(&child, dir, "t s16777215 -*:e* ./log");
  ASSERT_GE(fd, 0);
  // Lines from empty to far beyond the 1000 matched bytes, written in
  // pieces of 1 to 1500 bytes, so heads and tails cross reads.
  std::mt19937 rng(7);
  std::string input;
  std::vector<std::string> want;
  for (int i = 0; i < 300; ++i) {
    std::string line = std::to_string(i) + ":";
    line.append(rng() % 5000, static_cast<char>('a' + i % 20));
    input += line + "\n";
    // "-*:e*" drops the lines whose letters are e's (the star stops at ':').
    size_t colon = line.find(':');
    if (!(colon + 1 < line.size() && line[colon + 1] == 'e')) {
      want.push_back(line);
    }
  }
  for (size_t pos = 0; pos < input.size();) {
    size_t n = std::min<size_t>(1 + rng() % 1500, input.size() - pos);
    WriteOrFail(fd, input.substr(pos, n));
    pos += n;
  }
  close(fd);
  int ws = child.Wait(20s);
  ASSERT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << "status " << ws;
  std::string logged = ReadFileOrEmpty(dir + "/log/current");
  std::vector<std::string> got;
  std::string last_stamp;
  for (size_t pos = 0; pos < logged.size();) {
    size_t nl = logged.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    std::string line = logged.substr(pos, nl - pos);
    pos = nl + 1;
    ASSERT_GE(line.size(), 26u);
    ASSERT_EQ(line[0], '@');
    ASSERT_EQ(line[25], ' ');
    EXPECT_GE(line.substr(0, 25), last_stamp) << "stamps go backwards";
    last_stamp = line.substr(0, 25);
    got.push_back(line.substr(26));
  }
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want) << "lines changed on the way";
}

TEST(MultilogSignalTest, AlarmRotatesNonEmptyCurrent) {
  std::string dir = MakeTempDir("alrm");
  ChildProcess child;
  int fd = StartOnFifo(&child, dir, "./log");
  ASSERT_GE(fd, 0);
  WriteOrFail(fd, "before alarm\n");
  ASSERT_TRUE(WaitUntil(
      [&] { return ReadFileOrEmpty(dir + "/log/current") == "before alarm\n"; },
      10s));
  child.Signal(SIGALRM);
  ASSERT_TRUE(WaitUntil([&] { return Archives(dir + "/log").size() == 1; }, 10s));
  WriteOrFail(fd, "after alarm\n");
  ASSERT_TRUE(WaitUntil(
      [&] { return ReadFileOrEmpty(dir + "/log/current") == "after alarm\n"; },
      10s));
  close(fd);
  int ws = child.Wait(10s);
  ASSERT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << "status " << ws;
  std::vector<std::string> names = Archives(dir + "/log");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(ReadFileOrEmpty(dir + "/log/" + names[0]), "before alarm\n");
  EXPECT_EQ(ReadFileOrEmpty(dir + "/log/current"), "after alarm\n");
}

TEST(MultilogSignalTest, AlarmLeavesEmptyCurrentAlone) {
  std::string dir = MakeTempDir("alrm0");
  ChildProcess child;
  int fd = StartOnFifo(&child, dir, "./log");
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WaitUntil([&] { return FileExists(dir + "/log/current"); }, 10s));
  child.Signal(SIGALRM);
  close(fd);
  int ws = child.Wait(10s);
  ASSERT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << "status " << ws;
  EXPECT_TRUE(Archives(dir + "/log").empty());
}

TEST(MultilogSignalTest, TermFinishesTheLineAndExits) {
  std::string dir = MakeTempDir("term");
  ChildProcess child;
  int fd = StartOnFifo(&child, dir, "./log");
  ASSERT_GE(fd, 0);
  WriteOrFail(fd, "whole line\nhalf a ");
  ASSERT_TRUE(WaitUntil(
      [&] { return ReadFileOrEmpty(dir + "/log/current") == "whole line\n"; },
      10s));
  child.Signal(SIGTERM);
  // Still running: the line is not finished yet.
  WriteOrFail(fd, "line\nnext line, never read\n");
  int ws = child.Wait(10s);
  ASSERT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << "status " << ws;
  EXPECT_EQ(ReadFileOrEmpty(dir + "/log/current"), "whole line\nhalf a line\n");
  struct stat st;
  ASSERT_EQ(stat((dir + "/log/current").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0744u);
  // The rest stays in the pipe for the next reader.
  char rest[64] = {};
  int rfd = open((dir + "/fifo").c_str(), O_RDONLY | O_NONBLOCK);
  ssize_t n = read(rfd, rest, sizeof rest);
  close(rfd);
  close(fd);
  EXPECT_EQ(std::string(rest, n > 0 ? static_cast<size_t>(n) : 0),
            "next line, never read\n");
}

TEST(MultilogSignalTest, SecondMultilogOnSameDirectoryExits111) {
  std::string dir = MakeTempDir("lock");
  ChildProcess child;
  int fd = StartOnFifo(&child, dir, "./log");
  ASSERT_GE(fd, 0);
  WriteOrFail(fd, "x\n");
  ASSERT_TRUE(WaitUntil([&] { return FileExists(dir + "/log/current"); }, 10s));
  ProcessResult r = RunShell("cd " + dir + " && " + Multilog() + " ./log",
                             {.input = "y\n"});
  EXPECT_EQ(r.exit_code, 111);
  EXPECT_NE(r.err.find("unable to lock directory ./log"), std::string::npos)
      << r.err;
  close(fd);
  child.Wait(10s);
}

TEST(MultilogScriptTest, BadScriptsExit100NamingTheArgument) {
  for (const char* bad : {"x", "s4095", "n1", "./d t"}) {
    ProcessResult r = RunShell(Multilog() + " " + bad, {.input = "a\n"});
    EXPECT_EQ(r.exit_code, 100) << bad << ": " << r.err;
    std::string last = std::string(bad).substr(std::string(bad).rfind(' ') + 1);
    EXPECT_NE(r.err.find("'" + last + "'"), std::string::npos) << r.err;
  }
}

TEST(MultilogScriptTest, UnwritableDirectoryExits111) {
  ProcessResult r = RunProcess({Multilog(), "/proc/no/such/dir"}, {.input = "a\n"});
  EXPECT_EQ(r.exit_code, 111);
  EXPECT_NE(r.err.find("/proc/no/such/dir"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace yubin::testing
