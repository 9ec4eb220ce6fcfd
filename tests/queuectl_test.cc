// yubin-queuectl against the real yubin-queue, yubin-send and yubin-lspawn
// with the stand-in fake_local: hold, release, delete and requeue.
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/queue/hold_mark.h"
#include "lib/queue/layout.h"
#include "lib/queue/message_state.h"
#include "tests/harness/harness.h"
#include "tests/queue_fixture.h"
#include "tests/send_fixture.h"

namespace yubin::testing {
namespace {

class QueueCtlTest : public SendTest {
 protected:
  ProcessResult Ctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {RunfilePath("cmd/yubin-queuectl/yubin-queuectl")};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, {.env = Env()});
  }
  ProcessResult Qread() {
    return RunProcess({RunfilePath("cmd/yubin-qread/yubin-qread")}, {.env = Env()});
  }
  std::vector<queue::MessageId> Ids() {
    std::vector<queue::MessageId> ids;
    EXPECT_TRUE(queue::ForEachMessage(root_.queue, queue::QueueArea::kMess,
                                      [&](queue::MessageId id) { ids.push_back(id); })
                    .ok());
    return ids;
  }
  // The id of the only queued message.
  std::string OnlyId() {
    std::vector<queue::MessageId> ids = Ids();
    EXPECT_EQ(ids.size(), 1u) << QueueState();
    return ids.empty() ? "0" : std::to_string(ids[0]);
  }
  bool NoMarks() {
    auto m = queue::ReadAllMarks(root_.queue);
    return m.ok() && m->empty();
  }
};

