#include "lib/smtp/queue_client.h"

#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace yubin::smtp {
namespace {

std::string TempDir() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return tmp ? tmp : "/tmp";
}

// A shell script as the queue program: it stores fd 0 and fd 1 in files.
std::string Script(const std::string& name, const std::string& body) {
  std::string path = TempDir() + "/" + name;
  std::ofstream(path) << "#!/bin/sh\n" << body;
  chmod(path.c_str(), 0755);
  return path;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class QueueClientTest : public ::testing::Test {
 protected:
  void SetUp() override { signal(SIGPIPE, SIG_IGN); }
};

TEST(PackEnvelopeTest, QmailQueueLayout) {
  EXPECT_EQ(PackEnvelope("a@b", {"c@d", "e@f"}),
            std::string("Fa@b\0Tc@d\0Te@f\0\0", 16));
  EXPECT_EQ(PackEnvelope("", {"c@d"}), std::string("F\0Tc@d\0\0", 8));
}

TEST(FindQueueIdTest, LastValidLineWins) {
  EXPECT_EQ(FindQueueId("noise\nqueued 123\n"), "123");
  EXPECT_EQ(FindQueueId("queued a\nqueued b"), "b");
  EXPECT_EQ(FindQueueId("queued \n"), "");
  EXPECT_EQ(FindQueueId("queued has space\n"), "");
  EXPECT_EQ(FindQueueId("queued " + std::string(kMaxQueueIdBytes + 1, 'x')), "");
  EXPECT_EQ(FindQueueId("nothing here"), "");
}

TEST_F(QueueClientTest, DeliversMessageAndEnvelope) {
  std::string dir = TempDir();
  std::string prog = Script(
      "store", "cat > '" + dir + "/m'; cat <&1 > '" + dir +
                   "/e'; echo 'queued q42' >&2; echo 'a log line' >&2\n");
  QueueClient q;
  ASSERT_TRUE(q.Start(prog).ok());
  std::string big(300000, 'x');  // more than a pipe holds
  q.WriteMessage("head\n");
  q.WriteMessage(big);
  QueueOutcome out = q.Finish(PackEnvelope("s@x", {"r@y"}));
  EXPECT_TRUE(out.ran);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.queue_id, "q42");
  EXPECT_EQ(Slurp(dir + "/m"), "head\n" + big);
  EXPECT_EQ(Slurp(dir + "/e"), PackEnvelope("s@x", {"r@y"}));
}

TEST_F(QueueClientTest, ExitCodeIsReported) {
  std::string prog = Script("fail", "cat > /dev/null; cat <&1 >/dev/null; exit 53\n");
  QueueClient q;
  ASSERT_TRUE(q.Start(prog).ok());
  q.WriteMessage("m\n");
  QueueOutcome out = q.Finish(PackEnvelope("s@x", {"r@y"}));
  EXPECT_EQ(out.exit_code, 53);
}

TEST_F(QueueClientTest, ProgramThatDiesEarlyIsNotSuccess) {
  // Exits 0 without reading anything: that is not "queued".
  std::string prog = Script("quitter", "exit 0\n");
  QueueClient q;
  ASSERT_TRUE(q.Start(prog).ok());
  q.WriteMessage(std::string(300000, 'x'));
  EXPECT_TRUE(q.write_failed());
  QueueOutcome out = q.Finish(PackEnvelope("s@x", {"r@y"}));
  EXPECT_FALSE(out.ran);
}

TEST_F(QueueClientTest, MissingProgramExits55) {
  QueueClient q;
  ASSERT_TRUE(q.Start(TempDir() + "/no-such-program").ok());
  QueueOutcome out = q.Finish(PackEnvelope("s@x", {"r@y"}));
  EXPECT_NE(out.exit_code, 0);
  EXPECT_EQ(QueueExitReply(out.exit_code, "").substr(0, 3), "451");
}

TEST_F(QueueClientTest, AbortSendsNoEnvelope) {
  std::string dir = TempDir();
  std::string prog = Script(
      "abort", "cat > /dev/null; cat <&1 > '" + dir + "/aborted-env'\n");
  QueueClient q;
  ASSERT_TRUE(q.Start(prog).ok());
  q.WriteMessage("partial");
  q.Abort();
  EXPECT_EQ(Slurp(dir + "/aborted-env"), "");
}

TEST(QueueProgramPathTest, EnvironmentThenBesideSelf) {
  setenv("QMAILQUEUE", "/opt/q/bin/qq", 1);
  EXPECT_EQ(QueueProgramPath(), "/opt/q/bin/qq");
  setenv("QMAILQUEUE", "", 1);
  std::string p = QueueProgramPath();
  EXPECT_EQ(p.substr(p.rfind('/')), "/yubin-queue");
  unsetenv("QMAILQUEUE");
}

}  // namespace
}  // namespace yubin::smtp
