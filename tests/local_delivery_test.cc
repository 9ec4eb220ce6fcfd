// End-to-end tests of yubin-local as root: users/assign entries compiled by
// yubin-newu, home directories made by the test and owned by throwaway uids,
// a real alias directory, system accounts from the password database, and a
// qmail-queue recorder standing in for the queue.
#include <dirent.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/harness/harness.h"

namespace yubin::testing {
namespace {

constexpr char kDomain[] = "example.org";
constexpr char kSender[] = "alice@example.net";
constexpr char kMessage[] = "Subject: hello\n\nFrom the body\nbye\n";

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  return names;
}

// The qmail-queue envelope for one recipient.
std::string Envelope(const std::string& sender, const std::string& recipient) {
  std::string e = "F" + sender;
  e += '\0';
  e += "T" + recipient;
  e += '\0';
  e += '\0';
  return e;
}

uid_t FreeUid(uid_t from) {
  for (uid_t u = from;; ++u) {
    if (::getpwuid(u) == nullptr) return u;
  }
}

uid_t OwnerOf(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_uid : static_cast<uid_t>(-1);
}

class LocalDeliveryE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveRealRoot()) GTEST_SKIP() << "needs real root (chown, setuid to the recipient)";
    // Under /tmp, not the test's own temporary directory: the recipients'
    // uids must be able to reach their homes, and bazel's tree is under a
    // 0700 /root.
    char templ[] = "/tmp/yubin-local-e2e.XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    base_ = templ;
    ASSERT_EQ(::chmod(base_.c_str(), 0755), 0);
    root_ = base_ + "/root";
    kim_uid_ = FreeUid(61000);
    alias_uid_ = FreeUid(kim_uid_ + 1);
    for (const char* d : {"/root", "/root/control", "/root/users", "/bin", "/queue"}) {
      ASSERT_EQ(::mkdir((base_ + d).c_str(), 0755), 0) << d;
    }
    ASSERT_EQ(::chmod((base_ + "/queue").c_str(), 0777), 0);
    MakeDir(root_ + "/alias", alias_uid_, 0700);
    home_ = base_ + "/kim";
    MakeDir(home_, kim_uid_, 0700);
    for (const char* d : {"/Maildir", "/Maildir/tmp", "/Maildir/new", "/Maildir/cur"}) {
      MakeDir(home_ + d, kim_uid_, 0700);
    }
    WriteFileOrDie(root_ + "/users/assign",
                   "=kim:kim:" + Ids(kim_uid_) + ":" + home_ + ":::\n" +
                   "+kim-:kim:" + Ids(kim_uid_) + ":" + home_ + ":-::\n.\n");
    ProcessResult newu = RunProcess({RunfilePath("cmd/yubin-newu/yubin-newu")},
                                    {.env = {"YUBIN_ROOT=" + root_}});
    ASSERT_EQ(newu.exit_code, 0) << newu.err;
    ASSERT_EQ(newu.out, "yubin-newu: 2 entries\n");
    // The recorder must be executable by the recipients: copy it out of the
    // runfiles tree.
    recorder_ = base_ + "/bin/queue_recorder";
    ProcessResult cp = RunProcess({"/bin/cp", RunfilePath("tests/queue_recorder"), recorder_});
    ASSERT_EQ(cp.exit_code, 0) << cp.err;
    ASSERT_EQ(::chmod(recorder_.c_str(), 0755), 0);
  }
  void TearDown() override {
    for (const std::string& u : added_users_) {
      RunProcess({"/usr/sbin/userdel", u});
    }
    if (!base_.empty()) RunProcess({"/bin/rm", "-rf", base_});
  }

  // The path of the one file named *suffix the queue recorder stored
  // (tests/queue_recorder.cc names them after its pid); "" if none.
  std::string Recorded(const std::string& suffix) {
    std::string found;
    if (DIR* d = ::opendir((base_ + "/queue").c_str())) {
      while (struct dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.size() > suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
          found = base_ + "/queue/" + name;
        }
      }
      ::closedir(d);
    }
    return found;
  }
  static std::string Ids(uid_t uid) { return std::to_string(uid) + ":" + std::to_string(uid); }

  void MakeDir(const std::string& path, uid_t owner, mode_t mode) {
    ASSERT_EQ(::mkdir(path.c_str(), mode), 0) << path;
    ASSERT_EQ(::chown(path.c_str(), owner, owner), 0) << path;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
  }
  // A file owned by owner with mode.
  void Put(const std::string& path, const std::string& content, uid_t owner,
           mode_t mode = 0600) {
    WriteFileOrDie(path, content, mode);
    ASSERT_EQ(::chown(path.c_str(), owner, owner), 0) << path;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
  }
  ProcessResult Deliver(const std::string& local, const std::string& message = kMessage,
                        std::vector<std::string> extra_env = {}) {
    std::vector<std::string> env = {"YUBIN_ROOT=" + root_, "QMAILQUEUE=" + recorder_,
                                    "QUEUE_RECORDER_DIR=" + base_ + "/queue",
                                    "PATH=/usr/bin:/bin"};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    return RunProcess({RunfilePath("cmd/yubin-local/yubin-local"), local, kDomain, kSender},
                      {.input = message, .env = env});
  }
  std::string Header(const std::string& local) {
    return std::string("Return-Path: <") + kSender + ">\nDelivered-To: " + local + "@" +
           kDomain + "\n";
  }

  std::string base_, root_, home_, recorder_;
  uid_t kim_uid_ = 0, alias_uid_ = 0;
  std::vector<std::string> added_users_;
};

