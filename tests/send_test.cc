// yubin-send and yubin-lspawn end to end: messages injected with the real
// yubin-queue, delivered through the real yubin-lspawn to the test-only
// stand-in fake_local (yubin-local's interface), with bounces flowing back
// into the queue and being delivered in turn.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/base/boot_id.h"
#include "lib/queue/cleanup.h"
#include "lib/queue/layout.h"
#include "lib/queue/message_state.h"
#include "tests/harness/harness.h"
#include "tests/queue_fixture.h"
#include "tests/send_fixture.h"

namespace yubin::testing {
namespace {

TEST_F(SendTest, DeliversLocalMessageAndRemovesIt) {
  StartLspawn();
  StartSend();
  Inject("Subject: one\n\nhello\n", "alice@example.com", {"kim@Example.com"});
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait))
      << QueueState() << "\n" << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"), "kim@example.com <alice@example.com>\n");
  std::string mbox = FakeFile("kim.mbox");
  EXPECT_NE(mbox.find("Subject: one\n\nhello\n"), std::string::npos) << mbox;
  EXPECT_NE(mbox.find("Received: (yubin"), std::string::npos) << mbox;
  EXPECT_TRUE(SendLogHas(": kim@Example.com: success: fake: code 0")) << SendLog();
  EXPECT_TRUE(SendLogHas("end msg ")) << SendLog();
}

// Two messages as a crash of the machine during their injection's sync
// could leave them for the next boot: one whole, one whose content the disk
// kept only in part. At start the manager delivers the whole one and
// removes the torn one (docs/queue.md, "Injection and the commit point").
TEST_F(SendTest, AMessageTornBeforeARestartIsRemovedAndAWholeOneDelivered) {
  StartLspawn();
  Inject("Subject: whole\n\nhello\n", "alice@example.com", {"kim@example.com"});
  Inject("Subject: torn\n\nhello\n", "alice@example.com", {"lee@example.com"});
  std::vector<queue::MessageId> ids;
  ASSERT_TRUE(queue::ForEachMessage(root_.queue, queue::QueueArea::kTodo, [&](queue::MessageId id) {
                ids.push_back(id);
              }).ok());
  ASSERT_EQ(ids.size(), 2u);
  const std::string boot = CurrentBootId();
  ASSERT_FALSE(boot.empty());
  for (queue::MessageId id : ids) {
    // Written in another boot: the same record with another boot id.
    const std::string todo = queue::MessagePath(root_.queue, queue::QueueArea::kTodo, id);
    std::string env = ReadFileOrEmpty(todo);
    const size_t at = env.find(":" + boot + ":");
    ASSERT_NE(at, std::string::npos) << "the injection wrote this boot's id";
    env.replace(at + 1, boot.size(), "0f3c5e1a-9b2d-4c7e-8a61-3d2f9e4b7c10");
    WriteFileOrDie(todo, env, 0600);
    const std::string mess = queue::MessagePath(root_.queue, queue::QueueArea::kMess, id);
    std::string content = ReadFileOrEmpty(mess);
    const size_t torn = content.find("Subject: torn");
    if (torn != std::string::npos) {
      content[torn + 9] = 'T';  // what the disk kept differs from what was written
      WriteFileOrDie(mess, content, 0600);
    }
  }
  StartSend();
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << "\n" << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"), "kim@example.com <alice@example.com>\n");
  EXPECT_TRUE(SendLogHas("torn by a crash before its injection was acknowledged")) << SendLog();
}

TEST_F(SendTest, VirtualDomainGetsPrepend) {
  Control("virtualdomains", "lists.example.org:ml");
  StartLspawn();
  StartSend();
  Inject("Subject: v\n\nx\n", "alice@example.com", {"bugs@lists.example.org"});
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"), "ml-bugs@lists.example.org <alice@example.com>\n");
}