TEST_F(QueueCtlTest, HoldStopsOneMessageWhileOthersGoAndReleaseLetsItGo) {
  Fake("kim.code", "111");
  Fake("kim.text", "mailbox busy");
  StartLspawn();
  StartSend();
  Inject("Subject: a\n\nx\n", "alice@example.com", {"kim@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas("deferral: mailbox busy"); }, kWait))
      << SendLog();
  std::string id = OnlyId();
  ProcessResult r = Ctl({"hold", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, id + ": held\n");
  ProcessResult q = Qread();
  EXPECT_NE(q.out.find("#" + id + " "), std::string::npos) << q.out;
  EXPECT_NE(q.out.find("  held\n        local   kim@example.com\n"), std::string::npos)
      << q.out;

  // Everything due now, and a second message: it goes, the held one not.
  Fake("kim.code", "0");
  send_->Signal(SIGALRM);
  Inject("Subject: b\n\ny\n", "alice@example.com", {"lee@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return Ids().size() == 1; }, kWait))
      << QueueState() << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"), "lee@example.com <alice@example.com>\n");
  EXPECT_EQ(Count(SendLog(), "starting delivery " + id + "."), 1u)
      << "got a new delivery of the held message\n" << SendLog();
  EXPECT_EQ(OnlyId(), id);

  r = Ctl({"release", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, id + ": released\n");
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"),
            "lee@example.com <alice@example.com>\nkim@example.com <alice@example.com>\n");
  EXPECT_TRUE(NoMarks());
}

TEST_F(QueueCtlTest, HoldLetsTheDeliveryInFlightFinishAndStopsTheWaitingOne) {
  Control("concurrencylocal", "1");  // lee waits behind kim
  Hang("kim");
  StartLspawn();
  StartSend();
  Inject("Subject: a\n\nx\n", "alice@example.com", {"kim@example.com", "lee@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return FileExists(fake_ + "/kim.started"); }, kWait))
      << SendLog();
  std::string id = OnlyId();
  ProcessResult r = Ctl({"hold", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Release("kim");
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas(": kim@example.com: success"); }, kWait))
      << SendLog();
  // The result is on disk: kim is D, lee still T, and lee never started.
  auto recs = queue::ReadRecipients(root_.queue, queue::QueueArea::kLocal, std::stoull(id));
  ASSERT_TRUE(recs.ok()) << recs.status().message();
  ASSERT_EQ(recs->size(), 2u);
  EXPECT_TRUE((*recs)[0].done) << "kim's delivery in flight was not recorded";
  EXPECT_FALSE((*recs)[1].done);
  // Wake the manager fully (SIGALRM: everything due) and check lee stays.
  send_->Signal(SIGALRM);
  Inject("Subject: b\n\ny\n", "alice@example.com", {"max@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas(": max@example.com: success"); }, kWait))
      << SendLog();
  EXPECT_FALSE(SendLogHas("to local lee@example.com")) << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"),
            "kim@example.com <alice@example.com>\nmax@example.com <alice@example.com>\n");
  ASSERT_EQ(Ctl({"release", id}).exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  EXPECT_EQ(Count(FakeFile("delivered.log"), "lee@example.com"), 1u);
}

TEST_F(QueueCtlTest, HoldBeforeTheManagerStartsIsKept) {
  Inject("Subject: a\n\nx\n", "alice@example.com", {"kim@example.com"});
  std::string id = OnlyId();
  ASSERT_EQ(Ctl({"hold", id}).exit_code, 0);
  StartLspawn();
  StartSend();
  Inject("Subject: b\n\ny\n", "alice@example.com", {"lee@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return Ids().size() == 1; }, kWait)) << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"), "lee@example.com <alice@example.com>\n");
  EXPECT_EQ(Count(SendLog(), "starting delivery " + id + "."), 0u) << SendLog();
  ASSERT_EQ(Ctl({"release", id}).exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << SendLog();
  EXPECT_NE(FakeFile("delivered.log").find("kim@example.com"), std::string::npos);
}

TEST_F(QueueCtlTest, DeleteWhileTheManagerRunsSendsNothingAndNoBounce) {
  Fake("kim.code", "111");
  Fake("lee.code", "100");
  StartLspawn();
  StartSend();
  Inject("Subject: a\n\nx\n", "alice@example.com", {"kim@example.com", "lee@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas(": kim@example.com: deferral") &&
                                     SendLogHas(": lee@example.com: failure"); },
                        kWait))
      << SendLog();
  std::string id = OnlyId();
  ProcessResult r = Ctl({"delete", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, id + ": to be deleted by yubin-send (held until then)\n");
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty() && NoMarks(); }, kWait))
      << QueueState() << SendLog();
  EXPECT_TRUE(SendLogHas("deleted msg " + id)) << SendLog();
  EXPECT_FALSE(SendLogHas("bounce msg")) << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"), "");
  r = Ctl({"delete", id});
  EXPECT_EQ(r.exit_code, 100) << "deleting a gone message: " << r.out << r.err;
  EXPECT_NE(r.err.find("not in the queue"), std::string::npos) << r.err;
}

TEST_F(QueueCtlTest, DeleteWithoutManagerRemovesAtOnce) {
  Inject("Subject: a\n\nx\n", "alice@example.com", {"kim@example.com"});
  queue::MessageId kim = std::stoull(OnlyId());
  Inject("Subject: b\n\ny\n", "alice@example.com", {"lee@example.com"});
  std::vector<queue::MessageId> ids = Ids();
  ASSERT_EQ(ids.size(), 2u);
  queue::MessageId lee = ids[0] == kim ? ids[1] : ids[0];
  ProcessResult r = Ctl({"delete", std::to_string(kim)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::to_string(kim) + ": deleted\n");
  EXPECT_EQ(Ids(), std::vector<queue::MessageId>{lee});
  EXPECT_FALSE(FileExists(queue::MessagePath(root_.queue, queue::QueueArea::kTodo, kim)));
  StartLspawn();
  StartSend();
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"), "lee@example.com <alice@example.com>\n");
}

TEST_F(QueueCtlTest, RequeueRetriesATemporaryFailureAtOnce) {
  Fake("kim.code", "111");
  Fake("kim.text", "mailbox busy");
  StartLspawn();
  StartSend();
  Inject("Subject: a\n\nx\n", "alice@example.com", {"kim@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas("deferral: mailbox busy"); }, kWait))
      << SendLog();
  std::string id = OnlyId();
  Fake("kim.code", "0");
  // The schedule's next attempt is about 100 s away; requeue makes it now.
  ProcessResult r = Ctl({"requeue", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, id + ": due now\n");
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"), "kim@example.com <alice@example.com>\n");
}

TEST_F(QueueCtlTest, RequeueAllRetriesEveryMessage) {
  Fake("kim.code", "111");
  Fake("lee.code", "111");
  StartLspawn();
  StartSend();
  Inject("Subject: a\n\nx\n", "alice@example.com", {"kim@example.com"});
  Inject("Subject: b\n\ny\n", "alice@example.com", {"lee@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return Count(SendLog(), "deferral") == 2; }, kWait))
      << SendLog();
  Fake("kim.code", "0");
  Fake("lee.code", "0");
  ProcessResult r = Ctl({"requeue", "ALL"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count(r.out, ": due now\n"), 2u) << r.out;
  EXPECT_NE(r.out.find("requeued 2 messages\n"), std::string::npos) << r.out;
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
}

TEST_F(QueueCtlTest, StaleMarkIsRemovedByTheFullScan) {
  ASSERT_TRUE(queue::WriteMark(root_.queue, 4242, queue::Mark::kHold).ok());
  StartLspawn();
  StartSend();
  EXPECT_TRUE(SendLogHas("removed the hold mark of msg 4242")) << SendLog();
  EXPECT_TRUE(NoMarks());
}

TEST_F(QueueCtlTest, UsageAndUnknownIds) {
  EXPECT_EQ(Ctl({}).exit_code, 100);
  EXPECT_EQ(Ctl({"hold"}).exit_code, 100);
  EXPECT_EQ(Ctl({"frobnicate", "1"}).exit_code, 100);
  EXPECT_EQ(Ctl({"hold", "12x"}).exit_code, 100);
  EXPECT_EQ(Ctl({"hold", "ALL"}).exit_code, 100);
  ProcessResult r = Ctl({"hold", "999999"});
  EXPECT_EQ(r.exit_code, 100);
  EXPECT_NE(r.err.find("999999: not in the queue"), std::string::npos) << r.err;
  EXPECT_TRUE(NoMarks()) << "a mark for a message not queued";
  r = Ctl({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("usage: yubin-queuectl"), std::string::npos) << r.out;
}

TEST_F(QueueCtlTest, RefusesAnotherUser) {
  if (!HaveRealRoot()) GTEST_SKIP() << "needs root to run as another user";
  // A copy of the program that uid 4343 can execute; the queue belongs to
  // uid 4242 (and may not even be reachable for 4343: that is refused too).
  char dir[] = "/tmp/queuectl.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  ASSERT_EQ(chmod(dir, 0755), 0);
  std::string prog = std::string(dir) + "/yubin-queuectl";
  ASSERT_EQ(RunShell("cp " + RunfilePath("cmd/yubin-queuectl/yubin-queuectl") + " " + prog +
                     " && chmod 755 " + prog).exit_code, 0);
  ASSERT_EQ(chown(root_.queue.c_str(), 4242, 4242), 0);
  ProcessResult r =
      RunShell("setpriv --reuid=4343 --regid=4343 --clear-groups " + prog + " hold 1",
               {.env = Env()});
  RunShell(std::string("rm -rf ") + dir);
  EXPECT_EQ(r.exit_code, 100) << r.err;
  EXPECT_NE(r.err.find("must run as the owner"), std::string::npos) << r.err;
  // Root may.
  r = Ctl({"hold", "1"});
  EXPECT_EQ(r.exit_code, 100) << "root passes the check; id 1 is not queued: " << r.err;
  EXPECT_NE(r.err.find("1: not in the queue"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace yubin::testing
