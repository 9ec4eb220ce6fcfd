#include "lib/deliver/program.h"

#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/deliver/child_run.h"
#include "lib/deliver/forward.h"
#include "lib/deliver/test_message.h"

namespace yubin::deliver {
namespace {

using testing::MessageFd;
using testing::ReadFile;

int ExitStatus(int code) { return code << 8; }  // as waitpid reports an exit

TEST(ProgramTest, ExitCodeClasses) {
  EXPECT_EQ(ClassifyProgramExit(ExitStatus(0)), ProgramOutcomeKind::kOk);
  EXPECT_EQ(ClassifyProgramExit(ExitStatus(99)), ProgramOutcomeKind::kOkStop);
  for (int code : {64, 65, 70, 76, 77, 78, 100, 112}) {
    EXPECT_EQ(ClassifyProgramExit(ExitStatus(code)), ProgramOutcomeKind::kPermanent)
        << "exit " << code;
  }
  for (int code : {1, 2, 66, 75, 101, 111, 255}) {
    EXPECT_EQ(ClassifyProgramExit(ExitStatus(code)), ProgramOutcomeKind::kTemporary)
        << "exit " << code;
  }
  EXPECT_EQ(ClassifyProgramExit(SIGKILL), ProgramOutcomeKind::kTemporary);
}

TEST(ProgramTest, RunsInHomeWithMessageAndEnvironment) {
  std::string home = testing::TempDir("home");
  int fd = MessageFd("Subject: x\n\nbody\n");
  ProgramOutcome o = DeliverToProgram(
      "cat > got; pwd > where; echo \"$SENDER\" > env", home,
      {"PATH=/usr/bin:/bin", "SENDER=a@b"}, "Delivered-To: k@x\n", fd);
  EXPECT_EQ(o.kind, ProgramOutcomeKind::kOk) << o.text;
  EXPECT_EQ(ReadFile(home + "/got"), "Delivered-To: k@x\nSubject: x\n\nbody\n");
  EXPECT_EQ(ReadFile(home + "/env"), "a@b\n");
  char real[4096];
  ASSERT_NE(::realpath(home.c_str(), real), nullptr);
  EXPECT_EQ(ReadFile(home + "/where"), std::string(real) + "\n");
  ::close(fd);
}

TEST(ProgramTest, FailureTextIsProgramOutput) {
  std::string home = testing::TempDir("home");
  std::string big(300000, 'z');
  int fd = MessageFd(big);
  // The program does not read its (large) input: no hang, no SIGPIPE.
  ProgramOutcome o = DeliverToProgram("echo no such user; echo oops >&2; exit 100",
                                      home, {"PATH=/usr/bin:/bin"}, "", fd);
  EXPECT_EQ(o.kind, ProgramOutcomeKind::kPermanent);
  EXPECT_EQ(o.text, "no such user\noops\n");
  o = DeliverToProgram("echo try later; exit 111", home, {"PATH=/usr/bin:/bin"}, "", fd);
  EXPECT_EQ(o.kind, ProgramOutcomeKind::kTemporary);
  EXPECT_EQ(o.text, "try later\n");
  o = DeliverToProgram("yes | head -c 100000; exit 1", home, {"PATH=/usr/bin:/bin"}, "", fd);
  EXPECT_EQ(o.text.size(), kMaxChildOutput);
  ::close(fd);
}

TEST(ForwardTest, EnvelopeBytes) {
  std::string want("Fs@x\0Ta@y\0Tb@z\0\0", 16);
  EXPECT_EQ(QmailQueueEnvelope("s@x", {"a@y", "b@z"}), want);
}

TEST(ForwardTest, InjectsThroughQueueProgram) {
  std::string dir = testing::TempDir("queue");
  std::string recorder = dir + "/recorder";
  FILE* f = std::fopen(recorder.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fprintf(f, "#!/bin/sh\ncat > %s/message\ncat <&1 > %s/envelope\nexit 0\n",
               dir.c_str(), dir.c_str());
  std::fclose(f);
  ::chmod(recorder.c_str(), 0755);
  int fd = MessageFd("Subject: fw\n\nbody\n");
  Status s = InjectMessage(recorder, "k-owner@x", {"a@y", "b@z"}, "Delivered-To: k@x\n", fd);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(ReadFile(dir + "/message"), "Delivered-To: k@x\nSubject: fw\n\nbody\n");
  EXPECT_EQ(ReadFile(dir + "/envelope"), QmailQueueEnvelope("k-owner@x", {"a@y", "b@z"}));

  std::string refuse = dir + "/refuse";
  f = std::fopen(refuse.c_str(), "w");
  std::fprintf(f, "#!/bin/sh\nexit 31\n");
  std::fclose(f);
  ::chmod(refuse.c_str(), 0755);
  s = InjectMessage(refuse, "", {"a@y"}, "", fd);
  EXPECT_TRUE(s.permanent()) << s.message();
  s = InjectMessage(dir + "/missing", "", {"a@y"}, "", fd);
  EXPECT_TRUE(s.temporary()) << s.message();
  s = InjectMessage(recorder, "", {std::string(2000, 'a')}, "", fd);
  EXPECT_TRUE(s.permanent()) << s.message();
  ::close(fd);
}

}  // namespace
}  // namespace yubin::deliver
