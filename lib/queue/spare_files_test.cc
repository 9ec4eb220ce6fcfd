// spare_files_test.cc: recycling yubin-send's state files.
#include "lib/queue/spare_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include <gtest/gtest.h>

#include "lib/queue/layout.h"
#include "tests/harness/harness.h"

namespace yubin::queue {
namespace {

using yubin::testing::FileExists;
using yubin::testing::MakeTempDir;
using yubin::testing::ReadFileOrEmpty;
using yubin::testing::WriteFileOrDie;

ino_t Inode(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST(SpareFiles, ARetiredFileIsPlacedAgainWithNewContent) {
  std::string q = MakeTempDir("q");
  ASSERT_TRUE(CreateQueueLayout(q).ok());
  std::string old_info = MessagePath(q, QueueArea::kInfo, 17);
  WriteFileOrDie(old_info, "a long old content that must not survive", 0600);
  ino_t inode = Inode(old_info);
  SpareFiles spares(q);
  ASSERT_TRUE(spares.Retire(old_info).ok());
  EXPECT_FALSE(FileExists(old_info));
  EXPECT_EQ(spares.count(), 1u);
  struct stat spare_st;
  ASSERT_EQ(stat((SpareDir(q) + "/0").c_str(), &spare_st), 0);
  EXPECT_EQ(spare_st.st_ino, inode);
  EXPECT_GT(spare_st.st_size, 0) << "a small file keeps its blocks until reused";
  EXPECT_TRUE(spares.Retire(MessagePath(q, QueueArea::kInfo, 99)).ok()) << "nothing to retire";
  EXPECT_EQ(spares.count(), 1u);

  std::string next = MessagePath(q, QueueArea::kLocal, 23);
  ASSERT_TRUE(spares.Place(next, "new").ok());
  EXPECT_EQ(ReadFileOrEmpty(next), "new") << "written over and cut: nothing old survives";
  EXPECT_EQ(Inode(next), inode) << "the same inode, not a new one";
  EXPECT_EQ(spares.count(), 0u);
  struct stat st;
  ASSERT_EQ(stat(next.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  // With no spare left, Place creates.
  std::string third = MessagePath(q, QueueArea::kRemote, 24);
  ASSERT_TRUE(spares.Place(third, "created").ok());
  EXPECT_EQ(ReadFileOrEmpty(third), "created");
}

// A file bigger than kSpareKeepBytes is not kept: it leaves its name at
// once and is unlinked, so spare/ never holds much disk.
TEST(SpareFiles, ABigFileIsUnlinkedNotKept) {
  std::string q = MakeTempDir("q");
  ASSERT_TRUE(CreateQueueLayout(q).ok());
  std::string mess = MessagePath(q, QueueArea::kMess, 17);
  WriteFileOrDie(mess, std::string(kSpareKeepBytes + 1, 'm'), 0600);
  std::string small = MessagePath(q, QueueArea::kMess, 18);
  WriteFileOrDie(small, std::string(kSpareKeepBytes, 'm'), 0600);
  SpareFiles spares(q);
  ASSERT_TRUE(spares.Retire(mess).ok());
  EXPECT_FALSE(FileExists(mess));
  ASSERT_TRUE(spares.Retire(small).ok());
  spares.Drain();
  EXPECT_EQ(spares.count(), 1u);
  EXPECT_FALSE(FileExists(SpareDir(q) + "/t0"));
  struct stat st;
  ASSERT_EQ(stat((SpareDir(q) + "/1").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, static_cast<off_t>(kSpareKeepBytes));
}

TEST(SpareFiles, SparesSurviveARestartAndAreBounded) {
  std::string q = MakeTempDir("q");
  ASSERT_TRUE(CreateQueueLayout(q).ok());
  {
    SpareFiles spares(q);
    for (MessageId id = 1; id <= kMaxSpareFiles + 5; ++id) {
      std::string path = MessagePath(q, QueueArea::kInfo, id);
      WriteFileOrDie(path, "x", 0600);
      ASSERT_TRUE(spares.Retire(path).ok());
      EXPECT_FALSE(FileExists(path));
    }
    EXPECT_EQ(spares.count(), kMaxSpareFiles) << "the rest were unlinked";
    spares.Drain();
  }
  SpareFiles again(q);
  EXPECT_EQ(again.count(), kMaxSpareFiles);
  std::string path = MessagePath(q, QueueArea::kInfo, 5000);
  ASSERT_TRUE(again.Place(path, "y").ok());
  EXPECT_EQ(ReadFileOrEmpty(path), "y");
  // A name retired after the restart does not collide with an old one.
  std::string back = MessagePath(q, QueueArea::kInfo, 6000);
  WriteFileOrDie(back, "z", 0600);
  ASSERT_TRUE(again.Retire(back).ok());
  EXPECT_EQ(again.count(), kMaxSpareFiles);
}

// Spares another process took are found gone when the bound is reached,
// so retiring goes on rather than unlinking.
TEST(SpareFiles, SparesTakenByOthersAreNotCounted) {
  std::string q = MakeTempDir("q");
  ASSERT_TRUE(CreateQueueLayout(q).ok());
  SpareFiles spares(q);
  for (MessageId id = 1; id <= kMaxSpareFiles; ++id) {
    std::string path = MessagePath(q, QueueArea::kInfo, id);
    WriteFileOrDie(path, "x", 0600);
    ASSERT_TRUE(spares.Retire(path).ok());
  }
  std::string taken = MessagePath(q, QueueArea::kIntd, 7);
  ASSERT_TRUE(TakeSpare(q, taken));
  EXPECT_TRUE(FileExists(taken));
  std::string more = MessagePath(q, QueueArea::kInfo, 9999);
  WriteFileOrDie(more, "x", 0600);
  ino_t inode = Inode(more);
  ASSERT_TRUE(spares.Retire(more).ok());
  EXPECT_EQ(spares.count(), kMaxSpareFiles);
  EXPECT_EQ(Inode(SpareDir(q) + "/" + std::to_string(kMaxSpareFiles)), inode) << "retired into spare/, not unlinked";
  // spare/ is really full now: the next ones are unlinked.
  for (MessageId id = 1; id <= kMaxSpareFiles / 4; ++id) {
    std::string path = MessagePath(q, QueueArea::kLocal, id);
    WriteFileOrDie(path, "x", 0600);
    ASSERT_TRUE(spares.Retire(path).ok());
    EXPECT_FALSE(FileExists(path));
  }
  EXPECT_EQ(spares.count(), kMaxSpareFiles);
}

// A file on its way to the disposer can never be taken: it waits under a
// staging name, which no injection looks at.
TEST(SpareFiles, AFileBeingDisposedOfCannotBeTaken) {
  std::string q = MakeTempDir("q");
  ASSERT_TRUE(CreateQueueLayout(q).ok());
  const std::string mess = MessagePath(q, QueueArea::kMess, 17);
  WriteFileOrDie(mess, std::string(kSpareKeepBytes + 1, 'c'), 0600);
  SpareFiles spares(q);
  int calls = 0;
  bool taken = true;
  bool there = false;
  spares.SetDisposeHookForTesting([&](const std::string& path) {
    ++calls;
    there = FileExists(path);
    taken = TakeSpare(q, TmpDir(q) + "/taker");
  });
  ASSERT_TRUE(spares.Retire(mess).ok());
  spares.Drain();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(there) << "the hook ran before the unlink";
  EXPECT_FALSE(taken) << "an injection took a file on its way out";
  EXPECT_EQ(spares.count(), 0u);
}

TEST(SpareFiles, AStagingLeftoverIsRemovedNotTaken) {
  std::string q = MakeTempDir("q");
  ASSERT_TRUE(CreateQueueLayout(q).ok());
  ASSERT_EQ(mkdir(SpareDir(q).c_str(), 0700), 0);
  WriteFileOrDie(SpareDir(q) + "/t7", "mail being retired when yubin-send died", 0600);
  EXPECT_FALSE(TakeSpare(q, TmpDir(q) + "/x")) << "a staged file is no spare";
  SpareFiles spares(q);
  EXPECT_EQ(spares.count(), 0u);
  EXPECT_FALSE(FileExists(SpareDir(q) + "/t7"));
}

// The intake service's taker reads spare/ once for many files, skips the
// names another process took meanwhile, and reads again when they run out.
TEST(SpareTaker, HandsOutEachSpareOnceAndSkipsTakenOnes) {
  std::string q = MakeTempDir("q");
  ASSERT_TRUE(CreateQueueLayout(q).ok());
  ASSERT_EQ(mkdir(SpareDir(q).c_str(), 0700), 0);
  for (int i = 0; i < 4; ++i) {
    WriteFileOrDie(SpareDir(q) + "/" + std::to_string(i), "old", 0600);
  }
  SpareTaker taker(q);
  const std::string first = TmpDir(q) + "/first";
  ASSERT_TRUE(taker.Take(first));
  EXPECT_TRUE(FileExists(first));
  // Another process takes two of the three left: the taker's names for
  // them are stale, and it goes on to the last one.
  ASSERT_TRUE(TakeSpare(q, TmpDir(q) + "/other1"));
  ASSERT_TRUE(TakeSpare(q, TmpDir(q) + "/other2"));
  ASSERT_TRUE(taker.Take(TmpDir(q) + "/second"));
  EXPECT_FALSE(taker.Take(TmpDir(q) + "/third")) << "spare/ is empty";
  // New spares are seen once kSpareTakerRetry has passed since the read
  // that found none.
  WriteFileOrDie(SpareDir(q) + "/9", "old", 0600);
  usleep(static_cast<useconds_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(kSpareTakerRetry).count() + 20000));
  const std::string fourth = TmpDir(q) + "/fourth";
  ASSERT_TRUE(taker.Take(fourth));
  EXPECT_EQ(ReadFileOrEmpty(fourth), "old");
  EXPECT_FALSE(FileExists(SpareDir(q) + "/9"));
}

TEST(SpareTaker, IgnoresStagingNames) {
  std::string q = MakeTempDir("q");
  ASSERT_TRUE(CreateQueueLayout(q).ok());
  ASSERT_EQ(mkdir(SpareDir(q).c_str(), 0700), 0);
  WriteFileOrDie(SpareDir(q) + "/t7", "being disposed of", 0600);
  SpareTaker taker(q);
  EXPECT_FALSE(taker.Take(TmpDir(q) + "/x"));
  EXPECT_TRUE(FileExists(SpareDir(q) + "/t7"));
}

}  // namespace
}  // namespace yubin::queue
