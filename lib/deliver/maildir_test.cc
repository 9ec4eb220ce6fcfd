#include "lib/deliver/maildir.h"

#include <sys/inotify.h>
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

// Every test runs with both ways of holding the message in tmp/.
class MaildirTest : public ::testing::TestWithParam<MaildirTemp> {};

INSTANTIATE_TEST_SUITE_P(BothTemps, MaildirTest,
                         ::testing::Values(MaildirTemp::kUnnamed, MaildirTemp::kNamed),
                         [](const ::testing::TestParamInfo<MaildirTemp>& p) {
                           return p.param == MaildirTemp::kUnnamed ? "Unnamed" : "Named";
                         });

TEST_P(MaildirTest, DeliversHeaderThenMessageIntoNew) {
  std::string dir = MakeMaildir();
  int fd = MessageFd("Subject: hi\n\nbody\n");
  Result<std::string> r = DeliverToMaildir(
      dir + "/", "Return-Path: <a@b>\nDelivered-To: k@x\n", fd, GetParam());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(ReadFile(*r), "Return-Path: <a@b>\nDelivered-To: k@x\nSubject: hi\n\nbody\n");
  EXPECT_EQ(ListDir(dir + "/new").size(), 1u);
  EXPECT_TRUE(ListDir(dir + "/tmp").empty()) << "tmp name left behind";
  struct stat st {};
  ASSERT_EQ(::stat(r->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u) << "got mode " << std::oct << st.st_mode;
  ::close(fd);
}

TEST_P(MaildirTest, MissingMaildirIsTemporaryAndLeavesNothing) {
  std::string dir = testing::TempDir("nomaildir");
  int fd = MessageFd("x\n");
  Result<std::string> r = DeliverToMaildir(dir + "/Maildir/", "", fd, GetParam());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().temporary());
  EXPECT_NE(r.status().message().find("Maildir"), std::string::npos)
      << r.status().message();
  ::close(fd);
}

TEST_P(MaildirTest, MissingNewRemovesTmpFile) {
  std::string dir = testing::TempDir("halfmaildir");
  ASSERT_EQ(::mkdir((dir + "/tmp").c_str(), 0700), 0);
  int fd = MessageFd("x\n");
  Result<std::string> r = DeliverToMaildir(dir, "", fd, GetParam());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().temporary());
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

// The names created in dir while deliver() runs, as inotify saw them.
template <typename F>
std::vector<std::string> NamesCreatedIn(const std::string& dir, F deliver) {
  int in = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  EXPECT_GE(in, 0);
  EXPECT_GE(::inotify_add_watch(in, dir.c_str(), IN_CREATE | IN_MOVED_TO), 0);
  deliver();
  std::vector<std::string> names;
  alignas(struct inotify_event) char buf[4096];
  ssize_t n;
  while ((n = ::read(in, buf, sizeof buf)) > 0) {
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<struct inotify_event*>(p);
      if (ev->len > 0) names.emplace_back(ev->name);
      p += sizeof(struct inotify_event) + ev->len;
    }
  }
  ::close(in);
  return names;
}

TEST(MaildirUnnamedTest, NoNameIsEverCreatedInTmp) {
  std::string dir = MakeMaildir();
  int fd = MessageFd("Subject: unseen\n\nbody\n");
  std::vector<std::string> unnamed = NamesCreatedIn(dir + "/tmp", [&] {
    ASSERT_TRUE(DeliverToMaildir(dir, "", fd, MaildirTemp::kUnnamed).ok());
  });
  EXPECT_TRUE(unnamed.empty()) << "created in tmp/: " << unnamed[0];
  // The check can see a name: the classic way leaves one there meanwhile.
  std::vector<std::string> named = NamesCreatedIn(dir + "/tmp", [&] {
    ASSERT_TRUE(DeliverToMaildir(dir, "", fd, MaildirTemp::kNamed).ok());
  });
  EXPECT_EQ(named.size(), 1u);
  EXPECT_EQ(ListDir(dir + "/new").size(), 2u);
  ::close(fd);
}

TEST_P(MaildirTest, ConcurrentProcessesNeverCollide) {
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
        if (!DeliverToMaildir(dir, "", mine, GetParam()).ok()) ::_exit(1);
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