TEST_F(SendTest, TemporaryFailureRetriedAfterSigalrm) {
  Fake("kim.code", "111");
  Fake("kim.text", "mailbox busy");
  StartLspawn();
  StartSend();
  Inject("Subject: t\n\nx\n", "alice@example.com", {"kim@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas("deferral: mailbox busy"); }, kWait))
      << SendLog();
  EXPECT_FALSE(QueueEmpty());
  EXPECT_EQ(FakeFile("delivered.log"), "");
  Fake("kim.code", "0");
  send_->Signal(SIGALRM);
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"), "kim@example.com <alice@example.com>\n");
}

TEST_F(SendTest, PermanentFailuresMakeOneBounceToTheSender) {
  Fake("kim.code", "100");
  Fake("kim.text", "Sorry, no mailbox here by that name. (#5.1.1)");
  Fake("lee.code", "100");
  Fake("lee.text", "over quota");
  StartLspawn();
  StartSend();
  Inject("Subject: b\n\noriginal body\n", "alice@example.com",
         {"kim@example.com", "bob@example.com", "lee@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty() && !FakeFile("alice.mbox").empty(); },
                        kWait))
      << QueueState() << SendLog();
  std::string bounce = FakeFile("alice.mbox");
  EXPECT_EQ(Count(bounce, "Hi. This is the yubin-send program at example.com."), 1u)
      << bounce;
  EXPECT_EQ(bounce.find("From \n"), 0u) << "bounce sender must be empty: " << bounce;
  EXPECT_NE(bounce.find("<kim@example.com>:\nSorry, no mailbox here by that name. (#5.1.1)\n"),
            std::string::npos) << bounce;
  EXPECT_NE(bounce.find("<lee@example.com>:\nover quota\n"), std::string::npos) << bounce;
  EXPECT_EQ(bounce.find("<bob@example.com>"), std::string::npos) << bounce;
  EXPECT_NE(bounce.find("From: MAILER-DAEMON@example.com\n"), std::string::npos) << bounce;
  EXPECT_NE(bounce.find("original body\n"), std::string::npos) << bounce;
  EXPECT_EQ(Count(FakeFile("delivered.log"), "bob@example.com"), 1u);
}

TEST_F(SendTest, BounceOfBounceGoesToPostmaster) {
  Fake("kim.code", "100");
  Control("bouncehost", "b.example.com");
  Control("doublebouncehost", "example.com");
  StartLspawn();
  StartSend();
  Inject("Subject: bb\n\nx\n", "", {"kim@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty() && !FakeFile("postmaster.mbox").empty(); },
                        kWait))
      << QueueState() << SendLog();
  std::string db = FakeFile("postmaster.mbox");
  EXPECT_EQ(db.find("From #@[]\n"), 0u) << db;
  EXPECT_NE(db.find("the bounce bounced!"), std::string::npos) << db;
  EXPECT_NE(db.find("<kim@example.com>:\nfake: code 100\n"), std::string::npos) << db;
}

TEST_F(SendTest, FailedDoubleBounceIsLoggedAndDropped) {
  Fake("kim.code", "100");
  Fake("postmaster.code", "100");
  StartLspawn();
  StartSend();
  Inject("Subject: bb\n\nx\n", "", {"kim@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas("double bounce failed; discarding it"); },
                        kWait))
      << SendLog();
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState();
  EXPECT_EQ(FakeFile("delivered.log"), "");
}

TEST_F(SendTest, QueueLifetimeTurnsTemporaryIntoBounce) {
  Control("queuelifetime", "0");
  Fake("kim.code", "111");
  Fake("kim.text", "mailbox busy");
  StartLspawn();
  StartSend();
  Inject("Subject: l\n\nx\n", "alice@example.com", {"kim@example.com", "far@remote.net"});
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty() && !FakeFile("alice.mbox").empty(); },
                        kWait))
      << QueueState() << SendLog();
  std::string bounce = FakeFile("alice.mbox");
  EXPECT_NE(bounce.find("<kim@example.com>:\nmailbox busy\nI'm not going to try again"),
            std::string::npos) << bounce;
  EXPECT_NE(bounce.find("<far@remote.net>:\nUnable to reach the remote delivery service"),
            std::string::npos) << bounce;
}

