#include "lib/queue/queue_client.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/queue/envelope.h"
#include "tests/harness/harness.h"

namespace yubin::queue {
namespace {

using namespace std::string_literals;

TEST(PackEnvelopeTest, QmailQueueLayout) {
  EXPECT_EQ(PackEnvelope("a@b", {"c@d", "e@f"}),
            std::string("Fa@b\0Tc@d\0Te@f\0\0", 16));
  EXPECT_EQ(PackEnvelope("", {"c@d"}), std::string("F\0Tc@d\0\0", 8));
  EXPECT_EQ(PackEnvelope("a@b.c", {"x@y.z", "w@v.u"}), "Fa@b.c\0Tx@y.z\0Tw@v.u\0\0"s);
  EXPECT_EQ(PackEnvelope("", {"x@y.z"}), "F\0Tx@y.z\0\0"s);
}

TEST(CheckEnvelopeTest, AcceptsWhatTheQueueTakes) {
  EXPECT_TRUE(CheckEnvelope("a@b.c", {"x@y.z", "w@v.u"}).ok());
  EXPECT_TRUE(CheckEnvelope("", {"x@y.z"}).ok()) << "the null sender";
  EXPECT_TRUE(CheckEnvelope("a@b", {std::string(kMaxAddressLength, 'x')}).ok());
}

TEST(CheckEnvelopeTest, Refusals) {
  EXPECT_TRUE(CheckEnvelope("a@b", {}).permanent());
  EXPECT_TRUE(CheckEnvelope("a\n@b", {"x@y"}).permanent());
  EXPECT_TRUE(CheckEnvelope("a@b", {"x\0y"s}).permanent());
  EXPECT_TRUE(CheckEnvelope("a@b", {"x\ry"}).permanent());
  EXPECT_TRUE(CheckEnvelope("a@b", {std::string(1004, 'x')}).permanent());
  EXPECT_TRUE(CheckEnvelope("a@b", {std::string(kMaxAddressLength + 1, 'x')}).permanent());
  EXPECT_TRUE(CheckEnvelope("a@b", {""}).permanent());
  EXPECT_TRUE(CheckEnvelope(
                  "a@b", std::vector<std::string>(kMaxEnvelopeRecipients + 1, "x@y"))
                  .permanent());
}

TEST(QueueExitStatusTest, Classes) {
  auto exited = [](int code) { return code << 8; };
  EXPECT_TRUE(QueueExitStatus(exited(0)).ok());
  for (int code : {11, 31, 91, 20}) {
    EXPECT_TRUE(QueueExitStatus(exited(code)).permanent()) << code;
  }
  for (int code : {51, 53, 54, 61, 71, 81, 111, 1}) {
    EXPECT_TRUE(QueueExitStatus(exited(code)).temporary()) << code;
  }
  EXPECT_TRUE(QueueExitStatus(SIGKILL).temporary());
  EXPECT_TRUE(QueueExitStatus(kUnknownWaitStatus).temporary());
  EXPECT_EQ(QueueExitStatus(exited(53)).message(),
            "queue: write error, disk full? (#4.3.0)");
}

TEST(FindQueueIdTest, LastValidLineWins) {
  EXPECT_EQ(FindQueueId("noise\nqueued 123\n"), "123");
  EXPECT_EQ(FindQueueId("queued a\nqueued b"), "b");
  EXPECT_EQ(FindQueueId("queued \n"), "");
  EXPECT_EQ(FindQueueId("queued has space\n"), "");
  EXPECT_EQ(FindQueueId("queued " + std::string(kMaxQueueIdBytes + 1, 'x')), "");
  EXPECT_EQ(FindQueueId("nothing here"), "");
}

TEST(QueueProgramPathTest, EnvironmentThenOwnDirectory) {
  setenv("QMAILQUEUE", "/opt/q/bin/qq", 1);
  EXPECT_EQ(QueueProgramPath(), "/opt/q/bin/qq");
  setenv("QMAILQUEUE", "", 1);
  EXPECT_EQ(QueueProgramPath(), OwnDirectory() + "yubin-queue");
  std::string p = QueueProgramPath();
  EXPECT_EQ(p.substr(p.rfind('/')), "/yubin-queue");
  unsetenv("QMAILQUEUE");
  EXPECT_EQ(QueueProgramPath().substr(0, 1), "/");
  EXPECT_EQ(OwnDirectory().back(), '/');
}

class QueueClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);
    dir_ = testing::MakeTempDir("queue");
  }
  // A shell script as the queue program.
  std::string Script(const std::string& name, const std::string& body) {
    std::string path = dir_ + "/" + name;
    testing::WriteFileOrDie(path, "#!/bin/sh\n" + body, 0755);
    return path;
  }
  // Saves fd 0 and fd 1 in dir_/message and dir_/envelope, exits with code.
  std::string Storing(int code) {
    return Script("queue" + std::to_string(code),
                  "cat > " + dir_ + "/message\ncat <&1 > " + dir_ +
                      "/envelope\nexit " + std::to_string(code) + "\n");
  }
  std::string Read(const std::string& name) {
    return testing::ReadFileOrEmpty(dir_ + "/" + name);
  }
  std::string dir_;
};

