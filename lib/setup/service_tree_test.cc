#include "lib/setup/service_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "lib/setup/root_layout.h"
#include "tests/harness/harness.h"

namespace yubin::setup {
namespace {

using testing::FileExists;
using testing::ReadFileOrEmpty;

TEST(FillTemplate, ReplacesEveryPlaceholder) {
  Result<std::string> got = FillTemplate("a @ROOT@/x @PORT@@PORT@ z", {{"ROOT", "/r"}, {"PORT", "25"}});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, "a /r/x 2525 z");
}

TEST(FillTemplate, LeavesLoneAtSignsAlone) {
  Result<std::string> got = FillTemplate("mail root@example.com @ at end @", {});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, "mail root@example.com @ at end @");
}

TEST(FillTemplate, UnknownPlaceholderIsPermanentError) {
  Result<std::string> got = FillTemplate("x @NOPE@ y", {{"ROOT", "/r"}});
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().permanent());
  EXPECT_NE(got.status().message().find("@NOPE@"), std::string::npos)
      << "got " << got.status().message();
}

TEST(EtcDir, UserModeUsesRootEtc) {
  TreeOptions o;
  o.root = "/r";
  o.user_mode = true;
  EXPECT_EQ(EtcDir(o), "/r/etc");
  o.user_mode = false;
  EXPECT_EQ(EtcDir(o), "/etc");
  o.etc = "/e";
  EXPECT_EQ(EtcDir(o), "/e");
}

class ServiceTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::MakeTempDir("root") + "/r";
    std::vector<std::string> notes;
    ASSERT_TRUE(MakeRoot({.root = root_, .user_mode = true, .me = "mx.example"}, &notes).ok());
    options_.root = root_;
    options_.bindir = "/opt/yubin/bin";
    options_.templates = testing::RunfilePath("services");
    options_.port = 2525;
    options_.address = "127.0.0.1";
    options_.user_mode = true;
  }
  Status Make() {
    std::vector<std::string> notes;
    return MakeServiceTree(options_, &notes);
  }
  static mode_t ModeOf(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
  }
  std::string root_;
  TreeOptions options_;
};

TEST_F(ServiceTreeTest, WritesEveryServiceWithLogAndReadiness) {
  Status s = Make();
  ASSERT_TRUE(s.ok()) << s.message();
  for (const char* name : kServiceNames) {
    std::string dir = root_ + "/service/" + name;
    EXPECT_EQ(ModeOf(dir + "/run"), 0755u) << dir;
    EXPECT_EQ(ModeOf(dir + "/log/run"), 0755u) << dir;
    EXPECT_EQ(ReadFileOrEmpty(dir + "/notification-fd"), "3\n") << dir;
    EXPECT_TRUE(FileExists(root_ + "/log/" + name)) << name;
    std::string run = ReadFileOrEmpty(dir + "/run") + ReadFileOrEmpty(dir + "/log/run");
    EXPECT_EQ(run.find("@"), std::string::npos) << "placeholder left in " << dir << ":\n" << run;
    EXPECT_NE(run.find("YUBIN_ROOT=" + root_), std::string::npos) << run;
    EXPECT_NE(run.find("multilog t s1000000 n20 " + root_ + "/log/" + name), std::string::npos)
        << run;
    EXPECT_NE(run.find("softlimit -d "), std::string::npos) << run;
  }
  std::string smtpd = ReadFileOrEmpty(root_ + "/service/smtpd/run");
  EXPECT_NE(smtpd.find("-x " + root_ + "/control/tcp.smtp.cdb -c 40"), std::string::npos)
      << smtpd;
  EXPECT_NE(smtpd.find("127.0.0.1 2525 yubin-smtpd"), std::string::npos) << smtpd;
  EXPECT_EQ(smtpd.find("-u "), std::string::npos) << "user mode has no -u:\n" << smtpd;
  EXPECT_NE(ReadFileOrEmpty(root_ + "/service/send/run").find("yubin-send -d 3"),
            std::string::npos);
  EXPECT_NE(ReadFileOrEmpty(root_ + "/service/local/run").find("yubin-lspawn -d 3"),
            std::string::npos);
  EXPECT_FALSE(FileExists(root_ + "/service/.smtpd.new"));
}