// No yubin-rspawn: remote recipients wait, logged once, while local ones go.
TEST_F(SendTest, RemoteRecipientsWaitForTheRemoteService) {
  StartLspawn();
  StartSend();
  Inject("Subject: r\n\nx\n", "alice@example.com", {"far@remote.net", "kim@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return FakeFile("delivered.log") != ""; }, kWait)) << SendLog();
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas("cannot connect to the remote delivery service"); },
                        kWait)) << SendLog();
  std::map<std::string, size_t> c = Counts();
  EXPECT_EQ(c["remote"], 1u);
  EXPECT_EQ(c["mess"], 1u);
  EXPECT_EQ(c["bounce"], 0u);
  EXPECT_EQ(Count(SendLog(), "cannot connect to the remote delivery service"), 1u);
}

TEST_F(SendTest, LspawnKilledMidDeliveryIsRedone) {
  Hang("kim");
  StartLspawn();
  StartSend();
  Inject("Subject: k\n\nx\n", "alice@example.com", {"kim@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return FileExists(fake_ + "/kim.started"); }, kWait));
  lspawn_->SignalGroup(SIGKILL);  // the service and the delivery it ran
  lspawn_->Wait(kWait);
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas("deferral: Lost the connection"); }, kWait))
      << SendLog();
  Release("kim");
  EXPECT_FALSE(QueueEmpty());
  StartLspawn();
  send_->Signal(SIGALRM);
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"), "kim@example.com <alice@example.com>\n");
}

TEST_F(SendTest, SendKilledAndRestartedLosesNothing) {
  Hang("bob");
  StartLspawn();
  StartSend();
  const std::vector<std::string> users = {"u1", "u2", "bob", "u3", "u4"};
  for (const std::string& u : users) {
    Inject("Subject: " + u + "\n\nx\n", "alice@example.com", {u + "@example.com"});
  }
  ASSERT_TRUE(WaitUntil([&] {
    return FileExists(fake_ + "/bob.started") && Count(SendLog(), "end msg ") == 4;
  }, kWait)) << SendLog();
  send_->Signal(SIGKILL);
  send_->Wait(kWait);
  EXPECT_EQ(Counts()["mess"], 1u) << QueueState();
  // The delivery in flight completes after its manager died: the one window
  // where it is delivered again (docs/queue.md).
  Release("bob");
  ASSERT_TRUE(WaitUntil([&] { return Count(FakeFile("delivered.log"), "bob@") == 1; }, kWait));
  StartSend();
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  std::string log = FakeFile("delivered.log");
  for (const std::string& u : users) {
    EXPECT_EQ(Count(log, u + "@example.com"), u == "bob" ? 2u : 1u) << u << "\n" << log;
  }
}

TEST_F(SendTest, SigtermWaitsForDeliveryInFlightThenExits) {
  Hang("kim");
  StartLspawn();
  StartSend();
  Inject("Subject: s\n\nx\n", "alice@example.com", {"kim@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return FileExists(fake_ + "/kim.started"); }, kWait));
  send_->Signal(SIGTERM);
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas("SIGTERM: waiting for 1 deliveries"); }, kWait))
      << SendLog();
  EXPECT_TRUE(send_->running());
  Release("kim");
  int ws = send_->Wait(kWait);
  ASSERT_TRUE(WIFEXITED(ws)) << ws;
  EXPECT_EQ(WEXITSTATUS(ws), 0);
  EXPECT_TRUE(SendLogHas("success")) << SendLog();
  // The result was recorded before the exit; a restart only tidies up.
  StartSend();
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState();
  EXPECT_EQ(Count(FakeFile("delivered.log"), "kim@"), 1u);
}

