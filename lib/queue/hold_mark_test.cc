// hold_mark_test.cc: the hold marks and their removal with the message.
#include "lib/queue/hold_mark.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "lib/queue/layout.h"
#include "lib/queue/message_state.h"
#include "lib/queue/trigger.h"
#include "tests/harness/harness.h"

namespace yubin::queue {
namespace {

using yubin::testing::FileExists;
using yubin::testing::MakeTempDir;
using yubin::testing::WriteFileOrDie;

class HoldMarkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    q_ = MakeTempDir("q") + "/queue";
    ASSERT_TRUE(CreateQueueLayout(q_).ok());
  }
  std::string q_;
};

TEST_F(HoldMarkTest, AbsentMarkIsNone) {
  Result<Mark> m = ReadMark(q_, 42);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(*m, Mark::kNone);
  Result<std::map<MessageId, Mark>> all = ReadAllMarks(q_);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty()) << "got " << all->size() << " marks, want 0";
}

TEST_F(HoldMarkTest, WriteReadRemove) {
  ASSERT_TRUE(WriteMark(q_, 42, Mark::kHold).ok());
  ASSERT_TRUE(WriteMark(q_, 7, Mark::kDelete).ok());
  EXPECT_EQ(*ReadMark(q_, 42), Mark::kHold);
  EXPECT_EQ(*ReadMark(q_, 7), Mark::kDelete);
  struct stat st;
  ASSERT_EQ(stat(HoldDir(q_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u) << "hold/ mode";
  ASSERT_EQ(stat(HoldPath(q_, 42).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u) << "mark mode";
  WriteFileOrDie(HoldDir(q_) + "/42.tmp123", "h");  // not an id: ignored
  Result<std::map<MessageId, Mark>> all = ReadAllMarks(q_);
  ASSERT_TRUE(all.ok());
  std::map<MessageId, Mark> want = {{7, Mark::kDelete}, {42, Mark::kHold}};
  EXPECT_EQ(*all, want);
  // A hold over a delete turns it back into a hold.
  ASSERT_TRUE(WriteMark(q_, 7, Mark::kHold).ok());
  EXPECT_EQ(*ReadMark(q_, 7), Mark::kHold);
  ASSERT_TRUE(RemoveMark(q_, 42).ok());
  ASSERT_TRUE(RemoveMark(q_, 42).ok()) << "removing twice is fine";
  ASSERT_TRUE(WriteMark(q_, 7, Mark::kNone).ok());
  EXPECT_EQ(*ReadMark(q_, 42), Mark::kNone);
  EXPECT_EQ(*ReadMark(q_, 7), Mark::kNone);
}

TEST_F(HoldMarkTest, UnknownContentHolds) {
  ASSERT_TRUE(WriteMark(q_, 9, Mark::kHold).ok());
  WriteFileOrDie(HoldPath(q_, 9), "x");
  EXPECT_EQ(*ReadMark(q_, 9), Mark::kHold);
}

TEST_F(HoldMarkTest, RemoveMessageRemovesTheMarkBeforeTheContent) {
  const MessageId id = 1234;
  WriteFileOrDie(MessagePath(q_, QueueArea::kMess, id), "x");
  WriteFileOrDie(MessagePath(q_, QueueArea::kInfo, id), std::string("t1\0Fa\0", 6));
  WriteFileOrDie(MessagePath(q_, QueueArea::kTodo, id), "u0");
  ASSERT_TRUE(WriteMark(q_, id, Mark::kDelete).ok());
  // Make mess/ unremovable: the mark must already be gone when that fails.
  std::string mess_bucket = BucketDir(q_, QueueArea::kMess, BucketOf(id));
  if (geteuid() != 0) {
    ASSERT_EQ(chmod(mess_bucket.c_str(), 0500), 0);
    EXPECT_FALSE(RemoveMessage(q_, id).ok());
    EXPECT_FALSE(FileExists(HoldPath(q_, id))) << "mark left while mess/ stays";
    EXPECT_TRUE(FileExists(MessagePath(q_, QueueArea::kMess, id)));
    ASSERT_EQ(chmod(mess_bucket.c_str(), 0700), 0);
  }
  ASSERT_TRUE(RemoveMessage(q_, id).ok());
  for (QueueArea a : kAllAreas) {
    EXPECT_FALSE(FileExists(MessagePath(q_, a, id))) << AreaName(a);
  }
  EXPECT_FALSE(FileExists(HoldPath(q_, id)));
}

TEST_F(HoldMarkTest, ControlPokeIsSeenAmongOrdinaryOnes) {
  UniqueFd t = OpenTriggerForManager(q_);
  ASSERT_TRUE(t.valid());
  ASSERT_TRUE(PokeTrigger(q_));
  bool control = false;
  EXPECT_EQ(DrainTrigger(t.get(), &control), 1u);
  EXPECT_FALSE(control) << "an injection's poke is not a control poke";
  ASSERT_TRUE(PokeTrigger(q_));
  ASSERT_TRUE(PokeTriggerControl(q_));
  ASSERT_TRUE(PokeTrigger(q_));
  EXPECT_EQ(DrainTrigger(t.get(), &control), 3u);
  EXPECT_TRUE(control);
}

}  // namespace
}  // namespace yubin::queue