TEST_F(QueueClientTest, CapturedDeliversMessageEnvelopeAndId) {
  std::string prog = Script(
      "store", "cat > '" + dir_ + "/m'; cat <&1 > '" + dir_ +
                   "/e'; echo 'queued q42' >&2; echo 'a log line' >&2\n");
  QueueClient q;
  ASSERT_TRUE(q.Start(prog, QueueStderr::kCapture).ok());
  std::string big(300000, 'x');  // more than a pipe holds
  q.WriteMessage("head\n");
  q.WriteMessage(big);
  ::testing::internal::CaptureStderr();
  QueueOutcome out = q.Finish(PackEnvelope("s@x", {"r@y"}));
  std::string copied = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(out.ran);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_TRUE(QueueExitStatus(out.wait_status).ok());
  EXPECT_GT(out.pid, 0);
  EXPECT_EQ(out.queue_id, "q42");
  EXPECT_EQ(Read("m"), "head\n" + big);
  EXPECT_EQ(Read("e"), PackEnvelope("s@x", {"r@y"}));
  EXPECT_EQ(copied, "a log line\n") << "other lines go to our stderr, got " << copied;
}

TEST_F(QueueClientTest, InheritedHandsOverMessageAndEnvelope) {
  QueueClient q;
  ASSERT_TRUE(q.Start(Storing(0)).ok());
  q.WriteMessage("Subject: x\n\n");
  q.WriteMessage("body\n");
  QueueOutcome out = q.Finish("Fa@b\0Tc@d\0\0"s);
  Status s = QueueExitStatus(out.wait_status);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(out.ran);
  EXPECT_EQ(out.queue_id, "");
  EXPECT_EQ(Read("message"), "Subject: x\n\nbody\n");
  EXPECT_EQ(Read("envelope"), "Fa@b\0Tc@d\0\0"s);
}

TEST_F(QueueClientTest, ReportIdVariableOnlyWhenCapturing) {
  unsetenv(kReportIdVariable);
  std::string prog = Script(
      "env", "cat >/dev/null; cat <&1 >/dev/null; echo \"v=${" +
                 std::string(kReportIdVariable) + "-unset}\" > " + dir_ + "/$1var\n");
  std::string capture = Script("cap", "exec " + prog + " cap\n");
  std::string inherit = Script("inh", "exec " + prog + " inh\n");
  setenv(kReportIdVariable, "0", 1);
  QueueClient c;
  ASSERT_TRUE(c.Start(capture, QueueStderr::kCapture).ok());
  EXPECT_EQ(c.Finish(PackEnvelope("", {"r@y"})).exit_code, 0);
  unsetenv(kReportIdVariable);
  QueueClient i;
  ASSERT_TRUE(i.Start(inherit).ok());
  EXPECT_EQ(i.Finish(PackEnvelope("", {"r@y"})).exit_code, 0);
  EXPECT_EQ(Read("capvar"), "v=1\n");
  EXPECT_EQ(Read("inhvar"), "v=unset\n");
}

