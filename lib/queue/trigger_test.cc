// trigger_test.cc: the records on lock/trigger and the manager's reading.
#include "lib/queue/trigger.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/queue/layout.h"
#include "tests/harness/harness.h"

namespace yubin::queue {
namespace {

using Ids = std::vector<uint64_t>;

TEST(TriggerReader, IdRecordsNameMessages) {
  TriggerReader r;
  TriggerNews n = r.Parse("17\n123456789\n");
  EXPECT_EQ(n.ids, (Ids{17, 123456789}));
  EXPECT_FALSE(n.scan_all);
  EXPECT_FALSE(n.control);
}

TEST(TriggerReader, ARecordCutBetweenReadsIsJoined) {
  TriggerReader r;
  TriggerNews a = r.Parse("12");
  EXPECT_TRUE(a.ids.empty());
  TriggerNews b = r.Parse("34\n5\n");
  EXPECT_EQ(b.ids, (Ids{1234, 5}));
}

TEST(TriggerReader, BangControlAndJunk) {
  TriggerReader r;
  TriggerNews n = r.Parse("!");
  EXPECT_TRUE(n.scan_all) << "an old-style poke scans everything";
  n = r.Parse(std::string(1, kControlPoke) + "9\n");
  EXPECT_TRUE(n.control);
  EXPECT_FALSE(n.scan_all);
  EXPECT_EQ(n.ids, Ids{9});
  EXPECT_TRUE(r.Parse("x").scan_all) << "an unknown record";
  EXPECT_TRUE(r.Parse("\n").scan_all) << "an empty id";
  n = r.Parse("12" + std::string(1, kControlPoke) + "3\n");
  EXPECT_TRUE(n.scan_all) << "a record cut by another one";
  EXPECT_EQ(n.ids, Ids{3});
  EXPECT_TRUE(r.Parse(std::string(25, '7') + "\n").scan_all) << "no id has 25 digits";
}

class TriggerFifo : public ::testing::Test {
 protected:
  void SetUp() override {
    q_ = yubin::testing::MakeTempDir("q");
    ASSERT_TRUE(CreateQueueLayout(q_).ok());
    t_ = OpenTriggerForManager(q_);
    ASSERT_TRUE(t_.valid());
  }
  std::string q_;
  UniqueFd t_;
};

TEST_F(TriggerFifo, PokesArriveAsRecords) {
  ASSERT_TRUE(PokeTriggerFor(q_, 42));
  ASSERT_TRUE(PokeTriggerControl(q_));
  ASSERT_TRUE(PokeTriggerFor(q_, 18446744073709551615ull));
  TriggerReader r;
  TriggerNews n = r.Drain(t_.get());
  EXPECT_EQ(n.ids, (Ids{42, 18446744073709551615ull}));
  EXPECT_TRUE(n.control);
  EXPECT_FALSE(n.scan_all);
  n = r.Drain(t_.get());
  EXPECT_TRUE(n.ids.empty()) << "drained";
}

// Writers that found the pipe full lost their records: the drain that
// follows must ask for a scan of everything.
TEST_F(TriggerFifo, AFullPipeMeansScanEverything) {
  size_t pokes = 0;
  while (PokeTriggerFor(q_, 1000000 + pokes)) ++pokes;
  EXPECT_FALSE(PokeTriggerFor(q_, 1)) << "the pipe is full";
  TriggerReader r;
  TriggerNews n = r.Drain(t_.get());
  EXPECT_EQ(n.ids.size(), pokes);
  EXPECT_TRUE(n.scan_all);
  // A drain of a few records does not.
  ASSERT_TRUE(PokeTriggerFor(q_, 5));
  n = r.Drain(t_.get());
  EXPECT_FALSE(n.scan_all);
  EXPECT_EQ(n.ids, Ids{5});
}

}  // namespace
}  // namespace yubin::queue