TEST_F(LocalDeliveryE2E, NoDotQmailDeliversToMaildirAsTheUser) {
  ProcessResult r = Deliver("kim");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> files = ListDir(home_ + "/Maildir/new");
  ASSERT_EQ(files.size(), 1u);
  std::string path = home_ + "/Maildir/new/" + files[0];
  EXPECT_EQ(ReadFileOrEmpty(path), Header("kim") + kMessage);
  EXPECT_EQ(OwnerOf(path), kim_uid_) << "the delivery must run as the recipient";
  EXPECT_TRUE(ListDir(home_ + "/Maildir/tmp").empty());
}

TEST_F(LocalDeliveryE2E, AliasRootForwardGoesToTheQueue) {
  Put(root_ + "/alias/.qmail-root", "&someone@example\n", alias_uid_);
  ProcessResult r = Deliver("root");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ReadFileOrEmpty(Recorded(".env")),
            Envelope(kSender, "someone@example"));
  EXPECT_EQ(ReadFileOrEmpty(Recorded(".msg")),
            std::string("Delivered-To: root@") + kDomain + "\n" + kMessage);
  EXPECT_EQ(OwnerOf(Recorded(".msg")), alias_uid_)
      << "the forward must be injected as the alias user";
}

TEST_F(LocalDeliveryE2E, AliasDefaultCatchesSystemAccounts) {
  Put(root_ + "/alias/.qmail-root", "./root-mail\n", alias_uid_);
  Put(root_ + "/alias/.qmail-default", "./system-mail\n", alias_uid_);
  for (const char* local : {"root", "bin", "daemon", "no-such-account"}) {
    ProcessResult r = Deliver(local);
    ASSERT_EQ(r.exit_code, 0) << local << ": " << r.out << r.err;
  }
  std::string system = ReadFileOrEmpty(root_ + "/alias/system-mail");
  for (const char* local : {"bin", "daemon", "no-such-account"}) {
    EXPECT_NE(system.find(std::string("Delivered-To: ") + local + "@"), std::string::npos)
        << "want " << local << " in\n" << system;
  }
  EXPECT_EQ(system.find("Delivered-To: root@"), std::string::npos);
  EXPECT_NE(ReadFileOrEmpty(root_ + "/alias/root-mail").find("Delivered-To: root@"),
            std::string::npos);
}

TEST_F(LocalDeliveryE2E, AliasWithoutFileBouncesUnknownUsers) {
  ProcessResult r = Deliver("no-such-account");
  EXPECT_EQ(r.exit_code, 100) << r.out;
  EXPECT_EQ(r.out, "Sorry, no mailbox here by that name. (#5.1.1)\n");
}

TEST_F(LocalDeliveryE2E, ProgramGetsMessageAndEnvironment) {
  Put(home_ + "/.qmail-prog", "|cat > prog.out; env > prog.env; id -u > prog.uid\n", kim_uid_);
  ProcessResult r = Deliver("kim-prog");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ReadFileOrEmpty(home_ + "/prog.out"), Header("kim-prog") + kMessage);
  EXPECT_EQ(ReadFileOrEmpty(home_ + "/prog.uid"), std::to_string(kim_uid_) + "\n");
  std::string env = ReadFileOrEmpty(home_ + "/prog.env");
  for (std::string want :
       {std::string("SENDER=") + kSender, std::string("NEWSENDER=") + kSender,
        std::string("RECIPIENT=kim-prog@") + kDomain, std::string("USER=kim"),
        "HOME=" + home_, std::string("HOST=") + kDomain, std::string("LOCAL=kim-prog"),
        std::string("EXT=prog"), std::string("EXT2="),
        std::string("DTLINE=Delivered-To: kim-prog@") + kDomain,
        std::string("RPLINE=Return-Path: <") + kSender + ">",
        std::string("UFLINE=From ") + kSender + " "}) {
    EXPECT_NE(env.find("\n" + want), std::string::npos) << "want " << want << " in\n" << env;
  }
}

