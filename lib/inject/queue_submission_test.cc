#include "lib/inject/queue_submission.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <string>

#include "tests/harness/harness.h"

namespace yubin::inject {
namespace {

using namespace std::string_literals;

TEST(PackEnvelopeTest, Format) {
  Result<std::string> e = PackEnvelope({"a@b.c", {"x@y.z", "w@v.u"}});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, "Fa@b.c\0Tx@y.z\0Tw@v.u\0\0"s);
  Result<std::string> null_sender = PackEnvelope({"", {"x@y.z"}});
  ASSERT_TRUE(null_sender.ok());
  EXPECT_EQ(*null_sender, "F\0Tx@y.z\0\0"s);
}

TEST(PackEnvelopeTest, Refusals) {
  EXPECT_FALSE(PackEnvelope({"a@b", {}}).ok());
  EXPECT_FALSE(PackEnvelope({"a\n@b", {"x@y"}}).ok());
  EXPECT_FALSE(PackEnvelope({"a@b", {"x\0y"s}}).ok());
  EXPECT_FALSE(PackEnvelope({"a@b", {std::string(1004, 'x')}}).ok());
  EXPECT_FALSE(PackEnvelope({"a@b", {""}}).ok());
  EXPECT_FALSE(PackEnvelope({"a@b", std::vector<std::string>(kMaxRecipients + 1, "x@y")}).ok());
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
}

class QueueSubmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("queue");
  }
  // A queue program in sh: saves fd 0 and fd 1, then exits with code.
  std::string Script(int code) {
    std::string path = dir_ + "/queue" + std::to_string(code);
    testing::WriteFileOrDie(path,
                            "#!/bin/sh\ncat > " + dir_ + "/message\ncat <&1 > " +
                                dir_ + "/envelope\nexit " + std::to_string(code) + "\n",
                            0755);
    return path;
  }
  std::string Read(const std::string& name) {
    return testing::ReadFileOrEmpty(dir_ + "/" + name);
  }
  std::string dir_;
};

TEST_F(QueueSubmissionTest, HandsOverMessageAndEnvelope) {
  QueueSubmission q;
  ASSERT_TRUE(q.Start(Script(0)).ok());
  q.WriteMessage("Subject: x\n\n");
  q.WriteMessage("body\n");
  Status s = q.Finish("Fa@b\0Tc@d\0\0"s);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Read("message"), "Subject: x\n\nbody\n");
  EXPECT_EQ(Read("envelope"), "Fa@b\0Tc@d\0\0"s);
}

TEST_F(QueueSubmissionTest, ExitCodesAndMissingProgram) {
  QueueSubmission temp;
  ASSERT_TRUE(temp.Start(Script(53)).ok());
  temp.WriteMessage("x\n");
  Status s = temp.Finish("F\0Tc@d\0\0"s);
  EXPECT_TRUE(s.temporary()) << s.message();

  QueueSubmission missing;
  Status m = missing.Start(dir_ + "/no-such-queue");
  EXPECT_TRUE(m.temporary());
  EXPECT_NE(m.message().find("unable to run the queue program"), std::string::npos)
      << m.message();
}

TEST(QueueProgramPathTest, EnvironmentThenOwnDirectory) {
  setenv("QMAILQUEUE", "/opt/q/qq", 1);
  EXPECT_EQ(QueueProgramPath(), "/opt/q/qq");
  setenv("QMAILQUEUE", "", 1);
  EXPECT_EQ(QueueProgramPath(), OwnDirectory() + "yubin-queue");
  unsetenv("QMAILQUEUE");
  EXPECT_EQ(QueueProgramPath().substr(0, 1), "/");
}

}  // namespace
}  // namespace yubin::inject
