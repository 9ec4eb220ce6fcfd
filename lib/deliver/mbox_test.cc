#include "lib/deliver/mbox.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "lib/deliver/test_message.h"

namespace yubin::deliver {
namespace {

using testing::MessageFd;
using testing::ReadFile;

TEST(MboxTest, FromLineFormat) {
  // 2026-11-28 04:02:23 UTC, a Saturday.
  EXPECT_EQ(MboxFromLine("a@b", 1795838543), "From a@b Sat Nov 28 04:02:23 2026\n");
  EXPECT_EQ(MboxFromLine("", 1795838543),
            "From MAILER-DAEMON Sat Nov 28 04:02:23 2026\n");
}

TEST(MboxTest, AppendsQuotedMessageWithBlankLine) {
  std::string path = testing::TempDir("mbox") + "/kim";
  int fd = MessageFd("Subject: one\n\nFrom me\nbye");
  ASSERT_TRUE(DeliverToMbox(path, "a@b", "Return-Path: <a@b>\n", fd).ok());
  ASSERT_TRUE(DeliverToMbox(path, "a@b", "Return-Path: <a@b>\n", fd).ok());
  std::string got = ReadFile(path);
  std::string one = "Return-Path: <a@b>\nSubject: one\n\n>From me\nbye\n\n";
  ASSERT_EQ(got.size(), 2 * (MboxFromLine("a@b", 0).size() + one.size())) << got;
  EXPECT_EQ(got.compare(0, 9, "From a@b "), 0) << got;
  EXPECT_NE(got.find(one), std::string::npos) << got;
  EXPECT_EQ(got.substr(got.size() - one.size()), one);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
  ::close(fd);
}

TEST(MboxTest, UnwritablePathIsTemporary) {
  int fd = MessageFd("x\n");
  Status s = DeliverToMbox(testing::TempDir("mbox") + "/no/such/dir", "a@b", "", fd);
  EXPECT_TRUE(s.temporary()) << s.message();
  ::close(fd);
}

TEST(MboxTest, WriteErrorTruncatesBackToOldSize) {
  std::string path = testing::TempDir("mbox") + "/kim";
  int small = MessageFd("Subject: small\n\nok\n");
  ASSERT_TRUE(DeliverToMbox(path, "a@b", "", small).ok());
  std::string before = ReadFile(path);
  std::string big(200000, 'y');
  int fd = MessageFd("Subject: big\n\n" + big + "\n");
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // A file size limit makes the append fail part way, like a full disk.
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{static_cast<rlim_t>(before.size() + 70000),
               static_cast<rlim_t>(before.size() + 70000)};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    Status s = DeliverToMbox(path, "a@b", "", fd);
    ::_exit(s.temporary() ? 0 : 1);
  }
  int ws = 0;
  ASSERT_EQ(::waitpid(pid, &ws, 0), pid);
  EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
      << "want a temporary failure from the child, got status " << ws;
  std::string after = ReadFile(path);
  EXPECT_EQ(after.size(), before.size());
  EXPECT_EQ(after, before);
  ::close(fd);
  ::close(small);
}

TEST(MboxTest, ConcurrentWritersDoNotInterleave) {
  constexpr int kProcesses = 6;
  constexpr int kEach = 15;
  constexpr int kLines = 300;  // bigger than one write buffer
  std::string path = testing::TempDir("mbox") + "/shared";
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::string body = "Subject: p" + std::to_string(p) + "\n\n";
      for (int i = 0; i < kLines; ++i) {
        body += "line " + std::to_string(i) + " of process " + std::to_string(p) +
                " padding padding padding padding padding padding padding\n";
      }
      int fd = MessageFd(body);
      for (int i = 0; i < kEach; ++i) {
        if (!DeliverToMbox(path, "p" + std::to_string(p) + "@x", "", fd).ok()) {
          ::_exit(1);
        }
      }
      ::_exit(0);
    }
  }
  for (int p = 0; p < kProcesses; ++p) {
    int ws = 0;
    ASSERT_GT(::wait(&ws), 0);
    EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
  }
  // Walk the mbox: each message must be one process's lines, complete and in
  // order.
  std::string all = ReadFile(path);
  size_t pos = 0;
  int messages = 0;
  while (pos < all.size()) {
    ASSERT_EQ(all.compare(pos, 6, "From p"), 0) << "at offset " << pos;
    int p = all[pos + 6] - '0';
    pos = all.find('\n', pos) + 1;
    std::string subject = "Subject: p" + std::to_string(p) + "\n\n";
    ASSERT_EQ(all.compare(pos, subject.size(), subject), 0) << "at offset " << pos;
    pos += subject.size();
    for (int i = 0; i < kLines; ++i) {
      std::string line = "line " + std::to_string(i) + " of process " +
                         std::to_string(p) +
                         " padding padding padding padding padding padding padding\n";
      ASSERT_EQ(all.compare(pos, line.size(), line), 0)
          << "message " << messages << " line " << i;
      pos += line.size();
    }
    ASSERT_EQ(all[pos], '\n');
    ++pos;
    ++messages;
  }
  EXPECT_EQ(messages, kProcesses * kEach);
}

}  // namespace
}  // namespace yubin::deliver