TEST_F(SendTest, ConcurrencyLocalLimitsDeliveriesInFlight) {
  Control("concurrencylocal", "2");
  for (const char* u : {"u1", "u2", "u3"}) Hang(u);
  for (const char* u : {"u1", "u2", "u3"}) {
    Inject("Subject: c\n\nx\n", "alice@example.com", {std::string(u) + "@example.com"});
  }
  StartLspawn();
  StartSend();  // finds all three at its start-up scan
  auto started = [&] {
    size_t n = 0;
    for (const char* u : {"u1", "u2", "u3"}) n += FileExists(fake_ + "/" + u + ".started");
    return n;
  };
  ASSERT_TRUE(WaitUntil([&] { return started() == 2; }, kWait)) << SendLog();
  EXPECT_EQ(Count(SendLog(), "starting delivery"), 2u) << SendLog();
  for (const char* u : {"u1", "u2", "u3"}) Release(u);
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  EXPECT_EQ(Count(FakeFile("delivered.log"), "\n"), 3u) << FakeFile("delivered.log");
}

TEST_F(SendTest, SighupRereadsLocals) {
  StartLspawn();
  StartSend();
  Control("locals", "example.com\nnew.example.net");
  send_->Signal(SIGHUP);
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas("SIGHUP: control files reread"); }, kWait))
      << SendLog();
  Inject("Subject: h\n\nx\n", "alice@example.com", {"kim@new.example.net"});
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"), "kim@new.example.net <alice@example.com>\n");
}

// yubin-send is killed five times while 60 messages flow, each time after a
// different number of completed deliveries. After the last restart every
// message is delivered; a delivery is repeated only if it was in flight at a
// kill (at most concurrencylocal per kill); a message killed between the
// removal of info/ and of mess/ leaves only its content file, which the
// cleanup removes after the grace period.
TEST_F(SendTest, RepeatedKillsOfSendLoseNothing) {
  constexpr int kMessages = 60;
  constexpr int kKills = 5;
  for (int i = 0; i < kMessages; ++i) {
    Inject("Subject: m\n\nx\n", "alice@example.com",
           {"u" + std::to_string(i) + "@example.com"});
  }
  StartLspawn();
  auto unfinished = [&] {
    std::map<std::string, size_t> c = Counts();
    return c["todo"] + c["info"] + c["local"] + c["remote"] + c["bounce"];
  };
  // Each run finishes a few messages before it is killed; a run may finish
  // many more before the kill lands, so later runs wait for no more than
  // what is left: the messages the queue still holds (counted on disk, as
  // a kill can land after a removal and before its log line).
  for (int k = 0; k < kKills; ++k) {
    std::map<std::string, size_t> c = Counts();
    const size_t left = c["todo"] + c["info"];
    StartSend();
    size_t target = std::min<size_t>(3 + static_cast<size_t>(k) * 2, left);
    ASSERT_TRUE(WaitUntil([&] { return Count(SendLog(), "end msg ") >= target; }, kWait))
        << SendLog();
    send_->Signal(SIGKILL);
    send_->Wait(kWait);
  }
  StartSend();
  ASSERT_TRUE(WaitUntil([&] { return unfinished() == 0; }, kWait)) << QueueState();
  // A kill during the removal of a group of finished messages can leave
  // their mess/ files, with nothing left that names them: the cleanup's
  // business once they are older than its grace period.
  queue::CleanupReport report;
  send_->Signal(SIGKILL);
  send_->Wait(kWait);
  ASSERT_TRUE(queue::CleanupLeftovers(root_.queue, /*grace=*/0, time(nullptr) + 1, &report).ok());
  EXPECT_EQ(Counts()["mess"], 0u) << QueueState();
  std::string log = FakeFile("delivered.log");
  size_t total = 0;
  for (int i = 0; i < kMessages; ++i) {
    size_t n = Count(log, "u" + std::to_string(i) + "@example.com ");
    EXPECT_GE(n, 1u) << "message " << i << " lost";
    total += n;
  }
  EXPECT_LE(total, static_cast<size_t>(kMessages + kKills * 10)) << log;
}