TEST_F(LocalDeliveryE2E, MboxAbsoluteAndRelative) {
  Put(home_ + "/.qmail-mbox", home_ + "/abs-mbox\n./rel-mbox\n", kim_uid_);
  ProcessResult r = Deliver("kim-mbox");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* name : {"/abs-mbox", "/rel-mbox"}) {
    std::string mbox = ReadFileOrEmpty(home_ + name);
    EXPECT_EQ(mbox.compare(0, 5 + sizeof kSender, std::string("From ") + kSender + " "), 0)
        << mbox;
    EXPECT_NE(mbox.find(Header("kim-mbox") + "Subject: hello\n\n>From the body\nbye\n\n"),
              std::string::npos)
        << mbox;
    EXPECT_EQ(OwnerOf(home_ + name), kim_uid_);
  }
}

TEST_F(LocalDeliveryE2E, MultipleLinesAndEmptyFileDefault) {
  Put(home_ + "/.qmail-multi", "./Maildir/\n./multi-mbox\n&copy@example.com\n", kim_uid_);
  ProcessResult r = Deliver("kim-multi");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ListDir(home_ + "/Maildir/new").size(), 1u);
  EXPECT_NE(ReadFileOrEmpty(home_ + "/multi-mbox").find("Subject: hello"), std::string::npos);
  EXPECT_EQ(ReadFileOrEmpty(Recorded(".env")),
            Envelope(kSender, "copy@example.com"));

  // An empty file means the default delivery from control/defaultdelivery.
  WriteFileOrDie(root_ + "/control/defaultdelivery", "./from-control\n");
  Put(home_ + "/.qmail-empty", "", kim_uid_);
  r = Deliver("kim-empty");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(ReadFileOrEmpty(home_ + "/from-control").find(Header("kim-empty")),
            std::string::npos);
}

TEST_F(LocalDeliveryE2E, ExtensionDefault) {
  Put(home_ + "/.qmail-list-default", "|echo \"$DEFAULT\" > list.default\n", kim_uid_);
  ProcessResult r = Deliver("kim-list-bugs.2026");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ReadFileOrEmpty(home_ + "/list.default"), "bugs:2026\n");
  r = Deliver("kim-other");
  EXPECT_EQ(r.exit_code, 100);
  EXPECT_EQ(r.out, "Sorry, no mailbox here by that name. (#5.1.1)\n");
}

TEST_F(LocalDeliveryE2E, LoopIsAPermanentFailure) {
  ProcessResult r =
      Deliver("kim", std::string("Delivered-To: kim@") + kDomain + "\nSubject: x\n\nloop\n");
  EXPECT_EQ(r.exit_code, 100);
  EXPECT_NE(r.out.find("(#5.4.6)"), std::string::npos) << r.out;
  EXPECT_TRUE(ListDir(home_ + "/Maildir/new").empty());
}

TEST_F(LocalDeliveryE2E, ProgramExitCodesAndText) {
  Put(home_ + "/.qmail-perm", "|echo 'vacation: no such list'; exit 100\n", kim_uid_);
  Put(home_ + "/.qmail-temp", "|echo 'disk quota exceeded' >&2; exit 111\n", kim_uid_);
  ProcessResult r = Deliver("kim-perm");
  EXPECT_EQ(r.exit_code, 100);
  EXPECT_EQ(r.out, "vacation: no such list\n");
  r = Deliver("kim-temp");
  EXPECT_EQ(r.exit_code, 111);
  EXPECT_EQ(r.out, "disk quota exceeded\n");
}

TEST_F(LocalDeliveryE2E, UnsafePermissionsAreTemporary) {
  Put(home_ + "/.qmail-open", "./x\n", kim_uid_, 0666);
  ProcessResult r = Deliver("kim-open");
  EXPECT_EQ(r.exit_code, 111);
  EXPECT_NE(r.out.find("group- or world-writable"), std::string::npos) << r.out;
  ASSERT_EQ(::chmod(home_.c_str(), 01700), 0);
  r = Deliver("kim");
  EXPECT_EQ(r.exit_code, 111);
  EXPECT_NE(r.out.find("sticky"), std::string::npos) << r.out;
}

