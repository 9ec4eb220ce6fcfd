// Mail intake end to end: real SMTP clients -> tcpserver -> yubin-smtpd ->
// the real yubin-queue -> a durable queue entry, checked through the queue
// files themselves.
#include <unistd.h>

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "tests/queue_fixture.h"
#include "tests/smtpd_fixture.h"

namespace yubin::testing {
namespace {

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"/usr/bin/swaks"}) {
      if (access(tool, X_OK) != 0) {
        GTEST_SKIP() << tool << " is not installed; tools/test installs it";
      }
    }
    ASSERT_TRUE(server_.Start(
        {.control = {{"me", "mx.test\n"}, {"rcpthosts", "example.com\n"}},
         .env = {"QMAILQUEUE=" + YubinQueuePath()}}));
    ProcessResult mk =
        RunProcess({RunfilePath("cmd/yubin-mkroot/yubin-mkroot"), "--root",
                    server_.root(), "--user-mode"});
    ASSERT_EQ(mk.exit_code, 0) << mk.err;
    // The control files the test wrote are kept.
    ASSERT_EQ(ReadFileOrEmpty(server_.root() + "/control/me"), "mx.test\n");
  }
  SmtpdServer server_;
};

TEST_F(IntakeTest, SwaksMessageIsQueuedDurably) {
  ProcessResult r = RunProcess(
      {"/usr/bin/swaks", "--server", "127.0.0.1", "--port",
       std::to_string(server_.port()), "--helo", "client.test", "--from",
       "alice@sender.test", "--to", "u@example.com,v@example.com", "--header",
       "Subject: intake", "--body", "hello queue", "--silent", "2"},
      {.timeout = 30s});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  QueueSnapshot snap = Snapshot(server_.root() + "/queue");
  ASSERT_EQ(snap.queued.size(), 1u);
  const QueuedMessage& m = snap.queued[0];
  EXPECT_EQ(m.sender, "alice@sender.test");
  EXPECT_EQ(m.recipients,
            (std::vector<std::string>{"u@example.com", "v@example.com"}));
  // smtpd's Received: line comes first, then yubin-queue's, then the text.
  size_t smtpd_line = m.content.find("Received: from client.test");
  size_t queue_line = m.content.find("Received: (yubin ");
  EXPECT_EQ(queue_line, 0u) << m.content;
  EXPECT_NE(smtpd_line, std::string::npos) << m.content;
  EXPECT_NE(m.content.find("Subject: intake\n"), std::string::npos);
  EXPECT_NE(m.content.find("\n\nhello queue\n"), std::string::npos);
  EXPECT_EQ(snap.tmp, 0u) << "no leftovers in queue/tmp";
}

TEST_F(IntakeTest, ReplyNamesTheQueuedMessagesId) {
  SmtpClient c;
  ASSERT_TRUE(c.Connect(server_.port()));
  ASSERT_EQ(Code(c.ReadReply()), "220");
  ASSERT_TRUE(c.Send("HELO client.test\r\nMAIL FROM:<a@sender.test>\r\n"
                     "RCPT TO:<u@example.com>\r\nDATA\r\n"));
  for (const char* code : {"250", "250", "250", "354"}) {
    ASSERT_EQ(Code(c.ReadReply()), code);
  }
  ASSERT_TRUE(c.Send("Subject: id\r\n\r\nwhich one\r\n.\r\n"));
  std::string reply = c.ReadReply(30s);
  QueueSnapshot snap = Snapshot(server_.root() + "/queue");
  ASSERT_EQ(snap.queued.size(), 1u) << reply;
  EXPECT_EQ(reply, "250 2.0.0 ok queued as " + std::to_string(snap.queued[0].id) +
                       "\r\n");
  EXPECT_NE(snap.queued[0].content.find("\n\nwhich one\n"), std::string::npos);
}

TEST_F(IntakeTest, PipelinedSessionQueuesEveryMessageOnce) {
  SmtpClient c;
  ASSERT_TRUE(c.Connect(server_.port()));
  ASSERT_EQ(Code(c.ReadReply()), "220");
  std::string batch = "EHLO client.test\r\n";
  for (int i = 0; i < 5; ++i) {
    batch += "MAIL FROM:<s" + std::to_string(i) + "@sender.test>\r\n"
             "RCPT TO:<r@example.com>\r\nDATA\r\n";
    batch += "Subject: " + std::to_string(i) + "\r\n\r\nbody\r\n.\r\n";
  }
  batch += "QUIT\r\n";
  ASSERT_TRUE(c.Send(batch));
  int ok250 = 0;
  for (;;) {
    std::string reply = c.ReadReply(30s);
    if (reply.empty() || reply == "TIMEOUT") break;
    if (reply.find("250 2.0.0 ok") != std::string::npos) ++ok250;
    if (Code(reply) == "221") break;
  }
  EXPECT_EQ(ok250, 5);
  QueueSnapshot snap = Snapshot(server_.root() + "/queue");
  ASSERT_EQ(snap.queued.size(), 5u);
  std::vector<std::string> senders;
  for (const QueuedMessage& m : snap.queued) senders.push_back(m.sender);
  std::sort(senders.begin(), senders.end());
  EXPECT_EQ(senders, (std::vector<std::string>{
                         "s0@sender.test", "s1@sender.test", "s2@sender.test",
                         "s3@sender.test", "s4@sender.test"}));
}

}  // namespace
}  // namespace yubin::testing
