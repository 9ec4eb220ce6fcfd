// sendmail -bs end to end: swaks speaks SMTP over a pipe to the real
// sendmail, which runs the real yubin-smtpd from its own directory, which
// hands the message to the real yubin-queue; checked in the queue itself.
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/queue_fixture.h"

namespace yubin::testing {
namespace {

using Strings = std::vector<std::string>;

class SendmailBsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access("/usr/bin/swaks", X_OK) != 0) {
      GTEST_SKIP() << "/usr/bin/swaks is not installed; tools/test installs it";
    }
    root_ = MakeTempDir("root");
    ProcessResult mk = RunProcess(
        {RunfilePath("cmd/yubin-mkroot/yubin-mkroot"), "--root", root_, "--user-mode"});
    ASSERT_EQ(mk.exit_code, 0) << mk.err;
    WriteFileOrDie(root_ + "/control/me", "box.test\n");
    // sendmail -bs runs yubin-smtpd from its own directory: both go in one.
    bin_ = MakeTempDir("bin");
    for (const char* name : {"sendmail", "yubin-smtpd"}) {
      std::string from = RunfilePath("cmd/" + std::string(name) + "/" + name);
      ProcessResult cp = RunProcess({"cp", from, bin_ + "/" + name});
      ASSERT_EQ(cp.exit_code, 0) << cp.err;
    }
  }
  RunOptions Env() const {
    return {.env = {"YUBIN_ROOT=" + root_, "QMAILQUEUE=" + YubinQueuePath()},
            .timeout = 30s};
  }
  std::string root_;
  std::string bin_;
};

TEST_F(SendmailBsTest, SwaksDialogueIsQueuedWithItsEnvelope) {
  ProcessResult r = RunProcess(
      {"/usr/bin/swaks", "--pipe", bin_ + "/sendmail -bs", "--helo", "client.test",
       "--from", "alice@sender.test", "--to", "u@example.com,v@example.org",
       "--header", "Subject: via sendmail -bs", "--body", "hello through the pipe"},
      Env());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  QueueSnapshot snap = Snapshot(root_ + "/queue");
  ASSERT_EQ(snap.queued.size(), 1u) << r.out;
  const QueuedMessage& m = snap.queued[0];
  EXPECT_EQ(m.sender, "alice@sender.test");
  // No rcpthosts: only sendmail's RELAYCLIENT lets these through.
  EXPECT_EQ(m.recipients, (Strings{"u@example.com", "v@example.org"}));
  EXPECT_EQ(m.content.find("Received: (yubin "), 0u) << m.content;
  // smtpd's line, with the local peer sendmail -bs describes.
  EXPECT_NE(m.content.find("\nReceived: from client.test (localhost [127.0.0.1])\n"
                           "\tby box.test (yubin-smtpd) with ESMTP id "),
            std::string::npos)
      << m.content;
  EXPECT_NE(m.content.find("\nSubject: via sendmail -bs\n"), std::string::npos)
      << m.content;
  EXPECT_NE(m.content.find("\n\nhello through the pipe\n"), std::string::npos)
      << m.content;
  EXPECT_EQ(m.content.find('\r'), std::string::npos) << "stored with LF line ends";
  EXPECT_NE(r.out.find("<-  220 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<-  250 2.0.0 ok queued as " + std::to_string(m.id) + "\n"),
            std::string::npos)
      << "want the queued message's id " << m.id << " in the reply; got " << r.out;
  EXPECT_NE(r.out.find("<-  221 "), std::string::npos) << r.out;
  EXPECT_EQ(snap.tmp, 0u) << "no leftovers in queue/tmp";
}

TEST_F(SendmailBsTest, RefusedMessageIsNotQueued) {
  // A message over control/databytes gets 552 and no envelope.
  WriteFileOrDie(root_ + "/control/databytes", "100\n");
  ProcessResult r = RunProcess(
      {"/usr/bin/swaks", "--pipe", bin_ + "/sendmail -bs", "--helo", "client.test",
       "--from", "alice@sender.test", "--to", "u@example.com", "--body",
       std::string(500, 'x')},
      Env());
  EXPECT_NE(r.out.find("<** 552 "), std::string::npos) << r.out << r.err;
  QueueSnapshot snap = Snapshot(root_ + "/queue");
  EXPECT_EQ(snap.queued.size(), 0u);
  EXPECT_EQ(snap.areas["mess"], 0u) << "nothing half-queued";
  EXPECT_EQ(snap.tmp, 0u);
}

TEST_F(SendmailBsTest, QueueProgramThatCannotRunIs451ToData) {
  RunOptions options = Env();
  options.env.push_back("QMAILQUEUE=" + root_ + "/no-such-queue");
  ProcessResult r = RunProcess(
      {"/usr/bin/swaks", "--pipe", bin_ + "/sendmail -bs", "--helo", "client.test",
       "--from", "alice@sender.test", "--to", "u@example.com"},
      options);
  EXPECT_NE(r.out.find("<** 451 4.3.0 unable to start the queue program"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_NE((r.out + r.err)
                .find("unable to run the queue program " + root_ +
                      "/no-such-queue: No such file or directory"),
            std::string::npos)
      << "smtpd's log names the program and why; got " << r.out << r.err;
  EXPECT_EQ(Snapshot(root_ + "/queue").queued.size(), 0u);
}

}  // namespace
}  // namespace yubin::testing
