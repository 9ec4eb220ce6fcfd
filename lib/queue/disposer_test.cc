// disposer_test.cc: unlinking on a thread of its own.
#include "lib/queue/disposer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"

namespace yubin::queue {
namespace {

using yubin::testing::FileExists;
using yubin::testing::MakeTempDir;
using yubin::testing::WriteFileOrDie;

TEST(Disposer, UnlinksEverythingQueuedInOrder) {
  std::string dir = MakeTempDir("d");
  std::vector<std::string> seen;
  std::vector<std::string> paths;
  {
    Disposer d;
    d.SetHookForTesting([&](const std::string& p) { seen.push_back(p); });
    for (int i = 0; i < 50; ++i) {
      paths.push_back(dir + "/f" + std::to_string(i));
      WriteFileOrDie(paths.back(), "x", 0600);
      d.Unlink(paths.back());
    }
    d.Drain();
    for (const std::string& p : paths) EXPECT_FALSE(FileExists(p)) << p;
    EXPECT_EQ(seen, paths);
    d.Drain();  // nothing queued: returns at once
  }
}

TEST(Disposer, TheDestructorFinishesTheQueue) {
  std::string dir = MakeTempDir("d");
  std::vector<std::string> paths;
  {
    Disposer d;
    for (int i = 0; i < 200; ++i) {
      paths.push_back(dir + "/f" + std::to_string(i));
      WriteFileOrDie(paths.back(), std::string(10000, 'y'), 0600);
      d.Unlink(paths.back());
    }
  }
  for (const std::string& p : paths) EXPECT_FALSE(FileExists(p)) << p;
}

TEST(Disposer, AMissingFileIsNoError) {
  std::string dir = MakeTempDir("d");
  Disposer d;
  d.Unlink(dir + "/never-there");
  WriteFileOrDie(dir + "/after", "z", 0600);
  d.Unlink(dir + "/after");
  d.Drain();
  EXPECT_FALSE(FileExists(dir + "/after")) << "the thread goes on after a failure";
}

TEST(Disposer, UnusedStartsNoThread) {
  Disposer d;
  d.Drain();  // must not block with no thread
}

}  // namespace
}  // namespace yubin::queue
