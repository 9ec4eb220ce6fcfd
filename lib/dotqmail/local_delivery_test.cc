#include "lib/dotqmail/local_delivery.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "lib/deliver/forward.h"
#include "lib/deliver/test_message.h"

namespace yubin::dotqmail {
namespace {

using deliver::testing::ListDir;
using deliver::testing::ReadFile;

void Write(const std::string& path, const std::string& content, mode_t mode = 0600) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  std::fputs(content.c_str(), f);
  std::fclose(f);
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

class LocalDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = deliver::testing::TempDir("home");
    ASSERT_EQ(::chmod(home_.c_str(), 0700), 0);
    queue_dir_ = deliver::testing::TempDir("queue");
    queue_ = queue_dir_ + "/recorder";
    Write(queue_, "#!/bin/sh\ncat > " + queue_dir_ + "/message\ncat <&1 > " + queue_dir_ +
                      "/envelope\n",
          0755);
    options_.queue_program = queue_;
    options_.environment = std::vector<std::string>{"PATH=/usr/bin:/bin"};
    req_.user = "kim";
    req_.home = home_;
    req_.local = "kim";
    req_.domain = "example.org";
    req_.sender = "alice@example.net";
    message_fd_ = deliver::testing::MessageFd("Subject: hello\n\nbody\n");
  }
  void TearDown() override { ::close(message_fd_); }

  void MakeMaildir(const std::string& dir) {
    for (const char* sub : {"", "/tmp", "/new", "/cur"}) {
      ASSERT_EQ(::mkdir((dir + sub).c_str(), 0700), 0);
    }
  }
  Status Deliver() {
    report_ = {};
    return DeliverLocal(req_, message_fd_, options_, &report_);
  }
  std::string Header() const {
    return "Return-Path: <alice@example.net>\nDelivered-To: " + req_.local +
           "@example.org\n";
  }

  std::string home_, queue_dir_, queue_;
  DeliveryRequest req_;
  ExecuteOptions options_;
  DeliveryReport report_;
  int message_fd_ = -1;
};

TEST_F(LocalDeliveryTest, NoDotQmailUsesDefaultMaildir) {
  MakeMaildir(home_ + "/Maildir");
  ASSERT_TRUE(Deliver().ok());
  std::vector<std::string> got = ListDir(home_ + "/Maildir/new");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(ReadFile(home_ + "/Maildir/new/" + got[0]),
            Header() + "Subject: hello\n\nbody\n");
}

TEST_F(LocalDeliveryTest, EmptyDotQmailUsesDefaultDelivery) {
  Write(home_ + "/.qmail", "");
  req_.default_delivery = "./Mailbox\n";
  ASSERT_TRUE(Deliver().ok());
  std::string mbox = ReadFile(home_ + "/Mailbox");
  EXPECT_EQ(mbox.compare(0, 23, "From alice@example.net "), 0) << mbox;
  EXPECT_NE(mbox.find(Header() + "Subject: hello\n\nbody\n\n"), std::string::npos) << mbox;
}

TEST_F(LocalDeliveryTest, MultipleLinesAllRun) {
  MakeMaildir(home_ + "/Maildir");
  Write(home_ + "/.qmail",
        "# all of them\n./Maildir/\n" + home_ + "/abs-mbox\n./rel-mbox\n"
        "|cat > piped; env > env.txt\n&admin@example.com\nbob\n");
  Status s = Deliver();
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(ListDir(home_ + "/Maildir/new").size(), 1u);
  EXPECT_NE(ReadFile(home_ + "/abs-mbox").find("Subject: hello"), std::string::npos);
  EXPECT_NE(ReadFile(home_ + "/rel-mbox").find("Subject: hello"), std::string::npos);
  EXPECT_EQ(ReadFile(home_ + "/piped"), Header() + "Subject: hello\n\nbody\n");
  std::string env = ReadFile(home_ + "/env.txt");
  for (const char* want :
       {"SENDER=alice@example.net\n", "NEWSENDER=alice@example.net\n",
        "RECIPIENT=kim@example.org\n", "USER=kim\n", "HOST=example.org\n",
        "HOST2=example\n", "HOST3=\n", "LOCAL=kim\n",
        "EXT=\n", "EXT2=\n", "RPLINE=Return-Path: <alice@example.net>\n",
        "DTLINE=Delivered-To: kim@example.org\n", "UFLINE=From alice@example.net "}) {
    EXPECT_NE(env.find(want), std::string::npos) << "want " << want << " in\n" << env;
  }
  EXPECT_NE(env.find("HOME=" + home_ + "\n"), std::string::npos);
  EXPECT_EQ(ReadFile(queue_dir_ + "/envelope"),
            deliver::QmailQueueEnvelope("alice@example.net",
                                        {"admin@example.com", "bob@example.org"}));
  EXPECT_EQ(ReadFile(queue_dir_ + "/message"),
            "Delivered-To: kim@example.org\nSubject: hello\n\nbody\n");
}

