#include "lib/ctl/queue_summary.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <gtest/gtest.h>

#include "lib/queue/layout.h"
#include "lib/setup/root_layout.h"
#include "tests/harness/harness.h"

namespace yubin::ctl {
namespace {

void Place(const std::string& qdir, queue::QueueArea area, queue::MessageId id,
           int64_t mtime = 0) {
  std::string path = queue::MessagePath(qdir, area, id);
  testing::WriteFileOrDie(path, "x", 0600);
  if (mtime != 0) {
    struct timeval tv[2] = {{mtime, 0}, {mtime, 0}};
    ASSERT_EQ(utimes(path.c_str(), tv), 0);
  }
}

TEST(SummarizeQueue, CountsAreasAndFindsOldest) {
  std::string root = testing::MakeTempDir("root") + "/r";
  std::vector<std::string> notes;
  ASSERT_TRUE(setup::MakeRoot({.root = root, .user_mode = true, .me = "a.example"}, &notes).ok());
  std::string qdir = queue::QueueDir(root);
  int64_t now = 2000000000;
  Place(qdir, queue::QueueArea::kMess, 7, now - 125);
  Place(qdir, queue::QueueArea::kMess, 250, now - 3725);
  Place(qdir, queue::QueueArea::kMess, 999, now - 10);
  Place(qdir, queue::QueueArea::kTodo, 999);
  Place(qdir, queue::QueueArea::kInfo, 7);
  Place(qdir, queue::QueueArea::kLocal, 7);
  Place(qdir, queue::QueueArea::kInfo, 250);
  Place(qdir, queue::QueueArea::kRemote, 250);
  Result<QueueSummary> s = SummarizeQueue(root, now);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->counts["mess"], 3u);
  EXPECT_EQ(s->counts["todo"], 1u);
  EXPECT_EQ(s->counts["info"], 2u);
  EXPECT_EQ(s->counts["local"], 1u);
  EXPECT_EQ(s->counts["remote"], 1u);
  EXPECT_EQ(s->counts["bounce"], 0u);
  ASSERT_TRUE(s->has_oldest);
  EXPECT_EQ(s->oldest_id, 250u);
  EXPECT_EQ(s->oldest_age_seconds, 3725);
  std::string text = FormatQueueSummary(*s);
  EXPECT_EQ(text.substr(0, text.find('\n')), "messages 3 (oldest 1h02m old, id 250)");
  EXPECT_NE(text.find("  todo          1  queued, not yet taken by the queue manager\n"),
            std::string::npos)
      << text;
}

TEST(SummarizeQueue, EmptyQueueHasNoOldest) {
  std::string root = testing::MakeTempDir("root") + "/r";
  std::vector<std::string> notes;
  ASSERT_TRUE(setup::MakeRoot({.root = root, .user_mode = true, .me = "a.example"}, &notes).ok());
  Result<QueueSummary> s = SummarizeQueue(root, 2000000000);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_FALSE(s->has_oldest);
  EXPECT_EQ(FormatQueueSummary(*s).substr(0, 11), "messages 0\n");
}

TEST(SummarizeQueue, MissingQueueIsAnError) {
  Result<QueueSummary> s = SummarizeQueue(testing::MakeTempDir("none"), 0);
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace yubin::ctl
