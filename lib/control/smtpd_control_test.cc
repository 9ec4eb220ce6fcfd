#include "lib/control/smtpd_control.h"

#include <cdb.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

namespace yubin::control {
namespace {

class SmtpdControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::string(tmp ? tmp : "/tmp") + "/control." +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    mkdir(dir_.c_str(), 0755);
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name, std::ios::binary) << text;
  }
  std::string dir_;
};

TEST_F(SmtpdControlTest, DefaultsWithNoFiles) {
  auto c = LoadSmtpdControl(dir_, nullptr, "host.example");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->me, "host.example");
  EXPECT_EQ(c->greeting, "host.example");
  EXPECT_EQ(c->localiphost, "host.example");
  EXPECT_FALSE(c->rcpthosts.has_value());
  EXPECT_EQ(c->databytes, kDefaultDatabytes);
  EXPECT_EQ(c->timeout_seconds, kDefaultTimeoutSmtpd);
  EXPECT_EQ(c->maxrcpt, kDefaultMaxRcpt);
  // No rcpthosts: only locals (default: me) are accepted; nothing relays.
  EXPECT_TRUE(c->AcceptsDomain("HOST.example"));
  EXPECT_FALSE(c->AcceptsDomain("example.com"));
}

TEST_F(SmtpdControlTest, ReadsEveryFile) {
  Write("me", "mx.example.com\n");
  Write("smtpgreeting", "mx.example.com welcome\n");
  Write("localiphost", "Example.COM\n");
  Write("rcpthosts", "example.com\n.example.org\n");
  Write("locals", "example.com\n");
  Write("badmailfrom", "spam@bad.example\n@worse.example\n");
  Write("databytes", "1000\n");
  Write("timeoutsmtpd", "30\n");
  Write("maxrcpt", "5\n");
  auto c = LoadSmtpdControl(dir_, nullptr, "ignored");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->me, "mx.example.com");
  EXPECT_EQ(c->greeting, "mx.example.com welcome");
  EXPECT_EQ(c->localiphost, "example.com");
  EXPECT_EQ(c->databytes, 1000u);
  EXPECT_EQ(c->timeout_seconds, 30u);
  EXPECT_EQ(c->maxrcpt, 5u);
  EXPECT_TRUE(c->AcceptsDomain("Example.Com"));
  EXPECT_FALSE(c->AcceptsDomain("sub.example.com"));
  EXPECT_TRUE(c->AcceptsDomain("a.b.example.org"));
  EXPECT_FALSE(c->AcceptsDomain("example.org"));
  EXPECT_FALSE(c->AcceptsDomain("mx.example.com")) << "me is not rcpthosts";
  EXPECT_TRUE(c->IsLocal("EXAMPLE.com"));
  EXPECT_FALSE(c->IsLocal("example.org"));
  EXPECT_TRUE(c->IsBadMailFrom("Spam@Bad.Example"));
  EXPECT_TRUE(c->IsBadMailFrom("anyone@worse.example"));
  EXPECT_FALSE(c->IsBadMailFrom("ham@bad.example"));
  EXPECT_FALSE(c->IsBadMailFrom(""));
}

TEST_F(SmtpdControlTest, DatabytesEnvironmentOverrides) {
  Write("databytes", "1000\n");
  auto c = LoadSmtpdControl(dir_, "2000", "h");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->databytes, 2000u);
  EXPECT_FALSE(LoadSmtpdControl(dir_, "lots", "h").ok());
}

TEST_F(SmtpdControlTest, MalformedNumberIsAnError) {
  Write("maxrcpt", "many\n");
  EXPECT_FALSE(LoadSmtpdControl(dir_, nullptr, "h").ok());
}

TEST_F(SmtpdControlTest, MoreRcpthostsCdb) {
  Write("rcpthosts", "example.com\n");
  std::string path = dir_ + "/morercpthosts.cdb";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  struct cdb_make cm;
  cdb_make_start(&cm, fd);
  for (const char* key : {"example.net", ".example.biz"}) {
    ASSERT_EQ(cdb_make_add(&cm, key, strlen(key), "", 0), 0);
  }
  ASSERT_EQ(cdb_make_finish(&cm), 0);
  close(fd);
  auto c = LoadSmtpdControl(dir_, nullptr, "h");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->AcceptsDomain("example.net"));
  EXPECT_TRUE(c->AcceptsDomain("mail.example.biz"));
  EXPECT_FALSE(c->AcceptsDomain("example.biz"));
  EXPECT_FALSE(c->AcceptsDomain("example.org"));
}

}  // namespace
}  // namespace yubin::control
