// trigger_test.cc: the records on lock/trigger and the manager's reading.
#include "lib/queue/trigger.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

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

// The intake's writer keeps the FIFO open; when the manager goes and a new
// one makes a new FIFO, the next poke finds it (after one EPIPE), and with
// no manager at all a poke simply fails.
TEST_F(TriggerFifo, AKeptWriterFollowsTheManager) {
  signal(SIGPIPE, SIG_IGN);  // as in the intake service
  TriggerWriter w(q_);
  ASSERT_TRUE(w.PokeFor(7));
  ASSERT_TRUE(w.PokeFor(8));
  TriggerReader r;
  EXPECT_EQ(r.Drain(t_.get()).ids, (Ids{7, 8}));
  t_.reset();  // the manager exits
  EXPECT_FALSE(w.PokeFor(9)) << "no reader";
  const std::string path = TriggerPath(q_);
  ASSERT_EQ(unlink(path.c_str()), 0);
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  t_ = OpenTriggerForManager(q_);
  ASSERT_TRUE(t_.valid());
  ASSERT_TRUE(w.PokeFor(10));
  EXPECT_EQ(r.Drain(t_.get()).ids, Ids{10});
}

}  // namespace
}  // namespace yubin::queue
