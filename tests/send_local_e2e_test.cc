// The whole local path as root: yubin-queue -> yubin-send -> yubin-lspawn ->
// the real yubin-local -> a Maildir owned by a throwaway uid, and a bounce
// for an unknown user that travels the same way back to the sender.
#include <dirent.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/queue/layout.h"
#include "tests/harness/harness.h"
#include "tests/queue_fixture.h"

namespace yubin::testing {
namespace {

constexpr auto kWait = 30s;

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
  }
  return names;
}

uid_t FreeUid(uid_t from) {
  for (uid_t u = from;; ++u) {
    if (getpwuid(u) == nullptr) return u;
  }
}

// Param: true runs yubin-lspawn as it runs in the service tree, without
// $YUBIN_LOCAL, so yubin-local's code runs in its forked child. That copy of
// yubin-lspawn sits alone in a directory: an exec of yubin-local beside it
// would fail, so the delivery proves no exec happened.
class SendLocalE2E : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (!HaveRealRoot()) GTEST_SKIP() << "needs real root (yubin-local becomes the recipient)";
    // Under /tmp: the recipient's uid must reach its home.
    char templ[] = "/tmp/yubin-send-e2e.XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    base_ = templ;
    ASSERT_EQ(chmod(base_.c_str(), 0755), 0);
    root_ = MakeQueueRoot(base_ + "/root");
    ASSERT_EQ(chmod(root_.root.c_str(), 0755), 0);
    for (const char* d : {"/control", "/users"}) {
      ASSERT_EQ(mkdir((root_.root + d).c_str(), 0755), 0) << d;
    }
    WriteFileOrDie(root_.root + "/control/me", "example.org\n");
    kim_ = FreeUid(62000);
    const uid_t kim = kim_;
    uid_t alias = FreeUid(kim + 1);
    MakeDir(root_.root + "/alias", alias);
    home_ = base_ + "/kim";
    for (const char* d : {"", "/Maildir", "/Maildir/tmp", "/Maildir/new", "/Maildir/cur"}) {
      MakeDir(home_ + d, kim);
    }
    std::string ids = std::to_string(kim) + ":" + std::to_string(kim);
    WriteFileOrDie(root_.root + "/users/assign",
                   "=kim:kim:" + ids + ":" + home_ + ":::\n.\n");
    ProcessResult newu = RunProcess({RunfilePath("cmd/yubin-newu/yubin-newu")},
                                    {.env = {"YUBIN_ROOT=" + root_.root}});
    ASSERT_EQ(newu.exit_code, 0) << newu.err;
    std::vector<std::string> env = {"YUBIN_ROOT=" + root_.root,
                                    "QMAILQUEUE=" + YubinQueuePath(), "PATH=/usr/bin:/bin"};
    std::string lspawn = RunfilePath("cmd/yubin-lspawn/yubin-lspawn");
    std::vector<std::string> lspawn_env = env;
    if (GetParam()) {
      ASSERT_EQ(mkdir((base_ + "/alone").c_str(), 0755), 0);
      std::string copy = base_ + "/alone/yubin-lspawn";
      ASSERT_EQ(RunProcess({"/bin/cp", lspawn, copy}).exit_code, 0);
      lspawn = copy;
    } else {
      lspawn_env.push_back("YUBIN_LOCAL=" + RunfilePath("cmd/yubin-local/yubin-local"));
    }
    lspawn_ = std::make_unique<ChildProcess>();
    ASSERT_TRUE(lspawn_->Start({lspawn}, {.env = lspawn_env}, "",
                               base_ + "/lspawn.err"));
    ASSERT_TRUE(WaitUntil([&] { return FileExists(root_.queue + "/lock/lspawn.sock"); }, kWait));
    send_ = std::make_unique<ChildProcess>();
    ASSERT_TRUE(send_->Start({RunfilePath("cmd/yubin-send/yubin-send")}, {.env = env}, "",
                             base_ + "/send.err"));
    ASSERT_TRUE(WaitUntil([&] {
      return ReadFileOrEmpty(base_ + "/send.err").find("yubin-send started") != std::string::npos;
    }, kWait));
  }
  void TearDown() override {
    send_.reset();
    lspawn_.reset();
    if (!base_.empty()) RunProcess({"/bin/rm", "-rf", base_});
  }
  void MakeDir(const std::string& path, uid_t owner) {
    ASSERT_EQ(mkdir(path.c_str(), 0700), 0) << path;
    ASSERT_EQ(chown(path.c_str(), owner, owner), 0) << path;
  }
  bool QueueEmpty() {
    QueueSnapshot s = Snapshot(root_.queue);
    return s.areas["mess"] == 0 && s.areas["info"] == 0 && s.areas["todo"] == 0;
  }
  std::string Logs() {
    return ReadFileOrEmpty(base_ + "/send.err") + ReadFileOrEmpty(base_ + "/lspawn.err");
  }

  // The pid yubin-lspawn logs for each result: "delivery ID.INDEX pid PID:
  // status S".
  std::vector<std::string> DeliveryPids() {
    std::vector<std::string> pids;
    std::string log = ReadFileOrEmpty(base_ + "/lspawn.err");
    for (size_t at = log.find(" pid "); at != std::string::npos; at = log.find(" pid ", at + 1)) {
      pids.push_back(log.substr(at + 5, log.find(':', at) - at - 5));
    }
    return pids;
  }
  void InjectFor(const std::string& sender, const std::string& subject) {
    ProcessResult r = Inject(root_, "Subject: " + subject + "\n\nkept\n",
                             Envelope(sender, {"kim@example.org"}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string base_, home_;
  uid_t kim_ = 0;
  QueueRoot root_;
  std::unique_ptr<ChildProcess> lspawn_, send_;
};

TEST_P(SendLocalE2E, MessageLandsInMaildirAndLeavesTheQueue) {
  ProcessResult r = Inject(root_, "Subject: e2e\n\nthrough the queue\n",
                           Envelope("alice@example.net", {"kim@example.org"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(WaitUntil([&] { return ListDir(home_ + "/Maildir/new").size() == 1; }, kWait))
      << Logs();
  std::string name = ListDir(home_ + "/Maildir/new")[0];
  std::string mail = ReadFileOrEmpty(home_ + "/Maildir/new/" + name);
  EXPECT_NE(mail.find("Return-Path: <alice@example.net>\n"), std::string::npos) << mail;
  EXPECT_NE(mail.find("Delivered-To: kim@example.org\n"), std::string::npos) << mail;
  EXPECT_NE(mail.find("Subject: e2e\n\nthrough the queue\n"), std::string::npos) << mail;
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << Logs();
}

TEST_P(SendLocalE2E, UnknownUserBouncesToTheSender) {
  ProcessResult r = Inject(root_, "Subject: lost\n\nto nobody\n",
                           Envelope("kim@example.org", {"nosuch@example.org"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(WaitUntil([&] { return ListDir(home_ + "/Maildir/new").size() == 1; }, kWait))
      << Logs();
  std::string bounce =
      ReadFileOrEmpty(home_ + "/Maildir/new/" + ListDir(home_ + "/Maildir/new")[0]);
  EXPECT_NE(bounce.find("Return-Path: <>\n"), std::string::npos) << bounce;
  EXPECT_NE(bounce.find("<nosuch@example.org>:\nSorry, no mailbox here by that name. (#5.1.1)"),
            std::string::npos) << bounce;
  EXPECT_NE(bounce.find("Subject: lost\n\nto nobody\n"), std::string::npos) << bounce;
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << Logs();
}

// A second message for the same address, from another sender, goes to the
// child that delivered the first (it waits up to 2 s for one): the same
// process, as the user it became, with the new sender; and its exit code
// reaches yubin-send through the channel (a .qmail program that exits 111
// defers the third). An exec'd yubin-local is never kept.
TEST_P(SendLocalE2E, TheNextMessageForAnAddressGoesToTheKeptChild) {
  InjectFor("alice@example.net", "one");
  ASSERT_TRUE(WaitUntil([&] { return ListDir(home_ + "/Maildir/new").size() == 1 && QueueEmpty(); },
                        kWait)) << Logs();
  InjectFor("bob@example.net", "two");
  ASSERT_TRUE(WaitUntil([&] { return ListDir(home_ + "/Maildir/new").size() == 2 && QueueEmpty(); },
                        kWait)) << Logs();
  bool bob = false;
  for (const std::string& n : ListDir(home_ + "/Maildir/new")) {
    bob = bob || ReadFileOrEmpty(home_ + "/Maildir/new/" + n).find("Return-Path: <bob@example.net>\n") !=
                     std::string::npos;
  }
  EXPECT_TRUE(bob) << "the second message has its own sender";
  const std::string dotqmail = home_ + "/.qmail";
  WriteFileOrDie(dotqmail, "|exit 111\n", 0600);
  ASSERT_EQ(chown(dotqmail.c_str(), kim_, kim_), 0);
  InjectFor("carol@example.net", "three");
  ASSERT_TRUE(WaitUntil([&] {
    return ReadFileOrEmpty(base_ + "/send.err").find("deferral: ") != std::string::npos;
  }, kWait)) << Logs();
  std::vector<std::string> pids = DeliveryPids();
  ASSERT_EQ(pids.size(), 3u) << Logs();
  EXPECT_NE(ReadFileOrEmpty(base_ + "/lspawn.err").find(pids[2] + ": status 111"), std::string::npos)
      << Logs();
  if (GetParam()) {
    EXPECT_EQ(pids[0], pids[1]) << Logs();
    EXPECT_EQ(pids[1], pids[2]) << Logs();
  } else {
    EXPECT_NE(pids[0], pids[1]) << Logs();
  }
}

INSTANTIATE_TEST_SUITE_P(Lspawn, SendLocalE2E, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "InProcess" : "Exec";
                         });

}  // namespace
}  // namespace yubin::testing
