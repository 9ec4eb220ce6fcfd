#include "lib/ctl/doctor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "lib/setup/root_layout.h"
#include "lib/setup/service_tree.h"
#include "tests/harness/harness.h"

namespace yubin::ctl {
namespace {

bool Has(const std::vector<Finding>& f, Severity sev, const std::string& text) {
  for (const Finding& x : f) {
    if (x.severity == sev && x.what.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(CheckRelayRules, EveryoneIsAProblemOthersAWarningLoopbackOk) {
  std::vector<Finding> f = CheckRelayRules(
      "# comment\n"
      "127.:allow,RELAYCLIENT=\"\"\n"
      "10.1.:allow,RELAYCLIENT=\"\",GREETDELAY=\"0\"\n"
      "192.168.:allow\n"
      ":allow,RELAYCLIENT=\"\"\n");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].severity, Severity::kOk);
  EXPECT_EQ(f[1].severity, Severity::kWarning);
  EXPECT_NE(f[1].what.find("10.1."), std::string::npos) << f[1].what;
  EXPECT_EQ(f[2].severity, Severity::kProblem);
  EXPECT_NE(f[2].what.find("OPEN RELAY"), std::string::npos) << f[2].what;
  EXPECT_EQ(CountProblems(f), 1);
}

TEST(CheckRelayRules, DefaultRulesAreSafe) {
  EXPECT_EQ(CountProblems(CheckRelayRules("127.:allow,RELAYCLIENT=\"\"\n:allow\n")), 0);
  EXPECT_TRUE(CheckRelayRules(":deny\n").empty());
}

class DoctorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::MakeTempDir("root") + "/r";
    std::vector<std::string> notes;
    ASSERT_TRUE(setup::MakeRoot({.root = root_, .user_mode = true, .me = "mx.example"}, &notes)
                    .ok());
    setup::TreeOptions o;
    o.root = root_;
    o.bindir = "/nonexistent";
    o.templates = testing::RunfilePath("services");
    o.user_mode = true;
    ASSERT_TRUE(setup::MakeServiceTree(o, &notes).ok());
  }
  std::string root_;
};

TEST_F(DoctorTest, FreshTreeNamesTheMissingCdbAndTheStoppedTree) {
  std::vector<Finding> f = RunDoctor(root_);
  EXPECT_TRUE(Has(f, Severity::kProblem, "tcp.smtp.cdb is missing")) << FormatFindings(f);
  EXPECT_TRUE(Has(f, Severity::kWarning, "not running")) << FormatFindings(f);
  EXPECT_TRUE(Has(f, Severity::kOk, "control/me: mx.example")) << FormatFindings(f);
  EXPECT_TRUE(Has(f, Severity::kOk, "queue/ is private")) << FormatFindings(f);
  EXPECT_FALSE(Has(f, Severity::kProblem, "OPEN RELAY")) << FormatFindings(f);
  std::string text = FormatFindings(f);
  EXPECT_NE(text.find("         fix: tcprules " + root_ + "/control/tcp.smtp.cdb"),
            std::string::npos)
      << text;
}

TEST_F(DoctorTest, FindsOpenRelayMissingRcpthostsAndLoosePermissions) {
  testing::WriteFileOrDie(root_ + "/control/tcp.smtp", ":allow,RELAYCLIENT=\"\"\n");
  unlink((root_ + "/control/rcpthosts").c_str());
  chmod((root_ + "/control/me").c_str(), 0666);
  chmod((root_ + "/queue").c_str(), 0755);
  chmod((root_ + "/alias").c_str(), 0777);
  std::vector<Finding> f = RunDoctor(root_);
  std::string text = FormatFindings(f);
  EXPECT_TRUE(Has(f, Severity::kProblem, "OPEN RELAY")) << text;
  EXPECT_TRUE(Has(f, Severity::kWarning, "rcpthosts is missing")) << text;
  EXPECT_TRUE(Has(f, Severity::kProblem, "control/me is writable")) << text;
  EXPECT_TRUE(Has(f, Severity::kProblem, "queue/ has mode 755")) << text;
  // Run as root the alias home is root's, which is itself the problem named.
  EXPECT_TRUE(Has(f, Severity::kProblem, geteuid() == 0 ? "the alias home is owned by root"
                                                          : "the alias home is writable"))
      << text;
}

TEST_F(DoctorTest, MissingRootIsOneProblem) {
  std::vector<Finding> f = RunDoctor(root_ + "/nope");
  EXPECT_EQ(CountProblems(f), 1);
}

}  // namespace
}  // namespace yubin::ctl