TEST_F(QueueClientTest, ExitCodeIsReported) {
  for (QueueStderr mode : {QueueStderr::kCapture, QueueStderr::kInherit}) {
    QueueClient q;
    ASSERT_TRUE(q.Start(Storing(53), mode).ok());
    q.WriteMessage("m\n");
    QueueOutcome out = q.Finish(PackEnvelope("s@x", {"r@y"}));
    EXPECT_EQ(out.exit_code, 53);
    Status s = QueueExitStatus(out.wait_status);
    EXPECT_TRUE(s.temporary()) << s.message();
  }
}

TEST_F(QueueClientTest, KilledProgramIsTemporary) {
  QueueClient q;
  ASSERT_TRUE(q.Start(Script("killed", "kill -9 $$\n")).ok());
  QueueOutcome out = q.Finish(PackEnvelope("s@x", {"r@y"}));
  EXPECT_EQ(out.exit_code, -1);
  EXPECT_TRUE(WIFSIGNALED(out.wait_status)) << out.wait_status;
  EXPECT_TRUE(QueueExitStatus(out.wait_status).temporary());
}

TEST_F(QueueClientTest, IgnoredSigchldStillGivesTheExitCode) {
  signal(SIGCHLD, SIG_IGN);  // as swaks --pipe leaves it for its child
  for (int code : {0, 53}) {
    QueueClient q;
    ASSERT_TRUE(q.Start(Storing(code), QueueStderr::kCapture).ok());
    q.WriteMessage("m\n");
    QueueOutcome out = q.Finish(PackEnvelope("s@x", {"r@y"}));
    EXPECT_EQ(out.exit_code, code);
    EXPECT_TRUE(WIFEXITED(out.wait_status)) << out.wait_status;
    EXPECT_EQ(Read("message"), "m\n");
  }
  signal(SIGCHLD, SIG_DFL);
}

TEST_F(QueueClientTest, ProgramThatDiesEarlyIsNotSuccess) {
  // Exits 0 without reading anything: that is not "queued".
  QueueClient q;
  ASSERT_TRUE(q.Start(Script("quitter", "exit 0\n"), QueueStderr::kCapture).ok());
  q.WriteMessage(std::string(300000, 'x'));
  EXPECT_TRUE(q.write_failed());
  QueueOutcome out = q.Finish(PackEnvelope("s@x", {"r@y"}));
  EXPECT_FALSE(out.ran);
}

TEST_F(QueueClientTest, ProgramThatCannotRunFailsToStart) {
  for (QueueStderr mode : {QueueStderr::kCapture, QueueStderr::kInherit}) {
    QueueClient missing;
    Status m = missing.Start(dir_ + "/no-such-queue", mode);
    EXPECT_TRUE(m.temporary());
    EXPECT_NE(m.message().find("unable to run the queue program " + dir_ +
                               "/no-such-queue"),
              std::string::npos)
        << m.message();
    EXPECT_NE(m.message().find("No such file"), std::string::npos) << m.message();
  }
  testing::WriteFileOrDie(dir_ + "/not-executable", "#!/bin/sh\n", 0644);
  QueueClient denied;
  Status d = denied.Start(dir_ + "/not-executable");
  EXPECT_TRUE(d.temporary());
  EXPECT_NE(d.message().find("Permission denied"), std::string::npos) << d.message();
  EXPECT_FALSE(denied.Finish(PackEnvelope("s@x", {"r@y"})).ran)
      << "nothing ran, nothing to finish";
}

TEST_F(QueueClientTest, AbortSendsNoEnvelope) {
  for (QueueStderr mode : {QueueStderr::kCapture, QueueStderr::kInherit}) {
    std::string prog = Script(
        "abort", "cat > /dev/null; cat <&1 > '" + dir_ + "/aborted-env'; exit 0\n");
    QueueClient q;
    ASSERT_TRUE(q.Start(prog, mode).ok());
    q.WriteMessage("partial");
    q.Abort();
    EXPECT_EQ(Read("aborted-env"), "");
    EXPECT_TRUE(testing::FileExists(dir_ + "/aborted-env")) << "it ran";
  }
}

}  // namespace
}  // namespace yubin::queue
