// End-to-end: the whole tree from `yubinctl start` in user mode on a
// loopback port; mail through SMTP -> yubin-queue -> yubin-send ->
// yubin-lspawn -> yubin-local into a Maildir, an mbox and the alias home;
// svc -d/-u on each service; SIGKILL of every service and its supervise
// while 500 messages flow; the same tree under Debian's s6-svscan.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

#include "supervise/status_record.h"
#include "tests/smtpd_fixture.h"
#include "tests/supervision_helpers.h"
#include "tests/tree_fixture.h"

namespace yubin::testing {
namespace {

const char* const kServices[] = {"smtpd", "send", "local", "remote", "intake"};

std::string Addr(const char* local) { return std::string(local) + "@" + kTreeDomain; }

pid_t ServicePid(const TreeFixture& tree, const std::string& name) {
  std::optional<ServiceStatus> st = ReadStatus(tree.service(name));
  return st ? static_cast<pid_t>(st->pid) : 0;
}

class TreeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tree_.Install()) << tree_.error(); }
  void StartTree() {
    ProcessResult r = tree_.Run({"yubinctl", "--root", tree_.root(), "start"});
    ASSERT_EQ(r.exit_code, 0) << "yubinctl start:\n" << r.out << r.err;
  }
  void StopTree() {
    ProcessResult r = tree_.Run({"yubinctl", "--root", tree_.root(), "stop"}, {.timeout = 150s});
    ASSERT_EQ(r.exit_code, 0) << "yubinctl stop:\n" << r.out << r.err;
  }
  TreeFixture tree_;
};

TEST_F(TreeTest, StartsDeliversToMaildirMboxAndAliasThenStops) {
  StartTree();
  ProcessResult status = tree_.Run({"yubinctl", "--root", tree_.root(), "status"});
  EXPECT_EQ(status.exit_code, 0) << status.out;
  for (const char* name : {"smtpd ", "smtpd/log ", "send ", "send/log ", "local ", "local/log ", "remote ", "remote/log ", "intake ", "intake/log "}) {
    EXPECT_NE(status.out.find(std::string("\n") + name), std::string::npos)
        << "no row " << name << " in\n" << status.out;
  }
  // The run script's limit is on the running server (and so on every session).
  std::string limits = ReadFileOrEmpty("/proc/" + std::to_string(ServicePid(tree_, "smtpd")) +
                                       "/limits");
  EXPECT_NE(limits.find("Max data size             30000000"), std::string::npos) << limits;
  ASSERT_TRUE(tree_.SendMail({{1, Addr("kim")}, {2, Addr("lee")}, {3, Addr("postmaster")}}))
      << tree_.error();
  ProcessResult sm = tree_.Run({"sendmail", "-f", "me@" + std::string(kTreeDomain), "kim"},
                               {.input = "Subject: m4\n\nby sendmail\n"});
  ASSERT_EQ(sm.exit_code, 0) << sm.err;
  EXPECT_TRUE(tree_.WaitDelivered(tree_.home("kim") + "/Maildir", {1, 4}))
      << "kim's Maildir, got " << tree_.DeliveredTo(tree_.home("kim") + "/Maildir").size();
  EXPECT_TRUE(tree_.WaitDelivered(tree_.home("lee") + "/Mailbox", {2}));
  // postmaster -> &root -> ~alias/.qmail-root -> ./Maildir/
  EXPECT_TRUE(tree_.WaitDelivered(tree_.root() + "/alias/Maildir", {3}));

  ProcessResult doctor = tree_.Run({"yubinctl", "--root", tree_.root(), "doctor"});
  EXPECT_EQ(doctor.exit_code, 0) << doctor.out;
  ProcessResult queue = tree_.Run({"yubinctl", "--root", tree_.root(), "queue"});
  EXPECT_EQ(queue.exit_code, 0) << queue.err;
  EXPECT_EQ(queue.out.substr(0, 11), "messages 0\n") << queue.out;
  ProcessResult logs = tree_.Run({"yubinctl", "--root", tree_.root(), "logs", "smtpd"});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_NE(logs.out.find("tcpserver: status:"), std::string::npos) << logs.out;

  std::string pid_file = tree_.root() + "/service/.svscan.pid";
  pid_t svscan = static_cast<pid_t>(std::atol(ReadFileOrEmpty(pid_file).c_str()));
  ASSERT_GT(svscan, 0);
  StopTree();
  EXPECT_TRUE(ProcessGone(svscan));
  EXPECT_FALSE(FileExists(pid_file));
  ProcessResult after = tree_.Run({"yubinctl", "--root", tree_.root(), "status"});
  EXPECT_EQ(after.exit_code, 1) << after.out;
  EXPECT_NE(after.out.find("not supervised"), std::string::npos) << after.out;
}

