#include "lib/queue/queue_client.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/queue/envelope.h"
#include "lib/queue/intake_protocol.h"
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

// Plays the intake service for one injection: what reached the message
// pipe at a given moment can be looked at.
class FakeIntake {
 public:
  // Bound through /proc/self/fd (a test's directory is too deep for
  // sockaddr_un), as ConnectIntake reaches it.
  FakeIntake(const std::string& dir, const std::string& name)
      : dir_fd_(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    listener_.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    struct sockaddr_un sa = {};
    sa.sun_family = AF_UNIX;
    std::string path = "/proc/self/fd/" + std::to_string(dir_fd_.get()) + "/" + name;
    path.copy(sa.sun_path, sizeof sa.sun_path - 1);
    EXPECT_EQ(bind(listener_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    EXPECT_EQ(listen(listener_.get(), 1), 0);
  }
  void Accept() {
    client_.reset(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(client_.valid());
    ASSERT_TRUE(ReceiveInjectionFds(client_.get(), &message_, &envelope_).ok());
    ASSERT_EQ(fcntl(message_.get(), F_SETFL, O_NONBLOCK), 0);
  }
  // What the message pipe holds now, without waiting.
  std::string Available() {
    std::string out;
    char buf[65536];
    ssize_t n;
    while ((n = read(message_.get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
  // Reads both pipes to their end (the client closes them), then answers.
  std::string FinishAndReply(std::string* envelope) {
    std::string message = Available();
    for (;;) {
      char buf[65536];
      ssize_t n = read(message_.get(), buf, sizeof buf);
      if (n > 0) message.append(buf, static_cast<size_t>(n));
      if (n == 0) break;
      if (n < 0 && errno == EAGAIN) usleep(1000);
    }
    char buf[4096];
    ssize_t n;
    while ((n = read(envelope_.get(), buf, sizeof buf)) > 0) envelope->append(buf, static_cast<size_t>(n));
    const std::string reply = FormatIntakeReply(0, "77");
    EXPECT_EQ(write(client_.get(), reply.data(), reply.size()), static_cast<ssize_t>(reply.size()));
    return message;
  }

 private:
  UniqueFd dir_fd_, listener_, client_, message_, envelope_;
};

TEST_F(QueueClientTest, SmallWritesReachTheQueueTogetherAtFinish) {
  FakeIntake intake(dir_, "intake.sock");
  QueueClient q;
  Status started = q.StartIntake(dir_ + "/intake.sock");
  ASSERT_TRUE(started.ok()) << started.message();
  intake.Accept();
  q.WriteMessage("Received: by test\n");
  q.WriteMessage("Subject: x\n\nbody\n");
  EXPECT_EQ(intake.Available(), "") << "written before Finish";
  // A write as big as the gathering goes out at once, after what was
  // gathered before it.
  const std::string big(kQueueWriteGather, 'b');
  std::string seen;
  auto drain = std::async(std::launch::async, [&] {
    while (seen.size() < 35 + big.size()) {
      seen += intake.Available();
      usleep(1000);
    }
  });
  q.WriteMessage(big);
  drain.wait();
  EXPECT_EQ(seen, "Received: by test\nSubject: x\n\nbody\n" + big);
  q.WriteMessage("tail\n");
  std::string envelope, message;
  auto service = std::async(std::launch::async, [&] { message = intake.FinishAndReply(&envelope); });
  QueueOutcome out = q.Finish(PackEnvelope("s@x", {"r@y"}));
  service.wait();
  EXPECT_EQ(message, "tail\n");
  EXPECT_EQ(envelope, PackEnvelope("s@x", {"r@y"}));
  EXPECT_TRUE(out.ran);
  EXPECT_EQ(out.queue_id, "77");
}

}  // namespace
}  // namespace yubin::queue
