#include "lib/deliver/maildir.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include "gtest/gtest.h"
#include "lib/deliver/test_message.h"
#include "lib/deliver/unique_name.h"

namespace yubin::deliver {
namespace {

using testing::ListDir;
using testing::MessageFd;
using testing::ReadFile;

std::string MakeMaildir() {
  std::string dir = testing::TempDir("maildir");
  for (const char* sub : {"/tmp", "/new", "/cur"}) {
    EXPECT_EQ(::mkdir((dir + sub).c_str(), 0700), 0);
  }
  return dir;
}

TEST(MaildirTest, DeliversHeaderThenMessageIntoNew) {
  std::string dir = MakeMaildir();
  int fd = MessageFd("Subject: hi\n\nbody\n");
  Result<std::string> r =
      DeliverToMaildir(dir + "/", "Return-Path: <a@b>\nDelivered-To: k@x\n", fd);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(ReadFile(*r), "Return-Path: <a@b>\nDelivered-To: k@x\nSubject: hi\n\nbody\n");
  EXPECT_EQ(ListDir(dir + "/new").size(), 1u);
  EXPECT_TRUE(ListDir(dir + "/tmp").empty()) << "tmp name left behind";
  struct stat st {};
  ASSERT_EQ(::stat(r->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u) << "got mode " << std::oct << st.st_mode;
  ::close(fd);
}

TEST(MaildirTest, MissingMaildirIsTemporaryAndLeavesNothing) {
  std::string dir = testing::TempDir("nomaildir");
  int fd = MessageFd("x\n");
  Result<std::string> r = DeliverToMaildir(dir + "/Maildir/", "", fd);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().temporary());
  EXPECT_NE(r.status().message().find("Maildir"), std::string::npos)
      << r.status().message();
  ::close(fd);
}

TEST(MaildirTest, MissingNewRemovesTmpFile) {
  std::string dir = testing::TempDir("halfmaildir");
  ASSERT_EQ(::mkdir((dir + "/tmp").c_str(), 0700), 0);
  int fd = MessageFd("x\n");
  Result<std::string> r = DeliverToMaildir(dir, "", fd);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(ListDir(dir + "/tmp").empty());
  ::close(fd);
}

TEST(UniqueNameTest, NamesDifferWithinOneProcess) {
  std::set<std::string> names;
  for (int i = 0; i < 1000; ++i) names.insert(MaildirUniqueName());
  EXPECT_EQ(names.size(), 1000u);
  std::string name = MaildirUniqueName();
  EXPECT_EQ(name.find('/'), std::string::npos);
  EXPECT_EQ(name.find(':'), std::string::npos);
  EXPECT_NE(name.find("P" + std::to_string(::getpid()) + "Q"), std::string::npos)
      << name;
}

TEST(MaildirTest, ConcurrentProcessesNeverCollide) {
  constexpr int kProcesses = 8;
  constexpr int kEach = 40;
  std::string dir = MakeMaildir();
  int fd = MessageFd("Subject: load\n\nbody\n");
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // A separate fd offset per child: reopen the shared message.
      int mine = MessageFd("Subject: load " + std::to_string(p) + "\n\nbody\n");
      for (int i = 0; i < kEach; ++i) {
        if (!DeliverToMaildir(dir, "", mine).ok()) ::_exit(1);
      }
      ::_exit(0);
    }
  }
  for (int p = 0; p < kProcesses; ++p) {
    int ws = 0;
    ASSERT_GT(::wait(&ws), 0);
    EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << "child status " << ws;
  }
  std::vector<std::string> files = ListDir(dir + "/new");
  EXPECT_EQ(files.size(), static_cast<size_t>(kProcesses * kEach));
  int per_process[kProcesses] = {};
  for (const std::string& f : files) {
    std::string content = ReadFile(dir + "/new/" + f);
    int p = -1;
    ASSERT_EQ(std::sscanf(content.c_str(), "Subject: load %d", &p), 1) << content;
    ASSERT_TRUE(p >= 0 && p < kProcesses);
    ++per_process[p];
  }
  for (int p = 0; p < kProcesses; ++p) EXPECT_EQ(per_process[p], kEach) << "process " << p;
  EXPECT_TRUE(ListDir(dir + "/tmp").empty());
  ::close(fd);
}

}  // namespace
}  // namespace yubin::deliver