TEST_F(LocalDeliveryE2E, PasswdAccountWithExtension) {
  std::string name = "yubint" + std::to_string(::getpid() % 100000);
  std::string home = base_ + "/pwhome";
  uid_t uid = FreeUid(alias_uid_ + 1);
  ProcessResult add = RunProcess({"/usr/sbin/useradd", "-M", "-N", "-g", "nogroup", "-u",
                                  std::to_string(uid), "-d", home, "-s", "/bin/sh", name});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  added_users_.push_back(name);
  MakeDir(home, uid, 0700);
  Put(home + "/.qmail-news", "./news-mbox\n", uid);
  ProcessResult r = Deliver(name + "-news");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(ReadFileOrEmpty(home + "/news-mbox").find("Delivered-To: " + name + "-news@"),
            std::string::npos);
  EXPECT_EQ(OwnerOf(home + "/news-mbox"), uid);

  // A home directory the account does not own sends the mail to the alias.
  ASSERT_EQ(::chown(home.c_str(), 0, 0), 0);
  Put(root_ + "/alias/.qmail-" + name + "-news", "./for-alias\n", alias_uid_);
  r = Deliver(name + "-news");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(ReadFileOrEmpty(root_ + "/alias/for-alias").find("Subject: hello"),
            std::string::npos);
}

TEST_F(LocalDeliveryE2E, ConvertedAliasesAreDelivered) {
  std::string aliases = base_ + "/aliases";
  WriteFileOrDie(aliases, "# sendmail aliases\nPostmaster: admin@example.com,\n"
                          "  " + root_ + "/alias/pm-log\nold: error:nouser gone\n");
  std::string bin = RunfilePath("cmd/yubin-aliases/yubin-aliases");
  ProcessResult dry = RunProcess({bin, "--dry-run", aliases}, {.env = {"YUBIN_ROOT=" + root_}});
  EXPECT_EQ(dry.exit_code, 100) << "one alias cannot be converted";
  EXPECT_NE(dry.out.find("not converted: line 4: old:"), std::string::npos) << dry.out;
  EXPECT_FALSE(FileExists(root_ + "/alias/.qmail-postmaster"));
  ProcessResult conv = RunProcess({bin, aliases}, {.env = {"YUBIN_ROOT=" + root_}});
  EXPECT_EQ(conv.exit_code, 100) << conv.out << conv.err;
  ASSERT_EQ(ReadFileOrEmpty(root_ + "/alias/.qmail-postmaster"),
            "&admin@example.com\n" + root_ + "/alias/pm-log\n");
  EXPECT_EQ(OwnerOf(root_ + "/alias/.qmail-postmaster"), alias_uid_);
  ProcessResult r = Deliver("postmaster");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ReadFileOrEmpty(Recorded(".env")), Envelope(kSender, "admin@example.com"));
  EXPECT_NE(ReadFileOrEmpty(root_ + "/alias/pm-log").find("Delivered-To: postmaster@"),
            std::string::npos);
}

TEST_F(LocalDeliveryE2E, NonRootModeOnlyOwnHomes) {
  // yubin-local started as kim's uid (not root) may deliver to kim, whose
  // home it owns, but not to the alias user's directory.
  std::string ids = std::to_string(kim_uid_);
  std::vector<std::string> as_kim = {"/usr/bin/setpriv", "--reuid=" + ids, "--regid=" + ids,
                                     "--clear-groups", "--",
                                     base_ + "/bin/yubin-local"};
  ProcessResult cp = RunProcess(
      {"/bin/cp", RunfilePath("cmd/yubin-local/yubin-local"), base_ + "/bin/yubin-local"});
  ASSERT_EQ(cp.exit_code, 0) << cp.err;
  auto run = [&](const std::string& local) {
    std::vector<std::string> argv = as_kim;
    argv.insert(argv.end(), {local, kDomain, kSender});
    return RunProcess(argv, {.input = kMessage,
                             .env = {"YUBIN_ROOT=" + root_, "PATH=/usr/bin:/bin"}});
  };
  ProcessResult r = run("kim");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ListDir(home_ + "/Maildir/new").size(), 1u);
  r = run("root");
  EXPECT_EQ(r.exit_code, 111) << r.out;
  EXPECT_NE(r.out.find("non-root mode"), std::string::npos) << r.out;
}

TEST_F(LocalDeliveryE2E, PlanOnlyDeliversNothing) {
  Put(home_ + "/.qmail-plan", "./x\n&y@example.com\n", kim_uid_);
  ProcessResult r = RunProcess({RunfilePath("cmd/yubin-local/yubin-local"), "-n", "kim-plan",
                                kDomain, kSender},
                               {.env = {"YUBIN_ROOT=" + root_}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("file " + home_ + "/.qmail-plan\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mbox ./x\nforward y@example.com\n"), std::string::npos) << r.out;
  EXPECT_FALSE(FileExists(home_ + "/x"));
}

}  // namespace
}  // namespace yubin::testing