TEST_F(SendTest, ReadinessOnFdAndCleanExits) {
  std::string lspawn_ready = log_dir_ + "/lspawn.ready", send_ready = log_dir_ + "/send.ready";
  ChildProcess lspawn, send;
  ASSERT_TRUE(lspawn.Start({"/bin/sh", "-c", "exec \"$0\" -d 3 3>" + lspawn_ready,
                            RunfilePath("cmd/yubin-lspawn/yubin-lspawn")},
                           {.env = Env()}));
  ASSERT_TRUE(WaitUntil([&] { return ReadFileOrEmpty(lspawn_ready) == "\n"; }, kWait));
  EXPECT_TRUE(FileExists(Socket())) << "ready before listening";
  ASSERT_TRUE(send.Start({"/bin/sh", "-c", "exec \"$0\" -d 3 3>" + send_ready,
                          RunfilePath("cmd/yubin-send/yubin-send")},
                         {.env = Env()}));
  ASSERT_TRUE(WaitUntil([&] { return ReadFileOrEmpty(send_ready) == "\n"; }, kWait));
  send.Signal(SIGTERM);
  lspawn.Signal(SIGTERM);
  int ws = send.Wait(kWait);
  EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << "yubin-send wait status " << ws;
  ws = lspawn.Wait(kWait);
  EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << "yubin-lspawn wait status " << ws;
  EXPECT_FALSE(FileExists(Socket())) << "yubin-lspawn left its socket";
}

TEST_F(SendTest, UnexpectedExitCodeIsTemporary) {
  Fake("kim.code", "3");
  Fake("kim.text", "odd");
  StartLspawn();
  StartSend();
  Inject("Subject: u\n\nx\n", "alice@example.com", {"kim@example.com"});
  ASSERT_TRUE(WaitUntil([&] {
    return SendLogHas("deferral: odd/Unexpected exit code 3 from the local delivery program.");
  }, kWait)) << SendLog();
  EXPECT_EQ(Counts()["local"], 1u);
}

TEST_F(SendTest, NoLocalServiceKeepsMessagesQueued) {
  StartSend();
  Inject("Subject: n\n\nx\n", "alice@example.com", {"kim@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas("cannot connect to the local delivery service"); },
                        kWait)) << SendLog();
  EXPECT_EQ(Counts()["local"], 1u);
  StartLspawn();
  send_->Signal(SIGALRM);
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  EXPECT_EQ(FakeFile("delivered.log"), "kim@example.com <alice@example.com>\n");
}