TEST_F(LocalDeliveryTest, ExtensionDefaultAndOwner) {
  req_.local = "kim-list-bugs";
  req_.dash = "-";
  req_.ext = "list-bugs";
  Write(home_ + "/.qmail-list-default", "|echo \"$DEFAULT $EXT2\" > seen\n&owner@example.com\n");
  Write(home_ + "/.qmail-list-bugs-owner", "./owner-mbox\n");
  ASSERT_TRUE(Deliver().ok());
  EXPECT_EQ(ReadFile(home_ + "/seen"), "bugs bugs\n");
  EXPECT_EQ(ReadFile(queue_dir_ + "/envelope"),
            deliver::QmailQueueEnvelope("kim-list-bugs-owner@example.org",
                                        {"owner@example.com"}));
  req_.local = "kim-nothing";
  req_.ext = "nothing";
  Status s = Deliver();
  EXPECT_TRUE(s.permanent());
  EXPECT_EQ(s.message(), "Sorry, no mailbox here by that name. (#5.1.1)");
}

TEST_F(LocalDeliveryTest, ProgramExitCodes) {
  Write(home_ + "/.qmail", "|echo mailbox full; exit 111\n./never\n");
  Status s = Deliver();
  EXPECT_TRUE(s.temporary());
  EXPECT_EQ(s.message(), "mailbox full");
  EXPECT_FALSE(deliver::testing::ReadFile(home_ + "/never").size() > 0);

  Write(home_ + "/.qmail", "|echo no such person; exit 100\n./never\n");
  s = Deliver();
  EXPECT_TRUE(s.permanent());
  EXPECT_EQ(s.message(), "no such person");

  Write(home_ + "/.qmail", "|exit 99\n./never\n");
  s = Deliver();
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(ReadFile(home_ + "/never"), "") << "exit 99 must stop later lines";
}

TEST_F(LocalDeliveryTest, LoopIsPermanent) {
  ::close(message_fd_);
  message_fd_ = deliver::testing::MessageFd("Delivered-To: kim@example.org\n\nx\n");
  Status s = Deliver();
  EXPECT_TRUE(s.permanent());
  EXPECT_NE(s.message().find("#5.4.6"), std::string::npos) << s.message();
}

TEST_F(LocalDeliveryTest, UnsafePermissionsAreTemporary) {
  Write(home_ + "/.qmail", "./mbox\n", 0620);
  Status s = Deliver();
  EXPECT_TRUE(s.temporary());
  EXPECT_NE(s.message().find("group- or world-writable"), std::string::npos) << s.message();

  Write(home_ + "/.qmail", "./mbox\n", 0600);
  ASSERT_EQ(::chmod(home_.c_str(), 0770), 0);
  s = Deliver();
  EXPECT_TRUE(s.temporary());
  EXPECT_NE(s.message().find("home directory"), std::string::npos) << s.message();

  ASSERT_EQ(::chmod(home_.c_str(), 01700), 0);
  s = Deliver();
  EXPECT_TRUE(s.temporary());
  EXPECT_NE(s.message().find("sticky"), std::string::npos) << s.message();
  ASSERT_EQ(::chmod(home_.c_str(), 0700), 0);
  EXPECT_TRUE(Deliver().ok());
}

TEST_F(LocalDeliveryTest, ForwardOnlyFile) {
  Write(home_ + "/.qmail", "&a@example.com\n|cat > x\n", 0700);
  Status s = Deliver();
  EXPECT_TRUE(s.temporary());
  EXPECT_NE(s.message().find("x bit"), std::string::npos) << s.message();
  Write(home_ + "/.qmail", "&a@example.com\n", 0700);
  s = Deliver();
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST_F(LocalDeliveryTest, CommentsOnlyDiscards) {
  MakeMaildir(home_ + "/Maildir");
  Write(home_ + "/.qmail", "# throw it away\n");
  Status s = Deliver();
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(report_.done.empty());
  EXPECT_TRUE(ListDir(home_ + "/Maildir/new").empty()) << "no default delivery either";
}

TEST_F(LocalDeliveryTest, QueueFailureIsReported) {
  Write(queue_, "#!/bin/sh\nexit 31\n", 0755);
  Write(home_ + "/.qmail", "&a@example.com\n");
  Status s = Deliver();
  EXPECT_TRUE(s.permanent()) << s.message();
}

}  // namespace
}  // namespace yubin::dotqmail