TEST_F(TreeTest, SvcDownAndUpEachService) {
  StartTree();
  for (const char* name : kServices) {
    std::string dir = tree_.service(name);
    ASSERT_EQ(tree_.Run({"svc", "-d", dir}).exit_code, 0);
    ASSERT_TRUE(WaitForStatus(dir, [](const ServiceStatus& s) { return s.pid == 0; })) << name;
    EXPECT_FALSE(tree_.Healthy()) << name << " is down";
    if (std::string(name) == "intake") {
      // Without the intake service, smtpd runs yubin-queue.
      ASSERT_TRUE(tree_.SendMail({{11, Addr("kim")}})) << tree_.error();
    }
    if (std::string(name) == "send") {
      ASSERT_TRUE(tree_.SendMail({{10, Addr("kim")}})) << tree_.error();
      ProcessResult q = tree_.Run({"yubinctl", "--root", tree_.root(), "queue"});
      EXPECT_EQ(q.out.substr(0, 11), "messages 1 ") << "queued while send is down:\n" << q.out;
    }
    // svc -wU returns once the service reported readiness: for smtpd that
    // means it accepts connections at once.
    ProcessResult up = tree_.Run({"svc", "-wU", "-T", "10000", "-u", dir});
    ASSERT_EQ(up.exit_code, 0) << name << ": " << up.err;
    if (std::string(name) == "smtpd") {
      SmtpClient c;
      ASSERT_TRUE(c.Connect(tree_.port())) << "smtpd ready but not listening";
      EXPECT_EQ(Code(c.ReadReply()), "220");
    }
    EXPECT_TRUE(tree_.WaitHealthy()) << name << " did not come back";
  }
  EXPECT_TRUE(tree_.WaitDelivered(tree_.home("kim") + "/Maildir", {10, 11}));
  StopTree();
}

TEST_F(TreeTest, EveryServiceAndSuperviseSurvivesSigkillWhile500MessagesFlow) {
  StartTree();
  constexpr int kMessages = 500;
  std::vector<std::pair<int, std::string>> messages;
  std::set<int> want;
  for (int i = 1; i <= kMessages; ++i) {
    messages.push_back({i, Addr("kim")});
    want.insert(i);
  }
  std::atomic<bool> sent_ok{false};
  std::string send_error;
  TreeFixture* tree = &tree_;
  std::thread sender([&] {
    sent_ok = tree->SendMail(messages, 180s);
    if (!sent_ok) send_error = tree->error();
  });
  std::string maildir = tree_.home("kim") + "/Maildir";
  // Let the flow start, then kill each service, then each supervise (with
  // its service: a supervise's child outlives it).
  EXPECT_TRUE(WaitUntil([&] { return !tree_.DeliveredTo(maildir).empty(); }, 60s));
  for (const char* name : kServices) {
    pid_t old = ServicePid(tree_, name);
    ASSERT_GT(old, 0) << name;
    ASSERT_EQ(kill(old, SIGKILL), 0) << name;
    pid_t fresh = WaitForUp(tree_.service(name), old);
    EXPECT_NE(fresh, 0) << name << " not back after SIGKILL of " << old;
    EXPECT_TRUE(tree_.WaitHealthy()) << name;
  }
  for (const char* name : kServices) {
    pid_t sup = tree_.SupervisePid(name);
    pid_t old = ServicePid(tree_, name);
    ASSERT_GT(sup, 0) << name;
    ASSERT_EQ(kill(sup, SIGKILL), 0);
    kill(old, SIGKILL);
    EXPECT_TRUE(WaitUntil([&] {
      pid_t s = tree_.SupervisePid(name);
      return s != 0 && s != sup;
    }, 30s)) << "svscan did not restart supervise for " << name;
    EXPECT_TRUE(WaitUntil([&] {
      pid_t p = ServicePid(tree_, name);
      return p != 0 && p != old;
    }, 30s)) << name;
    EXPECT_TRUE(tree_.WaitHealthy()) << name << " not healthy after its supervise was killed";
  }
  sender.join();
  ASSERT_TRUE(sent_ok) << send_error;
  EXPECT_TRUE(tree_.WaitDelivered(maildir, want, 120s))
      << "delivered " << std::set<int>(tree_.DeliveredTo(maildir).begin(),
                                       tree_.DeliveredTo(maildir).end()).size()
      << " of " << kMessages;
  std::multiset<int> copies = tree_.DeliveredTo(maildir);
  std::printf("delivered %zu copies of %d messages (%zu duplicates from redelivery)\n",
              copies.size(), kMessages, copies.size() - std::set<int>(copies.begin(), copies.end()).size());
  EXPECT_TRUE(tree_.Healthy());
  StopTree();
}