// With its service connected, a one-recipient message is delivered straight
// from todo/: no info/ or local/ file is written for it while it is in
// flight; a message with two recipients is preprocessed as before.
TEST_F(SendTest, OneRecipientMessageGoesStraightFromTodo) {
  Hang("kim");
  Hang("lee");
  StartLspawn();
  StartSend();
  Inject("Subject: first\n\nx\n", "alice@example.com", {"bob@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  Inject("Subject: one\n\nx\n", "alice@example.com", {"kim@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return FileExists(fake_ + "/kim.started"); }, kWait)) << SendLog();
  std::map<std::string, size_t> c = Counts();
  EXPECT_EQ(c["todo"], 1u) << QueueState();
  EXPECT_EQ(c["info"], 0u) << QueueState();
  EXPECT_EQ(c["local"], 0u) << QueueState();
  Inject("Subject: two\n\nx\n", "alice@example.com", {"lee@example.com", "bob@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return FileExists(fake_ + "/lee.started"); }, kWait)) << SendLog();
  c = Counts();
  EXPECT_EQ(c["info"], 1u) << QueueState();
  EXPECT_EQ(c["local"], 1u) << QueueState();
  Release("kim");
  Release("lee");
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  std::string log = FakeFile("delivered.log");
  EXPECT_EQ(Count(log, "kim@example.com"), 1u) << log;
  EXPECT_EQ(Count(log, "lee@example.com"), 1u) << log;
  EXPECT_EQ(Count(log, "bob@example.com"), 2u) << log;
}

// A message taken straight from todo/ whose delivery is deferred gets the
// files of a preprocessed one, and its todo/ file goes.
TEST_F(SendTest, DeferredStraightMessageGetsItsFiles) {
  StartLspawn();
  StartSend();
  Inject("Subject: first\n\nx\n", "alice@example.com", {"bob@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  Fake("kim.code", "111");
  Fake("kim.text", "mailbox busy");
  Inject("Subject: later\n\nx\n", "alice@example.com", {"kim@example.com"});
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas("deferral: mailbox busy"); }, kWait)) << SendLog();
  std::map<std::string, size_t> c = Counts();
  EXPECT_EQ(c["todo"], 0u) << QueueState();
  EXPECT_EQ(c["info"], 1u) << QueueState();
  EXPECT_EQ(c["local"], 1u) << QueueState();
  Fake("kim.code", "0");
  send_->Signal(SIGALRM);
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  EXPECT_EQ(Count(FakeFile("delivered.log"), "kim@example.com"), 1u);
}

TEST_F(SendTest, MessageWithoutRecipientsIsRemoved) {
  StartSend();
  Inject("Subject: none\n\nx\n", "alice@example.com", {});
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas("end msg "); }, kWait)) << SendLog();
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState();
}

// The local delivery service (and the deliveries it runs) is killed four
// times while 40 messages flow; after each restart SIGALRM makes yubin-send
// retry at once. Every message arrives; repeats stay within what was in
// flight at the kills.
TEST_F(SendTest, RepeatedKillsOfLspawnLoseNothing) {
  constexpr int kMessages = 40;
  constexpr int kKills = 4;
  StartLspawn();
  StartSend();
  for (int i = 0; i < kMessages; ++i) {
    Inject("Subject: m\n\nx\n", "alice@example.com",
           {"u" + std::to_string(i) + "@example.com"});
  }
  size_t delivered = 0;
  for (int k = 0; k < kKills; ++k) {
    size_t target = std::min<size_t>(delivered + 3, kMessages);
    ASSERT_TRUE(WaitUntil([&] {
      return QueueEmpty() || (Count(SendLog(), "connected to the local delivery service") ==
                                  static_cast<size_t>(k + 1) &&
                              Count(FakeFile("delivered.log"), "\n") >= target);
    }, kWait)) << SendLog();
    if (QueueEmpty()) break;  // all delivered: nothing left to disturb
    delivered = Count(FakeFile("delivered.log"), "\n");
    lspawn_->SignalGroup(SIGKILL);
    lspawn_->Wait(kWait);
    ASSERT_TRUE(WaitUntil([&] {
      return Count(SendLog(), "lost the connection to the local delivery service") ==
             static_cast<size_t>(k + 1);
    }, kWait)) << SendLog();
    StartLspawn();
    send_->Signal(SIGALRM);
  }
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  std::string log = FakeFile("delivered.log");
  size_t total = 0;
  for (int i = 0; i < kMessages; ++i) {
    size_t n = Count(log, "u" + std::to_string(i) + "@example.com ");
    EXPECT_GE(n, 1u) << "message " << i << " lost";
    total += n;
  }
  EXPECT_LE(total, static_cast<size_t>(kMessages + kKills * 10)) << log;
}

TEST_F(SendTest, SecondManagerRefusesToRun) {
  StartSend();
  ProcessResult r = RunProcess({RunfilePath("cmd/yubin-send/yubin-send")}, {.env = Env()});
  EXPECT_EQ(r.exit_code, 111) << r.err;
  EXPECT_NE(r.err.find("another yubin-send is running"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace yubin::testing
