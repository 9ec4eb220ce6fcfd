#include "lib/inject/inject_defaults.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>

#include "tests/harness/harness.h"

namespace yubin::inject {
namespace {

std::map<std::string, std::string>* g_env = nullptr;

char* FakeGetEnv(const char* name) {
  auto it = g_env->find(name);
  return it == g_env->end() ? nullptr : it->second.data();
}

class InjectDefaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("control");
    g_env = &env_;
  }
  void Write(const std::string& name, const std::string& text) {
    testing::WriteFileOrDie(dir_ + "/" + name, text);
  }
  Result<InjectDefaults> Load() {
    return LoadInjectDefaults(dir_, FakeGetEnv, SystemUser{"joe", "Joe Bloggs,,,"});
  }
  std::string dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(InjectDefaultsTest, MeIsTheFallback) {
  Write("me", "mail.example.com\n");
  Result<InjectDefaults> d = Load();
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->default_host, "mail.example.com");
  EXPECT_EQ(d->default_domain, "mail.example.com");
  EXPECT_EQ(d->user, "joe");
  EXPECT_EQ(d->from_host, "mail.example.com");
  EXPECT_EQ(d->full_name, "Joe Bloggs");
  EXPECT_EQ(d->sender_user, "joe");
  EXPECT_EQ(d->sender_host, "mail.example.com");
}

TEST_F(InjectDefaultsTest, ControlFilesThenEnvironment) {
  Write("me", "box.example.com\n");
  Write("defaulthost", "  example.com \n");
  Write("defaultdomain", "example.org\nignored\n");
  Result<InjectDefaults> d = Load();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->default_host, "example.com");
  EXPECT_EQ(d->default_domain, "example.org");
  env_ = {{"QMAILDEFAULTHOST", "h.test"}, {"QMAILUSER", "boss"},
          {"MAILHOST", "m.test"}, {"NAME", "The\nBoss"},
          {"QMAILSUSER", "bounces"}, {"QMAILSHOST", "s.test"}};
  d = Load();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->default_host, "h.test");
  EXPECT_EQ(d->user, "boss");
  EXPECT_EQ(d->from_host, "m.test");
  EXPECT_EQ(d->full_name, "The Boss") << "a newline must not reach the header";
  EXPECT_EQ(d->sender_user, "bounces");
  EXPECT_EQ(d->sender_host, "s.test");
}

TEST_F(InjectDefaultsTest, NoMeUsesHostName) {
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  Result<InjectDefaults> d = Load();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->default_host, host);
}

TEST_F(InjectDefaultsTest, UnreadableControlIsTemporary) {
  ASSERT_EQ(mkdir((dir_ + "/me").c_str(), 0755), 0);  // read() gives EISDIR
  Result<InjectDefaults> d = Load();
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.status().temporary()) << d.status().message();
}

TEST(GecosTest, NamesFromGecos) {
  EXPECT_EQ(NameFromGecos("Joe Bloggs,Room 1,555", "joe"), "Joe Bloggs");
  EXPECT_EQ(NameFromGecos("& Smith", "ann"), "Ann Smith");
  EXPECT_EQ(NameFromGecos("", "ann"), "");
  EXPECT_EQ(SanitizeFullName(std::string(kMaxFullNameBytes + 5, 'x')).size(),
            kMaxFullNameBytes);
}

}  // namespace
}  // namespace yubin::inject