TEST_F(TreeTest, StopDuringDeliveriesLosesNothing) {
  StartTree();
  constexpr int kMessages = 100;
  std::vector<std::pair<int, std::string>> messages;
  std::set<int> want;
  for (int i = 1; i <= kMessages; ++i) {
    messages.push_back({i, Addr(i % 2 ? "kim" : "lee")});
    want.insert(i);
  }
  ASSERT_TRUE(tree_.SendMail(messages)) << tree_.error();
  StopTree();  // with deliveries still going on
  std::multiset<int> early = tree_.DeliveredTo(tree_.home("kim") + "/Maildir");
  std::multiset<int> early_mbox = tree_.DeliveredTo(tree_.home("lee") + "/Mailbox");
  std::printf("delivered before the stop: %zu of %d\n", early.size() + early_mbox.size(),
              kMessages);
  StartTree();
  std::set<int> odd, even;
  for (int i : want) (i % 2 ? odd : even).insert(i);
  EXPECT_TRUE(tree_.WaitDelivered(tree_.home("kim") + "/Maildir", odd));
  EXPECT_TRUE(tree_.WaitDelivered(tree_.home("lee") + "/Mailbox", even));
  StopTree();
}

TEST_F(TreeTest, SameTreeRunsUnderS6Svscan) {
  if (access("/usr/bin/s6-svscan", X_OK) != 0) GTEST_SKIP() << "s6 is not installed";
  ChildProcess s6;
  ASSERT_TRUE(tree_.Start(s6, {"/usr/bin/s6-svscan", tree_.root() + "/service"}));
  ASSERT_TRUE(tree_.WaitHealthy()) << "svstat -c never healthy under s6-svscan";
  ASSERT_TRUE(tree_.SendMail({{1, Addr("kim")}})) << tree_.error();
  EXPECT_TRUE(tree_.WaitDelivered(tree_.home("kim") + "/Maildir", {1}));
  for (const char* name : kServices) {
    pid_t old = ServicePid(tree_, name);
    ASSERT_GT(old, 0) << name;
    ASSERT_EQ(kill(old, SIGKILL), 0) << name;
    EXPECT_NE(WaitForUp(tree_.service(name), old), 0) << name << " not back under s6";
    EXPECT_TRUE(tree_.WaitHealthy()) << name;
  }
  ASSERT_TRUE(tree_.SendMail({{2, Addr("kim")}})) << tree_.error();
  EXPECT_TRUE(tree_.WaitDelivered(tree_.home("kim") + "/Maildir", {1, 2}));
  // Down with every service, then s6-svscan itself.
  for (const char* name : kServices) {
    tree_.Run({"svc", "-dx", tree_.service(name)});
    tree_.Run({"svc", "-dx", tree_.service(name) + "/log"});
  }
  ProcessResult ctl = tree_.Run({"/usr/bin/s6-svscanctl", "-t", tree_.root() + "/service"});
  EXPECT_EQ(ctl.exit_code, 0) << ctl.err;
  EXPECT_NE(s6.Wait(30s), -1) << "s6-svscan did not exit";
}

}  // namespace
}  // namespace yubin::testing