TEST_F(ServiceTreeTest, WritesControlDefaultsAliasHomeAndBootFiles) {
  options_.admin = "ops@example.org";
  ASSERT_TRUE(Make().ok());
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/control/defaultdelivery"), "./Maildir/\n");
  std::string rules = ReadFileOrEmpty(root_ + "/control/tcp.smtp");
  EXPECT_NE(rules.find("127.:allow,RELAYCLIENT=\"\"\n:allow\n"), std::string::npos) << rules;
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/alias/.qmail-root"), "&ops@example.org\n");
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/alias/.qmail-postmaster"), "&root\n");
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/alias/.qmail-mailer-daemon"), "&root\n");
  EXPECT_EQ(ModeOf(root_ + "/alias"), 0755u);
  EXPECT_EQ(ModeOf(root_ + "/alias/Maildir/new"), 0700u);
  std::string unit = ReadFileOrEmpty(root_ + "/etc/systemd/system/yubin.service");
  EXPECT_NE(unit.find("ExecStart=/opt/yubin/bin/svscan " + root_ + "/service"), std::string::npos)
      << unit;
  std::string init = ReadFileOrEmpty(root_ + "/etc/init.d/yubin");
  EXPECT_NE(init.find("YUBINCTL=/opt/yubin/bin/yubinctl"), std::string::npos) << init;
  EXPECT_EQ(ModeOf(root_ + "/etc/init.d/yubin"), 0755u);
}

TEST_F(ServiceTreeTest, RerunUpgradesScriptsAndKeepsAdministratorsFiles) {
  ASSERT_TRUE(Make().ok());
  testing::WriteFileOrDie(root_ + "/service/send/down", "");
  testing::WriteFileOrDie(root_ + "/alias/.qmail-root", "&me@example.net\n");
  testing::WriteFileOrDie(root_ + "/control/tcp.smtp", "10.:allow\n:deny\n");
  testing::WriteFileOrDie(root_ + "/control/defaultdelivery", "./Mailbox\n");
  testing::WriteFileOrDie(root_ + "/alias/Maildir/new/1.x", "kept\n");
  options_.port = 2626;
  ASSERT_TRUE(Make().ok());
  EXPECT_NE(ReadFileOrEmpty(root_ + "/service/smtpd/run").find("127.0.0.1 2626 yubin-smtpd"),
            std::string::npos);
  EXPECT_TRUE(FileExists(root_ + "/service/send/down"));
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/alias/.qmail-root"), "&me@example.net\n");
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/control/tcp.smtp"), "10.:allow\n:deny\n");
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/control/defaultdelivery"), "./Mailbox\n");
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/alias/Maildir/new/1.x"), "kept\n");
}

TEST_F(ServiceTreeTest, CompilesTheRulesWithTcprulesAndAgainAfterAnEdit) {
  std::string bin = testing::MakeTempDir("bin");
  ASSERT_EQ(testing::RunShell("cp " + testing::RunfilePath("cmd/tcprules/tcprules") + " " + bin)
                .exit_code,
            0);
  options_.bindir = bin;
  std::vector<std::string> notes;
  ASSERT_TRUE(MakeServiceTree(options_, &notes).ok());
  EXPECT_TRUE(notes.empty()) << notes[0];
  std::string cdb = root_ + "/control/tcp.smtp.cdb";
  std::string first = ReadFileOrEmpty(cdb);
  EXPECT_NE(first.find("RELAYCLIENT"), std::string::npos) << "cdb holds the rule's variables";
  testing::WriteFileOrDie(root_ + "/control/tcp.smtp", "10.:allow,RELAYCLIENT=\"\"\n:deny\n");
  struct timespec later[2] = {{0, UTIME_OMIT}, {0, 0}};
  clock_gettime(CLOCK_REALTIME, &later[1]);
  later[1].tv_sec += 5;
  utimensat(AT_FDCWD, (root_ + "/control/tcp.smtp").c_str(), later, 0);
  ASSERT_TRUE(MakeServiceTree(options_, &notes).ok());
  EXPECT_NE(ReadFileOrEmpty(cdb), first) << "edited rules were not compiled again";
  EXPECT_NE(ReadFileOrEmpty(cdb).find("10."), std::string::npos);
}

TEST_F(ServiceTreeTest, WithoutTcprulesSaysTheCdbIsMissing) {
  std::vector<std::string> notes;
  ASSERT_TRUE(MakeServiceTree(options_, &notes).ok());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("tcp.smtp.cdb not compiled"), std::string::npos) << notes[0];
}

TEST_F(ServiceTreeTest, RefusesADirectoryThatIsNotARoot) {
  options_.root = testing::MakeTempDir("empty");
  Status s = Make();
  EXPECT_TRUE(s.permanent()) << "got " << s.message();
}

TEST_F(ServiceTreeTest, BrokenTemplateNamesTheFile) {
  std::string templates = testing::MakeTempDir("tpl");
  for (const char* name : kServiceNames) {
    mkdir((templates + "/" + name).c_str(), 0755);
    testing::WriteFileOrDie(templates + "/" + name + "/run", "#!/bin/sh\nexec @MISSING@\n");
  }
  options_.templates = templates;
  Status s = Make();
  ASSERT_TRUE(s.permanent()) << "got " << s.message();
  EXPECT_NE(s.message().find("smtpd/run: unknown placeholder @MISSING@"), std::string::npos)
      << s.message();
  EXPECT_FALSE(FileExists(root_ + "/service/smtpd")) << "a broken service must not appear";
}

}  // namespace
}  // namespace yubin::setup
