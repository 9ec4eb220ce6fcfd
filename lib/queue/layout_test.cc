#include "lib/queue/layout.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

namespace yubin::queue {
namespace {

std::string TempDir() {
  std::string tmpl = std::string(std::getenv("TEST_TMPDIR")) + "/layoutXXXXXX";
  char* d = ::mkdtemp(tmpl.data());
  EXPECT_NE(d, nullptr);
  return tmpl;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode;
}

TEST(LayoutTest, PathsAndBuckets) {
  EXPECT_EQ(QueueDir("/var/yubin"), "/var/yubin/queue");
  EXPECT_EQ(BucketOf(kQueueSplit + 5), 5u);
  EXPECT_EQ(MessagePath("/q", QueueArea::kTodo, 1234),
            "/q/todo/" + std::to_string(1234 % kQueueSplit) + "/1234");
  EXPECT_EQ(TriggerPath("/q"), "/q/lock/trigger");
  EXPECT_EQ(TmpDir("/q"), "/q/tmp");
}

TEST(LayoutTest, ParseMessageId) {
  EXPECT_EQ(ParseMessageId("0"), MessageId{0});
  EXPECT_EQ(ParseMessageId("1234"), MessageId{1234});
  EXPECT_EQ(ParseMessageId("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(ParseMessageId("18446744073709551616"), std::nullopt);
  EXPECT_EQ(ParseMessageId(""), std::nullopt);
  EXPECT_EQ(ParseMessageId("."), std::nullopt);
  EXPECT_EQ(ParseMessageId("012"), std::nullopt);
  EXPECT_EQ(ParseMessageId("12a"), std::nullopt);
  EXPECT_EQ(ParseMessageId("12.tmp"), std::nullopt);
}

TEST(LayoutTest, CreatesEveryDirectoryPrivately) {
  ::umask(022);
  std::string q = TempDir() + "/queue";
  ASSERT_TRUE(CreateQueueLayout(q).ok());
  EXPECT_TRUE(CheckQueueLayout(q).ok());
  EXPECT_EQ(ModeOf(q) & 07777, 0700u);
  EXPECT_EQ(ModeOf(TmpDir(q)) & 07777, 0700u);
  for (QueueArea area : kAllAreas) {
    for (unsigned b = 0; b < kQueueSplit; ++b) {
      mode_t m = ModeOf(BucketDir(q, area, b));
      ASSERT_TRUE(S_ISDIR(m)) << BucketDir(q, area, b);
      ASSERT_EQ(m & 07777, 0700u) << BucketDir(q, area, b);
    }
  }
  mode_t trigger = ModeOf(TriggerPath(q));
  EXPECT_TRUE(S_ISFIFO(trigger));
  EXPECT_EQ(trigger & 07777, 0600u);
  EXPECT_EQ(ModeOf(SendMutexPath(q)) & 07777, 0600u);
}

TEST(LayoutTest, RerunKeepsQueuedFilesAndRepairsModes) {
  std::string q = TempDir() + "/queue";
  ASSERT_TRUE(CreateQueueLayout(q).ok());
  std::string mess = MessagePath(q, QueueArea::kMess, 77);
  std::ofstream(mess) << "kept";
  ASSERT_EQ(::chmod(BucketDir(q, QueueArea::kTodo, 3).c_str(), 0755), 0);
  ASSERT_EQ(::rmdir(BucketDir(q, QueueArea::kInfo, 9).c_str()), 0);
  EXPECT_FALSE(CheckQueueLayout(q).ok());
  ASSERT_TRUE(CreateQueueLayout(q).ok());
  EXPECT_TRUE(CheckQueueLayout(q).ok());
  std::ifstream in(mess);
  std::string got;
  in >> got;
  EXPECT_EQ(got, "kept");
  EXPECT_EQ(ModeOf(BucketDir(q, QueueArea::kTodo, 3)) & 07777, 0700u);
}

TEST(LayoutTest, ListsIdsAcrossBuckets) {
  std::string q = TempDir() + "/queue";
  ASSERT_TRUE(CreateQueueLayout(q).ok());
  std::vector<MessageId> want = {5, 5 + kQueueSplit, 999999, 42};
  for (MessageId id : want) {
    std::ofstream(MessagePath(q, QueueArea::kTodo, id)) << "";
  }
  // Not ids: skipped.
  std::ofstream(BucketDir(q, QueueArea::kTodo, 5) + "/junk") << "";
  Result<std::vector<MessageId>> bucket5 = ListBucket(q, QueueArea::kTodo, 5);
  ASSERT_TRUE(bucket5.ok());
  EXPECT_EQ(bucket5->size(), 2u);
  std::vector<MessageId> got;
  ASSERT_TRUE(
      ForEachMessage(q, QueueArea::kTodo, [&](MessageId id) { got.push_back(id); })
          .ok());
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  EXPECT_FALSE(ListBucket(q + "/missing", QueueArea::kTodo, 0).ok());
}

}  // namespace
}  // namespace yubin::queue
